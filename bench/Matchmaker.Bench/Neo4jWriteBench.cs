using System.CommandLine;
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Bench;

/// <summary>
/// Writes N synthetic organizations through the Neo4j adapter (ImportAsync: one explicit transaction, UNWIND batches)
/// to a loopback listener that answers the Query API calls with the documented bodies, and reports bytes sent,
/// batches, time and peak memory. The organizations are generated on access, so the figures are the adapter's own.
/// With <c>--live</c> the listener also forces a full collection as each write batch arrives and records the live
/// managed heap then (while the adapter holds that batch): exact, but it slows the run, so time is not comparable.
/// Usage: neo4j-write [--count 100000] [--batch 5000] [--live]
/// </summary>
public static class Neo4jWriteBench
{
    private static readonly Option<int> Count = BenchOptions.Int("--count", 100_000, "organizations written");
    private static readonly Option<int> Batch = BenchOptions.Int("--batch", 5000, "organizations per UNWIND batch");
    private static readonly Option<bool> Live = BenchOptions.Flag("--live",
        "force a full collection as each batch arrives and record the live heap (exact, but slower: time not comparable)");

    public static Command Command()
    {
        var command = new Command("neo4j-write", "write synthetic organizations through the Neo4j adapter to a loopback Query API listener")
        {
            Count, Batch, Live,
        };
        command.SetAction((args, _) => RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var count = args.GetValue(Count);
        var batchSize = args.GetValue(Batch);
        var live = args.GetValue(Live);
        if (count < 1 || batchSize < 1)
        {
            Console.Error.WriteLine("usage: neo4j-write [--count N] [--batch N] [--live]");
            return 2;
        }

        await using var server = QueryApiListener.Start();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BaseUrl"] = server.BaseUrl.ToString(),
            ["User"] = "neo4j",
            ["Password"] = "bench",
            ["BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
        }).Build();
        await using var services = new ServiceCollection().AddNeo4jGraphStore(configuration).BuildServiceProvider();
        var store = services.GetRequiredService<IGraphStore>();

        // Warm-up (JIT up to optimized code, connection, pipeline) so that the measured run shows the write path, not start-up.
        await store.ImportAsync(new GraphBatch(new SyntheticOrganizations(2 * batchSize, "warm"), [], []));
        await Task.Delay(500);
        await store.ImportAsync(new GraphBatch(new SyntheticOrganizations(2 * batchSize, "warm"), [], []));
        server.Reset();
        server.ProbeLiveHeap = live;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var sampler = new MemorySampler();
        var clock = Stopwatch.StartNew();
        var summary = await store.ImportAsync(new GraphBatch(new SyntheticOrganizations(count, "bench"), [], []));
        clock.Stop();
        sampler.Stop();

        process.Refresh();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peakWorkingSet = process.PeakWorkingSet64;
        var stats = server.Snapshot();

        Console.WriteLine($"neo4j-write: {summary.Organizations:N0} organizations, batch size {batchSize:N0}");
        Console.WriteLine($"  requests            {stats.Requests:N0} (open 1, write batches {stats.Batches:N0}, commit {stats.Commits:N0}, rollback {stats.Rollbacks:N0})");
        Console.WriteLine($"  bytes sent          {stats.BodyBytes:N0} in request bodies ({Mib(stats.BodyBytes)}), largest body {stats.LargestBody:N0} ({Mib(stats.LargestBody)})");
        Console.WriteLine($"  time                {clock.Elapsed.TotalMilliseconds:N0} ms ({count / clock.Elapsed.TotalSeconds:N0} organizations/s)");
        Console.WriteLine($"  managed heap        before {Mib(managedBefore)}, peak live after a GC {Mib(sampler.PeakAfterGc)}, " +
                          $"peak in use incl. garbage {Mib(sampler.PeakManaged)} (sampled every 2 ms; {sampler.Collections} GCs)");
        Console.WriteLine($"  working set         before {Mib(workingSetBefore)}, peak {Mib(peakWorkingSet)} (process peak, listener included)");
        Console.WriteLine($"  allocated           {Mib(allocated)} in total during the run");
        if (live) Console.WriteLine($"  live heap per batch max {Mib(stats.MaxLiveAtBatch)}, min {Mib(stats.MinLiveAtBatch)} (full GC as each batch arrived)");
        return stats.Batches == (count + batchSize - 1) / batchSize && stats.Commits == 1 ? 0 : 1;
    }

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:N1} MiB";

    /// <summary>Organizations made on access: the input takes no memory, so what grows is the adapter's.</summary>
    private sealed class SyntheticOrganizations(int count, string prefix) : IReadOnlyList<Organization>
    {
        private static readonly string[] Cities = G60Catalog.Cities.Select(c => c.Code).ToArray();
        private static readonly OrganizationKind[] Kinds = Enum.GetValues<OrganizationKind>();

        public int Count => count;

        public Organization this[int index]
        {
            get
            {
                var sector = G60Catalog.Sectors[index % G60Catalog.Sectors.Count];
                return new Organization(
                    $"{prefix}-{index:D7}",
                    $"合成机构{index:D7}",
                    $"Synthetic Organization {index:D7}",
                    Kinds[index % Kinds.Length],
                    Cities[index % Cities.Length],
                    aliases: [$"SO{index}"],
                    sectors: [sector.Code],
                    subFields: [sector.SubFields[index % sector.SubFields.Count].Code],
                    capabilities: ["pilot-production", "testing"],
                    needs: ["venture-funding"],
                    description: "合成数据 / synthetic data for the write benchmark",
                    employees: 10 + index % 5000);
            }
        }

        public IEnumerator<Organization> GetEnumerator()
        {
            for (var i = 0; i < count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Samples the managed heap while the run lasts: in use (garbage included, so it follows the GC's budget) and
    /// as the last collection left it (what is really kept alive).
    /// </summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly int _collectionsBefore = GC.CollectionCount(0);
        private long _peak, _peakAfterGc;

        public MemorySampler()
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var now = GC.GetTotalMemory(forceFullCollection: false);
                    if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                    var info = GC.GetGCMemoryInfo(GCKind.Any);
                    var live = info.HeapSizeBytes - info.FragmentedBytes;
                    if (info.Index > 0 && live > Interlocked.Read(ref _peakAfterGc)) Interlocked.Exchange(ref _peakAfterGc, live);
                    try
                    {
                        await Task.Delay(2, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        public long PeakManaged => Interlocked.Read(ref _peak);
        public long PeakAfterGc => Interlocked.Read(ref _peakAfterGc);
        public int Collections => GC.CollectionCount(0) - _collectionsBefore;

        public void Stop()
        {
            _stop.Cancel();
            _loop.Wait();
        }

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
        }
    }

    /// <summary>
    /// A loopback HTTP listener that answers the Query API calls of an import as Neo4j documents them (202, the
    /// transaction object and the <c>neo4j-cluster-affinity</c> header). It reads each body through one small buffer
    /// and keeps nothing, counting bytes and requests.
    /// </summary>
    private sealed class QueryApiListener : IAsyncDisposable
    {
        private const string Affinity = "MTAuOC41Ljc6MTc0NzQ=";
        private static readonly byte[] Open = Encoding.UTF8.GetBytes(
            """{"data": {"fields": ["missing"], "values": [[[]]]}, "bookmarks": [], "transaction": {"id": "bench", "expires": "2099-01-01T00:00:00Z"}}""");
        private static readonly byte[] Written = Encoding.UTF8.GetBytes(
            """{"data": {"fields": [], "values": []}, "bookmarks": [], "transaction": {"id": "bench", "expires": "2099-01-01T00:00:00Z"}}""");
        private static readonly byte[] Committed = Encoding.UTF8.GetBytes("""{"bookmarks": ["FB:bench"]}""");

        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private long _requests, _batches, _commits, _rollbacks, _bodyBytes, _largestBody, _maxLive, _minLive = long.MaxValue;

        private QueryApiListener(int port)
        {
            BaseUrl = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(BaseUrl.ToString());
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public Uri BaseUrl { get; }

        public static QueryApiListener Start()
        {
            using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new QueryApiListener(port);
        }

        public bool ProbeLiveHeap { get; set; }

        public void Reset()
        {
            _requests = _batches = _commits = _rollbacks = _bodyBytes = _largestBody = _maxLive = 0;
            _minLive = long.MaxValue;
        }

        public (long Requests, long Batches, long Commits, long Rollbacks, long BodyBytes, long LargestBody, long MaxLiveAtBatch, long MinLiveAtBatch) Snapshot() =>
            (_requests, _batches, _commits, _rollbacks, _bodyBytes, _largestBody, _maxLive, _minLive == long.MaxValue ? 0 : _minLive);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                long size = 0;
                int read;
                while ((read = await context.Request.InputStream.ReadAsync(_buffer)) > 0) size += read;
                _requests++;
                _bodyBytes += size;
                _largestBody = Math.Max(_largestBody, size);

                var path = context.Request.Url!.AbsolutePath;
                byte[]? body;
                if (context.Request.HttpMethod == "DELETE")
                {
                    _rollbacks++;
                    body = null;
                }
                else if (path.EndsWith("/commit", StringComparison.Ordinal))
                {
                    _commits++;
                    body = Committed;
                }
                else if (path.EndsWith("/query/v2/tx", StringComparison.Ordinal))
                {
                    body = Open;
                }
                else
                {
                    _batches++;
                    body = Written;
                    if (ProbeLiveHeap)
                    {
                        var liveNow = GC.GetTotalMemory(forceFullCollection: true);
                        _maxLive = Math.Max(_maxLive, liveNow);
                        _minLive = Math.Min(_minLive, liveNow);
                    }
                }
                var response = context.Response;
                response.StatusCode = 202;
                response.Headers["neo4j-cluster-affinity"] = Affinity;
                response.ContentType = "application/json";
                response.ContentLength64 = body?.Length ?? 0;
                if (body is not null) await response.OutputStream.WriteAsync(body);
                response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
