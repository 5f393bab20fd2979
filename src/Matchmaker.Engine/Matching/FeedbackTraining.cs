namespace Matchmaker.Engine.Matching;

/// <summary>An organization's graded feedback on candidates (compact ids of one snapshot): the label of each pair.</summary>
public sealed record LabelledQuery(int Organization, IReadOnlyDictionary<int, float> Grades);

/// <summary>
/// Training rows from what organizations told us about their recommendations. Each organization with at least one
/// positive label is a query group: every candidate it gave feedback on, with its grade (formed 3, contacted 2,
/// accept 1, decline 0), plus sampled candidates it said nothing about, labelled 0 as in the time splits. Features come
/// from the snapshot the feedback was given against (the current graph), which is the best we know of that moment.
/// </summary>
public static class FeedbackTraining
{
    public static RankerTrainer.TrainingSet BuildRows(SnapshotStats stats, IReadOnlyList<LabelledQuery> queries, CandidateGenerator candidates,
        PairFeatureExtractor features, RankerOptions options, uint firstGroup)
    {
        var snapshot = stats.Snapshot;
        var year = snapshot.ProjectYears.Length == 0 ? snapshot.BuiltAt.Year : snapshot.ProjectYears.Max() + 1;
        var rows = new List<RankerTrainer.TrainingRow>();
        var group = firstGroup;
        var workspace = new Workspace(stats);
        foreach (var labelled in queries)
        {
            if (!labelled.Grades.Values.Any(g => g > 0)) continue; // only declines: nothing to rank above anything
            var query = new MatchQuery(labelled.Organization, snapshot.OrganizationSectors[labelled.Organization].ToArray(), year);
            workspace.Context.Prepare(query, candidates.Options.HubCap, hubsOnDemand: !candidates.Options.PartnersOfPartnersThroughHubs);
            candidates.Generate(workspace.Context, workspace.Candidates, workspace.Sources);
            var unlabelled = workspace.Candidates.Where(c => !labelled.Grades.ContainsKey(c)).ToArray();
            var random = new Random(unchecked(options.Seed * 1_000_003 + labelled.Organization * 7_919));
            random.Shuffle(unlabelled);
            var chosen = labelled.Grades.Keys.Where(c => c != labelled.Organization).Order()
                .Concat(unlabelled.Take(options.NegativesPerQuery)).ToArray();
            var buffer = new float[chosen.Length * PairFeatureExtractor.Count];
            features.Compute(workspace.Context, chosen, buffer);
            for (var i = 0; i < chosen.Length; i++)
            {
                rows.Add(new RankerTrainer.TrainingRow
                {
                    Label = labelled.Grades.GetValueOrDefault(chosen[i]),
                    GroupId = group,
                    Features = buffer.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray(),
                });
            }
            group++;
        }
        return new RankerTrainer.TrainingSet(rows, (int)(group - firstGroup));
    }

    /// <summary>Both sets in one, the second's groups after the first's.</summary>
    public static RankerTrainer.TrainingSet Combine(RankerTrainer.TrainingSet first, RankerTrainer.TrainingSet second) =>
        new([.. first.Rows, .. second.Rows], first.Queries + second.Queries);
}
