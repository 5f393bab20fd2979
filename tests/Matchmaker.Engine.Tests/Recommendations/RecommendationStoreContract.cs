using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Tests.Recommendations;

/// <summary>The behaviour both recommendation store adapters must have.</summary>
public abstract class RecommendationStoreContract
{
    protected abstract Task<IRecommendationStore> CreateStoreAsync();

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static RecomputeRun Run(string id, int shards, DateTimeOffset started, RunKind kind = RunKind.Full) =>
        new(id, kind, RunStatus.Running, "model-v1", started, null, shards, 0, 0, 0, 0, null);

    private static RecommendationList List(string org, string run, params string[] candidates) =>
        new(org, run, "model-v1", T0, candidates.Select((c, i) => new RecommendedPartner(c, i + 1, 1.0 / (i + 1),
            [new Reason("shared-partners", "2 个共同伙伴: 同济大学汽车学院", "2 shared partners: Tongji SAS", ["同济大学汽车学院"])], false)).ToList());

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Unpublished_run_is_not_served_and_publishing_switches_every_list_at_once()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), b = Id("b"), first = Id("run"), second = Id("run");
        await store.CreateRunAsync(Run(first, 2, T0));
        await store.WriteShardAsync(first, new ShardResult(0, [List(a, first, "x", "y")], 10, 0.5));
        Assert.Null(await store.GetCurrentAsync(a));
        Assert.False(await store.TryPublishAsync(first, T0)); // shard 1 missing
        await store.WriteShardAsync(first, new ShardResult(1, [List(b, first, "z")], 5, 0.5));
        Assert.True(await store.TryPublishAsync(first, T0.AddMinutes(1)));

        await store.CreateRunAsync(Run(second, 1, T0.AddHours(1)));
        await store.WriteShardAsync(second, new ShardResult(0, [List(a, second, "y", "x"), List(b, second, "w")], 10, 0.5));
        Assert.Equal(first, (await store.GetCurrentAsync(a))!.RunId); // still the published one
        Assert.True(await store.TryPublishAsync(second, T0.AddHours(1).AddMinutes(1)));

        var listA = await store.GetCurrentAsync(a);
        var listB = await store.GetCurrentAsync(b);
        Assert.Equal(second, listA!.RunId);
        Assert.Equal(["y", "x"], listA.Items.Select(i => i.CandidateId));
        Assert.Equal(second, listB!.RunId);
        Assert.Equal("2 shared partners: Tongji SAS", listA.Items[0].Reasons[0].En);
        Assert.Equal(["同济大学汽车学院"], listA.Items[0].Reasons[0].Evidence);
    }

    [Fact]
    public async Task Lists_whose_items_are_held_encoded_are_stored_as_the_same_lists()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), b = Id("b"), run = Id("run");
        var plain = List(a, run, "x", "y", "z");
        var held = List(b, run, "u", "v");
        var encoded = held with { Items = EncodedItems.Of(held.Items) };
        await store.CreateRunAsync(Run(run, 1, T0));
        await store.WriteShardAsync(run, new ShardResult(0, [plain, encoded], 5, 0.1));
        Assert.True(await store.TryPublishAsync(run, T0.AddMinutes(1)));

        var backA = (await store.GetCurrentAsync(a))!;
        var backB = (await store.GetCurrentAsync(b))!;
        Assert.Equal(["x", "y", "z"], backA.Items.Select(i => i.CandidateId));
        Assert.Equal(["u", "v"], backB.Items.Select(i => i.CandidateId));
        Assert.Equal(held.Items.Select(i => (i.Rank, i.Score, i.Reasons[0].Zh, i.Reasons[0].En)), backB.Items.Select(i => (i.Rank, i.Score, i.Reasons[0].Zh, i.Reasons[0].En)));
        Assert.Equal(["同济大学汽车学院"], backB.Items[1].Reasons[0].Evidence);
    }

    [Fact]
    public async Task The_publication_stamp_changes_with_every_publish_even_at_the_same_instant()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), first = Id("run"), second = Id("run");
        await store.CreateRunAsync(Run(first, 1, T0));
        await store.WriteShardAsync(first, new ShardResult(0, [List(a, first, "x")], 1, 0.1));
        var beforeFirst = await store.GetPublicationStampAsync();
        Assert.True(await store.TryPublishAsync(first, T0.AddMinutes(1)));
        var afterFirst = await store.GetPublicationStampAsync();
        Assert.NotEqual(beforeFirst, afterFirst);

        await store.CreateRunAsync(Run(second, 1, T0.AddMinutes(1)));
        await store.WriteShardAsync(second, new ShardResult(0, [List(a, second, "y")], 1, 0.1));
        Assert.True(await store.TryPublishAsync(second, T0.AddMinutes(1)));
        Assert.NotEqual(afterFirst, await store.GetPublicationStampAsync());
        Assert.Equal(second, (await store.GetCurrentAsync(a))!.RunId);
    }

    [Fact]
    public async Task Writing_a_shard_twice_leaves_the_same_rows_and_counts_it_once()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), b = Id("b"), run = Id("run");
        await store.CreateRunAsync(Run(run, 2, T0));
        var shard = new ShardResult(0, [List(a, run, "x"), List(b, run, "y")], 20, 1.0);

        await store.WriteShardAsync(run, shard);
        var progress = await store.WriteShardAsync(run, shard);

        Assert.Equal(1, progress.ShardsDone);
        Assert.Equal(2, progress.OrganizationsScored);
        Assert.Equal(20, progress.PairsScored);
        Assert.False(await store.TryPublishAsync(run, T0));
    }

    [Fact]
    public async Task A_shard_written_again_with_other_organizations_keeps_only_the_second_write()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), b = Id("b"), run = Id("run");
        await store.CreateRunAsync(Run(run, 1, T0));
        // The first delivery of the shard saw b; the second (a newer snapshot, b deleted) does not.
        await store.WriteShardAsync(run, new ShardResult(0, [List(a, run, "x"), List(b, run, "y")], 20, 1.0));
        var progress = await store.WriteShardAsync(run, new ShardResult(0, [List(a, run, "z")], 10, 1.0));

        Assert.Equal(1, progress.OrganizationsScored);
        Assert.True(await store.TryPublishAsync(run, T0));
        Assert.Equal(["z"], (await store.GetCurrentAsync(a))!.Items.Select(i => i.CandidateId));
        Assert.Null(await store.GetCurrentAsync(b));
    }

    [Fact]
    public async Task A_failed_run_leaves_the_previous_lists_served()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), good = Id("run"), bad = Id("run");
        await store.CreateRunAsync(Run(good, 1, T0));
        await store.WriteShardAsync(good, new ShardResult(0, [List(a, good, "x")], 1, 0.1));
        await store.TryPublishAsync(good, T0);

        await store.CreateRunAsync(Run(bad, 2, T0.AddHours(1)));
        await store.WriteShardAsync(bad, new ShardResult(0, [List(a, bad, "broken")], 1, 0.1));
        await store.FailRunAsync(bad, "shard 1 threw", T0.AddHours(1));

        Assert.False(await store.TryPublishAsync(bad, T0.AddHours(2)));
        Assert.Equal(good, (await store.GetCurrentAsync(a))!.RunId);
        var failed = await store.GetRunAsync(bad);
        Assert.Equal(RunStatus.Failed, failed!.Status);
        Assert.Equal("shard 1 threw", failed.Error);
        // A late duplicate shard of a failed run changes nothing.
        var after = await store.WriteShardAsync(bad, new ShardResult(1, [List(a, bad, "late")], 1, 0.1));
        Assert.Equal(RunStatus.Failed, after.Status);
        Assert.Equal(1, after.ShardsDone);
    }

    [Fact]
    public async Task Publishing_is_idempotent_and_only_the_first_caller_wins()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), run = Id("run");
        await store.CreateRunAsync(Run(run, 1, T0));
        await store.WriteShardAsync(run, new ShardResult(0, [List(a, run, "x")], 1, 0.1));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.TryPublishAsync(run, T0)));

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(RunStatus.Published, (await store.GetRunAsync(run))!.Status);
    }

    [Fact]
    public async Task An_older_full_run_never_overwrites_a_newer_incremental_list()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), b = Id("b"), full = Id("full"), incremental = Id("inc");
        await store.CreateRunAsync(Run(full, 1, T0));
        await store.CreateRunAsync(Run(incremental, 1, T0.AddMinutes(5), RunKind.Incremental));
        await store.WriteShardAsync(incremental, new ShardResult(0, [List(a, incremental, "fresh")], 1, 0.1));
        await store.TryPublishAsync(incremental, T0.AddMinutes(6));
        await store.WriteShardAsync(full, new ShardResult(0, [List(a, full, "stale"), List(b, full, "y")], 2, 0.1));
        await store.TryPublishAsync(full, T0.AddMinutes(10));

        Assert.Equal("fresh", (await store.GetCurrentAsync(a))!.Items[0].CandidateId);
        Assert.Equal(full, (await store.GetCurrentAsync(b))!.RunId);
    }

    [Fact]
    public async Task Prune_deletes_only_lists_no_reader_can_reach()
    {
        var store = await CreateStoreAsync();
        string a = Id("a"), first = Id("run"), second = Id("run");
        await store.CreateRunAsync(Run(first, 1, T0));
        await store.WriteShardAsync(first, new ShardResult(0, [List(a, first, "x")], 1, 0.1));
        await store.TryPublishAsync(first, T0);
        await store.CreateRunAsync(Run(second, 1, T0.AddHours(1)));
        await store.WriteShardAsync(second, new ShardResult(0, [List(a, second, "y")], 1, 0.1));
        await store.TryPublishAsync(second, T0.AddHours(1));

        Assert.True(await store.PruneAsync() >= 1);
        Assert.Equal("y", (await store.GetCurrentAsync(a))!.Items[0].CandidateId);
    }

    [Fact]
    public async Task Prune_removes_every_unreachable_list_of_a_large_run_and_keeps_every_served_one()
    {
        // More lists than one pruning batch: the batches must go on until none is left.
        var store = await CreateStoreAsync();
        var organizations = Enumerable.Range(0, 450).Select(_ => Id("o")).ToList();
        string first = Id("run"), second = Id("run");
        await store.CreateRunAsync(Run(first, 1, T0));
        await store.WriteShardAsync(first, new ShardResult(0, organizations.Select(o => List(o, first, "x")).ToList(), 450, 0.1));
        Assert.True(await store.TryPublishAsync(first, T0));
        await store.CreateRunAsync(Run(second, 1, T0.AddHours(1)));
        await store.WriteShardAsync(second, new ShardResult(0, organizations.Select(o => List(o, second, "y")).ToList(), 450, 0.1));
        Assert.True(await store.TryPublishAsync(second, T0.AddHours(1)));

        Assert.True(await store.PruneAsync() >= 450);
        foreach (var o in organizations) Assert.Equal(second, (await store.GetCurrentAsync(o))!.RunId);
    }

    [Fact]
    public async Task Run_progress_reports_shards_organizations_and_pairs_per_second()
    {
        var store = await CreateStoreAsync();
        var run = Id("run");
        await store.CreateRunAsync(Run(run, 3, T0));
        await store.WriteShardAsync(run, new ShardResult(0, [List(Id("a"), run, "x")], 300, 1.0));
        var progress = await store.WriteShardAsync(run, new ShardResult(2, [List(Id("b"), run, "x"), List(Id("c"), run, "y")], 500, 1.0));

        Assert.Equal((3, 2, 3L, 800L), (progress.ShardsTotal, progress.ShardsDone, progress.OrganizationsScored, progress.PairsScored));
        Assert.Equal(400, progress.PairsPerSecond, 3);
        Assert.Contains(await store.ListRunsAsync(50), r => r.Id == run);
    }

    [Fact]
    public async Task A_burst_of_changes_schedules_one_recompute_and_is_taken_whole()
    {
        var store = await CreateStoreAsync();
        await store.TakeChangedAsync();
        var ids = Enumerable.Range(0, 50).Select(_ => Id("chg")).ToList();

        var schedules = new List<bool>();
        foreach (var id in ids) schedules.Add(await store.MarkChangedAsync([id, ids[0]], structural: id == ids[7], T0));
        var taken = await store.TakeChangedAsync();
        var afterTake = await store.MarkChangedAsync([ids[1]], structural: false, T0);

        Assert.Equal(1, schedules.Count(s => s));
        Assert.True(schedules[0]);
        Assert.Equal(ids.Order(StringComparer.Ordinal), taken.OrganizationIds);
        Assert.True(taken.Structural);
        Assert.True(afterTake);
        var next = await store.TakeChangedAsync();
        Assert.Equal([ids[1]], next.OrganizationIds);
        Assert.False(next.Structural);
    }

    [Fact]
    public async Task A_change_begun_before_its_write_is_held_back_until_the_write_ends_or_its_hold_passes()
    {
        var store = await CreateStoreAsync();
        await store.TakeChangedAsync();
        var (writing, abandoned) = (Id("chg"), Id("chg"));
        var now = DateTimeOffset.UtcNow;

        await store.BeginChangeAsync([writing], structural: true, now, now.AddMinutes(2));
        await store.BeginChangeAsync([abandoned], structural: false, now.AddMinutes(-3), now.AddMinutes(-1));
        var during = await store.TakeChangedAsync();
        var scheduled = await store.EndChangeAsync([writing], structural: false, now);
        var after = await store.TakeChangedAsync();

        Assert.Equal([abandoned], during.OrganizationIds);
        Assert.False(during.Structural);
        Assert.Equal(1, during.HeldBack);
        Assert.True(scheduled);
        Assert.Equal([writing], after.OrganizationIds);
        Assert.True(after.Structural);
        Assert.Equal(0, after.HeldBack);
    }

    [Fact]
    public async Task The_change_backlog_counts_each_organization_once_held_back_ones_included_until_taken()
    {
        var store = await CreateStoreAsync();
        await store.TakeChangedAsync();
        Assert.Equal(0, await store.CountChangedAsync());
        var (a, b, writing) = (Id("chg"), Id("chg"), Id("chg"));
        var now = DateTimeOffset.UtcNow;

        await store.MarkChangedAsync([a, b], structural: false, now);
        await store.MarkChangedAsync([a], structural: true, now);
        await store.BeginChangeAsync([writing], structural: false, now, now.AddMinutes(2));
        var backlog = await store.CountChangedAsync();
        await store.TakeChangedAsync();
        var left = await store.CountChangedAsync();
        await store.EndChangeAsync([writing], structural: false, now);
        await store.TakeChangedAsync();

        Assert.Equal(3, backlog);
        Assert.Equal(1, left); // the write in progress
        Assert.Equal(0, await store.CountChangedAsync());
    }
}
