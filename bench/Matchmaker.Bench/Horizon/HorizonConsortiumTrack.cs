using System.Diagnostics;
using Matchmaker.Bench.Cordis;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Planning;

namespace Matchmaker.Bench.Horizon;

/// <summary>
/// `horizon DATA_DIR --test-year Y --track consortium`: the consortium planner on real Horizon Europe consortia (CORDIS,
/// European Commission). The data README defines no consortium task; this follows its protocol for what a query is
/// and gives (the graph before Y, the queries of Y, the coordinator, the proposal's text, even or odd project ids)
/// and the CORDIS H2020 consortium track for the rest (<see cref="ConsortiumTrack"/>): the coordinator as lead, the
/// main legal basis as the sector, one slot per activity type of the real consortium (<see cref="ConsortiumQueries.Horizon"/>),
/// the query text as the challenge. The ranking model is the planner's own (its candidates and pair features, text
/// columns included), trained on label years before Y only, each with the texts of the projects before it.
/// </summary>
internal static class HorizonConsortiumTrack
{
    /// <summary>
    /// The product's planner: the default objective weights (fit 0.6, cohesion 0.4, coverage 0.2; coverage can be
    /// measured here, the challenge being the proposal's text) and the CORDIS track's shortlists and beam.
    /// </summary>
    private static readonly ConsortiumTrack.Knobs Knobs = new(Cohesion: ObjectiveWeights.Default.Cohesion, PoolPerSlot: 12, PoolPerMember: 4, Beam: 8, Limit: null)
    {
        Coverage = ObjectiveWeights.Default.Coverage,
    };

    public static int Run(string dataDir, int year, int trainYears, QueryTextMode queryText, string half, string? jsonPath)
    {
        Console.WriteLine($"machine: {Machine.Describe()}");
        var clock = Stopwatch.StartNew();
        var data = HorizonDataset.Load(dataDir);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var snapshot = data.BuildSnapshot(year, DateTimeOffset.UnixEpoch);
        using var text = TextMatcher.Build(snapshot);

        // The planner scores candidates with its own generator and extractor (no diffusion columns, text through the
        // snapshot's matcher): the model is trained on exactly those, so that fit is the score it learned.
        var options = new RankerOptions();
        var splits = new List<TrainingSplit>();
        var splitTexts = new List<TextMatcher>();
        var labelYears = new List<int>();
        foreach (var labelYear in Enumerable.Range(year - trainYears, trainYears))
        {
            var before = data.BuildSnapshot(labelYear, DateTimeOffset.UnixEpoch);
            // A plan request carries no call topic, so the planner's queries have none: the training queries drop theirs
            // too, or the model would lean on topic columns that are always 0 when it plans.
            var labelled = data.Queries(before, labelYear, queryText).Select(q => q with { Topics = [] }).ToArray();
            // A label year with nothing before it (2021 here) has no query.
            if (labelled.Length == 0) continue;
            labelYears.Add(labelYear);
            // Each label year reads the texts of the projects before it only: its own projects' texts would leak the answers.
            var splitText = TextMatcher.Build(before);
            if (splitText is not null) splitTexts.Add(splitText);
            splits.Add(new TrainingSplit(new SnapshotStats(before), labelled,
                $"labels from projects started in {labelYear}, features from projects started before {labelYear}")
            {
                Candidates = new CandidateGenerator(text: splitText),
                Features = new PairFeatureExtractor(text: splitText),
            });
        }
        if (splits.Count == 0)
        {
            Console.Error.WriteLine($"no label year before {year} has a query: nothing to train on");
            return 1;
        }
        var rows = RankerTrainer.BuildRows(splits, new CandidateGenerator(text: text), new PairFeatureExtractor(text: text), options);
        foreach (var t in splitTexts) t.Dispose();
        var model = RankerTrainer.Train(rows, options, string.Join("; ", splits.Select(s => s.Description)), 1, DateTimeOffset.UnixEpoch);
        var trainSeconds = clock.Elapsed.TotalSeconds;

        var queries = ConsortiumQueries.Horizon(data, snapshot, year, queryText)
            .Where(q => half == "all" || HorizonDataset.IsEven(q.ProjectId) == (half == "even")).ToArray();
        var mode = queryText.ToString().ToLowerInvariant();
        return ConsortiumTrack.Evaluate(new ConsortiumTrack.Setup(year, snapshot, model, text, queries)
        {
            Heading = $"Horizon Europe (CORDIS, European Commission), track consortium, test year {year}, queries {half}, query text {mode}",
            ModelLine = $"model: {model.Card.Trainer}, {rows.Queries:N0} training queries / {rows.Rows.Count:N0} rows from label years {string.Join(", ", labelYears)} " +
                        $"(load, text indexes and training {trainSeconds:F1} s)",
            ChallengeNote = queryText == QueryTextMode.None ? "no query text: coverage drops out" : $"challenge: the query text, {mode}",
            Dataset = "cordis-horizon", QueryText = mode, QueryHalf = half,
        }, Knobs, jsonPath, clock);
    }
}
