using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Planning;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// The consortium track: the consortium planner judged on real consortia. For each project of the test year that the
/// protocol keeps (at least 3 members, coordinator known before the year, at least one other member known), the
/// planner gets the coordinator as lead, the programme parts as sectors and the actual member types as slots (one slot
/// per type, as many places as the project had members of that type; <see cref="ConsortiumQueries"/>); the first
/// alternative is compared with the actual members known before the year. The baseline fills each slot with the
/// lead's best-ranked organizations of that type by the same model (pairwise recommendations, no team view).
/// The ranking model is trained on the three years before the test year only, as in the other tracks.
/// <see cref="Run"/> is `cordis DATA_DIR --track consortium` (CORDIS H2020, no text); `horizon --track consortium`
/// (Horizon.HorizonConsortiumTrack) builds its own setup, with the proposal's text as the challenge, and shares
/// <see cref="Evaluate"/>.
/// </summary>
internal static class ConsortiumTrack
{
    public sealed record Knobs(double Cohesion, int PoolPerSlot, int PoolPerMember, int Beam, int? Limit)
    {
        public Variant Planner { get; init; } = Variant.Default;

        /// <summary>The knobs with a "W:L1/L2/L3/L4/L5/TIE/SHARED[:FLAGS]" variant applied (see <see cref="ParseVariant"/>).</summary>
        public Knobs With(string variant)
        {
            var v = ParseVariant(variant);
            return this with { Cohesion = v.Cohesion, Planner = v };
        }
        public string? Sweep { get; init; }

        /// <summary>The weight of coverage (0 on CORDIS H2020: without text it cannot be measured); fit gets 1 - cohesion.</summary>
        public double Coverage { get; init; }

        public ObjectiveWeights Weights(double cohesion) => new(1 - cohesion, cohesion, Coverage);
    }

    /// <summary>Planner settings a run or a sweep varies: the cohesion weight, levels, and the flags of <see cref="ParseVariant"/>.</summary>
    public sealed record Variant(double Cohesion, CohesionLevels Levels, bool LedTeams, bool FitOverAll, bool FitByKind, int Grow)
    {
        public static Variant Default { get; } = new(0.4, CohesionLevels.Default, false, false, false, 0) { CohesionByShape = true };
        public float PastTeam { get; init; }
        public bool CohesionByShape { get; init; }

        public PlannerOptions Apply(PlannerOptions options) => options with
        {
            Cohesion = Levels, PoolFromLedTeams = LedTeams, FitOverAllScored = FitOverAll, FitByKind = FitByKind, GrowFromTeam = Grow,
            PastTeamInFit = PastTeam, CohesionByShape = CohesionByShape,
        };

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"cohesion levels {Levels}{(LedTeams ? ", the lead's led teams in the fields shortlisted" : "")}; "
            + $"fit standardized over {(FitOverAll ? "all scored candidates" : "the shortlisted")}{(FitByKind ? " per kind" : "")}"
            + $"{(PastTeam > 0 ? $", {PastTeam} of it the best-shaped past team of the lead" : "")}"
            + $"{(Grow > 0 ? $"; shortlists grown from the team by {Grow} per slot" : "")}"
            + $"{(CohesionByShape ? "; the lead's past teams' cohesion scaled by their shape" : "")}");
    }

    /// <summary>
    /// "W:L1/L2/L3/L4/L5/TIE/SHARED[:FLAGS]": the cohesion weight, the levels of <see cref="CohesionLevels"/> in
    /// declaration order, and flags: p = <see cref="PlannerOptions.PoolFromLedTeams"/>, a = <see cref="PlannerOptions.FitOverAllScored"/>,
    /// k = <see cref="PlannerOptions.FitByKind"/>, g8 = <see cref="PlannerOptions.GrowFromTeam"/> 8,
    /// t0.2 = <see cref="PlannerOptions.PastTeamInFit"/> 0.2, s = <see cref="PlannerOptions.CohesionByShape"/> (without s: off).
    /// </summary>
    public static Variant ParseVariant(string text)
    {
        var parts = text.Split(':');
        var levels = parts.Length is 2 or 3 ? parts[1].Split('/') : [];
        if (levels.Length != 7)
        {
            throw new FormatException($"'{text}' is not a variant: give W:L1/L2/L3/L4/L5/TIE/SHARED[:FLAGS], seven levels after the weight");
        }
        var weight = parts[0];
        var flags = parts.Length > 2 ? parts[2] : "";
        var x = levels.Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var grow = System.Text.RegularExpressions.Regex.Match(flags, @"g([0-9]+)");
        var pastTeam = System.Text.RegularExpressions.Regex.Match(flags, @"t([0-9.]+)");

        return new Variant(double.Parse(weight, CultureInfo.InvariantCulture), new CohesionLevels
        {
            LedTeamInFields = x[0], TeamInFields = x[1], TeamElsewhere = x[2], JointInFields = x[3], JointElsewhere = x[4], TypedTie = x[5], SharedPartner = x[6],
        }, flags.Contains('p', StringComparison.Ordinal), flags.Contains('a', StringComparison.Ordinal), flags.Contains('k', StringComparison.Ordinal),
            grow.Success ? int.Parse(grow.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
        {
            PastTeam = pastTeam.Success ? float.Parse(pastTeam.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            CohesionByShape = flags.Contains('s', StringComparison.Ordinal),

        };
    }

    /// <summary>
    /// What a dataset's consortium track hands the shared evaluation: the test year's snapshot, the ranking model trained
    /// before it, the snapshot's text matching (null without text), the queries, and the lines that describe them.
    /// </summary>
    public sealed record Setup(int TestYear, Engine.Graph.GraphSnapshot Snapshot, RankingModel Model, TextMatcher? Text, IReadOnlyList<ConsortiumQuery> Queries)
    {
        /// <summary>"CORDIS H2020 (CORDIS, European Commission), track consortium, test year 2019": the report's first words.</summary>
        public required string Heading { get; init; }
        /// <summary>"model: ..." (trainer, training queries and rows, label years, seconds).</summary>
        public required string ModelLine { get; init; }
        /// <summary>What the challenge is, for the planner line ("no text in CORDIS: coverage drops out").</summary>
        public required string ChallengeNote { get; init; }
        /// <summary>Extra fields of the JSON report (dataset, query text, query half); null on CORDIS H2020.</summary>
        public string? Dataset { get; init; }
        public string? QueryText { get; init; }
        public string? QueryHalf { get; init; }
    }

    /// <summary>`cordis --track consortium`: CORDIS H2020 queries (no text), the model trained as in the other tracks.</summary>
    public static int Run(string dataDir, int testYear, int trainYears, RankerOptions options, string? jsonPath, Knobs knobs)
    {
        Console.WriteLine($"machine: {Machine.Describe()}");
        var clock = Stopwatch.StartNew();
        var data = CordisDataset.Load(dataDir);
        var snapshot = data.BuildSnapshot(testYear, DateTimeOffset.UnixEpoch);

        var candidates = new CandidateGenerator();
        var features = new PairFeatureExtractor();
        var labelYears = Enumerable.Range(testYear - trainYears, trainYears).ToArray();
        var splits = labelYears.Select(year =>
        {
            var before = data.BuildSnapshot(year, DateTimeOffset.UnixEpoch);
            return new TrainingSplit(new SnapshotStats(before), TimeSplit.Queries(before, data.ProjectsOfYear(year)),
                $"labels from projects started in {year}, features from projects started before {year}");
        }).ToArray();
        var rows = RankerTrainer.BuildRows(splits, candidates, features, options);
        var model = RankerTrainer.Train(rows, options, string.Join("; ", splits.Select(s => s.Description)), 1, DateTimeOffset.UnixEpoch);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        return Evaluate(new Setup(testYear, snapshot, model, null, ConsortiumQueries.Cordis(data, snapshot, testYear))
        {
            Heading = $"CORDIS H2020 (CORDIS, European Commission), track consortium, test year {testYear}",
            ModelLine = $"model: LightGBM LambdaRank, {rows.Queries:N0} training queries / {rows.Rows.Count:N0} rows " +
                        $"from label years {string.Join(", ", labelYears)} ({trainSeconds:F1} s)",
            ChallengeNote = "no text in CORDIS: coverage drops out",
        }, knobs, jsonPath, clock);
    }

    /// <summary>
    /// The evaluation both datasets share: plans every query (or the first <see cref="Knobs.Limit"/>), compares the
    /// first team and the pairwise baseline with the actual members known before the year, prints the table and
    /// writes the JSON report. <paramref name="clock"/> started with the track (its time so far is the setup's).
    /// </summary>
    public static int Evaluate(Setup setup, Knobs knobs, string? jsonPath, Stopwatch clock)
    {
        var (testYear, snapshot, model) = (setup.TestYear, setup.Snapshot, setup.Model);
        var plannerOptions = knobs.Planner.Apply(new PlannerOptions
        {
            MaxTeamSize = 1000, PoolPerSlot = knobs.PoolPerSlot, PoolPerMember = knobs.PoolPerMember, Search = new SearchOptions { BeamWidth = knobs.Beam },
        });
        var planner = new ConsortiumPlanner(snapshot, model, plannerOptions, text: setup.Text);
        var weights = knobs.Weights(knobs.Cohesion);
        var queries = setup.Queries.ToList();
        if (knobs.Limit is { } limit) queries = queries.Take(limit).ToList();
        var setupSeconds = clock.Elapsed.TotalSeconds;
        if (knobs.Sweep is { } sweep) return RunSweep(snapshot, model, setup.Text, plannerOptions, knobs, queries, sweep, clock);

        var results = new QueryResult?[queries.Count];
        var latencies = new double[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var q = queries[i];
            var started = Stopwatch.GetTimestamp();
            var planned = planner.PlanTeams(q.Request(weights));
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (planned.Refusal is not null || planned.Pairwise is null) return;
            results[i] = new QueryResult(q,
                Hits(q, snapshot.OrganizationIds, planned.Teams[0].Members),
                Hits(q, snapshot.OrganizationIds, planned.Pairwise.Members),
                Hits(q, snapshot.OrganizationIds, planned.Shortlisted.ToArray()).Values.Sum(),
                Hits(q, snapshot.OrganizationIds, (planned.PairwiseOverGrown ?? planned.Pairwise).Members).Values.Sum());
        });
        var planSeconds = clock.Elapsed.TotalSeconds - setupSeconds;
        var done = results.Where(r => r is not null).Select(r => r!).ToList();

        var types = done.SelectMany(r => r.Query.KnownByType.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        var byType = types.Select(t => new TypeResult(t, RoleName(t),
            done.Sum(r => r.Query.KnownByType.GetValueOrDefault(t)),
            done.Sum(r => r.Planner.GetValueOrDefault(t)), done.Sum(r => r.Baseline.GetValueOrDefault(t)))).ToArray();
        var known = byType.Sum(t => t.Known);
        var overall = new TypeResult("all", "all", known, byType.Sum(t => t.Planner), byType.Sum(t => t.Baseline));
        double Macro(Func<QueryResult, int> hits) => done.Average(r => (double)hits(r) / r.Query.KnownTypes.Count);
        var macroPlanner = Macro(r => r.Planner.Values.Sum());
        var macroBaseline = Macro(r => r.Baseline.Values.Sum());
        var sorted = latencies.Order().ToArray();

        Console.WriteLine($"{setup.Heading}: {done.Count:N0} consortia planned " +
                          $"({queries.Count - done.Count} refused), {snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {testYear}");
        Console.WriteLine(setup.ModelLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"planner: weights fit {weights.Fit:F2} / cohesion {weights.Cohesion:F2} / coverage {weights.Coverage:F2} ({setup.ChallengeNote}), " +
            $"shortlist max({knobs.PoolPerSlot}, {knobs.PoolPerMember} x places) per slot, beam {knobs.Beam}; {knobs.Planner.Describe()}"));
        Console.WriteLine();
        Console.WriteLine("share of the actual members (known before the test year) that the proposed team holds");
        Console.WriteLine($"{"slot type",-22} {"actual",8} {"planner",9} {"pairwise",9}");
        foreach (var t in byType.Append(overall))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Name,-22} {t.Known,8:N0} {t.PlannerShare,9:F4} {t.BaselineShare,9:F4}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"mean per consortium",-22} {"",8} {macroPlanner,9:F4} {macroBaseline,9:F4}"));
        if (knobs.Planner.Grow > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pairwise baseline over the grown shortlists too (every scored candidate, grown ones included): {(double)done.Sum(r => r.BaselineOverGrown) / known:F4}"));
        }
        var shortlisted = (double)done.Sum(r => r.Shortlisted) / known;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"actual members among the shortlisted candidates (the most any team from them could hold): {shortlisted:F4}; " +
            $"{100.0 * done.Sum(r => r.Query.KnownTypes.Count) / done.Sum(r => r.Query.Slots.Sum(s => s.Count)):F1}% of all places are members known before {testYear}"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wall time {clock.Elapsed.TotalSeconds:F1} s (planning {planSeconds:F1} s on {Environment.ProcessorCount} cores); "
            + $"one plan: median {sorted[sorted.Length / 2]:F0} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:F0} ms, max {sorted[^1]:F0} ms; "
            + $"peak memory {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)}"));

        if (jsonPath is not null)
        {
            var report = new Report("consortium", testYear, done.Count, queries.Count - done.Count, weights.Cohesion, knobs.PoolPerSlot, knobs.PoolPerMember, knobs.Beam,
                byType.Append(overall).Select(t => new TypeShare(t.Type, t.Name, t.Known, Math.Round(t.PlannerShare, 4), Math.Round(t.BaselineShare, 4))).ToArray(),
                Math.Round(macroPlanner, 4), Math.Round(macroBaseline, 4), Math.Round(shortlisted, 4), Math.Round(clock.Elapsed.TotalSeconds, 1))
            {
                Dataset = setup.Dataset, QueryText = setup.QueryText, QueryHalf = setup.QueryHalf, CoverageWeight = weights.Coverage > 0 ? weights.Coverage : null,
            };
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            }));
        }
        return 0;
    }

    private static int RunSweep(
        Engine.Graph.GraphSnapshot snapshot, RankingModel model, TextMatcher? text, PlannerOptions baseOptions, Knobs knobs, List<ConsortiumQuery> queries, string sweep,
        Stopwatch clock)
    {
        var stats = new SnapshotStats(snapshot);
        var variants = sweep.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => (Text: v, Parsed: ParseVariant(v))).ToArray();
        var planners = variants.Select(v => new ConsortiumPlanner(snapshot, model, v.Parsed.Apply(baseOptions), stats, text)).ToArray();
        var hits = new (int Planner, int Baseline, double MacroPlanner, double MacroBaseline, int Shortlisted, int BaselineOverGrown)[queries.Count, variants.Length];
        var done = new bool[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var q = queries[i];
            var known = q.KnownTypes.Count;
            for (var v = 0; v < variants.Length; v++)
            {
                var planned = planners[v].PlanTeams(q.Request(knobs.Weights(variants[v].Parsed.Cohesion)));
                if (planned.Refusal is not null || planned.Pairwise is null) return;
                var p = Hits(q, snapshot.OrganizationIds, planned.Teams[0].Members).Values.Sum();
                var b = Hits(q, snapshot.OrganizationIds, planned.Pairwise.Members).Values.Sum();
                hits[i, v] = (p, b, (double)p / known, (double)b / known, Hits(q, snapshot.OrganizationIds, planned.Shortlisted.ToArray()).Values.Sum(),
                    Hits(q, snapshot.OrganizationIds, (planned.PairwiseOverGrown ?? planned.Pairwise).Members).Values.Sum());
            }
            done[i] = true;
        });
        var total = Enumerable.Range(0, queries.Count).Where(i => done[i]).Sum(i => queries[i].KnownTypes.Count);
        var count = done.Count(d => d);
        Console.WriteLine($"sweep over {count:N0} consortia ({total:N0} actual members known before the year); planning {clock.Elapsed.TotalSeconds:F1} s in all");
        Console.WriteLine($"{"variant",-44} {"planner",8} {"pairwise",8} {"planner/c",9} {"pairw/c",8} {"listed",8} {"pw-grown",8}");
        for (var v = 0; v < variants.Length; v++)
        {
            var rows = Enumerable.Range(0, queries.Count).Where(i => done[i]).Select(i => hits[i, v]).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variants[v].Text,-44} {(double)rows.Sum(r => r.Planner) / total,8:F4} {(double)rows.Sum(r => r.Baseline) / total,8:F4} "
                + $"{rows.Average(r => r.MacroPlanner),9:F4} {rows.Average(r => r.MacroBaseline),8:F4} "
                + $"{(double)rows.Sum(r => r.Shortlisted) / total,8:F4} {(double)rows.Sum(r => r.BaselineOverGrown) / total,8:F4}"));
        }
        return 0;
    }

    private sealed record QueryResult(ConsortiumQuery Query, Dictionary<string, int> Planner, Dictionary<string, int> Baseline, int Shortlisted, int BaselineOverGrown);

    private sealed record TypeResult(string Type, string Name, int Known, int Planner, int Baseline)
    {
        public double PlannerShare => Known == 0 ? 0 : (double)Planner / Known;
        public double BaselineShare => Known == 0 ? 0 : (double)Baseline / Known;
    }

    public sealed record TypeShare(string Type, string Name, int Actual, double Planner, double Pairwise);

    public sealed record Report(string Track, int TestYear, int Consortia, int Refused, double CohesionWeight, int PoolPerSlot, int PoolPerMember, int Beam,
        IReadOnlyList<TypeShare> Recovered, double MeanPerConsortiumPlanner, double MeanPerConsortiumPairwise, double Shortlisted, double WallSeconds)
    {
        // Written only when set: the CORDIS H2020 report keeps its shape; the Horizon one adds them as its other tracks do.
        public string? Dataset { get; init; }
        public string? QueryText { get; init; }
        public string? QueryHalf { get; init; }
        public double? CoverageWeight { get; init; }
    }

    /// <summary>Actual members the team holds, by their type.</summary>
    private static Dictionary<string, int> Hits(ConsortiumQuery q, string[] ids, int[] members)
    {
        var hits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in members)
        {
            if (q.KnownTypes.TryGetValue(ids[o], out var type)) hits[type] = hits.GetValueOrDefault(type) + 1;
        }
        return hits;
    }

    private static string RoleName(string type) => $"{type} ({CordisDataset.RoleOf(type).ToChinese()} {CordisDataset.RoleOf(type).ToCode()})";
}
