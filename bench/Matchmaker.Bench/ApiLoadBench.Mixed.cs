using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Engine.Synthetic;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Bench;

/// <summary>
/// The mixed load: the API (Release, its own process, embedded mode, job server on, auth and rate limiting on) serving
/// list reads and taking feedback writes from wrk while full recomputes run back to back in the same process, for
/// several minutes (wrk waits up to 10 s for an answer, so that a slow answer is measured, not dropped). Reports
/// throughput, p50/p99, answers by status, the recomputes finished meanwhile, and the API's memory (resident set)
/// before, during and after; checks that every acknowledged feedback was stored.
/// </summary>
internal static partial class ApiLoadBench
{
    private static async Task<int> RunMixedAsync(ParseResult args)
    {
        var organizations = args.GetValue(Organizations) ?? 20_000;
        var duration = args.GetValue(Duration) ?? 120;
        var runs = args.GetValue(Runs);
        var connections = args.GetValue(Connections) ?? 16;
        var threads = args.GetValue(Threads);
        var writePercent = args.GetValue(WritePercent);
        var wrk = args.GetValue(Wrk) ?? "wrk";
        var workDir = args.GetValue(WorkDir) ?? Directory.CreateTempSubdirectory("matchmaker-mixedload-").FullName;
        var apiDll = args.GetValue(ApiDll) ?? Path.Combine(RepositoryRoot(), "src", "Matchmaker.Api", "bin", "Release", "net10.0", "Matchmaker.Api.dll");
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"{apiDll} not found: build it first (dotnet build -c Release src/Matchmaker.Api) or pass --api-dll");
            return 2;
        }
        Directory.CreateDirectory(workDir);
        Console.WriteLine($"machine: {Machine.Describe()}");
        var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var time = TimeProvider.System;

        // 1. The graph and a first published list for every organization (heuristic ranker, as a fresh install serves).
        var graphPath = Path.Combine(workDir, "graph.db");
        var appPath = Path.Combine(workDir, "app.db");
        var graph = new SqliteGraphStore(graphPath);
        await graph.InitializeAsync();
        if ((await graph.CountAsync()).Organizations == 0)
        {
            await graph.ImportAsync(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations }));
        }
        // The lists in their own file beside the service's, as the embedded mode keeps them.
        var listsPath = Path.Combine(workDir, "app-lists.db");
        var store = new SqliteRecommendationStore(listsPath, appPath);
        await store.InitializeAsync();
        var snapshot = await new SnapshotSource(graph, time, logs.CreateLogger<SnapshotSource>()).GetAsync();
        if (await store.GetCurrentAsync(snapshot.OrganizationIds[0]) is null)
        {
            var clock = Stopwatch.StartNew();
            var service = new RecomputeService(store, graph, new SnapshotSource(graph, time, logs.CreateLogger<SnapshotSource>()), new HeuristicRankerFactory(),
                Options.Create(new RecomputeOptions { ShardSize = 5_000, TopK = 20 }), time, logs.CreateLogger<RecomputeService>());
            var plan = await service.PlanFullRunAsync();
            foreach (var shard in plan.Shards) await service.RunShardAsync(plan.RunId, shard);
            Console.WriteLine($"computed heuristic lists for {snapshot.OrganizationCount:N0} organizations in {clock.Elapsed.TotalSeconds:F0} s");
        }

        // 2. A read key and a feedback key (hashes only in the store); the admin token comes from configuration.
        var keys = new SqliteApiKeyStore(appPath);
        await keys.InitializeAsync();
        var issuer = new ApiKeyService(keys, time);
        var reader = await issuer.IssueAsync("mixed load: reads", [ApiScope.Read], null, null);
        var writer = await issuer.IssueAsync("mixed load: feedback", [ApiScope.Feedback], null, null);
        var adminToken = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

        // 3. The API with its job server, so that recomputes share the process (and the two cores) with the requests.
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [apiDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__SqlitePath"] = appPath;
        start.Environment["Storage__ListsSqlitePath"] = listsPath;
        // Threads the recompute may use; by default the embedded mode leaves the requests one core.
        if (args.GetValue(Parallelism) is { } parallelism) start.Environment["Recompute__MaxDegreeOfParallelism"] = parallelism.ToString(CultureInfo.InvariantCulture);
        start.Environment["Graph__SqlitePath"] = graphPath;
        start.Environment["Graph__LoadDemoWhenEmpty"] = "false";
        start.Environment["Models__Directory"] = Path.Combine(workDir, "models");
        // The mix is reads, feedback and recomputes: the weekly model training stays out of it.
        start.Environment["Models__MinimumTrainingQueries"] = "1000000000";
        start.Environment["Jobs__RunServer"] = "true";
        start.Environment["Recompute__ShardSize"] = "2000";
        start.Environment["Auth__BootstrapAdminKey"] = adminToken;
        start.Environment["RateLimits__PermitsPerMinute"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        using var api = Process.Start(start)!;
        // The service's warnings and errors (refusals with their reasons) go to the console with the figures.
        api.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && (line.StartsWith("warn", StringComparison.Ordinal) || line.StartsWith("fail", StringComparison.Ordinal))) Console.WriteLine($"  api: {line}");
        };
        api.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  api: {e.Data}"); };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        using var stopRecomputes = new CancellationTokenSource();
        try
        {
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                try
                {
                    if ((await admin.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException)
                {
                }
                if (DateTime.UtcNow > deadline || api.HasExited) throw new InvalidOperationException("the API did not become ready");
                await Task.Delay(250);
            }
            admin.DefaultRequestHeaders.Add("X-Api-Key", adminToken);

            var ids = Path.Combine(workDir, "ids.txt");
            await File.WriteAllLinesAsync(ids, snapshot.OrganizationIds);
            var script = Path.Combine(workDir, "mixed.lua");
            await File.WriteAllTextAsync(script, MixedLua(ids, reader.Token, writer.Token, writePercent));
            RunWrk(wrk, ["-t", "2", "-c", "8", "-d", "5s", $"http://127.0.0.1:{port}"], script, quiet: true); // warm-up
            var feedbackBefore = await CountFeedbackAsync(appPath);
            var rssStart = ReadRss(api.Id);
            Console.WriteLine($"API resident set after warm-up: {rssStart} MiB ({ReadRssParts(api.Id)})");

            // 4. Recomputes back to back for the whole measured window.
            var recomputes = Task.Run(() => RecomputeContinuouslyAsync(admin, stopRecomputes.Token));
            var results = new List<(WrkResult Wrk, StatusCounts Statuses, long RssMiB)>();
            for (var r = 0; r < runs; r++)
            {
                var cpuBefore = CpuSeconds(api.Id);
                var (result, output) = RunWrkWithOutput(wrk, ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                    "-d", $"{duration}s", "--timeout", "10s", "--latency", $"http://127.0.0.1:{port}"], script);
                result = result with { ApiCpuMsPerRequest = (CpuSeconds(api.Id) - cpuBefore) * 1000 / (result.RequestsPerSecond * duration) };
                var statuses = StatusCounts.Parse(output);
                var rss = ReadRss(api.Id);
                results.Add((result, statuses, rss));
                Console.WriteLine($"run {r + 1}: {result.RequestsPerSecond:N0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, " +
                                  $"socket errors {result.Errors}; {statuses}; " +
                                  $"API CPU {result.ApiCpuMsPerRequest:F3} ms/request, resident set {rss} MiB ({ReadRssParts(api.Id)}), " +
                                  $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
            await stopRecomputes.CancelAsync();
            var (finished, failed, seconds) = await recomputes;

            // 5. Every acknowledged feedback is stored.
            var acknowledged = results.Sum(r => r.Statuses.Created);
            var stored = await CountFeedbackAsync(appPath) - feedbackBefore;
            var peak = ReadPeakRss(api.Id);
            Console.WriteLine($"median over {runs} runs of {duration} s, {connections} connections, {writePercent} % feedback writes: " +
                              $"{Machine.Median(results.Select(r => r.Wrk.RequestsPerSecond)):N0} req/s, p50 {Machine.Median(results.Select(r => r.Wrk.P50Ms)):F2} ms, " +
                              $"p99 {Machine.Median(results.Select(r => r.Wrk.P99Ms)):F2} ms; socket errors {results.Sum(r => r.Wrk.Errors)}, " +
                              $"answers {StatusCounts.Sum(results.Select(r => r.Statuses))}; full recomputes during the load: {finished} published " +
                              $"({(finished > 0 ? seconds / finished : 0):F0} s each), {failed} failed; feedback acknowledged {acknowledged:N0}, stored {stored:N0}; " +
                              $"API resident set {rssStart} MiB after warm-up, {results[^1].RssMiB} MiB at the end, peak {peak}");
            // A request wrk gave up on may still have been stored: more rows than 201s is fine, fewer is a lost write.
            var clean = results.All(r => r.Wrk.Errors == 0 && r.Statuses.Failures == 0) && failed == 0 && stored >= acknowledged;
            return clean ? 0 : 1;
        }
        finally
        {
            await stopRecomputes.CancelAsync();
            if (!api.HasExited) api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
            if (args.GetValue(WorkDir) is null)
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    /// <summary>Starts a full recompute, waits for it to end, and starts the next, until stopped. Returns published, failed and their seconds.</summary>
    private static async Task<(int Published, int Failed, double Seconds)> RecomputeContinuouslyAsync(HttpClient admin, CancellationToken stop)
    {
        int published = 0, failed = 0;
        double seconds = 0;
        while (!stop.IsCancellationRequested)
        {
            // One full run at a time: a run already going (one the service started itself) is followed, not doubled.
            var running = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/recompute/runs?limit=5", CancellationToken.None)).EnumerateArray()
                .FirstOrDefault(r => r.GetProperty("kind").GetString() == "full" && r.GetProperty("status").GetString() == "running");
            string runId;
            if (running.ValueKind == JsonValueKind.Object) runId = running.GetProperty("id").GetString()!;
            else
            {
                var started = await admin.PostAsync("/api/v1/recompute/runs", null, CancellationToken.None);
                if (started.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"recompute refused: {(int)started.StatusCode}");
                runId = (await started.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("id").GetString()!;
            }
            var clock = Stopwatch.StartNew();
            // The run in flight when the load ends is not waited for: only runs that ended under load count.
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(1000, CancellationToken.None);
                var status = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/recompute/runs/{runId}", CancellationToken.None)).GetProperty("status").GetString();
                if (status == "published") { published++; seconds += clock.Elapsed.TotalSeconds; break; }
                if (status == "failed") { failed++; break; }
            }
            Console.WriteLine($"  recompute {runId}: {(published + failed)} done, {clock.Elapsed.TotalSeconds:F0} s");
        }
        return (published, failed, seconds);
    }

    private static async Task<long> CountFeedbackAsync(string appPath)
    {
        await using var connection = new SqliteConnection($"Data Source={appPath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'feedback'";
        if ((long)(await command.ExecuteScalarAsync())! == 0) return 0;
        command.CommandText = "SELECT count(*) FROM feedback";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static long ReadRss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>
    /// The resident set's parts: anonymous memory (the managed heap, native allocations) against file pages (the SQLite
    /// files the readers map into memory), which the kernel can drop at will.
    /// </summary>
    private static string ReadRssParts(int pid)
    {
        var lines = File.ReadLines($"/proc/{pid}/status").ToList();
        long Field(string name) =>
            long.Parse(lines.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return $"anonymous {Field("RssAnon:")} MiB, file {Field("RssFile:")} MiB, shared {Field("RssShmem:")} MiB";
    }

    private static (WrkResult Result, string Output) RunWrkWithOutput(string wrk, IEnumerable<string> arguments, string script)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments.Concat(["-s", script])) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk)");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Console.WriteLine(output.TrimEnd());
        var rps = Number(RequestsPerSecond().Match(output));
        var p50 = Latency(LatencyLine().Matches(output).FirstOrDefault(m => m.Groups[1].Value == "50"));
        var p99 = Latency(LatencyLine().Matches(output).FirstOrDefault(m => m.Groups[1].Value == "99"));
        var errors = SocketErrors().Match(output) is { Success: true } e ? e.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        var non2xx = Non2xx().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return (new WrkResult(rps, p50, p99, errors, non2xx), output);
    }

    /// <summary>Answers by status, as the script's done() prints them ("status 200: 1234").</summary>
    private sealed record StatusCounts(IReadOnlyDictionary<int, long> ByStatus)
    {
        public long Created => ByStatus.GetValueOrDefault(201);

        /// <summary>Anything but 200, 201 and the rate limiter's 429.</summary>
        public long Failures => ByStatus.Where(s => s.Key is not (200 or 201 or 429)).Sum(s => s.Value);

        public static StatusCounts Parse(string output) => new(StatusLine().Matches(output)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));

        public static StatusCounts Sum(IEnumerable<StatusCounts> all) =>
            new(all.SelectMany(c => c.ByStatus).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value)));

        public override string ToString() => string.Join(", ", ByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value:N0}"));
    }

    [GeneratedRegex(@"^status (\d{3}): (\d+)$", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    /// <summary>Reads of random organizations' lists and, for a share of requests, feedback on a random pair; counts answers by status per thread.</summary>
    private static string MixedLua(string idsFile, string readToken, string feedbackToken, int writePercent) => $$"""
        local ids = {}
        for line in io.lines("{{idsFile}}") do ids[#ids + 1] = line end
        local reads = { ["X-Api-Key"] = "{{readToken}}", ["Accept"] = "application/json" }
        local writes = { ["X-Api-Key"] = "{{feedbackToken}}", ["Content-Type"] = "application/json" }
        local actions = { '"action":"accept"', '"action":"contacted"', '"action":"decline","reason":"too-far"' }
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        function init(args)
          statuses = {}
          math.randomseed(os.time() + math.floor(os.clock() * 1000000))
        end
        request = function()
          local organization = ids[math.random(#ids)]
          if math.random(100) <= {{writePercent}} then
            local candidate = ids[math.random(#ids)]
            while candidate == organization do candidate = ids[math.random(#ids)] end
            local body = '{"candidateId":"' .. candidate .. '",' .. actions[math.random(#actions)] .. ',"comment":"mixed load"}'
            return wrk.format("POST", "/api/v1/organizations/" .. organization .. "/feedback", writes, body)
          end
          return wrk.format("GET", "/api/v1/organizations/" .. organization .. "/recommendations", reads)
        end
        response = function(status, headers, body)
          statuses[status] = (statuses[status] or 0) + 1
          counted = ""
          for s, n in pairs(statuses) do counted = counted .. s .. "=" .. n .. " " end
        end
        done = function(summary, latency, requests)
          local total = {}
          for _, thread in ipairs(threads) do
            local counted = thread:get("counted") or ""
            for s, n in string.gmatch(counted, "(%d+)=(%d+)") do total[s] = (total[s] or 0) + tonumber(n) end
          end
          for s, n in pairs(total) do io.write(string.format("status %s: %d\n", s, n)) end
        end
        """;
}
