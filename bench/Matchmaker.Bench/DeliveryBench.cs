using System.CommandLine;
using System.Diagnostics;
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

namespace Matchmaker.Bench;

/// <summary>
/// The Monday job in the embedded mode: compose, render and record one weekly list per e-mail subscription (with
/// history, feedback and the graph read per subscription, as in production), then the same job again in the same
/// week (which must compose nothing). Each run is a new week, so later runs also filter against earlier lists.
/// </summary>
internal static class DeliveryBench
{
    private sealed class WeekClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly Option<int> Subscriptions = BenchOptions.Int("--subscriptions", 5_000, "e-mail subscriptions, one weekly list each");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 3, "weeks run, one after the other");
    private static readonly Option<string?> WorkDir = BenchOptions.Text("--work-dir", "where the SQLite stores are written (default: a temporary directory)", "DIR");

    public static Command Command()
    {
        var command = new Command("delivery", "the Monday job in the embedded mode: compose, render and record one weekly list per e-mail subscription")
        {
            Subscriptions, Runs, WorkDir,
        };
        command.SetAction((args, _) => RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var subscriptions = args.GetValue(Subscriptions);
        var runs = args.GetValue(Runs);
        var workDir = args.GetValue(WorkDir) ?? Directory.CreateTempSubdirectory("matchmaker-bench-").FullName;
        Directory.CreateDirectory(workDir); // a --work-dir that does not exist yet
        var path = Path.Combine(workDir, "delivery.db");
        File.Delete(path);
        Console.WriteLine($"machine: {Machine.Describe()}");

        var graph = new SqliteGraphStore(path);
        var recommendations = new SqliteRecommendationStore(path);
        var feedback = new SqliteFeedbackStore(path);
        var store = new SqliteDeliveryStore(path);
        await graph.InitializeAsync();
        await recommendations.InitializeAsync();
        await feedback.InitializeAsync();
        await store.InitializeAsync();

        var clock = new WeekClock(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var kinds = Codes.KindValues;
        var cities = G60Catalog.Cities.Select(c => c.Code).ToArray();
        var organizations = Enumerable.Range(0, subscriptions).Select(i => $"org-{i:D6}").ToArray();
        var setup = Stopwatch.StartNew();
        for (var i = 0; i < organizations.Length; i++)
        {
            var id = organizations[i];
            await graph.UpsertOrganizationAsync(new Organization(id, $"示范机构{id[4..]}", $"Organization {id[4..]}", OrganizationKind.Enterprise, cities[i % cities.Length]));
        }
        var random = new Random(60);
        for (var r = 0; r < runs; r++)
        {
            // A new run each week with fresh scores: some candidates move up, most are new to the list.
            var runId = $"bench-{r}";
            await recommendations.CreateRunAsync(new RecomputeRun(runId, RunKind.Full, RunStatus.Running, "m1", clock.Now.AddDays(7 * r), null, 1, 0, 0, 0, 0, null));
            var lists = organizations.Select(o => new RecommendationList(o, runId, "m1", clock.Now, Enumerable.Range(0, 20).Select(k =>
            {
                var candidate = organizations[random.Next(organizations.Length)];
                return new RecommendedPartner(candidate, k + 1, Math.Round(10 - k * 0.3 + random.NextDouble(), 6),
                    [new Reason("shared-partners", "2 个共同伙伴：同济大学汽车学院、浙商银行", "2 shared partners: Tongji SAS, China Zheshang Bank", ["同济大学汽车学院", "浙商银行"]),
                     new Reason("need-met", "其能力满足贵方需求：碳纤维、中试", "Its capabilities meet your needs: carbon fibre, pilot production", ["carbon-fibre"])],
                    ExistingPartner: k % 7 == 0,
                    new CandidateSummary($"示范机构{candidate[4..]}", $"Organization {candidate[4..]}", kinds[k % kinds.Count], cities[k % cities.Length], ["new-materials"]));
            }).DistinctBy(p => p.CandidateId).Select((p, i) => p with { Rank = i + 1 }).ToList())).ToList();
            await recommendations.WriteShardAsync(runId, new ShardResult(r, lists, 0, 0));
        }
        var now = clock.Now;
        foreach (var id in organizations)
        {
            var s = new Subscription($"sub_{id}", id, DeliveryChannel.Email, $"tm@{id}.example.cn", SubscriptionFilters.None, DigestLanguage.Both,
                SubscriptionStatus.Active, null, null, 0, null, null, null, now, now);
            await store.CreateSubscriptionAsync(s);
        }
        Console.WriteLine($"setup: {subscriptions:N0} organizations, lists of 20 and e-mail subscriptions in {setup.Elapsed.TotalSeconds:F1} s");

        var service = new DeliveryService(store, recommendations, feedback, graph, [], [], new HtmlPages(), new DeliveryTokens("bench-key-bench-key-bench-key-bench-key"),
            Options.Create(new DeliveryOptions { PublicBaseUrl = "https://matchmaker.example.cn" }), clock, NullLogger<DeliveryService>.Instance);
        var composeTimes = new List<double>();
        var againTimes = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            clock.Now = now.AddDays(7 * r);
            await recommendations.TryPublishAsync($"bench-{r}", clock.Now);
            var watch = Stopwatch.StartNew();
            var week = await service.ComposeWeekAsync(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
            composeTimes.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            var again = await service.ComposeWeekAsync(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
            againTimes.Add(watch.Elapsed.TotalSeconds);
            Console.WriteLine($"{week.Week}: {week.Composed:N0} lists with news, {week.Empty:N0} empty, {week.MessageIds.Count:N0} messages in {composeTimes[^1]:F2} s " +
                $"({week.Composed / composeTimes[^1]:N0} lists/s); same week again: {again.Composed + again.Empty:N0} new, {again.Existing:N0} found in {againTimes[^1]:F2} s");
        }
        Console.WriteLine($"median compose: {Machine.Median(composeTimes):F2} s ({subscriptions / Machine.Median(composeTimes):N0} subscriptions/s); " +
                          $"median repeat in the same week: {Machine.Median(againTimes):F2} s; SQLite file {Machine.Mib(new FileInfo(path).Length)}");
        SqliteConnection.ClearAllPools();
        return 0;
    }
}
