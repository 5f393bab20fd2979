using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Text;

namespace Matchmaker.Bench;

/// <summary>
/// Build and query times of the text index on real Horizon Europe projects and members (CORDIS, European
/// Commission): the graph holds the projects before the test year (optionally copied to reach 100k organizations),
/// the queries are the test year's projects (topic titles, title, objective, keywords).
/// </summary>
internal static class TextIndexBench
{
    private static readonly Argument<string?> DataDir = BenchOptions.DataDirectory("cordis-horizon");
    private static readonly Option<int> TestYear = BenchOptions.Int("--test-year", 2024, "the graph holds the projects before this year; queries are its projects");
    private static readonly Option<int> Copies = BenchOptions.Int("--copies", 1, "copies of the graph (5 reach about 100k organizations)");
    private static readonly Option<int> Queries = BenchOptions.Int("--queries", 300, "queries timed (the tuning half: even project ids)");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 1, "builds timed (the median is reported)");
    private static readonly Option<int> Top = BenchOptions.Int("--top", 200, "hits asked of each query");
    private static readonly Option<int> MaxQueryTerms = BenchOptions.Int("--max-query-terms", new TextIndexOptions().MaxQueryTerms, "terms kept of each query");
    private static readonly Option<double> RecentBoost = BenchOptions.Real("--recent-boost", 2, "boost of recent projects' texts");
    // Synthetic mode: given --organizations, the corridor graph instead of the data.
    private static readonly Option<int?> Organizations = BenchOptions.OptionalInt("--organizations",
        "the synthetic corridor graph of this size instead of the data: the build's phases, then training's time slices");
    private static readonly Option<int> Seed = BenchOptions.Int("--seed", 60, "with --organizations: the synthetic graph's seed");
    private static readonly Option<int> Slices = BenchOptions.Int("--slices", 2, "with --organizations: training's time slices built after");
    private static readonly Option<bool> NoReuse = BenchOptions.Flag("--no-reuse", "with --organizations: every text analyzed anew, without the analysis cache");

    public static Command Command()
    {
        var command = new Command("text-index",
            "build and query times of the text index (BM25, Lucene.Net) on the Horizon Europe projects before the test year "
            + "(CORDIS, European Commission), or on the synthetic corridor graph with --organizations")
        {
            DataDir, TestYear, Copies, Queries, Runs, Top, MaxQueryTerms, RecentBoost, Organizations, Seed, Slices, NoReuse,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult options)
    {
        if (options.GetValue(Organizations) is { } organizations) return Synthetic(options, organizations);
        var dataDir = options.GetValue(DataDir) ?? BenchData.DefaultDirectory("cordis-horizon");
        if (dataDir is null || !File.Exists(Path.Combine(dataDir, "projects.tsv.gz")))
        {
            Console.Error.WriteLine("text-index: give the cordis-horizon data directory (projects.tsv.gz, participations.tsv.gz)");
            return 2;
        }
        var testYear = options.GetValue(TestYear);
        var copies = options.GetValue(Copies);
        var queryCount = options.GetValue(Queries);
        var runs = options.GetValue(Runs);
        var top = options.GetValue(Top);
        var indexOptions = new TextIndexOptions
        {
            MaxQueryTerms = options.GetValue(MaxQueryTerms),
            RecentBoost = (float)options.GetValue(RecentBoost),
        };

        Console.WriteLine($"machine: {Machine.Describe()}; load {Machine.LoadAverage()}");
        var clock = Stopwatch.StartNew();
        var data = HorizonData.Read(dataDir);
        Console.WriteLine($"read {data.Projects.Count:N0} projects, {data.Members.Count:N0} organizations in {clock.Elapsed.TotalSeconds:F1} s" +
                          (data.WithoutCoordinator > 0 ? $" ({data.WithoutCoordinator:N0} projects without a coordinator left out)" : ""));
        foreach (var report in data.Reports) Console.WriteLine(report);
        var (snapshot, detailsSkipped) = data.Snapshot(testYear, copies);
        Console.WriteLine($"graph before {testYear} x {copies}: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects" +
                          (detailsSkipped > 0 ? $" ({detailsSkipped:N0} organizations without details: names refused by the domain rules)" : ""));
        // The tuning half of the data's protocol (even project ids), so nothing here looks at the report half.
        var queries = data.Projects.Where(p => p.Year == testYear && long.TryParse(p.Id, out var id) && id % 2 == 0).ToList();
        var step = Math.Max(1, queries.Count / Math.Max(1, queryCount));
        queries = queries.Where((_, i) => i % step == 0).Take(queryCount).ToList();

        // Analysis alone (both cores), the part of a build that does not depend on Lucene's indexing.
        clock.Restart();
        var texts = snapshot.ProjectTexts.Where(t => t is not null).Select(t => t!.FullText).ToArray();
        var tokens = 0L;
        Parallel.ForEach(texts, () => 0L, (t, _, count) => count + TextAnalyzer.Shared.Analyze(t).Count, count => Interlocked.Add(ref tokens, count));
        Console.WriteLine($"analysis of the {texts.Length:N0} project texts ({texts.Sum(t => (long)t.Length) / 1e6:F1} M characters, " +
                          $"{tokens / 1e6:F1} M words): {clock.Elapsed.TotalSeconds:F1} s");

        TextIndex.BuildTrace = phase => Console.WriteLine($"  build: {phase}");
        // Build (median of the runs) and memory of the index that is kept.
        var buildSeconds = new List<double>();
        TextIndex? index = null;
        long memory = 0;
        for (var run = 0; run < runs; run++)
        {
            index?.Dispose();
            index = null;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            clock.Restart();
            index = TextIndex.Build(snapshot, indexOptions);
            buildSeconds.Add(clock.Elapsed.TotalSeconds);
            memory = GC.GetTotalMemory(forceFullCollection: true) - before;
        }
        Console.WriteLine($"build: {Machine.Median(buildSeconds):F1} s " +
                          $"(median of {runs}: {string.Join(", ", buildSeconds.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}); " +
                          $"{index!.TermCount:N0} terms; managed memory held {Machine.Mib(memory)}");

        // Queries: warm up on a few, then time each step of every query.
        var n = snapshot.OrganizationCount;
        var scores = new float[n];
        var topOrganizations = new int[top];
        var topScores = new float[top];
        foreach (var q in queries.Take(10)) index.ScoreOrganizations(index.Analyze(q.QueryText), scores);
        var analyze = new List<double>();
        var scoreAll = new List<double>();
        var projects = new List<double>();
        var whole = new List<double>();
        var topOrgs = new List<double>();
        var evidence = new List<double>();
        var similarity = new List<double>();
        var terms = 0;
        var hits = 0.0;
        var judged = 0;
        foreach (var q in queries)
        {
            var start = Stopwatch.GetTimestamp();
            var query = index.Analyze(q.QueryText);
            var analyzed = Stopwatch.GetTimestamp();
            index.ScoreOrganizations(query, scores);
            var scored = Stopwatch.GetTimestamp();
            index.TopProjects(query, 20);
            var done = Stopwatch.GetTimestamp();
            analyze.Add(Ms(start, analyzed));
            scoreAll.Add(Ms(analyzed, scored));
            projects.Add(Ms(scored, done));
            whole.Add(Ms(start, done));
            terms += query.Count;

            start = Stopwatch.GetTimestamp();
            var found = index.TopOrganizations(query, topOrganizations, topScores);
            topOrgs.Add(Ms(start, Stopwatch.GetTimestamp()));

            // Evidence for a shown list of 10, and the asker's profile against 1,000 candidates.
            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Math.Min(10, found); i++)
            {
                index.MatchedTerms(query, topOrganizations[i], 5);
                index.BestProjects(query, topOrganizations[i], 3);
            }
            evidence.Add(Ms(start, Stopwatch.GetTimestamp()));
            var asker = snapshot.IndexOf(HorizonData.OrganizationId(q.Coordinator, 0));
            if (asker >= 0)
            {
                start = Stopwatch.GetTimestamp();
                for (var i = 0; i < Math.Min(1000, found); i++) index.ProfileSimilarity(asker, topOrganizations[i]);
                similarity.Add(Ms(start, Stopwatch.GetTimestamp()));
            }

            // A sanity check of the ranking (not the benchmark's protocol): share of the other members known
            // before the year found in the top 20, the coordinator left out.
            var answers = q.Members.Where(m => m != q.Coordinator).Select(m => snapshot.IndexOf(HorizonData.OrganizationId(m, 0))).Where(o => o >= 0).ToHashSet();
            if (copies == 1 && asker >= 0 && answers.Count > 0)
            {
                var ranked = topOrganizations[..found].Where(o => o != asker).Take(20);
                hits += ranked.Count(answers.Contains) / (double)answers.Count;
                judged++;
            }
        }
        Console.WriteLine($"queries: {queries.Count} of {testYear} (even project ids), {terms / (double)Math.Max(1, queries.Count):F1} terms each " +
                          $"(at most {index.Options.MaxQueryTerms})");
        Console.WriteLine("step | p50 ms | p95 ms | max ms");
        Console.WriteLine("--- | --- | --- | ---");
        Row("Analyze", analyze);
        Row($"ScoreOrganizations ({n:N0})", scoreAll);
        Row("TopProjects (20)", projects);
        Row("Analyze + ScoreOrganizations + TopProjects", whole);
        Row($"TopOrganizations ({top})", topOrgs);
        Row("MatchedTerms + BestProjects x 10", evidence);
        Row("ProfileSimilarity x 1,000", similarity);
        if (judged > 0) Console.WriteLine($"sanity: recall@20 of the other known members by BM25 alone, {judged} queries: {hits / judged:F3}");

        // Incremental update: 10 organizations' descriptions change.
        var changed = Enumerable.Range(0, 10).Select(i => i * (n / 10)).Where(o => snapshot.Details[o] is not null).ToArray();
        var patched = snapshot.WithOrganizations(changed.Select(o =>
        {
            var d = snapshot.Details[o]!;
            return new Organization(d.Id, d.NameZh, d.NameEn, d.Kind, d.City, d.Aliases, d.Sectors, d.SubFields, ["fuel-cells"], [],
                "Solid oxide fuel cells and hydrogen electrolysers for ports.");
        }).ToList(), DateTimeOffset.UtcNow);
        clock.Restart();
        using (var updated = index.Update(patched, changed))
        {
            Console.WriteLine($"update of {changed.Length} organizations: {clock.Elapsed.TotalMilliseconds:F0} ms (a full build: {Machine.Median(buildSeconds):F1} s)");
        }
        index.Dispose();
        return 0;
    }

    /// <summary>
    /// `text-index --organizations N [--seed 60] [--runs 1] [--slices 2]`: the phases of a build on the synthetic
    /// corridor graph (what a full recompute indexes), then the builds of the time slices a training run indexes (the
    /// graph before its last year, before the year ahead of it, ...), one after the other.
    /// </summary>
    private static int Synthetic(ParseResult options, int organizations)
    {
        var seed = options.GetValue(Seed);
        var runs = options.GetValue(Runs);
        var slices = options.GetValue(Slices);
        // --no-reuse: every text analyzed anew, as before the analysis cache.
        var indexOptions = new TextIndexOptions { Analysis = options.GetValue(NoReuse) ? null : new AnalysisCache() };
        Console.WriteLine($"machine: {Machine.Describe()}; load {Machine.LoadAverage()}");
        var clock = Stopwatch.StartNew();
        var snapshot = GraphSnapshot.Build(Engine.Synthetic.SyntheticGraph.Generate(new Engine.Synthetic.SyntheticGraph.Options { Organizations = organizations, Seed = seed }));
        var texts = snapshot.ProjectTexts.Where(t => t is not null).Select(t => t!.FullText).ToArray();
        var distinct = texts.Distinct(StringComparer.Ordinal).Count();
        Console.WriteLine($"synthetic graph: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects, {texts.Length:N0} project texts " +
                          $"({distinct:N0} distinct, {texts.Sum(t => (long)t.Length) / 1e6:F1} M characters) in {clock.Elapsed.TotalSeconds:F1} s");
        TextIndex.BuildTrace = phase => Console.WriteLine($"  build: {phase}");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var seconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            clock.Restart();
            using var index = TextIndex.Build(snapshot, indexOptions);
            seconds.Add(clock.Elapsed.TotalSeconds);
            Console.WriteLine($"build {run + 1}: {seconds[^1]:F1} s, {index.TermCount:N0} terms");
        }
        Console.WriteLine($"build: median {Machine.Median(seconds):F1} s of {runs}; process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s");
        var last = snapshot.ProjectYears.Max();
        clock.Restart();
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var s = 0; s < slices; s++)
        {
            var before = snapshot.Before(last - s);
            var sliceClock = Stopwatch.StartNew();
            using var index = TextIndex.Build(before, indexOptions);
            Console.WriteLine($"slice before {last - s}: {before.ProjectCount:N0} projects, {sliceClock.Elapsed.TotalSeconds:F1} s");
        }
        Console.WriteLine($"{slices} slices: {clock.Elapsed.TotalSeconds:F1} s; process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s");
        return 0;
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static void Row(string name, List<double> values)
    {
        if (values.Count == 0) return;
        var sorted = values.Order().ToArray();
        var p95 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.95 * sorted.Length) - 1)];
        Console.WriteLine($"{name} | {Machine.Median(sorted):F1} | {p95:F1} | {sorted[^1]:F1}");
    }


    /// <summary>
    /// The cordis-horizon data as this bench uses it, read by the evaluation's loader (<see cref="HorizonDataset"/>:
    /// missing and bad cells counted and skipped as the benchmark's protocol does); projects without a coordinator are left out.
    /// </summary>
    private sealed class HorizonData
    {
        public sealed record HorizonProject(string Id, int Year, ProjectText Text, string QueryText, string Coordinator, List<string> Members);
        public sealed record Member(string Organization, string LegalName, string ActivityType);

        public List<HorizonProject> Projects { get; } = [];
        public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);
        public IReadOnlyList<LoadReport> Reports { get; private init; } = [];
        public int WithoutCoordinator { get; private set; }

        public static string OrganizationId(string pic, int copy) => $"pic-{pic}-{copy}";

        public static HorizonData Read(string dir)
        {
            var dataset = HorizonDataset.Load(dir);
            var data = new HorizonData { Reports = dataset.Reports };
            foreach (var (pic, organization) in dataset.Organizations)
            {
                data.Members[pic] = new Member(pic, organization.LegalName, organization.ActivityType);
            }
            foreach (var project in dataset.Projects)
            {
                if (project.Coordinator is not { } coordinator)
                {
                    data.WithoutCoordinator++;
                    continue;
                }
                var text = project.Text;
                data.Projects.Add(new HorizonProject(project.Id, project.StartYear, text, text.FullText, coordinator.OrgId,
                    [.. project.Members.Select(m => m.OrgId)]));
            }
            return data;
        }

        /// <summary>The graph of the projects before <paramref name="testYear"/>, copied <paramref name="copies"/> times (disjoint copies).</summary>
        public (GraphSnapshot Snapshot, int DetailsSkipped) Snapshot(int testYear, int copies)
        {
            var builder = new GraphSnapshotBuilder();
            var graphProjects = Projects.Where(p => p.Year < testYear).ToList();
            var known = graphProjects.SelectMany(p => p.Members).Distinct(StringComparer.Ordinal).ToList();
            var skipped = 0;
            for (var copy = 0; copy < copies; copy++)
            {
                foreach (var pic in known)
                {
                    var member = Members[pic];
                    var kind = member.ActivityType switch
                    {
                        "HES" => OrganizationKind.University,
                        "REC" => OrganizationKind.ResearchInstitute,
                        "PUB" => OrganizationKind.PublicBody,
                        "OTH" => OrganizationKind.Platform,
                        _ => OrganizationKind.Enterprise,
                    };
                    var id = OrganizationId(pic, copy);
                    Organization? details = null;
                    try
                    {
                        details = new Organization(id, null, member.LegalName, kind, "hangzhou");
                    }
                    catch (DomainValidationException)
                    {
                        skipped++;
                    }
                    builder.AddOrganization(id, kind, "hangzhou", [], details);
                }
                foreach (var p in graphProjects)
                {
                    builder.AddProject($"{p.Id}-{copy}", p.Year, [],
                        p.Members.Select(m => new GraphSnapshotBuilder.Membership(OrganizationId(m, copy), null, m == p.Coordinator, float.NaN)), p.Text);
                }
            }
            return (builder.Build(DateTimeOffset.UtcNow), skipped);
        }
    }
}
