using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Tests.Matching;

namespace Matchmaker.Engine.Tests.Feedback;

public sealed class FeedbackTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-fbtrain-").FullName;

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static readonly Matchmaker.Engine.Graph.GraphSnapshot G = HandGraphs.Build(
        (2016, "s", ["a", "b"]),
        (2017, "s", ["a", "z"]),
        (2017, "s", ["z", "c", "d"]),
        (2018, "s", ["c", "e"]),
        (2018, "s", ["f", "g", "e"]));

    [Fact]
    public async Task Latest_feedback_becomes_graded_labels_grouped_by_the_organization_that_gave_it()
    {
        var store = new SqliteFeedbackStore(Path.Combine(_directory, "app.db"));
        await store.InitializeAsync();
        await store.AddAsync(new NewFeedback("a", "c", FeedbackAction.Decline, DeclineReason.TooFar, null, "k", T0));
        await store.AddAsync(new NewFeedback("a", "c", FeedbackAction.Formed, null, null, "k", T0.AddDays(1))); // supersedes the decline
        await store.AddAsync(new NewFeedback("a", "d", FeedbackAction.Decline, DeclineReason.WrongField, null, "k", T0));
        await store.AddAsync(new NewFeedback("a", "e", FeedbackAction.Contacted, null, null, "k", T0));
        await store.AddAsync(new NewFeedback("f", "a", FeedbackAction.Decline, DeclineReason.Other, null, "k", T0)); // only declines: no group
        await store.AddAsync(new NewFeedback("a", "gone", FeedbackAction.Accept, null, null, "k", T0)); // not in the graph any more

        var labelled = await ModelTrainingService.LabelledQueriesAsync(G, store, CancellationToken.None);
        Assert.Equal([G.Id("a"), G.Id("f")], labelled.Select(q => q.Organization));
        var grades = labelled[0].Grades;
        Assert.Equal(3, grades[G.Id("c")]);
        Assert.Equal(0, grades[G.Id("d")]);
        Assert.Equal(2, grades[G.Id("e")]);
        Assert.Equal(3, grades.Count);

        var set = FeedbackTraining.BuildRows(new SnapshotStats(G), labelled, new CandidateGenerator(), new PairFeatureExtractor(), new RankerOptions(), firstGroup: 7);
        Assert.Equal(1, set.Queries); // f's group has no positive label and teaches nothing
        Assert.All(set.Rows, r => Assert.Equal(7u, r.GroupId));
        Assert.Equal([3f, 2f, 0f], set.Rows.Select(r => r.Label).OrderDescending().Take(3));
        Assert.Equal(1, set.Rows.Count(r => r.Label == 3));
        Assert.All(set.Rows, r => Assert.Equal(PairFeatureExtractor.Count, r.Features.Length));

        // The formed pair's row carries the pair's real features: c is a partner of a's partner z.
        var formed = set.Rows.Single(r => r.Label == 3);
        Assert.Equal(1, formed.Features[(int)PairFeature.CommonPartners]);
    }

    [Fact]
    public async Task Feedback_on_candidates_never_shown_is_kept_but_is_no_label_and_reveals_no_mutual_interest()
    {
        var store = new SqliteFeedbackStore(Path.Combine(_directory, "probe.db"));
        await store.InitializeAsync();
        // c was in a's list; e and g were not (a accepted them blind, as a probe accepts every id).
        await store.AddAsync(new NewFeedback("a", "c", FeedbackAction.Accept, null, null, "k", T0) { Shown = true });
        await store.AddAsync(new NewFeedback("a", "e", FeedbackAction.Formed, null, null, "k", T0) { Shown = false });
        await store.AddAsync(new NewFeedback("a", "g", FeedbackAction.Accept, null, null, "k", T0) { Shown = false });
        // e and c really are interested in a, a having been in their lists.
        await store.AddAsync(new NewFeedback("e", "a", FeedbackAction.Accept, null, null, "k", T0) { Shown = true });
        await store.AddAsync(new NewFeedback("c", "a", FeedbackAction.Contacted, null, null, "k", T0) { Shown = true });

        var labelled = await ModelTrainingService.LabelledQueriesAsync(G, store, CancellationToken.None);
        var ofA = labelled.Single(q => q.Organization == G.Id("a"));
        Assert.Equal([G.Id("c")], ofA.Grades.Keys);
        Assert.Equal(new[] { G.Id("a"), G.Id("c"), G.Id("e") }.Order(), labelled.Select(q => q.Organization).Order()); // c's and e's labels are shown ones

        var stateOfA = await store.GetStateAsync("a");
        Assert.Equal(3, stateOfA.Given.Count); // every feedback is kept in the log
        Assert.False(stateOfA.Given["e"].Shown);
        Assert.Equal(["c"], stateOfA.Mutual); // e's real interest is not revealed to a's blind accept
        Assert.Empty((await store.GetStateAsync("e")).Mutual); // nor is a's blind accept shown to e as mutual
        Assert.Equal(["a"], (await store.GetStateAsync("c")).Mutual);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
