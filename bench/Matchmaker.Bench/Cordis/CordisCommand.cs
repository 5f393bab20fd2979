using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// `cordis DATA_DIR --test-year Y [--json FILE]`: the fixed protocol of the CORDIS H2020 data (see its README).
/// The graph holds projects before Y; the learned ranker is trained on earlier label years only.
/// </summary>
public static class CordisCommand
{
    private static readonly Argument<string?> DataDir = BenchOptions.DataDirectory("cordis-h2020");
    private static readonly Option<int> TestYear = BenchOptions.Int("--test-year", 2019, "the graph holds the projects before this year; its projects are the queries");
    private static readonly Option<int> TrainYears = BenchOptions.Int("--train-years", 3, "label years before the test year the ranker is trained on");
    private static readonly Option<string> Track = BenchOptions.Choice("--track", "all",
        "the whole task, new partners only, or consortia planned by the planner", "all", "new-partners", "consortium");
    private static readonly Option<string?> Json = BenchOptions.Text("--json", "also write the report as JSON to this file", "FILE");
    // Tuning knobs (defaults are the tuned values; tune with --test-year 2018, never on 2019).
    private static readonly RankerFlagOptions Ranker = new();
    // Several ranker settings on the same data: "--negatives 100 --trainer fasttree; --l2 1; ..." (each variant is a list
    // of the ranker flags, applied to the command line's settings).
    private static readonly Option<string?> RankerSweep = BenchOptions.Text("--ranker-sweep",
        "one learned ranker per variant, each a list of ranker flags applied to the command line's settings", "\"FLAGS; FLAGS; ...\"");
    // Each variant of the sweep trained with seeds 1..N or A-B (negative sample and trainer), then their mean.
    private static readonly Option<(int First, int Last)?> SweepSeeds = new("--sweep-seeds")
    {
        Description = "with --ranker-sweep: each variant trained with seeds 1..N or A-B, then their mean",
        HelpName = "N|A-B",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            var range = text.Split('-');
            if (!(range.Length is 1 or 2 && range.All(r => int.TryParse(r, CultureInfo.InvariantCulture, out var v) && v > 0)))
            {
                result.AddError($"--sweep-seeds: '{text}' is neither a count nor a range such as 4-6");
                return null;
            }
            var ends = range.Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
            return ends.Length == 2 ? (ends[0], ends[1]) : (1, ends[0]);
        },
    };
    // The diffusion score alone as a heuristic, per setting (see DiffusionSweep).
    private static readonly Option<string?> DiffusionSweepOption = BenchOptions.Text("--diffusion-sweep",
        "the diffusion score alone as a heuristic, one line per setting", "\"SETTINGS; SETTINGS; ...\"");
    // New-partner track: the diffusion (DiscoveryDiffusion) as a candidate source and as features, both on by
    // default (chosen on 2018, training before 2018); `--diffusion-candidates 0 --diffusion-features off` is the model before.
    // `--diffusion` changes the new-partner model's walk or, for the product's model (the all track, `--product`),
    // its two-hop column (DiffusionOptions.TwoHops).
    private static readonly Option<string?> Diffusion = BenchOptions.Text("--diffusion",
        "the new-partner model's walk or the product's two-hop column, changed (see DiffusionSweep)", "SETTINGS");
    private static readonly Option<int> DiffusionCandidates = BenchOptions.Int("--diffusion-candidates", CandidateOptions.ForNewPartners.MaxDiffused,
        "new-partner model: candidates from the diffusion");
    private static readonly Option<string> DiffusionFeatures = BenchOptions.OnOff("--diffusion-features", true, "the diffusion's feature columns");
    // The other candidate sources' sizes (defaults: CandidateOptions.ForNewPartners for the new-partner model, the
    // product's CandidateOptions otherwise).
    private static readonly Option<int?> MaxPartnersOfPartners = BenchOptions.OptionalInt("--max-partners-of-partners",
        "candidates from partners of partners (default: the model's own)");
    private static readonly Option<int?> MaxPopular = BenchOptions.OptionalInt("--max-popular", "candidates popular in the field (default: the model's own)");
    private static readonly Option<int?> MaxComplementary = BenchOptions.OptionalInt("--max-complementary",
        "candidates of a complementary kind (default: the model's own)");
    // New-partner track: train on new-partner answers (default) or on all answers.
    private static readonly Option<string> Labels = BenchOptions.Choice("--labels", "new", "new-partner track: train on new-partner answers or on all", "new", "all");
    // `--product`: the new-partner track judged with the product's own model (the whole-task model, its candidates
    // and settings), as the product's discovery lists rank non-partners.
    private static readonly Option<bool> Product = BenchOptions.Flag("--product", "new-partner track: judged with the product's own model");
    // `--in-sample` (diagnostic, tuning year only): the test year's own queries are added to the training labels, so
    // the figure says how far the features can separate the answers at all, not how well they generalize.
    private static readonly Option<bool> InSample = BenchOptions.Flag("--in-sample", "diagnostic: the test year's own answers added to the training labels");
    // Consortium track (see ConsortiumTrack): the cohesion weight (fit gets the rest; CORDIS has no text, so coverage
    // drops out) is the product's default ratio, chosen on 2018; shortlist sizes and beam as in the product.
    private static readonly ConsortiumTrack.Knobs ConsortiumDefaults = new(Cohesion: 0.4, PoolPerSlot: 12, PoolPerMember: 4, Beam: 8, Limit: null);
    private static readonly Option<double?> Cohesion = BenchOptions.OptionalReal("--cohesion",
        $"consortium track: the cohesion weight (default {ConsortiumDefaults.Cohesion.ToString(CultureInfo.InvariantCulture)}; over --variant's)");
    private static readonly Option<int> PoolPerSlot = BenchOptions.Int("--pool-per-slot", ConsortiumDefaults.PoolPerSlot, "consortium track: shortlist per slot");
    private static readonly Option<int> PoolPerMember = BenchOptions.Int("--pool-per-member", ConsortiumDefaults.PoolPerMember,
        "consortium track: shortlist per team member");
    private static readonly Option<int> Beam = BenchOptions.Int("--beam", ConsortiumDefaults.Beam, "consortium track: the search's beam");
    // Several planner settings on one trained model: "W:L1/L2/L3/L4/L5/TIE/SHARED ..." (cohesion weight, then levels).
    private static readonly Option<string?> PlannerSweep = BenchOptions.Text("--sweep", "consortium track: several planner settings on one trained model",
        "\"W:L1/L2/L3/L4/L5/TIE/SHARED[:FLAGS] ...\"");
    private static readonly Option<string?> Variant = BenchOptions.Text("--variant", "consortium track: one planner setting (as a --sweep variant)",
        "W:L1/L2/L3/L4/L5/TIE/SHARED[:FLAGS]");
    private static readonly Option<int?> Limit = BenchOptions.OptionalInt("--limit", "consortium track: the first N consortia in file order");

    public static Command Command()
    {
        var command = new Command("cordis",
            "evaluate the rankers (and, on the consortium track, the planner) on real Horizon 2020 consortia (CORDIS, European Commission), "
            + "following the data's protocol")
        {
            DataDir, TestYear, TrainYears, Track, Json, RankerSweep, SweepSeeds, DiffusionSweepOption, Diffusion, DiffusionCandidates, DiffusionFeatures,
            MaxPartnersOfPartners, MaxPopular, MaxComplementary, Labels, Product, InSample, Cohesion, PoolPerSlot, PoolPerMember, Beam, PlannerSweep, Variant, Limit,
        };
        Ranker.AddTo(command);
        Diffusion.Validators.Add(result => CheckSettings(result, text => DiffusionSweep.Parse(text, new DiffusionOptions())));
        Variant.Validators.Add(result => CheckSettings(result, text => ConsortiumTrack.ParseVariant(text)));
        command.SetAction(Run);
        return command;
    }

    /// <summary>Refuses a setting string its parser throws on, at parse time.</summary>
    private static void CheckSettings(System.CommandLine.Parsing.OptionResult result, Action<string> parse)
    {
        if (result.Tokens.Count == 0) return;
        try
        {
            parse(result.Tokens[0].Value);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            result.AddError($"{result.Option.Name}: {e.Message}");
        }
    }

    private static int Run(ParseResult args)
    {
        var dataDir = args.GetValue(DataDir);
        var jsonPath = args.GetValue(Json);
        var testYear = args.GetValue(TestYear);
        var trainYears = args.GetValue(TrainYears);
        var track = args.GetValue(Track)!;
        var rankerSweep = args.GetValue(RankerSweep);
        var diffusionSweep = args.GetValue(DiffusionSweepOption);
        var diffusionText = args.GetValue(Diffusion);
        var diffusionCandidates = args.GetValue(DiffusionCandidates);
        var diffusionFeatures = args.GetValue(DiffusionFeatures) == "on";
        var (maxPartnersOfPartners, maxPopular, maxComplementary) =
            (args.GetValue(MaxPartnersOfPartners), args.GetValue(MaxPopular), args.GetValue(MaxComplementary));
        var sweepSeeds = args.GetValue(SweepSeeds);
        var labels = args.GetValue(Labels);
        var product = args.GetValue(Product);
        var inSample = args.GetValue(InSample);
        // A --variant sets the cohesion weight too; an explicit --cohesion is over it.
        var consortium = ConsortiumDefaults with
        {
            PoolPerSlot = args.GetValue(PoolPerSlot), PoolPerMember = args.GetValue(PoolPerMember), Beam = args.GetValue(Beam),
            Limit = args.GetValue(Limit), Sweep = args.GetValue(PlannerSweep),
        };
        if (args.GetValue(Variant) is { } variant) consortium = consortium.With(variant);
        if (args.GetValue(Cohesion) is { } cohesion) consortium = consortium with { Cohesion = cohesion };
        // New-partner answers are few and noisy: smaller, slower, more regularized trees did better on 2018 (training
        // before 2018), so they are that track's defaults; the ranker flags change either model's settings.
        var options = track == "new-partners" && !product
            ? new RankerOptions { Iterations = 200, LearningRate = 0.05, MinimumExamplesPerLeaf = 200, Leaves = 15, L2Regularization = 0.01 }
            : new RankerOptions();
        foreach (var (flag, value) in Ranker.Given(args)) options = ApplyRankerFlag(options, flag, value);
        // Without an argument: the data beside the repository (../shared/data/cordis-h2020), when it is there.
        dataDir ??= BenchData.DefaultDirectory("cordis-h2020");
        if (dataDir is null)
        {
            Console.Error.WriteLine("cordis: give the cordis-h2020 data directory (none found beside the repository)");
            return 2;
        }
        // The sweep's variants are read before any data is loaded, so that a mistyped flag costs nothing.
        List<(string Name, RankerOptions Options)>? variants = null;
        if (rankerSweep is not null && track == "consortium")
        {
            Console.Error.WriteLine("--ranker-sweep is for the all and new-partners tracks; the consortium track has --sweep");
            return 2;
        }
        if (rankerSweep is not null)
        {
            try
            {
                variants = ParseVariants(rankerSweep, options);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine($"--ranker-sweep: {e.Message}");
                return 2;
            }
        }
        if (track == "consortium") return ConsortiumTrack.Run(dataDir, testYear, trainYears, options, jsonPath, consortium);

        var newPartners = track == "new-partners";
        if (product && !newPartners)
        {
            Console.Error.WriteLine("--product is for the new-partners track (the all track already uses the product's model)");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var data = CordisDataset.Load(dataDir);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var snapshot = data.BuildSnapshot(testYear, DateTimeOffset.UnixEpoch);
        // Which model is trained: the new-partner model (its candidates, labels and columns) or the product's.
        var newPartnerModel = newPartners && !product;
        var diffusion = newPartnerModel ? CandidateOptions.ForNewPartners.Diffusion ?? new DiffusionOptions() : DiffusionOptions.TwoHops;
        if (diffusionText is not null) diffusion = DiffusionSweep.Parse(diffusionText, diffusion);
        var allQueries = TimeSplit.Queries(snapshot, data.ProjectsOfYear(testYear));
        var queries = newPartners ? TimeSplit.NewPartnerQueries(snapshot, allQueries) : allQueries;
        var g = snapshot;
        var results = newPartners
            ? new List<(string Name, RankingMetrics Metrics)>
            {
                ("learned", default!),
                // As in the data README: intermediaries with over 500 partners are skipped.
                ("adamic-adar", ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) =>
                {
                    Heuristics.AdamicAdar(g, q, s, hubCap: 500);
                    TimeSplit.RemovePreviousPartners(g, q, s);
                })),
                ("field-popularity", ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) =>
                {
                    Heuristics.FieldPopularity(g, q, s);
                    TimeSplit.RemovePreviousPartners(g, q, s);
                })),
            }
            : new List<(string Name, RankingMetrics Metrics)>
            {
                ("learned", default!),
                ("previous-partners", ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) => Heuristics.PreviousPartners(g, q, s))),
                ("adamic-adar", ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) => Heuristics.AdamicAdar(g, q, s))),
                ("field-popularity", ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, s) => Heuristics.FieldPopularity(g, q, s))),
            };
        var heuristicsSeconds = clock.Elapsed.TotalSeconds;
        var heuristicsCpu = CpuSeconds();
        if (diffusionSweep is not null)
        {
            foreach (var (name, m) in results.Skip(1))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4}"));
            }
            return DiffusionSweep.Run(diffusionSweep, snapshot, queries, newPartners, track, testYear);
        }

        // Training sees only projects before the test year: for each label year L, features from projects before L.
        // The new-partner track trains on new-partner answers with previous partners left out of the candidates.
        // The candidate sizes' flags change either model's candidates (defaults: its own options).
        var candidateOptions = newPartnerModel
            ? CandidateOptions.ForNewPartners with { Diffusion = diffusion, MaxDiffused = diffusionCandidates }
            : new CandidateOptions();
        var candidates = new CandidateGenerator(candidateOptions with
        {
            MaxPartnersOfPartners = maxPartnersOfPartners ?? candidateOptions.MaxPartnersOfPartners,
            MaxPopular = maxPopular ?? candidateOptions.MaxPopular,
            MaxComplementary = maxComplementary ?? candidateOptions.MaxComplementary,
        });
        var newLabels = newPartnerModel && labels != "all";
        // The new-partner model's columns come from its (three-hop) diffusion, the product's from the two-hop one;
        // `--diffusion-features off` leaves them 0 for either.
        var features = new PairFeatureExtractor(discovery: diffusion, discoveryColumns: diffusionFeatures);
        var labelYears = Enumerable.Range(testYear - trainYears, trainYears).ToArray();
        var splits = labelYears.Select(year =>
        {
            var before = data.BuildSnapshot(year, DateTimeOffset.UnixEpoch);
            var yearQueries = TimeSplit.Queries(before, data.ProjectsOfYear(year));
            return new TrainingSplit(new SnapshotStats(before), newLabels ? TimeSplit.NewPartnerQueries(before, yearQueries) : yearQueries,
                $"{(newLabels ? "new-partner labels" : "labels")} from projects started in {year}, features from projects started before {year}");
        }).ToArray();
        if (inSample)
        {
            splits = [.. splits, new TrainingSplit(new SnapshotStats(snapshot), newLabels ? queries : allQueries, $"in sample: the test year's own labels ({testYear})")];
        }
        if (rankerSweep is not null) return Sweep(variants!, sweepSeeds, snapshot, queries, splits, candidates, features, newPartners, testYear, track);
        var rows = RankerTrainer.BuildRows(splits, candidates, features, options);
        var rowsSeconds = clock.Elapsed.TotalSeconds;
        var rowsCpu = CpuSeconds();
        var model = RankerTrainer.Train(rows, options, string.Join("; ", splits.Select(s => s.Description)), 1, DateTimeOffset.UtcNow);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var trainCpu = CpuSeconds();

        var matcher = new Matcher(new SnapshotStats(snapshot), model, candidates, features);
        // The reciprocity re-ranking walks back from each of the top 50 candidates: with the new-partner model's deep
        // walk that was most of this track's minutes, for a line the table does not use (the learned figures are
        // taken before it), so that track leaves it out as `horizon` does.
        var reciprocalTop = newPartners ? 0 : 50;
        var evaluation = ProtocolEvaluator.EvaluateMatcher(matcher, queries, reciprocalTop, excludePreviousPartners: newPartners);
        results[0] = ("learned", evaluation.Learned);
        var scoreSeconds = clock.Elapsed.TotalSeconds;
        var scoreCpu = CpuSeconds();
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        RankingReport.Print(
            $"CORDIS H2020 (CORDIS, European Commission), track {track}, test year {testYear}: {queries.Count:N0} queries, " +
            $"{snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {testYear}",
            model, rows, labelYears, results, clock.Elapsed.TotalSeconds, peak,
            string.Create(CultureInfo.InvariantCulture,
                $"load+heuristics {heuristicsSeconds:F1} s, training rows {rowsSeconds - heuristicsSeconds:F1} s, LightGBM {trainSeconds - rowsSeconds:F1} s, "
                + $"learned ranking {scoreSeconds - trainSeconds:F1} s ({evaluation.ScoredPairs:N0} pairs)"),
            scoreCpu,
            string.Create(CultureInfo.InvariantCulture,
                $"load+heuristics {heuristicsCpu:F1} s, training rows {rowsCpu - heuristicsCpu:F1} s, LightGBM {trainCpu - rowsCpu:F1} s, "
                + $"learned ranking {scoreCpu - trainCpu:F1} s"),
            evaluation, reciprocalTop);

        if (jsonPath is not null)
        {
            var report = new BenchReport(track, testYear, queries.Count, Math.Round(clock.Elapsed.TotalSeconds, 2), peak, RankingReport.Methods(results));
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, RankingReport.JsonOptions));
        }
        return 0;
    }

    internal static IReadOnlySet<string> RankerFlags => RankerFlagOptions.Names;

    internal static RankerOptions ApplyRankerFlag(RankerOptions o, string flag, string value)
    {
        int Int() => int.Parse(value, CultureInfo.InvariantCulture);
        double Real() => double.Parse(value, CultureInfo.InvariantCulture);
        return flag switch
        {
            "--iterations" => o with { Iterations = Int() },
            "--leaves" => o with { Leaves = Int() },
            "--negatives" => o with { NegativesPerQuery = Int() },
            "--min-leaf" => o with { MinimumExamplesPerLeaf = Int() },
            "--learning-rate" => o with { LearningRate = Real() },
            "--trainer" => o with
            {
                Trainer = value switch
                {
                    "lightgbm" => RankerKind.LightGbm,
                    "fasttree" => RankerKind.FastTree,
                    _ => throw new ArgumentException($"unknown trainer '{value}' (lightgbm, fasttree)"),
                },
            },
            "--ndcg-truncation" => o with { NdcgTruncation = Int() },
            "--subsample" => o with { SubsampleFraction = Real() },
            "--subsample-frequency" => o with { SubsampleFrequency = Int() },
            "--l2" => o with { L2Regularization = Real() },
            "--l1" => o with { L1Regularization = Real() },
            "--max-bins" => o with { MaximumBinCountPerFeature = Int() },
            "--sigmoid" => o with { Sigmoid = Real() },
            "--feature-fraction" => o with { FeatureFraction = Real() },
            "--label-decay" => o with { LabelYearDecay = Real() },
            "--hard-negatives" => o with { HardNegatives = Int() },
            "--seed" => o with { Seed = Int() },
            _ => throw new ArgumentException($"unknown ranker flag '{flag}'"),
        };
    }

    /// <summary>
    /// Trains and evaluates one learned ranker per variant on the same graph and queries (training rows are shared by
    /// variants that sample them alike) and prints one line each: the tuning loop, for 2018 only.
    /// </summary>
    private static List<(string Name, RankerOptions Options)> ParseVariants(string spec, RankerOptions baseline)
    {
        var variants = new List<(string Name, RankerOptions Options)>();
        foreach (var text in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var o = baseline;
            for (var t = 0; t + 1 < tokens.Length; t += 2)
            {
                if (!RankerFlags.Contains(tokens[t])) throw new ArgumentException($"unknown ranker flag '{tokens[t]}' in '{text}'");
                o = ApplyRankerFlag(o, tokens[t], tokens[t + 1]);
            }
            if (tokens.Length % 2 != 0) throw new ArgumentException($"'{text}': a flag without a value");
            variants.Add((text, o));
        }
        return variants;
    }

    private static int Sweep(List<(string Name, RankerOptions Options)> variants, (int First, int Last)? seeds, GraphSnapshot snapshot, IReadOnlyList<MatchQuery> queries,
        TrainingSplit[] splits, CandidateGenerator candidates, PairFeatureExtractor features, bool newPartners, int testYear, string track)
    {
        Console.WriteLine($"track {track}, test year {testYear}: {queries.Count:N0} queries; ranker variants on the command line's settings");
        Console.WriteLine($"{"variant",-60} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"rows",9} {"trees",6} {"leaves",7} {"rows s",7} {"train s",8} " +
                          $"{"train cpu s",12} {"splits/row",11} {"ns/row",7}");
        var cache = new Dictionary<RankerOptions, RankerTrainer.TrainingSet>();
        float[]? splitSample = null;
        foreach (var (name, variant) in variants)
        {
            var label = name.Length == 0 ? "(command line)" : name;
            var runs = seeds is { } n ? Enumerable.Range(n.First, n.Last - n.First + 1).Select(seed => variant with { Seed = seed }).ToArray() : [variant];
            var results = new List<RankingMetrics>();
            foreach (var o in runs)
            {
                // Rows depend only on the sampling settings, unless a first model picks hard negatives.
                var key = o.HardNegatives > 0 ? o : new RankerOptions { NegativesPerQuery = o.NegativesPerQuery, LabelYearDecay = o.LabelYearDecay, Seed = o.Seed };
                var clock = Stopwatch.StartNew();
                if (!cache.TryGetValue(key, out var rows)) cache[key] = rows = RankerTrainer.BuildRows(splits, candidates, features, o);
                var rowsSeconds = clock.Elapsed.TotalSeconds;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var model = RankerTrainer.Train(rows, o, "sweep", 1, DateTimeOffset.UnixEpoch);
                var trainCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var trainSeconds = clock.Elapsed.TotalSeconds - rowsSeconds;
                var matcher = new Matcher(new SnapshotStats(snapshot), model, candidates, features);
                var m = ProtocolEvaluator.EvaluateMatcher(matcher, queries, reciprocalTop: 0, excludePreviousPartners: newPartners).Learned;
                // Scoring work, counted: over the training rows of seed 1 (the same rows for every variant).
                var sample = splitSample ??= RankerTrainer.BuildRows(splits, candidates, features, new RankerOptions { Seed = 1 }).Rows
                    .Take(20_000).SelectMany(r => r.Features).ToArray();
                var splitsPerRow = model.MeanSplitsPerRow(sample);
                var nsPerRow = TreeNanosecondsPerRow(model, sample);
                results.Add(m);
                var runLabel = seeds is null ? label : $"{label} [seed {o.Seed}]";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{runLabel,-60} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {rows.Rows.Count,9:N0} {model.Trees.TreeCount,6} {model.LeafCount,7} "
                    + $"{rowsSeconds,7:F1} {trainSeconds,8:F1} {trainCpu,12:F1} {splitsPerRow,11:F0} {nsPerRow,7:F0}"));
            }
            if (results.Count > 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label + $" [mean of {results.Count}]",-60} {results.Average(r => r.Ndcg10),8:F4} {results.Average(r => r.Recall20),10:F4} "
                    + $"{results.Average(r => r.Mrr),8:F4}"));
            }
        }
        return 0;
    }

    /// <summary>Compiled-tree scoring time per row on one thread, the fastest of seven passes (the least disturbed).</summary>
    private static double TreeNanosecondsPerRow(RankingModel model, float[] rows)
    {
        var count = rows.Length / PairFeatureExtractor.Count;
        var scores = new float[count];
        model.Score(rows, scores);
        var best = double.MaxValue;
        for (var pass = 0; pass < 7; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            model.Score(rows, scores);
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalNanoseconds / count);
        }
        return best;
    }


    /// <summary>CPU time of this process so far, all threads: on a shared machine a steadier figure than the wall clock.</summary>
    internal static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    internal sealed record BenchReport(string Track, int TestYear, int Queries, double WallSeconds, long PeakMemoryBytes,
        IReadOnlyList<RankingReport.MethodResult> Methods);
}
