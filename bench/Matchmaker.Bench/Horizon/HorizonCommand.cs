using System.CommandLine;
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
    private static readonly Argument<string?> DataDir = BenchOptions.DataDirectory("cordis-horizon");
    private static readonly Option<int?> TestYear = new("--test-year")
    {
        Description = "the graph holds the projects before this year; its projects are the queries", Required = true, CustomParser = ParseYear,
    };
    private static readonly Option<int> TrainYears = BenchOptions.Int("--train-years", 3, "label years before the test year the ranker is trained on");
    private static readonly Option<string> Track = BenchOptions.Choice("--track", "all",
        "the whole task, new partners only, or whole teams by the planner (consortium)", "all", "new-partners", "consortium");
    private static readonly Option<string> QueryText = BenchOptions.Choice("--query-text", "full",
        "what text the queries carry: nothing, the topic's titles and codes, or topic titles, title, objective and keywords", "none", "topic", "full");
    // Tune on the even half; the odd half is the report half.
    private static readonly Option<string> Queries = BenchOptions.Choice("--queries", "all",
        "which queries are scored: all, even project ids (tuning) or odd (report)", "all", "even", "odd");
    private static readonly Option<string?> Json = BenchOptions.Text("--json", "also write the report as JSON to this file", "FILE");
    // `--text-features off`: the learned ranker without the text index (its text columns 0, no text candidates).
    private static readonly Option<string> TextFeatures = BenchOptions.OnOff("--text-features", true,
        "the text index: off leaves the learned ranker's text columns 0 and adds no text candidates");
    // `--text k1=1.2,b=0.75,terms=128,recent=2,older=1,own=1,recent-years=2`: the text index's settings (TextIndexOptions).
    private static readonly Option<string?> Text = BenchOptions.Text("--text",
        "the text index's settings; a key left out keeps TextIndexOptions' default", "k1=X,b=X,terms=N,recent=X,older=X,own=X,recent-years=N,qtf=0|1");
    // `--skip-learned`: the reference methods only (a quick look at the text index's settings).
    private static readonly Option<bool> SkipLearned = BenchOptions.Flag("--skip-learned", "the reference methods only, no learned ranker");
    private static readonly Option<int?> TextCandidates = BenchOptions.OptionalInt("--text-candidates",
        "the text matcher's profile and project candidates (default: TextMatchOptions')");
    private static readonly Option<int?> SimilarProjects = BenchOptions.OptionalInt("--similar-projects",
        "the text matcher's similar past projects (default: TextMatchOptions')");
    // The learned ranker's settings, as `cordis` takes them (--iterations, --negatives, --l2, ...).
    private static readonly Cordis.RankerFlagOptions Ranker = new();

    public static Command Command()
    {
        var command = new Command("horizon",
            "evaluate the rankers (and, on the consortium track, the planner) on real Horizon Europe consortia with their texts "
            + "(CORDIS, European Commission), following the data's protocol; tune on --queries even")
        {
            DataDir, TestYear, TrainYears, Track, QueryText, Queries, Json, TextFeatures, Text, SkipLearned, TextCandidates, SimilarProjects,
        };
        Ranker.AddTo(command);
        Text.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            try
            {
                ParseTextOptions(result.Tokens[0].Value, new TextIndexOptions());
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                result.AddError($"--text: {e.Message}");
            }
        });
        command.SetAction(Run);
        return command;
    }

    private static int? ParseYear(System.CommandLine.Parsing.ArgumentResult result)
    {
        var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var year)) return year;
        result.AddError($"--test-year: '{value}' is not a year");
        return null;
    }

    /// <summary>One ranking method over the protocol's queries: fills a score per organization of the test snapshot.</summary>
    private sealed record Method(string Name, ProtocolEvaluator.FullScorer Scorer);

    private static int Run(ParseResult args)
    {
        var dataDir = args.GetValue(DataDir) ?? BenchData.DefaultDirectory("cordis-horizon");
        var jsonPath = args.GetValue(Json);
        var year = args.GetValue(TestYear)!.Value;
        var trainYears = args.GetValue(TrainYears);
        var track = args.GetValue(Track)!;
        var queryText = args.GetValue(QueryText) switch { "none" => QueryTextMode.None, "topic" => QueryTextMode.Topic, _ => QueryTextMode.Full };
        var half = args.GetValue(Queries)!;
        var textFeatures = args.GetValue(TextFeatures) == "on";
        var textOptions = args.GetValue(Text) is { } text ? ParseTextOptions(text, new TextIndexOptions()) : new TextIndexOptions();
        var skipLearned = args.GetValue(SkipLearned);
        var rankerFlags = Ranker.Given(args).ToList();
        var (textCandidates, similarProjects) = (args.GetValue(TextCandidates), args.GetValue(SimilarProjects));
        if (dataDir is null)
        {
            Console.Error.WriteLine("horizon: give the cordis-horizon data directory (none found beside the repository)");
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
                Console.WriteLine(RankingReport.Row(name, m));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load {loadSeconds:F1} s, text index {indexSeconds:F1} s, methods {heuristicsSeconds - loadSeconds - indexSeconds:F1} s"));
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

        RankingReport.Print(
            $"Horizon Europe (CORDIS, European Commission), track {track}, test year {year}, queries {half}, query text {Name(queryText)}: " +
            $"{queries.Length:N0} queries, {snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {year}",
            model, rows, labelYears, results, clock.Elapsed.TotalSeconds, peak,
            string.Create(CultureInfo.InvariantCulture,
                $"load {loadSeconds:F1} s, text index {indexSeconds:F1} s, reference methods {heuristicsSeconds - loadSeconds - indexSeconds:F1} s "
                + $"({string.Join(", ", methodSeconds)}), training rows {rowsSeconds - heuristicsSeconds:F1} s, LightGBM {trainSeconds - rowsSeconds:F1} s, "
                + $"learned ranking {scoreSeconds - trainSeconds:F1} s ({evaluation.ScoredPairs:N0} pairs)"),
            scoreCpu,
            string.Create(CultureInfo.InvariantCulture,
                $"load {loadCpu:F1} s, text index {indexCpu - loadCpu:F1} s, reference methods {heuristicsCpu - indexCpu:F1} s, "
                + $"training rows {rowsCpu - heuristicsCpu:F1} s, LightGBM {trainCpu - rowsCpu:F1} s, learned ranking {scoreCpu - trainCpu:F1} s"),
            evaluation, reciprocalTop);

        if (jsonPath is not null)
        {
            var report = new BenchReport("cordis-horizon", track, year, queries.Length, Name(queryText), half, Math.Round(clock.Elapsed.TotalSeconds, 2), peak,
                RankingReport.Methods(results));
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, RankingReport.JsonOptions));
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
                _ => throw new ArgumentException($"unknown setting '{kv[0]}' (k1, b, terms, recent, older, own, recent-years, qtf)"),
            };
        }
        return options;
    }

    private static string Name(QueryTextMode mode) => mode.ToString().ToLowerInvariant();


    /// <summary>
    /// The `cordis` report's shape (`queries` is the number of queries scored), plus the dataset, the query text mode
    /// and which half of the queries was scored (all, even or odd project ids).
    /// </summary>
    internal sealed record BenchReport(string Dataset, string Track, int TestYear, int Queries, string QueryText, string QueryHalf, double WallSeconds,
        long PeakMemoryBytes, IReadOnlyList<RankingReport.MethodResult> Methods);
}
