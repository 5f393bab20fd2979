using System.Text;
using System.Text.Json;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Rendering;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Tests.Delivery;

/// <summary>The weekly list's rules, on real stores in one SQLite file: published recommendations, feedback, past lists.</summary>
public sealed class DigestCompositionTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero); // 08:00 in Shanghai, ISO week 48

    private static readonly IReadOnlyDictionary<string, ShownCandidate> NothingShown = new Dictionary<string, ShownCandidate>();

    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-digest-").FullName;
    private readonly FixedTime _time = new(Monday);
    private readonly List<IPlanGapSource> _gapSources = [];
    private SqliteRecommendationStore _recommendations = null!;
    private SqliteFeedbackStore _feedback = null!;
    private SqliteDeliveryStore _store = null!;
    private SqliteGraphStore _graph = null!;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A saved consortium plan, as the planner would report it: the finance slot is empty.</summary>
    private sealed class PlanWithoutBank : IPlanGapSource
    {
        public Task<IReadOnlyList<PlanGap>> GetGapsAsync(string organizationId, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<PlanGap>>(organizationId == "org-a" ? [new PlanGap("plan-1", "新能源汽车联合体", ConsortiumRole.Finance)] : []);
    }

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "matchmaker.db");
        _recommendations = new SqliteRecommendationStore(path);
        _feedback = new SqliteFeedbackStore(path);
        _store = new SqliteDeliveryStore(path);
        _graph = new SqliteGraphStore(path);
        await _graph.InitializeAsync();
        await _recommendations.InitializeAsync();
        await _feedback.InitializeAsync();
        await _store.InitializeAsync();
        await _graph.UpsertOrganizationAsync(new Organization("org-a", "同济大学汽车学院", "Tongji University, School of Automotive Studies", OrganizationKind.University,
            "shanghai-songjiang"));
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private DeliveryService Service(int maxItems = 5) => new(_store, _recommendations, _feedback, _graph, _gapSources, [], new HtmlPages(),
        new DeliveryTokens("a-test-key-of-at-least-thirty-two-characters"),
        Options.Create(new DeliveryOptions { MaxItems = maxItems, PublicBaseUrl = "https://mm.example.cn" }), _time, NullLogger<DeliveryService>.Instance);

    /// <summary>Candidates c0..c11: c0 an existing partner; kinds cycle university, bank, enterprise; Hefei for even numbers.</summary>
    private static RecommendedPartner Candidate(int i, double score)
    {
        var kind = (i % 3) switch { 0 => "university", 1 => "financial-institution", _ => "enterprise" };
        return new RecommendedPartner($"c{i}", i + 1, score, [new Reason("field", $"同领域 {i}", $"same field {i}", [])], ExistingPartner: i == 0,
            new CandidateSummary($"候选{i}", $"Candidate {i}", kind, i % 2 == 0 ? "hefei" : "suzhou", [i % 4 == 0 ? "low-altitude-economy" : "new-energy-vehicles"]));
    }

    private async Task PublishAsync(string runId, string model, Func<int, double> score)
    {
        await _recommendations.CreateRunAsync(new RecomputeRun(runId, RunKind.Full, RunStatus.Running, model, _time.Now, null, 1, 0, 0, 0, 0, null));
        var items = Enumerable.Range(0, 12).Select(i => Candidate(i, score(i))).OrderByDescending(c => c.Score).Select((c, r) => c with { Rank = r + 1 }).ToList();
        await _recommendations.WriteShardAsync(runId, new ShardResult(0, [new RecommendationList("org-a", runId, model, _time.Now, items)], 12, 0.1));
        Assert.True(await _recommendations.TryPublishAsync(runId, _time.Now));
    }

    private async Task<Subscription> SubscribeAsync(SubscriptionFilters? filters = null, DeliveryChannel channel = DeliveryChannel.Email)
    {
        var subscription = new Subscription($"sub_{Guid.NewGuid():N}"[..20], "org-a", channel,
            channel == DeliveryChannel.Email ? "tm@example.cn" : "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            filters ?? SubscriptionFilters.None, DigestLanguage.Both, SubscriptionStatus.Active, null, null, 0, null, null, null, _time.Now, _time.Now);
        await _store.CreateSubscriptionAsync(subscription);
        return subscription;
    }

    private async Task FeedbackAsync(string from, string to, FeedbackAction action, DeclineReason? reason = null) =>
        await _feedback.AddAsync(new NewFeedback(from, to, action, reason, null, "key-1", _time.Now));

    [Fact]
    public void Weeks_follow_the_calendar_of_the_schedule_time_zone()
    {
        // Monday 00:30 in Shanghai is still Sunday in UTC: the list belongs to the Shanghai week.
        var instant = new DateTimeOffset(2026, 11, 22, 16, 30, 0, TimeSpan.Zero);
        Assert.Equal("2026-W48", DeliveryService.IsoWeek(instant, Shanghai));
        Assert.Equal("2026-W47", DeliveryService.IsoWeek(instant, TimeZoneInfo.Utc));
        Assert.Equal("2026-W53", DeliveryService.IsoWeek(new DateTimeOffset(2027, 1, 1, 4, 0, 0, TimeSpan.Zero), Shanghai)); // ISO years differ from calendar years
    }

    [Fact]
    public async Task Declined_candidates_and_existing_partners_never_appear_and_mutual_interest_comes_first()
    {
        await PublishAsync("run-1", "m1", i => 100 - i);
        await FeedbackAsync("org-a", "c2", FeedbackAction.Decline, DeclineReason.TooFar);
        await FeedbackAsync("org-a", "c6", FeedbackAction.Accept);
        await FeedbackAsync("c6", "org-a", FeedbackAction.Contacted);
        await FeedbackAsync("c3", "org-a", FeedbackAction.Accept); // one-sided: not mutual
        var subscription = await SubscribeAsync();

        var (digest, message, _) = await Service().ComposeAndRecordAsync(subscription, "2026-W48", _time.Now);

        Assert.Equal(["c6", "c1", "c3", "c4", "c5"], digest!.Items.Select(i => i.CandidateId));
        Assert.True(digest.Items[0].Mutual);
        Assert.All(digest.Items.Skip(1), i => Assert.False(i.Mutual));
        Assert.Equal("同济大学汽车学院", digest.OrganizationNameZh);
        Assert.Equal($"list:{digest.Id}", message!.Key);
        Assert.Contains("候选6", message.Content.Text);
        Assert.Contains("双方均有意向", message.Content.Html);
        Assert.DoesNotContain("候选2", message.Content.Text);
        Assert.DoesNotContain("候选0", message.Content.Text);
    }

    [Fact]
    public async Task Filters_narrow_the_list_by_role_kind_sector_and_city()
    {
        await PublishAsync("run-1", "m1", i => 100 - i);
        var errors = new Dictionary<string, string[]>();
        var banks = await SubscribeAsync(SubscriptionFilters.Create(null, ["金"], null, null, errors));
        var hefeiSchools = await SubscribeAsync(SubscriptionFilters.Create(["university"], null, null, ["hefei"], errors));
        var lowAltitude = await SubscribeAsync(SubscriptionFilters.Create(null, null, ["low-altitude-economy"], null, errors));
        Assert.Empty(errors);

        var service = Service(maxItems: 10);
        Assert.Equal(["c1", "c4", "c7", "c10"], (await service.ComposeAsync(banks, "2026-W48", _time.Now, NothingShown))!.Items.Select(i => i.CandidateId));
        Assert.Equal(["c6"], (await service.ComposeAsync(hefeiSchools, "2026-W48", _time.Now, NothingShown))!.Items.Select(i => i.CandidateId));
        Assert.Equal(["c4", "c8"], (await service.ComposeAsync(lowAltitude, "2026-W48", _time.Now, NothingShown))!.Items.Select(i => i.CandidateId));
    }

    [Fact]
    public async Task The_next_week_lists_only_new_candidates_unless_a_score_rose_markedly_or_interest_became_mutual()
    {
        await PublishAsync("run-1", "m1", i => 100 - i);
        var subscription = await SubscribeAsync();
        var service = Service(maxItems: 4);
        var (week48, _, _) = await service.ComposeAndRecordAsync(subscription, "2026-W48", _time.Now);
        Assert.Equal(["c1", "c2", "c3", "c4"], week48!.Items.Select(i => i.CandidateId));

        // A week later: c1's score rose by half, c2's by a little, and c3 now wants to work with us too.
        _time.Now = Monday.AddDays(7);
        await PublishAsync("run-2", "m1", i => i switch { 1 => 148.5, 2 => 99, _ => 100 - i });
        await FeedbackAsync("org-a", "c3", FeedbackAction.Accept);
        await FeedbackAsync("c3", "org-a", FeedbackAction.Accept);
        var (week49, _, _) = await service.ComposeAndRecordAsync(subscription, "2026-W49", _time.Now);

        Assert.Equal(["c3", "c1", "c5", "c6"], week49!.Items.Select(i => i.CandidateId));
        Assert.True(week49.Items[0].Mutual && week49.Items[0].Repeated);
        Assert.True(week49.Items[1].Repeated);
        Assert.False(week49.Items[2].Repeated);

        // Scores of another model are not comparable: the same rise under a new model repeats nothing.
        _time.Now = Monday.AddDays(14);
        await PublishAsync("run-3", "m2", i => i == 5 ? 500 : 100 - i);
        var (week50, _, _) = await service.ComposeAndRecordAsync(subscription, "2026-W50", _time.Now);
        Assert.DoesNotContain("c5", week50!.Items.Select(i => i.CandidateId));
    }

    [Fact]
    public async Task A_saved_plan_missing_a_role_adds_a_gap_section_with_candidates_for_it()
    {
        await PublishAsync("run-1", "m1", i => 100 - i);
        await FeedbackAsync("org-a", "c4", FeedbackAction.Decline, DeclineReason.NotRightStage);
        var subscription = await SubscribeAsync(channel: DeliveryChannel.WeCom);
        Assert.Empty((await Service().ComposeAsync(subscription, "2026-W48", _time.Now, NothingShown))!.Gaps); // no planner: no gaps

        _gapSources.Add(new PlanWithoutBank());
        var (digest, message, _) = await Service().ComposeAndRecordAsync(subscription, "2026-W48", _time.Now);

        var gap = Assert.Single(digest!.Gaps);
        Assert.Equal(("plan-1", "finance"), (gap.PlanId, gap.Role));
        Assert.Equal(["c1", "c7", "c10"], gap.Candidates.Select(c => c.CandidateId)); // banks, without the declined c4
        var markdown = JsonDocument.Parse(message!.Content.Json!).RootElement.GetProperty("markdown").GetProperty("content").GetString();
        Assert.Contains("您的方案「新能源汽车联合体」缺少金（金融）伙伴：3 位候选", markdown);
        Assert.Contains("Your plan \"新能源汽车联合体\" lacks a finance (金) partner: 3 candidates", markdown);
    }

    [Fact]
    public async Task Composing_a_week_twice_records_one_list_and_one_message_per_subscription()
    {
        await PublishAsync("run-1", "m1", i => 100 - i);
        var subscription = await SubscribeAsync();
        var service = Service();

        var first = await service.ComposeWeekAsync(Shanghai);
        var second = await service.ComposeWeekAsync(Shanghai);

        Assert.Equal("2026-W48", first.Week);
        Assert.Equal((1, 0), (first.Composed, first.Existing));
        Assert.Equal((0, 1), (second.Composed, second.Existing));
        var messages = await _store.ListMessagesAsync(subscription.Id, null, 10);
        var message = Assert.Single(messages);
        Assert.Single(await _store.ListDigestsAsync(subscription.Id, 10));
        Assert.Contains(message.Id, first.MessageIds);
        Assert.Contains(message.Id, second.MessageIds); // still waiting: a second run enqueues it again, and the claim sends it once
    }

    [Fact]
    public async Task Hostile_organization_names_and_reasons_come_out_encoded_in_the_recorded_email_and_the_page()
    {
        const string hostile = "<script>alert(\"x\")</script> O'Brien & Co";
        const string encoded = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Co";
        await _graph.UpsertOrganizationAsync(new Organization("org-a", "同济 " + hostile, hostile, OrganizationKind.University, "shanghai-songjiang"));
        await _recommendations.CreateRunAsync(new RecomputeRun("run-1", RunKind.Full, RunStatus.Running, "m1", _time.Now, null, 1, 0, 0, 0, 0, null));
        var candidate = new RecommendedPartner("c1", 1, 9.5, [new Reason("field", "原因 " + hostile, "reason " + hostile, [])], ExistingPartner: false,
            new CandidateSummary("候选 " + hostile, "Candidate " + hostile, "enterprise", "hefei", []));
        await _recommendations.WriteShardAsync("run-1", new ShardResult(0, [new RecommendationList("org-a", "run-1", "m1", _time.Now, [candidate])], 1, 0.1));
        Assert.True(await _recommendations.TryPublishAsync("run-1", _time.Now));
        var subscription = await SubscribeAsync();

        var (digest, message, _) = await Service().ComposeAndRecordAsync(subscription, "2026-W48", _time.Now);
        var stored = await _store.GetDigestAsync(digest!.Id);
        var page = await new HtmlPages().ListPageAsync(stored!, "https://mm.example.cn/unsubscribe/u");

        foreach (var html in new[] { message!.Content.Html!, page })
        {
            Assert.DoesNotContain("<script>", html);
            Assert.DoesNotContain("O'Brien", html);
            Assert.Contains($"<title>本周新伙伴 New partners: 同济 {encoded} (2026-W48, 1)</title>", html); // the organization
            Assert.Contains($"<strong>候选 {encoded} (Candidate {encoded})</strong>", html);
            Assert.Contains($"<li>原因 {encoded} / reason {encoded}</li>", html);
        }
        Assert.Contains("候选 " + hostile, message.Content.Text); // the plain-text part is text: nothing to encode
    }

    [Fact]
    public void Robot_markdown_stays_within_the_byte_limit_and_counts_what_did_not_fit()
    {
        var longReason = new Reason("need", new string('需', 120), new string('n', 120), []);
        var items = Enumerable.Range(1, 40).Select(i => new DigestItem($"c{i}", i, 1, false, false,
            new CandidateSummary($"长三角某新材料研究院第{i}分院", $"Institute {i}", "research-institute", "jiaxing", ["new-materials"]), [longReason, longReason])).ToList();
        var digest = new Digest("dg_1", "sub_1", "org-a", "同济大学汽车学院", null, "2026-W48", Monday, "run-1", "m1", DigestLanguage.Both, items, []);

        foreach (var (channel, limit) in new[] { (DeliveryChannel.WeCom, 4096), (DeliveryChannel.DingTalk, 3000) })
        {
            var content = DigestRenderer.Robot(channel, digest, "https://mm.example.cn/lists/t", "https://mm.example.cn/unsubscribe/u", limit);
            var markdown = JsonDocument.Parse(content.Json!).RootElement.GetProperty("markdown");
            var text = markdown.GetProperty(channel == DeliveryChannel.WeCom ? "content" : "text").GetString()!;
            Assert.InRange(Encoding.UTF8.GetByteCount(text), limit - 1200, limit);
            Assert.Contains("项，见完整名单", text);
            Assert.EndsWith("[退订 / Unsubscribe](https://mm.example.cn/unsubscribe/u)", text);
            var shown = items.Count(i => text.Contains($"第{i.Rank}分院", StringComparison.Ordinal));
            Assert.Contains($"另有 {items.Count - shown} 项", text);
        }
    }

    [Fact]
    public async Task Html_and_text_escape_what_comes_from_the_data()
    {
        var item = new DigestItem("c1", 1, 1, false, false, new CandidateSummary("<script>alert(1)</script>", "A & B", "enterprise", "hefei", []),
            [new Reason("x", "<b>原因</b>", "<b>reason</b>", [])]);
        var digest = new Digest("dg_1", "sub_1", "org-a", "机构 <i>", null, "2026-W48", Monday, "run-1", "m1", DigestLanguage.Zh, [item], []);

        var html = await new HtmlPages().EmailHtmlAsync(digest, "https://mm/lists/t?a=1&b=2", "https://mm/unsubscribe/u");
        var page = await new HtmlPages().ListPageAsync(digest, "https://mm/unsubscribe/u");

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("&lt;b&gt;原因&lt;/b&gt;", page);
        Assert.Contains("href=\"https://mm/lists/t?a=1&amp;b=2\"", html);
        Assert.DoesNotContain("<i>", page);
    }
}
