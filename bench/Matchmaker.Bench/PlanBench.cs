using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Bench;

/// <summary>
/// `plan [--organizations 100000] [--seed 60] [--plans 300] [--runs 3] [--instances 1000] [--search-only]`: the consortium planner.
/// First the search against the exact optimum on random instances small enough to enumerate (with simpler searches
/// for comparison); then the latency of whole plans (candidates, model scores, pairwise cohesion, search, reasons)
/// on the synthetic corridor graph with a model trained on its own history, one plan at a time as the API runs them.
/// </summary>
internal static class PlanBench
{
    private static readonly Option<int> Instances = BenchOptions.Int("--instances", 1000, "random instances searched against the exact optimum");
    private static readonly Option<bool> SearchOnly = BenchOptions.Flag("--search-only", "the search against the exact optimum only, no latency");
    private static readonly Option<string?> Variant = BenchOptions.Text("--variant",
        "planner settings as in the cordis consortium track's --variant (its weight is not used here)", "W:L1/L2/L3/L4/L5/TIE/SHARED");
    private static readonly Option<int> Organizations = BenchOptions.Int("--organizations", 100_000, "organizations in the synthetic corridor graph");
    private static readonly Option<int> Seed = BenchOptions.Int("--seed", 60, "the synthetic graph's seed");
    private static readonly Option<int> Plans = BenchOptions.Int("--plans", 300, "plans timed in each run");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 3, "timed runs");
    private static readonly Option<int> TrainQueries = BenchOptions.Int("--train-queries", 1000, "training queries of the model");

    public static Command Command()
    {
        var command = new Command("plan",
            "the consortium planner: search against the exact optimum, then plan latency on the synthetic corridor graph")
        {
            Organizations, Seed, Plans, Runs, Instances, TrainQueries, Variant, SearchOnly,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult args)
    {
        // --variant as in the cordis consortium track, read before the long search so that a mistyped one costs nothing.
        PlannerOptions options;
        try
        {
            options = args.GetValue(Variant) is { } variant ? Cordis.ConsortiumTrack.ParseVariant(variant).Apply(new PlannerOptions()) : new PlannerOptions();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine($"--variant: {e.Message}");
            return 2;
        }
        Console.WriteLine($"machine: {Machine.Describe()}");
        SearchQuality(args.GetValue(Instances));
        if (args.GetValue(SearchOnly)) return 0;
        Latency(args.GetValue(Organizations), args.GetValue(Seed), args.GetValue(Plans), args.GetValue(Runs), args.GetValue(TrainQueries), options);
        return 0;
    }

    private static void SearchQuality(int instances)
    {
        var searches = new (string Name, SearchOptions Options)[]
        {
            ("greedy (beam 1, no local search)", new SearchOptions { BeamWidth = 1, LocalSearch = false }),
            ("beam 8, no local search", new SearchOptions { LocalSearch = false }),
            ("greedy + local search", new SearchOptions { BeamWidth = 1 }),
            ("beam 8 + local search (used)", SearchOptions.Default),
        };
        var ratio = new double[searches.Length];
        var optimal = new int[searches.Length];
        var seconds = new double[searches.Length];
        int solved = 0, later = 0, laterOptimal = 0;
        double laterRatio = 0, exactSeconds = 0;
        for (var seed = 1; seed <= instances; seed++)
        {
            var problem = RandomInstances.Create(seed);
            var clock = Stopwatch.StartNew();
            var exact = ExhaustiveSearch.Solve(problem);
            exactSeconds += clock.Elapsed.TotalSeconds;
            if (exact is null) continue;
            solved++;
            for (var s = 0; s < searches.Length; s++)
            {
                clock.Restart();
                var team = TeamSearch.Solve(problem, [], 0, searches[s].Options)!;
                seconds[s] += clock.Elapsed.TotalSeconds;
                ratio[s] += team.Objective / exact.Objective;
                if (team.Objective >= exact.Objective - 1e-9) optimal[s]++;
            }
            var alternatives = TeamSearch.Alternatives(problem, 3);
            for (var i = 1; i < alternatives.Count; i++)
            {
                var best = ExhaustiveSearch.Solve(problem, alternatives.Take(i).ToArray(), problem.MinDifference)!;
                later++;
                laterRatio += alternatives[i].Objective / best.Objective;
                if (alternatives[i].Objective >= best.Objective - 1e-9) laterOptimal++;
            }
        }
        Console.WriteLine($"search against the exact optimum: {solved} random feasible instances of {instances} (2-4 slots, 3-8 members, 12-20 candidates, seeds 1-{instances})");
        Console.WriteLine($"{"search",-34} {"mean J/J*",10} {"optimum",9} {"ms/inst",8}");
        for (var s = 0; s < searches.Length; s++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{searches[s].Name,-34} {ratio[s] / solved,10:F5} {100.0 * optimal[s] / solved,8:F1}% {1000 * seconds[s] / solved,8:F3}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"exhaustive enumeration",-34} {1.0,10:F5} {100.0,8:F1}% {1000 * exactSeconds / instances,8:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alternatives 2-3 against the exact optimum under the same difference rule: {later} teams, mean {laterRatio / later:F5}, " +
            $"optimum in {100.0 * laterOptimal / later:F1}%"));
        Console.WriteLine();
    }

    private static void Latency(int organizations, int seed, int plans, int runs, int trainQueries, PlannerOptions plannerOptions)
    {
        var clock = Stopwatch.StartNew();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations, Seed = seed });
        var snapshot = GraphSnapshot.Build(batch);
        Console.WriteLine($"synthetic graph: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects, " +
                          $"{snapshot.Partners.EdgeCount:N0} partner edges ({clock.Elapsed.TotalSeconds:F1} s)");

        // The model as the service trains it: features from before the newest year, labels from it (capabilities included).
        clock.Restart();
        var cut = batch.Projects.Max(p => p.Year);
        var before = snapshot.Before(cut);
        var future = snapshot.ProjectsOf(cut).Select(p => new TimeSplit.FutureProject(p.Id, p.Year, p.Sectors, p.Lead, p.Members));
        var capabilities = Engine.Recommendations.ModelTrainingService.CapabilitiesOf(snapshot);
        var options = new RankerOptions();
        var rows = RankerTrainer.BuildRows([new TrainingSplit(new SnapshotStats(before), TimeSplit.Queries(before, future).Take(trainQueries).ToArray(), $"labels from {cut}")],
            new CandidateGenerator(null, capabilities), new PairFeatureExtractor(capabilities), options);
        var model = RankerTrainer.Train(rows, options, $"synthetic graph, labels from {cut}", 1, DateTimeOffset.UnixEpoch);
        Console.WriteLine($"model: {model.Trees.TreeCount} trees, trained on {rows.Queries:N0} queries / {rows.Rows.Count:N0} rows ({clock.Elapsed.TotalSeconds:F1} s)");

        // The snapshot's text matching, as the service shares it between its rankers and the planner: the challenge is
        // the lead's query text (the model here has no text columns, so fit does not change by it) and coverage's needs.
        clock.Restart();
        var text = TextMatcher.Build(snapshot);
        Console.WriteLine($"text index: {text?.Index.TermCount ?? 0:N0} terms ({clock.Elapsed.TotalSeconds:F1} s), once per snapshot");
        clock.Restart();
        var planner = new ConsortiumPlanner(snapshot, model, plannerOptions, text: text);
        Console.WriteLine($"planner options: cohesion levels {plannerOptions.Cohesion}, led teams shortlisted {plannerOptions.PoolFromLedTeams}, " +
                          $"fit over all scored {plannerOptions.FitOverAllScored}, fit by kind {plannerOptions.FitByKind}, past team in fit {plannerOptions.PastTeamInFit}, " +
                          $"grown from the team {plannerOptions.GrowFromTeam}, cohesion by shape {plannerOptions.CohesionByShape}");
        Console.WriteLine($"planner for this snapshot and model (statistics, term index): {clock.Elapsed.TotalSeconds:F1} s, once per snapshot");

        // Leads of the newest projects, in their project's field; a quarter with allowed cities, a quarter with a per-city cap.
        var random = new Random(seed);
        var leads = batch.Projects.Where(p => p.Year == cut).Select(p => (Lead: p.Members[0].OrganizationId, p.Sector)).DistinctBy(p => p.Lead).ToArray();
        random.Shuffle(leads);
        var cities = G60Catalog.Cities.Where(c => c.InCorridor).Select(c => c.Code).ToArray();
        var requests = leads.Take(plans + 20).Select((l, i) => Request(snapshot, l.Lead, l.Sector, i, random, cities)).ToArray();

        // Warm-up (JIT, lazily built per-sector statistics), then the same plans in several measured runs.
        for (var i = 0; i < 20; i++) planner.Plan(requests[plans + i], $"warm-{i}", DateTimeOffset.UnixEpoch);
        var process = Process.GetCurrentProcess();
        var medians = new List<double>();
        var p95s = new List<double>();
        var p99s = new List<double>();
        var cpu = new List<double>();
        var refused = 0;
        long alternatives = 0;
        double needs = 0, coverage = 0;
        Console.WriteLine($"{plans} plans one after another per run, {runs} runs; 3 alternatives asked each; a quarter with allowed cities, a quarter with a per-city cap");
        for (var run = 0; run < runs; run++)
        {
            var latencies = new double[plans];
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            refused = 0;
            alternatives = 0;
            needs = coverage = 0;
            for (var i = 0; i < plans; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var outcome = planner.Plan(requests[i], $"bench-{i}", DateTimeOffset.UnixEpoch);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (outcome.Plan is null) refused++;
                else
                {
                    alternatives += outcome.Plan.Alternatives.Count;
                    needs += outcome.Plan.Objective.Needs.Count;
                    coverage += outcome.Plan.Alternatives[0].Parts.Coverage;
                }
            }
            process.Refresh();
            // A plan runs on one thread: the process's CPU time per plan is what a plan costs when a core is free
            // (this machine is shared; wall-clock percentiles include waiting for a core).
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds / plans);
            var sorted = latencies.Order().ToArray();
            double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
            medians.Add(Percentile(0.5));
            p95s.Add(Percentile(0.95));
            p99s.Add(Percentile(0.99));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1}: median {medians[^1]:F1} ms, p95 {p95s[^1]:F1} ms, p99 {p99s[^1]:F1} ms, max {sorted[^1]:F1} ms, " +
                $"CPU {cpu[^1]:F1} ms per plan; load average {LoadAverage()}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{alternatives / (double)Math.Max(1, plans - refused):F2} alternatives given per plan on average, {refused} refused; " +
            $"coverage needs per plan {needs / Math.Max(1, plans - refused):F2}, coverage part of the first team {coverage / Math.Max(1, plans - refused):F3} (means)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency of one plan, medians over the runs: median {Machine.Median(medians):F1} ms, p95 {Machine.Median(p95s):F1} ms (target < 200 ms), " +
            $"p99 {Machine.Median(p99s):F1} ms; CPU time {Machine.Median(cpu):F1} ms per plan"));
        Console.WriteLine($"peak working set {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static PlanRequest Request(GraphSnapshot g, string lead, string sector, int i, Random random, string[] cities)
    {
        var details = g.Details[g.IndexOf(lead)]!;
        var challenge = $"需要中试验证与风险投资 / {string.Join(", ", details.Needs.Select(n => n.Replace('-', ' ')))}";
        var constraints = (i % 4) switch
        {
            1 => new PlanConstraints { Cities = cities.OrderBy(_ => random.Next()).Take(5).Append(details.City).Distinct().ToArray() },
            2 => new PlanConstraints { MaxPerCity = 2 },
            _ => new PlanConstraints(),
        };
        return new PlanRequest { LeadId = lead, Sectors = [sector], Challenge = challenge, Constraints = constraints, Alternatives = 3 };
    }
}
