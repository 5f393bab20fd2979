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
    public static int Run(string[] args)
    {
        string? dataDir = null, jsonPath = null;
        var testYear = 2019;
        var trainYears = 3;
        var track = "all";
        var labels = (string?)null;
        string? rankerSweep = null, diffusionSweep = null;
        // New-partner track: the diffusion (DiscoveryDiffusion) as a candidate source and as features, both on by
        // default (chosen on 2018, training before 2018); `--diffusion-candidates 0 --diffusion-features off` is the model before.
        // `--diffusion` changes the new-partner model's walk or, for the product's model (the all track, `--product`),
        // its two-hop column (DiffusionOptions.TwoHops).
        string? diffusionText = null;
        var diffusionCandidates = CandidateOptions.ForNewPartners.MaxDiffused;
        var diffusionFeatures = true;
        int? maxPartnersOfPartners = null, maxPopular = null, maxComplementary = null;
        (int First, int Last)? sweepSeeds = null;
        // Consortium track (see ConsortiumTrack): the cohesion weight (fit gets the rest; CORDIS has no text, so coverage
        // drops out) is the product's default ratio, chosen on 2018; shortlist sizes and beam as in the product.
        var consortium = new ConsortiumTrack.Knobs(Cohesion: 0.4, PoolPerSlot: 12, PoolPerMember: 4, Beam: 8, Limit: null);
        // New-partner answers are few and noisy: smaller, slower, more regularized trees did better on 2018
        // (training before 2018), so they are that track's defaults. Its L2 stays LightGBM's own: the stronger L2
        // of the whole-task model made no difference on this track's 2018 split.
        // `--product`: the new-partner track judged with the product's own model (the whole-task model, its candidates
        // and settings), as the product's discovery lists rank non-partners.
        var product = args.Contains("--product");
        // `--in-sample` (diagnostic, tuning year only): the test year's own queries are added to the training labels,
        // so the figure says how far the features can separate the answers at all, not how well they generalize.
        var inSample = args.Contains("--in-sample");
        var options = args.SkipWhile(a => a != "--track").Skip(1).FirstOrDefault() == "new-partners" && !product
            ? new RankerOptions { Iterations = 200, LearningRate = 0.05, MinimumExamplesPerLeaf = 200, Leaves = 15, L2Regularization = 0.01 }
            : new RankerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--test-year" when i + 1 < args.Length:
                    testYear = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--train-years" when i + 1 < args.Length:
                    trainYears = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                // Tuning knobs (defaults are the tuned values; tune with --test-year 2018, never on 2019).
                case var flag when RankerFlags.Contains(flag) && i + 1 < args.Length:
                    try
                    {
                        options = ApplyRankerFlag(options, flag, args[++i]);
                    }
                    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
                    {
                        Console.Error.WriteLine($"{flag}: {e.Message}");
                        return 2;
                    }
                    break;
                // Several ranker settings on the same data: "--negatives 100 --trainer fasttree; --l2 1; ..." (each
                // variant is a list of the ranker flags above, applied to the command line's settings).
                case "--ranker-sweep" when i + 1 < args.Length:
                    rankerSweep = args[++i];
                    break;
                // The diffusion score alone as a heuristic, per setting (see DiffusionSweep).
                case "--diffusion-sweep" when i + 1 < args.Length:
                    diffusionSweep = args[++i];
                    break;
                case "--diffusion" when i + 1 < args.Length:
                    try
                    {
                        diffusionText = args[++i];
                        DiffusionSweep.Parse(diffusionText, new DiffusionOptions());
                    }
                    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
                    {
                        Console.Error.WriteLine($"--diffusion: {e.Message}");
                        return 2;
                    }
                    break;
                case "--diffusion-candidates" when i + 1 < args.Length:
                    diffusionCandidates = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                // The other candidate sources' sizes (defaults: CandidateOptions.ForNewPartners for the new-partner model,
                // the product's CandidateOptions otherwise).
                case "--max-partners-of-partners" when i + 1 < args.Length:
                    maxPartnersOfPartners = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--max-popular" when i + 1 < args.Length:
                    maxPopular = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--max-complementary" when i + 1 < args.Length:
                    maxComplementary = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--diffusion-features" when i + 1 < args.Length:
                    if (args[++i] is not ("on" or "off"))
                    {
                        Console.Error.WriteLine($"--diffusion-features: '{args[i]}' is neither on nor off");
                        return 2;
                    }
                    diffusionFeatures = args[i] == "on";
                    break;
                // Each variant of the sweep trained with seeds 1..N or A-B (negative sample and trainer), then their mean.
                case "--sweep-seeds" when i + 1 < args.Length:
                    var range = args[++i].Split('-');
                    if (!(range.Length is 1 or 2 && range.All(r => int.TryParse(r, CultureInfo.InvariantCulture, out var v) && v > 0)))
                    {
                        Console.Error.WriteLine($"--sweep-seeds: '{args[i]}' is neither a count nor a range such as 4-6");
                        return 2;
                    }
                    var ends = range.Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
                    sweepSeeds = ends.Length == 2 ? (ends[0], ends[1]) : (1, ends[0]);
                    break;
                case "--track" when i + 1 < args.Length:
                    track = args[++i];
                    if (track is not ("all" or "new-partners" or "consortium"))
                    {
                        Console.Error.WriteLine($"unknown track '{track}' (all, new-partners, consortium)");
                        return 2;
                    }
                    break;
                // New-partner track: train on new-partner answers (default) or on all answers.
                case "--labels" when i + 1 < args.Length:
                    labels = args[++i];
                    break;
                case "--cohesion" when i + 1 < args.Length:
                    consortium = consortium with { Cohesion = double.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--pool-per-slot" when i + 1 < args.Length:
                    consortium = consortium with { PoolPerSlot = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--pool-per-member" when i + 1 < args.Length:
                    consortium = consortium with { PoolPerMember = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--beam" when i + 1 < args.Length:
                    consortium = consortium with { Beam = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                // Several planner settings on one trained model: "W:L1/L2/L3/L4/L5/TIE/SHARED ..." (cohesion weight, then levels).
                case "--sweep" when i + 1 < args.Length:
                    consortium = consortium with { Sweep = args[++i] };
                    break;
                case "--variant" when i + 1 < args.Length:
                    consortium = consortium.With(args[++i]);
                    break;
                case "--limit" when i + 1 < args.Length:
                    consortium = consortium with { Limit = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--product":
                case "--in-sample":
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
        // Without an argument: the data beside the repository (../shared/data/cordis-h2020), when it is there.
        dataDir ??= BenchData.DefaultDirectory("cordis-h2020");
        if (dataDir is null)
        {
            Console.Error.WriteLine("usage: Matchmaker.Bench cordis <data-dir> --test-year 2019 [--track all|new-partners|consortium] [--json FILE]");
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

        var clock = Stopwatch.StartNew();
        var data = CordisDataset.Load(dataDir);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var snapshot = data.BuildSnapshot(testYear, DateTimeOffset.UnixEpoch);
        var newPartners = track == "new-partners";
        if (product && !newPartners)
        {
            Console.Error.WriteLine("--product is for the new-partners track (the all track already uses the product's model)");
            return 2;
        }
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
        var (recall, reciprocal) = (evaluation.Recall, evaluation.Reciprocal);
        results[0] = ("learned", evaluation.Learned);
        var scoreSeconds = clock.Elapsed.TotalSeconds;
        var scoreCpu = CpuSeconds();
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        Console.WriteLine($"CORDIS H2020 (CORDIS, European Commission), track {track}, test year {testYear}: {queries.Count:N0} queries, " +
                          $"{snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {testYear}");
        Console.WriteLine($"learned: {model.Card.Trainer}, {rows.Queries:N0} training queries / {rows.Rows.Count:N0} rows from label years {string.Join(", ", labelYears)}");
        Console.WriteLine();
        Console.WriteLine($"{"method",-20} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"queries",8}");
        foreach (var (name, m) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {m.Queries,8}"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time {clock.Elapsed.TotalSeconds:F1} s, peak memory {peak / (1024.0 * 1024):F0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  phases: load+heuristics {heuristicsSeconds:F1} s, training rows {rowsSeconds - heuristicsSeconds:F1} s, LightGBM {trainSeconds - rowsSeconds:F1} s, learned ranking {scoreSeconds - trainSeconds:F1} s ({evaluation.ScoredPairs:N0} pairs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  CPU (both cores together): {scoreCpu:F1} s; load+heuristics {heuristicsCpu:F1} s, training rows {rowsCpu - heuristicsCpu:F1} s, LightGBM {trainCpu - rowsCpu:F1} s, learned ranking {scoreCpu - trainCpu:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  candidates: {recall.MeanCandidates:F0} per query, recall of answers {recall.All:F3} ({string.Join(", ", recall.BySource.Select(p => $"{p.Key} {p.Value:F3}"))})"));
        if (reciprocalTop > 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  reciprocity (top 50 re-ranked by the harmonic mean of both directions): NDCG@10 {reciprocal.Ndcg10:F4}, Recall@20 {reciprocal.Recall20:F4}, MRR {reciprocal.Mrr:F4}"));

        if (jsonPath is not null)
        {
            var report = new BenchReport(track, testYear, queries.Count, Math.Round(clock.Elapsed.TotalSeconds, 2), peak,
                results.Select(r => new MethodResult(r.Name, Math.Round(r.Metrics.Ndcg10, 4), Math.Round(r.Metrics.Recall20, 4), Math.Round(r.Metrics.Mrr, 4))).ToArray());
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, JsonOptions));
        }
        return 0;
    }

    internal static readonly HashSet<string> RankerFlags =
    [
        "--iterations", "--leaves", "--negatives", "--min-leaf", "--learning-rate", "--trainer", "--ndcg-truncation", "--subsample",
        "--subsample-frequency", "--l2", "--l1", "--max-bins", "--sigmoid", "--feature-fraction", "--label-decay", "--hard-negatives", "--seed",
    ];

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
        Console.WriteLine($"{"variant",-60} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"rows",9} {"trees",6} {"leaves",7} {"rows s",7} {"train s",8} {"train cpu s",12} {"splits/row",11} {"ns/row",7}");
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
                    $"{runLabel,-60} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {rows.Rows.Count,9:N0} {model.Trees.TreeCount,6} {model.LeafCount,7} {rowsSeconds,7:F1} {trainSeconds,8:F1} {trainCpu,12:F1} {splitsPerRow,11:F0} {nsPerRow,7:F0}"));
            }
            if (results.Count > 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label + $" [mean of {results.Count}]",-60} {results.Average(r => r.Ndcg10),8:F4} {results.Average(r => r.Recall20),10:F4} {results.Average(r => r.Mrr),8:F4}"));
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

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public sealed record MethodResult(string Name, double Ndcg10, double Recall20, double Mrr);

    public sealed record BenchReport(string Track, int TestYear, int Queries, double WallSeconds, long PeakMemoryBytes, IReadOnlyList<MethodResult> Methods);
}
