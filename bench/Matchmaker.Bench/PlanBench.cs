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
/// `plan [--organizations 100000] [--seed 60] [--plans 300] [--instances 1000] [--search-only]`: the consortium planner.
/// First the search against the exact optimum on random instances small enough to enumerate (with simpler searches
/// for comparison); then the latency of whole plans (candidates, model scores, pairwise cohesion, search, reasons)
/// on the synthetic corridor graph with a model trained on its own history, one plan at a time as the API runs them.
/// </summary>
internal static class PlanBench
{
    public static int Run(string[] argv)
    {
        var args = new BenchArgs(argv);
        Console.WriteLine($"machine: {Machine.Describe()}");
        SearchQuality(args.GetInt("--instances", 1000));
        if (args.Has("--search-only")) return 0;
        Latency(args.GetInt("--organizations", 100_000), args.GetInt("--seed", 60), args.GetInt("--plans", 300), args.GetInt("--train-queries", 1000));
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
            $"alternatives 2-3 against the exact optimum under the same difference rule: {later} teams, mean {laterRatio / later:F5}, optimum in {100.0 * laterOptimal / later:F1}%"));
        Console.WriteLine();
    }

    private static void Latency(int organizations, int seed, int plans, int trainQueries)
    {
        var clock = Stopwatch.StartNew();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations, Seed = seed });
        var snapshot = GraphSnapshot.Build(batch);
        Console.WriteLine($"synthetic graph: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects, {snapshot.Partners.EdgeCount:N0} partner edges ({clock.Elapsed.TotalSeconds:F1} s)");

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

        clock.Restart();
        var planner = new ConsortiumPlanner(snapshot, model);
        Console.WriteLine($"planner for this snapshot and model (statistics, term index): {clock.Elapsed.TotalSeconds:F1} s, once per snapshot");

        // Leads of the newest projects, in their project's field; a quarter with allowed cities, a quarter with a per-city cap.
        var random = new Random(seed);
        var leads = batch.Projects.Where(p => p.Year == cut).Select(p => (Lead: p.Members[0].OrganizationId, p.Sector)).DistinctBy(p => p.Lead).ToArray();
        random.Shuffle(leads);
        var cities = G60Catalog.Cities.Where(c => c.InCorridor).Select(c => c.Code).ToArray();
        var requests = leads.Take(plans + 20).Select((l, i) => Request(snapshot, l.Lead, l.Sector, i, random, cities)).ToArray();

        var latencies = new List<double>();
        var refused = 0;
        long alternatives = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < requests.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = planner.Plan(requests[i], $"bench-{i}", DateTimeOffset.UnixEpoch);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (i < 20) continue; // warm-up: JIT, lazily built per-sector statistics
            latencies.Add(ms);
            if (outcome.Plan is null) refused++;
            else alternatives += outcome.Plan.Alternatives.Count;
        }
        total.Stop();
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{sorted.Length} plans one after another (after 20 warm-up plans), 3 alternatives asked each, {alternatives / (double)Math.Max(1, sorted.Length - refused):F2} given on average, {refused} refused"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency of one plan: median {Percentile(0.5):F1} ms, p95 {Percentile(0.95):F1} ms (target < 200 ms), p99 {Percentile(0.99):F1} ms, max {sorted[^1]:F1} ms"));
        Console.WriteLine($"peak working set {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)}");
    }

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
