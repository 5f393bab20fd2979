using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Telemetry;
using Matchmaker.Engine.Text;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Engine.Recommendations;

public sealed class ModelOptions
{
    public const string Section = "Models";

    /// <summary>Where versioned model files live; shared by every host in production (a common volume).</summary>
    public string Directory { get; set; } = "data/models";

    /// <summary>How many label years before the validation year the model trains on.</summary>
    public int TrainingYears { get; set; } = 3;

    /// <summary>Fewer training queries than this and no model is trained (the heuristic ranker stays in use).</summary>
    public int MinimumTrainingQueries { get; set; } = 20;

    /// <summary>
    /// At most this many queries (projects) per label year and in the validation year, spread evenly over the year's
    /// projects. A query with text costs a BM25 pass over every profile and its similar past projects, and a graph of
    /// 100k organizations holds tens of thousands of projects a year: asking them all kept training from finishing
    /// (docs/benchmarks.md). 0 keeps every query.
    /// </summary>
    public int MaxQueriesPerYear { get; set; } = 1_000;
}

public sealed record TrainingOutcome(bool Trained, string Message, Promotion? Promotion);

/// <summary>
/// Retrains the ranking model on the graph's own history with the protocol's time split: the newest project year
/// validates, the years before it train (each label year's features from projects before it only), and the new
/// model replaces the current one only when it is better on the validation year.
/// </summary>
public sealed class ModelTrainingService(
    SnapshotSource snapshots, ModelRegistry registry, ModelOptions options, TimeProvider time, ILogger<ModelTrainingService> logger, IFeedbackStore? feedback = null)
{
    public async Task<TrainingOutcome> RetrainAsync(CancellationToken cancellationToken = default)
    {
        using var activity = MatchmakerTelemetry.Source.StartActivity("model.train");
        var outcome = await TrainAsync(cancellationToken);
        var result = outcome.Promotion is null ? "skipped" : outcome.Promotion.Promoted ? "promoted" : "kept_aside";
        MatchmakerTelemetry.Trainings.Add(1, new KeyValuePair<string, object?>(MatchmakerTelemetry.Tags.Result, result));
        activity?.SetTag("matchmaker.result", result);
        if (outcome.Promotion is { } promotion)
        {
            activity?.SetTag("matchmaker.model_version", promotion.CandidateVersion);
            activity?.SetTag("matchmaker.validation.ndcg10", promotion.Candidate.Ndcg10);
        }
        return outcome;
    }

    private async Task<TrainingOutcome> TrainAsync(CancellationToken cancellationToken)
    {
        var full = await snapshots.GetAsync(cancellationToken);
        if (full.ProjectCount == 0) return Skip("the graph has no projects to learn from");
        var validationYear = (int)full.ProjectYears.Max();
        var labelYears = Enumerable.Range(validationYear - options.TrainingYears, options.TrainingYears)
            .Where(y => full.ProjectYears.Contains((short)y)).ToArray();
        var splits = new List<TrainingSplit>();
        // Organizations keep their compact ids in every time slice, so one index of capabilities serves all of them;
        // texts are indexed per slice, since a label year's own project texts must not be in its feature window.
        var capabilities = CapabilitiesOf(full);
        var texts = new List<TextMatcher>();
        try
        {
            return await RetrainAsync(full, validationYear, labelYears, splits, capabilities, texts, cancellationToken);
        }
        finally
        {
            foreach (var t in texts) t.Dispose();
        }
    }

    private async Task<TrainingOutcome> RetrainAsync(GraphSnapshot full, int validationYear, int[] labelYears, List<TrainingSplit> splits,
        CapabilityIndex? capabilities, List<TextMatcher> texts, CancellationToken cancellationToken)
    {
        TextMatcher? TextOf(GraphSnapshot snapshot)
        {
            var text = TextMatcher.Build(snapshot);
            if (text is not null) texts.Add(text);
            return text;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var year in labelYears)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = full.Before(year);
            var text = TextOf(before);
            splits.Add(new TrainingSplit(new SnapshotStats(before), Queries(before, full, year),
                $"labels from projects started in {year}, features from projects started before {year}")
            {
                Candidates = new CandidateGenerator(null, capabilities, text),
                Features = new PairFeatureExtractor(capabilities, text: text),
            });
        }
        var trainingQueries = splits.Sum(s => s.Queries.Count);
        if (trainingQueries < options.MinimumTrainingQueries)
        {
            return Skip($"only {trainingQueries} training queries in {string.Join(", ", labelYears)} (at least {options.MinimumTrainingQueries} needed)");
        }
        var validationBefore = full.Before(validationYear);
        var validationQueries = Queries(validationBefore, full, validationYear);
        if (validationQueries.Count == 0) return Skip($"no validation query in {validationYear}");

        var rankerOptions = new RankerOptions();
        var candidates = new CandidateGenerator(null, capabilities);
        var features = new PairFeatureExtractor(capabilities);
        var rows = RankerTrainer.BuildRows(splits, candidates, features, rankerOptions);
        logger.LogInformation("Training rows: {Rows} for {Queries} queries ({Seconds:F1} s since the start)", rows.Rows.Count, trainingQueries, clock.Elapsed.TotalSeconds);
        var descriptions = splits.Select(s => s.Description).ToList();
        // What organizations told us about their recommendations is a label too (formed > contacted > accept > decline).
        var labelled = feedback is null ? [] : await LabelledQueriesAsync(full, feedback, cancellationToken);
        if (labelled.Count > 0)
        {
            var fullText = TextOf(full);
            var fromFeedback = FeedbackTraining.BuildRows(new SnapshotStats(full), labelled, new CandidateGenerator(null, capabilities, fullText),
                new PairFeatureExtractor(capabilities, text: fullText), rankerOptions, (uint)rows.Queries);
            rows = FeedbackTraining.Combine(rows, fromFeedback);
            descriptions.Add($"feedback of {fromFeedback.Queries} organizations on {labelled.Sum(q => q.Grades.Count)} candidates, features from the current graph");
        }
        var model = RankerTrainer.Train(rows, rankerOptions, string.Join("; ", descriptions), registry.NextVersion(), time.GetUtcNow());
        logger.LogInformation("Model trained ({Seconds:F1} s since the start)", clock.Elapsed.TotalSeconds);
        var validationStats = new SnapshotStats(validationBefore);
        var validationText = TextOf(validationBefore);
        var validationCandidates = new CandidateGenerator(null, capabilities, validationText);
        var validationFeatures = new PairFeatureExtractor(capabilities, text: validationText);
        var promotion = registry.PromoteIfBetter(model, m =>
        {
            var result = ProtocolEvaluator.EvaluateMatcher(new Matcher(validationStats, m, validationCandidates, validationFeatures), validationQueries, reciprocalTop: 0);
            return new ValidationMetrics($"projects started in {validationYear}", result.Learned.Ndcg10, result.Learned.Recall20, result.Learned.Mrr, validationQueries.Count);
        });
        var message = promotion.Promoted
            ? $"model v{promotion.CandidateVersion} promoted: NDCG@10 {promotion.Candidate.Ndcg10:F4} (current {promotion.Current?.Ndcg10.ToString("F4") ?? "none"})"
            : $"model v{promotion.CandidateVersion} kept aside: NDCG@10 {promotion.Candidate.Ndcg10:F4} is not better than {promotion.Current!.Ndcg10:F4}";
        logger.LogInformation("Retrained on {Queries} queries ({Rows} rows): {Message}", trainingQueries, rows.Rows.Count, message);
        return new TrainingOutcome(true, message, promotion);
    }

    /// <summary>
    /// The latest feedback per pair, grouped by the organization that gave it, in the snapshot's compact ids. Feedback
    /// on candidates the organization had never been shown is left out: accepting every id is how one-sided interest
    /// would be probed, and such blind labels say nothing about the lists the model ranks.
    /// </summary>
    public static async Task<List<LabelledQuery>> LabelledQueriesAsync(GraphSnapshot snapshot, IFeedbackStore feedback, CancellationToken cancellationToken)
    {
        var latest = await feedback.LatestPerPairAsync(cancellationToken);
        return latest
            .Where(e => e.Shown)
            .Select(e => (Organization: snapshot.IndexOf(e.OrganizationId), Candidate: snapshot.IndexOf(e.CandidateId), Grade: FeedbackCodes.Grade(e.Action)))
            .Where(e => e.Organization >= 0 && e.Candidate >= 0) // organizations deleted since
            .GroupBy(e => e.Organization)
            .OrderBy(g => g.Key)
            .Select(g => new LabelledQuery(g.Key, g.ToDictionary(e => e.Candidate, e => e.Grade)))
            .ToList();
    }

    /// <summary>The capability index of a snapshot, or null when no organization states a need.</summary>
    public static CapabilityIndex? CapabilitiesOf(GraphSnapshot snapshot)
    {
        var index = new CapabilityIndex(snapshot);
        return index.HasAny ? index : null;
    }

    private List<MatchQuery> Queries(GraphSnapshot before, GraphSnapshot full, int year) =>
        Spread(TimeSplit.Queries(before, full.ProjectsOf(year).Select(p => new TimeSplit.FutureProject(p.Id, p.Year, p.Sectors, p.Lead, p.Members).WithText(p.Text))).ToList(),
            options.MaxQueriesPerYear);

    /// <summary>At most <paramref name="max"/> of the queries, evenly spaced in their order (all of them when they are fewer).</summary>
    internal static List<MatchQuery> Spread(List<MatchQuery> queries, int max)
    {
        if (max <= 0 || queries.Count <= max) return queries;
        var kept = new List<MatchQuery>(max);
        for (var k = 0; k < max; k++) kept.Add(queries[(int)((long)k * queries.Count / max)]);
        return kept;
    }

    private TrainingOutcome Skip(string why)
    {
        logger.LogInformation("Model not retrained: {Reason}", why);
        return new TrainingOutcome(false, why, null);
    }
}
