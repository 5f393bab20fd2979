using Matchmaker.Rendering;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Planning.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>The gaps of saved plans as the weekly list sees them, on real stores in one SQLite file.</summary>
public sealed class SavedPlanGapsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-plan-gaps-").FullName;
    private SqlitePlanStore _plans = null!;
    private string _path = null!;

    public async Task InitializeAsync()
    {
        _path = Path.Combine(_directory, "matchmaker.db");
        _plans = new SqlitePlanStore(_path);
        await _plans.InitializeAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static ConsortiumPlan Plan(string id, string lead, string leadKind, DateTimeOffset createdAt, params string[] slotRoles) => new(
        id, createdAt, lead, new CandidateSummary("牵头单位", "Lead", leadKind, "shanghai-songjiang", ["new-energy-vehicles"]),
        ["new-energy-vehicles"], null, null,
        slotRoles.Select((r, i) => new PlannedSlot(i, r, "", 1, [], true)).ToArray(),
        new PlannedConstraints([], [], [], null, null), new PlanObjective(0.75, 0.25, 0, 1, []), "lambdarank-v1", 1, [], []);

    [Fact]
    public async Task The_newest_plan_of_the_lead_names_the_consortium_roles_it_leaves_out()
    {
        var day = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));
        // An older draft lacked more; the newest plan asks for 学, 研 and two 用 (and a platform): the enterprise lead plays 产, so 金 is missing.
        await _plans.SaveAsync(Plan("plan-old", "org-a", "enterprise", day, "academia"), "key-1");
        await _plans.SaveAsync(Plan("plan-new", "org-a", "enterprise", day.AddDays(7), "academia", "research", "user", "platform"), "key-2");
        await _plans.SaveAsync(Plan("plan-b", "org-b", "university", day.AddDays(9), "industry", "finance", "user"), "key-1");
        var gaps = new SavedPlanGaps(_plans);

        var ofA = await gaps.GetGapsAsync("org-a");
        var ofB = await gaps.GetGapsAsync("org-b");

        Assert.Equal([new PlanGap("plan-new", "新能源汽车联合体 2026-11-09", ConsortiumRole.Finance)], ofA);
        // A university lead plays 学 itself; 研 is asked for by no slot.
        Assert.Equal([ConsortiumRole.Research], ofB.Select(g => g.Role));
        Assert.Empty(await gaps.GetGapsAsync("org-without-plans"));
    }

    [Fact]
    public async Task A_host_that_never_created_the_plan_table_gets_no_gaps_instead_of_an_error()
    {
        // A job host composes weekly lists without serving plans: the store was never initialized there.
        var gaps = new SavedPlanGaps(new SqlitePlanStore(Path.Combine(_directory, "jobs-only.db")));

        Assert.Empty(await gaps.GetGapsAsync("org-a"));
    }

    [Fact]
    public void A_plan_with_every_role_lacks_nothing_and_a_platform_is_not_required()
    {
        var plan = Plan("plan-full", "org-a", "financial-institution", Monday, "industry", "academia", "research", "user");

        Assert.Empty(SavedPlanGaps.GapsOf(plan));
        Assert.Equal([ConsortiumRole.Industry, ConsortiumRole.Academia, ConsortiumRole.Research, ConsortiumRole.Finance, ConsortiumRole.User],
            SavedPlanGaps.GapsOf(Plan("plan-empty", "org-a", "platform", Monday)).Select(g => g.Role));
    }

    [Fact]
    public async Task The_weekly_list_offers_candidates_for_the_role_the_saved_plan_lacks()
    {
        var recommendations = new SqliteRecommendationStore(_path);
        var feedback = new SqliteFeedbackStore(_path);
        var store = new SqliteDeliveryStore(_path);
        var graph = new SqliteGraphStore(_path);
        await graph.InitializeAsync();
        await recommendations.InitializeAsync();
        await feedback.InitializeAsync();
        await store.InitializeAsync();
        await graph.UpsertOrganizationAsync(new Organization("org-a", "上海保隆汽车科技股份有限公司", "Shanghai Baolong Automotive", OrganizationKind.Enterprise, "shanghai-songjiang"));
        await _plans.SaveAsync(Plan("plan-1", "org-a", "enterprise", Monday.AddDays(-3), "academia", "research", "user"), "key-1");
        // Candidates c0..c5: kinds cycle university, bank, enterprise.
        var items = Enumerable.Range(0, 6).Select(i => new RecommendedPartner($"c{i}", i + 1, 10 - i, [], ExistingPartner: false,
            new CandidateSummary($"候选{i}", $"Candidate {i}", (i % 3) switch { 0 => "university", 1 => "financial-institution", _ => "enterprise" }, "hefei",
                ["new-energy-vehicles"]))).ToList();
        await recommendations.CreateRunAsync(new RecomputeRun("run-1", RunKind.Full, RunStatus.Running, "m1", Monday, null, 1, 0, 0, 0, 0, null));
        await recommendations.WriteShardAsync("run-1", new ShardResult(0, [new RecommendationList("org-a", "run-1", "m1", Monday, items)], 6, 0.1));
        Assert.True(await recommendations.TryPublishAsync("run-1", Monday));
        var subscription = new Subscription("sub_gaps", "org-a", DeliveryChannel.Email, "tm@example.cn", SubscriptionFilters.None, DigestLanguage.Both,
            SubscriptionStatus.Active, null, null, 0, null, null, null, Monday, Monday);
        var service = new DeliveryService(store, recommendations, feedback, graph, [new SavedPlanGaps(_plans)], [], new HtmlPages(),
            new DeliveryTokens("a-test-key-of-at-least-thirty-two-characters"),
            Options.Create(new DeliveryOptions { MaxItems = 5, PublicBaseUrl = "https://mm.example.cn" }), TimeProvider.System, NullLogger<DeliveryService>.Instance);

        var digest = await service.ComposeAsync(subscription, "2026-W48", Monday, new Dictionary<string, ShownCandidate>());

        var gap = Assert.Single(digest!.Gaps);
        Assert.Equal(("plan-1", "finance"), (gap.PlanId, gap.Role));
        Assert.Equal(["c1", "c4"], gap.Candidates.Select(c => c.CandidateId));
        Assert.Contains("缺少金", DigestRenderer.GapTitle(gap, DigestLanguage.Zh), StringComparison.Ordinal);
    }
}
