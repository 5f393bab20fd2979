using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Planning.Postgres;
using Matchmaker.Engine.Planning.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>The behaviour both plan store adapters must have.</summary>
public abstract class PlanStoreContract
{
    protected abstract Task<IPlanStore> CreateStoreAsync();

    private static ConsortiumPlan Plan(string id, string lead = "baolong-auto", DateTimeOffset? createdAt = null) => new(
        id, createdAt ?? new DateTimeOffset(2026, 1, 5, 9, 30, 0, TimeSpan.FromHours(8)), lead,
        new CandidateSummary("上海保隆汽车科技股份有限公司", "Shanghai Baolong Automotive Corporation", "enterprise", "shanghai-songjiang", ["new-energy-vehicles"]),
        ["new-energy-vehicles"], "vehicle-electronics", "需要多传感器融合算法 / sensor fusion",
        [new PlannedSlot(0, "academia", "学", 1, ["university"], true), new PlannedSlot(1, "user", "用", 2, ["enterprise", "public-body"], true)],
        new PlannedConstraints(["shanghai-songjiang"], [], ["czbank"], 2, 6),
        new PlanObjective(0.5, 0.3, 0.2, 1, ["sensor", "融合"]),
        "lambdarank-v3", 3,
        [new TeamAlternative(1, 0.7123, new ScoreParts(0.81, 0.55, 0.5),
            [new TeamMember(0, "academia", "tongji-auto",
                new CandidateSummary("同济大学汽车学院", "Tongji University, School of Automotive Studies", "university", "shanghai", ["new-energy-vehicles"]),
                0.9, 0.4, ["sensor"], [new Reason("prior-work", "此前合作过 2 个项目", "2 joint projects", ["p2016-nev-autodrive-01 (2016)"])])],
            ["sensor"], ["融合"], [new TeamTie("tongji-auto", "g60-office", "shared-partners", 2)], null)],
        ["Default slots: 学 academia ×1."]);

    private static string Json(ConsortiumPlan plan) => JsonSerializer.Serialize(plan, WireJson.Options);

    [Fact]
    public async Task A_saved_plan_reopens_whole_for_the_key_that_made_it()
    {
        var store = await CreateStoreAsync();
        var plan = Plan($"plan-{Guid.NewGuid():N}");

        await store.SaveAsync(plan, "key-a");
        var reopened = await store.FindAsync(plan.Id, "key-a");

        Assert.NotNull(reopened);
        Assert.Equal(Json(plan), Json(reopened));
        Assert.Equal("需要多传感器融合算法 / sensor fusion", reopened.Challenge);
        Assert.Equal(plan.CreatedAt, reopened.CreatedAt);
    }

    [Fact]
    public async Task Another_key_and_an_unknown_id_both_find_nothing()
    {
        var store = await CreateStoreAsync();
        var plan = Plan($"plan-{Guid.NewGuid():N}");
        await store.SaveAsync(plan, "key-a");

        Assert.Null(await store.FindAsync(plan.Id, "key-b"));
        Assert.Null(await store.FindAsync($"plan-{Guid.NewGuid():N}", "key-a"));
    }

    [Fact]
    public async Task A_plan_made_before_the_kept_period_is_not_found_though_not_yet_deleted()
    {
        var store = await CreateStoreAsync();
        var madeAt = new DateTimeOffset(2026, 1, 5, 1, 30, 0, TimeSpan.Zero);
        var plan = Plan($"plan-{Guid.NewGuid():N}", createdAt: madeAt);
        await store.SaveAsync(plan, "key-a");

        Assert.Null(await store.FindAsync(plan.Id, "key-a", keepSince: madeAt.AddSeconds(1)));
        // Made exactly at the start of the kept period: still kept (deletion takes what is strictly older).
        Assert.NotNull(await store.FindAsync(plan.Id, "key-a", keepSince: madeAt));
        Assert.NotNull(await store.FindAsync(plan.Id, "key-a", keepSince: madeAt.AddDays(-1)));
        Assert.NotNull(await store.FindAsync(plan.Id, "key-a"));
    }

    [Fact]
    public async Task A_plan_is_never_overwritten_by_another_with_its_id()
    {
        var store = await CreateStoreAsync();
        var id = $"plan-{Guid.NewGuid():N}";
        await store.SaveAsync(Plan(id), "key-a");

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.SaveAsync(Plan(id, lead: "donghua-mse"), "key-b"));

        Assert.Equal("baolong-auto", (await store.FindAsync(id, "key-a"))!.LeadId);
        Assert.Null(await store.FindAsync(id, "key-b"));
    }

    [Fact]
    public async Task Plans_of_a_lead_come_newest_first_whichever_key_saved_them()
    {
        var store = await CreateStoreAsync();
        var lead = $"lead-{Guid.NewGuid():N}";
        var day = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
        // Saved out of time order, by two keys, one of them in another time zone; another lead's plan in between.
        await store.SaveAsync(Plan("plan-b-" + lead, lead, day.AddDays(2)), "key-a");
        await store.SaveAsync(Plan("plan-a-" + lead, lead, day), "key-b");
        await store.SaveAsync(Plan("plan-other-" + lead, $"other-{lead}", day.AddDays(5)), "key-a");
        await store.SaveAsync(Plan("plan-c-" + lead, lead, day.AddDays(3).ToOffset(TimeSpan.FromHours(-5))), "key-b");

        var all = await store.ListByLeadAsync(lead, 10);
        var newest = await store.ListByLeadAsync(lead, 1);

        Assert.Equal(["plan-c-" + lead, "plan-b-" + lead, "plan-a-" + lead], all.Select(p => p.Id));
        Assert.Equal(Json(Plan("plan-c-" + lead, lead, day.AddDays(3).ToOffset(TimeSpan.FromHours(-5)))), Json(all[0]));
        Assert.Equal(["plan-c-" + lead], newest.Select(p => p.Id));
        Assert.Empty(await store.ListByLeadAsync($"nobody-{lead}", 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListByLeadAsync(lead, 0));
    }

    [Fact]
    public async Task Concurrent_saves_by_one_key_keep_exactly_its_quota_and_saving_deletes_expired_plans()
    {
        var store = await CreateStoreAsync();
        var key = $"key-{Guid.NewGuid():N}";
        var day = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        await store.SaveAsync(Plan($"plan-old-{key}", createdAt: day.AddDays(-40)), $"other-{key}");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            store.SaveWithinQuotaAsync(Plan($"plan-{i}-{key}", createdAt: day.AddMinutes(i)), key, 3, day.AddDays(-30)))));

        Assert.Equal(3, results.Count(r => r.Saved));
        var kept = Enumerable.Range(0, 8).Where(i => results[i].Saved).ToList();
        // A refusal comes after the three saves (they hold the key's lock in turn), so it names the oldest of them.
        Assert.All(results.Where(r => !r.Saved), r => Assert.Equal(day.AddMinutes(kept.Min()), r.OldestKept));
        foreach (var i in Enumerable.Range(0, 8))
        {
            Assert.Equal(results[i].Saved, await store.FindAsync($"plan-{i}-{key}", key) is not null);
        }
        // Another key's plan made before the retention's start was deleted by the saves.
        Assert.Null(await store.FindAsync($"plan-old-{key}", $"other-{key}"));
    }
}

public sealed class SqlitePlanStoreTests : PlanStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-plans-").FullName;

    protected override async Task<IPlanStore> CreateStoreAsync()
    {
        var store = new SqlitePlanStore(Path.Combine(_directory, "app.db"));
        await store.InitializeAsync();
        return store;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same contract on a real PostgreSQL cluster started by the fixture.</summary>
public sealed class PostgresPlanStoreTests(PostgresFixture postgres) : PlanStoreContract, IClassFixture<PostgresFixture>
{
    protected override async Task<IPlanStore> CreateStoreAsync()
    {
        var store = new PostgresPlanStore(NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync()));
        await store.InitializeAsync();
        return store;
    }
}
