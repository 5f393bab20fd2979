using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Engine.Synthetic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Bench;

/// <summary>
/// Read throughput of the served lists: the API (Release build, its own process, embedded mode, auth and rate limiting
/// on) over the synthetic 100k-organization graph with a list for every organization, loaded by wrk on loopback with
/// GET .../recommendations for random organizations. The job server is off in the API so that only serving is measured.
/// </summary>
/// <remarks>
/// Lists: those of a recompute-bench work directory when it has them (learned model), else computed here with the
/// heuristic ranker (same list shape: top 20 plus up to 20 labelled existing partners, reasons in both languages).
/// </remarks>
internal static partial class ApiLoadBench
{
    // The read-only and the mixed load share one command: --mixed picks the second, with its own defaults.
    private static readonly Option<bool> Mixed = BenchOptions.Flag("--mixed",
        "reads, feedback writes and back-to-back full recomputes at once: throughput, p50/p99, answers by status, memory growth, "
        + "and every acknowledged feedback stored");
    private static readonly Option<int?> Organizations = BenchOptions.OptionalInt("--organizations",
        "organizations in the synthetic graph (default: 100000; with --mixed 20000)");
    private static readonly Option<int?> Duration = BenchOptions.OptionalInt("--duration", "seconds of each wrk run (default: 30; with --mixed 120)");
    private static readonly Option<int?> Connections = BenchOptions.OptionalInt("--connections", "wrk connections (default: 64; with --mixed 16)");
    private static readonly Option<int> Threads = BenchOptions.Int("--threads", 2, "wrk threads");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 3, "wrk runs");
    private static readonly Option<string?> WorkDir = BenchOptions.Text("--work-dir",
        "keeps the graph, lists and keys for the next run (default: a temporary directory)", "DIR");
    private static readonly Option<string?> ApiDll = BenchOptions.Text("--api-dll",
        "the API's Release build (default: src/Matchmaker.Api/bin/Release/net10.0/Matchmaker.Api.dll)", "PATH");
    private static readonly Option<string?> Wrk = BenchOptions.Text("--wrk", "the wrk executable (default: wrk on the PATH)", "PATH");
    // What integrators send: browsers and Node's fetch offer "gzip, deflate, br", Python's requests "gzip, deflate";
    // "identity" sends no Accept-Encoding at all (curl, .NET's HttpClient by default).
    private static readonly Option<string?> AcceptEncoding = BenchOptions.Text("--accept-encoding",
        "the Accept-Encoding wrk sends (default: \"gzip, deflate, br\"; identity: none)", "VALUE");
    private static readonly Option<bool> NoWarmAll = BenchOptions.Flag("--no-warm-all", "skip asking once for every organization's list before the timed runs");
    private static readonly Option<int?> PageCacheMb = BenchOptions.OptionalInt("--page-cache-mb", "the API's served-page cache size (Serving:PageCacheMegabytes)");
    private static readonly Option<int> WritePercent = BenchOptions.Int("--write-percent", 10, "with --mixed: share of requests that are feedback writes");
    private static readonly Option<int?> Parallelism = BenchOptions.OptionalInt("--parallelism", "with --mixed: the recompute's Recompute:MaxDegreeOfParallelism");

    public static Command Command()
    {
        var command = new Command("api-load", "read throughput and latency of GET .../recommendations on loopback with wrk (auth and rate limiting on)")
        {
            Mixed, Organizations, Duration, Connections, Threads, Runs, WorkDir, ApiDll, Wrk, AcceptEncoding, NoWarmAll, PageCacheMb, WritePercent, Parallelism,
        };
        // An option of the other mode would be ignored silently: refuse it instead.
        command.Validators.Add(result =>
        {
            var mixed = result.GetValue(Mixed);
            foreach (var option in mixed ? new Option[] { AcceptEncoding, NoWarmAll, PageCacheMb } : [WritePercent, Parallelism])
            {
                if (result.GetResult(option) is { Implicit: false }) result.AddError($"{option.Name} is {(mixed ? "not " : "")}for the mixed load (--mixed)");
            }
        });
        command.SetAction((args, _) => args.GetValue(Mixed) ? RunMixedAsync(args) : RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var organizations = args.GetValue(Organizations) ?? 100_000;
        var duration = args.GetValue(Duration) ?? 30;
        var connections = args.GetValue(Connections) ?? 64;
        var threads = args.GetValue(Threads);
        var runs = args.GetValue(Runs);
        var wrk = args.GetValue(Wrk) ?? "wrk";
        var acceptEncoding = args.GetValue(AcceptEncoding) ?? "gzip, deflate, br";
        var sendsEncoding = !string.Equals(acceptEncoding, "identity", StringComparison.OrdinalIgnoreCase);
        // Ask once for every organization's list before the timed runs (steady state: each page rendered once).
        var warmAll = !args.GetValue(NoWarmAll);
        // Absolute: the API runs in its own working directory and would resolve a relative path against that.
        var workDir = Path.GetFullPath(args.GetValue(WorkDir) ?? Directory.CreateTempSubdirectory("matchmaker-apiload-").FullName);
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

        // 1. The graph and a published list for every organization.
        var graph = new SqliteGraphStore(Path.Combine(workDir, "graph.db"));
        await graph.InitializeAsync();
        if ((await graph.CountAsync()).Organizations == 0)
        {
            await graph.ImportAsync(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations }));
        }
        // The embedded mode's layout: lists in a file of their own beside the service's file.
        var store = new SqliteRecommendationStore(Path.Combine(workDir, "app-lists.db"), Path.Combine(workDir, "app.db"));
        await store.InitializeAsync();
        var snapshots = new SnapshotSource(graph, time, logs.CreateLogger<SnapshotSource>());
        var snapshot = await snapshots.GetAsync();
        if (await store.GetCurrentAsync(snapshot.OrganizationIds[0]) is null)
        {
            var clock = Stopwatch.StartNew();
            var service = new RecomputeService(store, graph, snapshots, new HeuristicRankerFactory(),
                Options.Create(new RecomputeOptions { ShardSize = 10_000, TopK = 20 }), time, logs.CreateLogger<RecomputeService>());
            var plan = await service.PlanFullRunAsync();
            foreach (var shard in plan.Shards) await service.RunShardAsync(plan.RunId, shard);
            Console.WriteLine($"computed heuristic lists for {snapshot.OrganizationCount:N0} organizations in {clock.Elapsed.TotalSeconds:F0} s");
        }
        var sample = await store.GetCurrentAsync(snapshot.OrganizationIds[snapshot.OrganizationCount / 2]);
        Console.WriteLine($"graph: {snapshot.OrganizationCount:N0} organizations; lists by {sample!.ModelVersion}, e.g. {sample.Items.Count} items");

        // 2. A read key, issued through the service's own key store (only the hash is stored).
        var keys = new SqliteApiKeyStore(Path.Combine(workDir, "app.db"));
        await keys.InitializeAsync();
        var issued = await new ApiKeyService(keys, time).IssueAsync("load benchmark", [ApiScope.Read], null, null);

        // 3. The API in its own process on a free loopback port.
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [apiDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__SqlitePath"] = Path.Combine(workDir, "app.db");
        start.Environment["Storage__ListsSqlitePath"] = Path.Combine(workDir, "app-lists.db");
        start.Environment["Graph__SqlitePath"] = Path.Combine(workDir, "graph.db");
        start.Environment["Graph__LoadDemoWhenEmpty"] = "false";
        start.Environment["Models__Directory"] = Path.Combine(workDir, "models");
        start.Environment["Jobs__RunServer"] = "false";
        start.Environment["RateLimits__PermitsPerMinute"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (args.GetValue(PageCacheMb) is { } pageCache) start.Environment["Serving__PageCacheMegabytes"] = pageCache.ToString(CultureInfo.InvariantCulture);
        using var api = Process.Start(start)!;
        api.OutputDataReceived += (_, _) => { };
        api.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  api: {e.Data}"); };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                try
                {
                    if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException)
                {
                }
                if (DateTime.UtcNow > deadline || api.HasExited) throw new InvalidOperationException("the API did not become ready");
                await Task.Delay(250);
            }
            http.DefaultRequestHeaders.Add("X-Api-Key", issued.Token);
            http.DefaultRequestHeaders.Add("Accept", "application/json");
            if (sendsEncoding) http.DefaultRequestHeaders.Add("Accept-Encoding", acceptEncoding);
            var probe = await http.GetAsync($"/api/v1/organizations/{snapshot.OrganizationIds[1]}/recommendations");
            Console.WriteLine($"probe: {(int)probe.StatusCode}, {(await probe.Content.ReadAsByteArrayAsync()).Length:N0} bytes per page, " +
                              $"Accept-Encoding: {(sendsEncoding ? acceptEncoding : "(none)")}, " +
                              $"Content-Encoding: {(probe.Content.Headers.ContentEncoding.Count > 0 ? string.Join(",", probe.Content.Headers.ContentEncoding) : "(none)")}");
            if (probe.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException("the probe request failed");
            if (warmAll)
            {
                var clock = Stopwatch.StartNew();
                var failed = 0;
                await Parallel.ForEachAsync(snapshot.OrganizationIds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, token) =>
                {
                    using var response = await http.GetAsync($"/api/v1/organizations/{id}/recommendations", token);
                    await response.Content.ReadAsByteArrayAsync(token);
                    if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failed);
                });
                Console.WriteLine($"warm-up: every organization's list asked for once in {clock.Elapsed.TotalSeconds:F0} s " +
                                  $"({snapshot.OrganizationCount / clock.Elapsed.TotalSeconds:N0} req/s), {failed} not 200");
            }

            // 4. wrk: random organizations, every request authenticated and rate limited.
            var ids = Path.Combine(workDir, "ids.txt");
            await File.WriteAllLinesAsync(ids, snapshot.OrganizationIds);
            var script = Path.Combine(workDir, "recommendations.lua");
            await File.WriteAllTextAsync(script, Lua(ids, issued.Token, sendsEncoding ? acceptEncoding : null));
            RunWrk(wrk, ["-t", "2", "-c", "16", "-d", "5s", $"http://127.0.0.1:{port}"], script, quiet: true); // warm-up
            var results = new List<WrkResult>();
            for (var r = 0; r < runs; r++)
            {
                var cpuBefore = CpuSeconds(api.Id);
                var result = RunWrk(wrk, ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                    "-d", $"{duration}s", "--latency", $"http://127.0.0.1:{port}"], script, quiet: false);
                result = result with { ApiCpuMsPerRequest = (CpuSeconds(api.Id) - cpuBefore) * 1000 / (result.RequestsPerSecond * duration) };
                results.Add(result);
                Console.WriteLine($"run {r + 1}: {result.RequestsPerSecond:N0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, " +
                                  $"errors {result.Errors}, non-2xx {result.Non2xx}, " +
                                  $"API CPU {result.ApiCpuMsPerRequest:F3} ms per request, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
            api.Refresh();
            var peak = ReadPeakRss(api.Id);
            Console.WriteLine($"median over {runs} runs of {duration} s, {connections} connections, {threads} wrk threads: " +
                              $"{Machine.Median(results.Select(r => r.RequestsPerSecond)):N0} req/s, p50 {Machine.Median(results.Select(r => r.P50Ms)):F2} ms, " +
                              $"p99 {Machine.Median(results.Select(r => r.P99Ms)):F2} ms, API CPU {Machine.Median(results.Select(r => r.ApiCpuMsPerRequest)):F3} ms/request, " +
                              $"errors {results.Sum(r => r.Errors)}, non-2xx {results.Sum(r => r.Non2xx)}; API peak RSS {peak}");
            return results.All(r => r.Errors == 0 && r.Non2xx == 0) ? 0 : 1;
        }
        finally
        {
            if (!api.HasExited) api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
            if (args.GetValue(WorkDir) is null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    private sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Non2xx)
    {
        /// <summary>CPU time the API process spent per request (user + system): less sensitive to a busy machine than throughput.</summary>
        public double ApiCpuMsPerRequest { get; init; }
    }

    private static double CpuSeconds(int pid)
    {
        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks of 1/100 s; the command name may hold spaces.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static WrkResult RunWrk(string wrk, IEnumerable<string> arguments, string script, bool quiet)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments.Concat(["-s", script])) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk)");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (!quiet) Console.WriteLine(output.TrimEnd());
        var rps = Number(RequestsPerSecond().Match(output));
        var p50 = Latency(LatencyLine().Matches(output).FirstOrDefault(m => m.Groups[1].Value == "50"));
        var p99 = Latency(LatencyLine().Matches(output).FirstOrDefault(m => m.Groups[1].Value == "99"));
        var errors = SocketErrors().Match(output) is { Success: true } e ? e.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        var non2xx = Non2xx().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(rps, p50, p99, errors, non2xx);
    }

    private static double Number(Match m) => m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;

    private static double Latency(Match? m)
    {
        if (m is null) return double.NaN;
        var value = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return m.Groups[3].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => double.NaN };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    private static string Lua(string idsFile, string token, string? acceptEncoding) => $$"""
        local ids = {}
        for line in io.lines("{{idsFile}}") do ids[#ids + 1] = line end
        local headers = { ["X-Api-Key"] = "{{token}}", ["Accept"] = "application/json"{{(acceptEncoding is null ? "" : $", [\"Accept-Encoding\"] = \"{acceptEncoding}\"")}} }
        math.randomseed(os.time())
        request = function()
          return wrk.format("GET", "/api/v1/organizations/" .. ids[math.random(#ids)] .. "/recommendations", headers)
        end
        """;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadPeakRss(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return "n/a";
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? "n/a" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024} MiB";
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matchmaker.sln"))) directory = directory.Parent;
        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
