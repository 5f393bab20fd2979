using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Text;

namespace Matchmaker.Bench.Horizon;

/// <summary>
/// `horizon DATA_DIR --test-year Y`: the fixed protocol of the Horizon Europe data (CORDIS, European Commission; see
/// its README). The graph holds projects before Y; the learned ranker is trained on label years before Y only, with
/// features from the projects before each label year. Tune with `--queries even`; the odd half is the report half.
/// </summary>
public static class HorizonCommand
{
    private const string Usage =
        "usage: Matchmaker.Bench horizon <data-dir> --test-year 2024 [--track all|new-partners|consortium] [--json FILE] " +
        "[--query-text none|topic|full] [--queries all|even|odd] [--train-years 3]";

    /// <summary>One ranking method over the protocol's queries: fills a score per organization of the test snapshot.</summary>
    private sealed record Method(string Name, ProtocolEvaluator.FullScorer Scorer);

    public static int Run(string[] args)
    {
        string? dataDir = null, jsonPath = null;
        int? testYear = null;
        var trainYears = 3;
        var track = "all";
        var queryText = QueryTextMode.Full;
        var half = "all";
        // `--text-features off`: the learned ranker without the text index (its text columns 0, no text candidates).
        var textFeatures = true;
        // `--text k1=1.2,b=0.75,terms=64,recent=2,older=1,own=1,recent-years=2`: the text index's settings (TextIndexOptions).
        var textOptions = new TextIndexOptions();
        // `--skip-learned`: the reference methods only (a quick look at the text index's settings).
        var skipLearned = false;
        var rankerFlags = new List<(string Flag, string Value)>();
        int? textCandidates = null, similarProjects = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                // The learned ranker's settings, as `cordis` takes them (--iterations, --negatives, --l2, ...).
                case var flag when Cordis.CordisCommand.RankerFlags.Contains(flag) && i + 1 < args.Length:
                    try
                    {
                        rankerFlags.Add((flag, args[++i]));
                    }
                    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
                    {
                        Console.Error.WriteLine($"{flag}: {e.Message}");
                        return 2;
                    }
                    break;
                case "--text-candidates" when i + 1 < args.Length:
                    textCandidates = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--similar-projects" when i + 1 < args.Length:
                    similarProjects = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--skip-learned":
                    skipLearned = true;
                    break;
                case "--text" when i + 1 < args.Length:
                    try
                    {
                        textOptions = ParseTextOptions(args[++i], textOptions);
                    }
                    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
                    {
                        Console.Error.WriteLine($"--text: {e.Message}");
                        return 2;
                    }
                    break;
                case "--text-features" when i + 1 < args.Length:
                    if (args[++i] is not ("on" or "off"))
                    {
                        Console.Error.WriteLine($"--text-features: '{args[i]}' is neither on nor off");
                        return 2;
                    }
                    textFeatures = args[i] == "on";
                    break;
                case "--test-year" when i + 1 < args.Length:
                    testYear = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--train-years" when i + 1 < args.Length:
                    trainYears = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--track" when i + 1 < args.Length:
                    track = args[++i];
                    if (track is not ("all" or "new-partners" or "consortium"))
                    {
                        Console.Error.WriteLine($"unknown track '{track}' (all, new-partners, consortium)");
                        return 2;
                    }
                    break;
                case "--query-text" when i + 1 < args.Length:
                    switch (args[++i])
                    {
                        case "none": queryText = QueryTextMode.None; break;
                        case "topic": queryText = QueryTextMode.Topic; break;
                        case "full": queryText = QueryTextMode.Full; break;
                        default:
                            Console.Error.WriteLine($"--query-text: '{args[i]}' is none of none, topic, full");
                            return 2;
                    }
                    break;
                case "--queries" when i + 1 < args.Length:
                    half = args[++i];
                    if (half is not ("all" or "even" or "odd"))
                    {
                        Console.Error.WriteLine($"--queries: '{half}' is none of all, even, odd");
                        return 2;
                    }
                    break;
                case "--json" when i + 1 < args.Length:
                    jsonPath = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || dataDir is not null)
                    {
                        Console.Error.WriteLine($"unexpected argument '{args[i]}'");
                        return 2;
                    }
                    dataDir = args[i];
                    break;
            }
        }
        dataDir ??= BenchData.DefaultDirectory("cordis-horizon");
        if (dataDir is null || testYear is not { } year)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (track == "consortium") return HorizonConsortiumTrack.Run(dataDir, year, trainYears, queryText, half, jsonPath);

        var clock = Stopwatch.StartNew();
        var data = HorizonDataset.Load(dataDir);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var snapshot = data.BuildSnapshot(year, DateTimeOffset.UnixEpoch);
        var newPartners = track == "new-partners";
        var allQueries = data.Queries(snapshot, year, queryText);
        var trackQueries = newPartners ? TimeSplit.NewPartnerQueries(snapshot, allQueries) : allQueries;
        var queries = trackQueries.Where(q => half == "all" || HorizonDataset.IsEven(q.Id) == (half == "even")).ToArray();
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var loadCpu = Cordis.CordisCommand.CpuSeconds();

        var g = snapshot;
        var baselines = new HorizonBaselines(snapshot, data);
        // The reference methods of the data README; in the new-partner track the coordinator's previous partners
        // are removed from every ranking (previous-partners is then plain activity order).
        var matchOptions = new TextMatchOptions();
        if (textCandidates is { } tc) matchOptions = matchOptions with { MaxProfileCandidates = tc, MaxProjectCandidates = tc };
        if (similarProjects is { } sp) matchOptions = matchOptions with { SimilarProjects = sp };
        var textClock = Stopwatch.StartNew();
        using var testText = textFeatures ? TextMatcher.Build(snapshot, matchOptions, textOptions) : null;
        var indexSeconds = textClock.Elapsed.TotalSeconds;
        var indexCpu = Cordis.CordisCommand.CpuSeconds();
        var methods = new List<Method>
        {
            new("previous-partners", baselines.PreviousPartners),
            new("adamic-adar", baselines.AdamicAdar),
            new("field-popularity", baselines.FieldPopularity),
        };
        if (testText is not null && queryText != QueryTextMode.None) methods.Add(new("text-bm25", (q, s) => baselines.TextBm25(testText, q, s)));
        var results = new List<(string Name, RankingMetrics Metrics)> { ("learned", default!) };
        var methodSeconds = new List<string>();
        foreach (var method in methods)
        {
            var started = clock.Elapsed.TotalSeconds;
            results.Add((method.Name, ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) =>
            {
                method.Scorer(q, s);
                if (newPartners) TimeSplit.RemovePreviousPartners(g, q, s);
            })));
            methodSeconds.Add(string.Create(CultureInfo.InvariantCulture, $"{method.Name} {clock.Elapsed.TotalSeconds - started:F1} s"));
        }
        var heuristicsSeconds = clock.Elapsed.TotalSeconds;
        var heuristicsCpu = Cordis.CordisCommand.CpuSeconds();
        if (skipLearned)
        {
            foreach (var (name, m) in results.Skip(1))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {m.Queries,8}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load {loadSeconds:F1} s, text index {indexSeconds:F1} s, methods {heuristicsSeconds - loadSeconds - indexSeconds:F1} s"));
            return 0;
        }

        // The learned ranker as `cordis` trains it: the new-partner track with the new-partner model (its candidates,
        // labels and settings), the whole task with the product's. Queries carry their text and topic codes, for
        // text features to read; the text-free features ignore them.
        var options = newPartners
            ? new RankerOptions { Iterations = 200, LearningRate = 0.05, MinimumExamplesPerLeaf = 200, Leaves = 15, L2Regularization = 0.01 }
            : new RankerOptions();
        foreach (var (flag, value) in rankerFlags) options = Cordis.CordisCommand.ApplyRankerFlag(options, flag, value);
        var diffusion = newPartners ? CandidateOptions.ForNewPartners.Diffusion ?? new DiffusionOptions() : DiffusionOptions.TwoHops;
        var candidateOptions = newPartners ? CandidateOptions.ForNewPartners : new CandidateOptions();
        var candidates = new CandidateGenerator(candidateOptions, text: testText);
        var features = new PairFeatureExtractor(discovery: diffusion, text: testText);
        var splits = new List<TrainingSplit>();
        var splitTexts = new List<TextMatcher>();
        var labelYears = new List<int>();
        foreach (var labelYear in Enumerable.Range(year - trainYears, trainYears))
        {
            var before = data.BuildSnapshot(labelYear, DateTimeOffset.UnixEpoch);
            var yearQueries = data.Queries(before, labelYear, queryText);
            var labelled = newPartners ? TimeSplit.NewPartnerQueries(before, yearQueries) : yearQueries;
            // A label year with nothing before it (2021 here) has no query.
            if (labelled.Count == 0) continue;
            labelYears.Add(labelYear);
            // Each label year reads the texts of the projects before it only: its own projects' texts would leak the answers.
            var splitText = textFeatures ? TextMatcher.Build(before, matchOptions, textOptions) : null;
            if (splitText is not null) splitTexts.Add(splitText);
            splits.Add(new TrainingSplit(new SnapshotStats(before), labelled,
                $"{(newPartners ? "new-partner labels" : "labels")} from projects started in {labelYear}, features from projects started before {labelYear}")
            {
                Candidates = new CandidateGenerator(candidateOptions, text: splitText),
                Features = new PairFeatureExtractor(discovery: diffusion, text: splitText),
            });
        }
        if (splits.Count == 0)
        {
            Console.Error.WriteLine($"no label year before {year} has a query: nothing to train on");
            return 1;
        }
        var rows = RankerTrainer.BuildRows(splits, candidates, features, options);
        foreach (var t in splitTexts) t.Dispose();
        var rowsSeconds = clock.Elapsed.TotalSeconds;
        var rowsCpu = Cordis.CordisCommand.CpuSeconds();
        var model = RankerTrainer.Train(rows, options, string.Join("; ", splits.Select(s => s.Description)), 1, DateTimeOffset.UtcNow);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var trainCpu = Cordis.CordisCommand.CpuSeconds();
        var matcher = new Matcher(new SnapshotStats(snapshot), model, candidates, features);
        // The reciprocity re-ranking walks back from each of the top 50 candidates; with the new-partner model's deep
        // walk that took 350 s on 2024 (2 cores), so that track leaves it out.
        var reciprocalTop = newPartners ? 0 : 50;
        var evaluation = ProtocolEvaluator.EvaluateMatcher(matcher, queries, reciprocalTop, excludePreviousPartners: newPartners);
        results[0] = ("learned", evaluation.Learned);
        var scoreSeconds = clock.Elapsed.TotalSeconds;
        var scoreCpu = Cordis.CordisCommand.CpuSeconds();
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        Console.WriteLine($"Horizon Europe (CORDIS, European Commission), track {track}, test year {year}, queries {half}, query text {Name(queryText)}: " +
                          $"{queries.Length:N0} queries, {snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {year}");
        Console.WriteLine($"learned: {model.Card.Trainer}, {rows.Queries:N0} training queries / {rows.Rows.Count:N0} rows from label years {string.Join(", ", labelYears)}");
        Console.WriteLine();
        Console.WriteLine($"{"method",-20} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"queries",8}");
        foreach (var (name, m) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {m.Queries,8}"));
        }
        Console.WriteLine();
        var (recall, reciprocal) = (evaluation.Recall, evaluation.Reciprocal);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time {clock.Elapsed.TotalSeconds:F1} s, peak memory {peak / (1024.0 * 1024):F0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  phases: load {loadSeconds:F1} s, text index {indexSeconds:F1} s, reference methods {heuristicsSeconds - loadSeconds - indexSeconds:F1} s ({string.Join(", ", methodSeconds)}), training rows {rowsSeconds - heuristicsSeconds:F1} s, LightGBM {trainSeconds - rowsSeconds:F1} s, learned ranking {scoreSeconds - trainSeconds:F1} s ({evaluation.ScoredPairs:N0} pairs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  CPU (both cores together): {scoreCpu:F1} s; load {loadCpu:F1} s, text index {indexCpu - loadCpu:F1} s, reference methods {heuristicsCpu - indexCpu:F1} s, training rows {rowsCpu - heuristicsCpu:F1} s, LightGBM {trainCpu - rowsCpu:F1} s, learned ranking {scoreCpu - trainCpu:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  candidates: {recall.MeanCandidates:F0} per query, recall of answers {recall.All:F3} ({string.Join(", ", recall.BySource.Select(p => $"{p.Key} {p.Value:F3}"))})"));
        if (reciprocalTop > 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  reciprocity (top 50 re-ranked by the harmonic mean of both directions): NDCG@10 {reciprocal.Ndcg10:F4}, Recall@20 {reciprocal.Recall20:F4}, MRR {reciprocal.Mrr:F4}"));

        if (jsonPath is not null)
        {
            var report = new BenchReport("cordis-horizon", track, year, queries.Length, Name(queryText), half, Math.Round(clock.Elapsed.TotalSeconds, 2), peak,
                results.Select(r => new MethodResult(r.Name, Math.Round(r.Metrics.Ndcg10, 4), Math.Round(r.Metrics.Recall20, 4), Math.Round(r.Metrics.Mrr, 4))).ToArray());
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, JsonOptions));
        }
        return 0;
    }

    private static TextIndexOptions ParseTextOptions(string text, TextIndexOptions options)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw new FormatException($"'{part}' is not key=value");
            float F() => float.Parse(kv[1], CultureInfo.InvariantCulture);
            int I() => int.Parse(kv[1], CultureInfo.InvariantCulture);
            options = kv[0] switch
            {
                "k1" => options with { K1 = F() },
                "b" => options with { B = F() },
                "terms" => options with { MaxQueryTerms = I() },
                "recent" => options with { RecentBoost = F() },
                "older" => options with { OlderBoost = F() },
                "own" => options with { OwnBoost = F() },
                "recent-years" => options with { RecentYears = I() },
                "qtf" => options with { QueryTermFrequency = I() != 0 },
                _ => throw new ArgumentException($"unknown setting '{kv[0]}' (k1, b, terms, recent, older, own, recent-years)"),
            };
        }
        return options;
    }

    private static string Name(QueryTextMode mode) => mode.ToString().ToLowerInvariant();


    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public sealed record MethodResult(string Name, double Ndcg10, double Recall20, double Mrr);

    /// <summary>
    /// The `cordis` report's shape (`queries` is the number of queries scored), plus the dataset, the query text mode
    /// and which half of the queries was scored (all, even or odd project ids).
    /// </summary>
    public sealed record BenchReport(string Dataset, string Track, int TestYear, int Queries, string QueryText, string QueryHalf, double WallSeconds,
        long PeakMemoryBytes, IReadOnlyList<MethodResult> Methods);
}
