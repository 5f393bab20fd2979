using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Matchmaker.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Matchmaker.Reliability.Tests.Hostile;

/// <summary>
/// Property: whatever arrives at any endpoint (hostile route values, query parameters and bodies, in any media
/// type), with any kind of key (admin, read, feedback, plan, bound, widget), one at a time or eight at once, and
/// bodies with lists of 100,000 entries, the service answers in time, never with a server error, every refusal is a
/// ProblemDetails, and a refused write changes no table of either SQLite file. CsCheck prints the seed of a failing
/// case; set CsCheck_Seed to replay it.
/// </summary>
public sealed class EndpointFuzzTests(InProcessApi api, ITestOutputHelper output) : IClassFixture<InProcessApi>
{
    /// <summary>Requests per endpoint (on average), sized so that the whole property runs in well under a minute on two cores.</summary>
    private const int RequestsPerEndpoint = 50;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public sealed record Case(EndpointShape Endpoint, string Target, string? ContentType, byte[]? Body)
    {
        public override string ToString()
        {
            var body = Body is null ? "(no body)" : Body.Length > 300 ? $"{Body.Length} bytes: {Encoding.UTF8.GetString(Body, 0, 300)}…" : Encoding.UTF8.GetString(Body);
            return $"{Endpoint.Method} {(Target.Length > 400 ? Target[..400] + "…" : Target)} [{ContentType ?? "no content type"}] {body}";
        }
    }

    [Fact]
    public async Task Every_endpoint_answers_hostile_input_in_time_without_a_server_error_and_refusals_change_nothing()
    {
        var endpoints = EndpointShape.Read(api.Services);
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} endpoints found in the routing table");
        var keys = await KeysAsync();
        var statuses = new Dictionary<string, SortedSet<int>>();

        // Half the cases with the admin key (they reach the handlers), half spread over the others.
        await Gen.Select(Gen.Int[0, endpoints.Count - 1].SelectMany(i => CaseFor(endpoints[i])), KeyIndex(keys)).SampleAsync(async t =>
        {
            var (c, k) = t;
            var before = c.Endpoint.Writes ? await api.StateAsync() : null;
            var (status, body) = await SendAndCheckAsync(c, keys[k].Client, statuses);
            if (status >= 400 && before is not null)
            {
                var after = await api.StateAsync();
                Assert.True(before == after, $"refused with {status} but the stored state changed ({before.Diff(after)}): {body}");
            }
        }, iter: RequestsPerEndpoint * endpoints.Count, threads: 1, print: t => $"[{keys[t.Item2].Name} key] {t.Item1}");

        foreach (var (endpoint, seen) in statuses.OrderBy(s => s.Key, StringComparer.Ordinal)) output.WriteLine($"{endpoint}: {string.Join(", ", seen)}");
        Assert.Equal(endpoints.Select(e => e.ToString()).ToHashSet(), statuses.Keys.ToHashSet());
    }

    /// <summary>Hostile requests sent this many at once: the same checks hold under concurrency.</summary>
    private const int Parallel = 8;

    [Fact]
    public async Task Concurrent_hostile_requests_are_answered_in_time_without_a_server_error_and_refusals_change_nothing()
    {
        var endpoints = EndpointShape.Read(api.Services);
        var keys = await KeysAsync();
        var statuses = new Dictionary<string, SortedSet<int>>();
        var batches = 0;
        var unchangedChecked = 0;
        var one = Gen.Select(Gen.Int[0, endpoints.Count - 1].SelectMany(i => CaseFor(endpoints[i])), KeyIndex(keys));
        await one.Array[Parallel].SampleAsync(async batch =>
        {
            var before = await api.StateAsync();
            // All at once: each request waits on one gate, so that they reach the service together.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sends = batch.Select(async t =>
            {
                await gate.Task;
                return await SendAndCheckAsync(t.Item1, keys[t.Item2].Client, statuses);
            }).ToArray();
            gate.SetResult();
            var answers = await Task.WhenAll(sends);
            Interlocked.Increment(ref batches);
            // When no write of the batch was accepted (reads write nothing), nothing may have changed.
            if (batch.Zip(answers).All(x => !x.First.Item1.Endpoint.Writes || x.Second.Status >= 400))
            {
                var after = await api.StateAsync();
                Assert.True(before == after, $"a batch of reads and refused writes changed the stored state ({before.Diff(after)}): "
                    + string.Join("; ", answers.Select(a => $"{a.Status} {(a.Body.Length > 200 ? a.Body[..200] : a.Body)}")));
                Interlocked.Increment(ref unchangedChecked);
            }
        }, iter: ConcurrentBatches, threads: 1, print: b => string.Join("\n", b.Select(t => $"[{keys[t.Item2].Name} key] {t.Item1}")));
        output.WriteLine($"{batches} batches of {Parallel}, {unchangedChecked} of them without an accepted write (state compared)");
        foreach (var (endpoint, seen) in statuses.OrderBy(s => s.Key, StringComparer.Ordinal)) output.WriteLine($"{endpoint}: {string.Join(", ", seen)}");
        Assert.True(unchangedChecked >= ConcurrentBatches / 4, $"only {unchangedChecked} batches had no accepted write: the state was hardly compared");
    }

    /// <summary>Batches per run (about 400 requests), sized like the sequential property.</summary>
    private const int ConcurrentBatches = 50;

    /// <summary>Entries in each list of the large-list bodies.</summary>
    private const int LargeList = 100_000;

    /// <summary>
    /// Allocations allowed per large-list request beyond what carrying its body costs the test client and server
    /// (they buffer it whole) and the body limit's reading: measured with a body of the same length that is one
    /// string. A service that read such a list would make one string or object per entry, at least 40 bytes each on
    /// a 64-bit runtime ("id-12345" is 40), and a list to hold them (8 bytes a reference, more while it grows): over
    /// 4.8 MB for 100,000 entries, before any error or parsing buffer. Refused by the limits, both cost the same,
    /// give or take the background timers' own allocations and a buffer pool's one-off growth (seen: one 2 MB
    /// buffer): 3 MB lies between.
    /// </summary>
    private const long AllocationBoundPerRequest = 3L * 1024 * 1024;

    [Fact]
    public async Task Bodies_with_lists_of_100k_entries_are_refused_without_a_server_error_and_with_bounded_allocation()
    {
        var endpoints = EndpointShape.Read(api.Services).Where(e => e.Writes || e.BodyType is not null).ToList();
        var keys = await KeysAsync();
        var admin = keys[0].Client;
        var statuses = new Dictionary<string, SortedSet<int>>();
        var bodies = endpoints.SelectMany(e => LargeBodies(e).Select(b => (Endpoint: e, b.ContentType, b.Body))).ToList();
        Assert.True(bodies.Count >= endpoints.Count, $"only {bodies.Count} large bodies for {endpoints.Count} endpoints");
        await WaitForQuietAsync();
        var before = await api.StateAsync();
        long largest = 0, total = 0;
        var requests = 0;
        foreach (var (endpoint, contentType, body) in bodies)
        {
            // With a Content-Length and without one (chunked): the limit must hold either way.
            foreach (var chunked in new[] { false, true })
            {
                var target = System.Text.RegularExpressions.Regex.Replace(endpoint.Pattern, @"\{\**([a-zA-Z]+)[^}]*\}",
                    m => m.Groups[1].Value switch { "id" => endpoint.Writes ? "fuzz-target" : "tongji-auto", "candidateId" => "donghua-mse", _ => "x" });
                var c = new Case(endpoint, target, contentType, body);
                // What carrying a body of this size costs the test client, the test server (they buffer it) and the
                // limit's reading: the same request with one string of the same length instead of the list. What the
                // list costs beyond that is what the service spent on its entries.
                var plain = new byte[body.Length];
                Array.Fill(plain, (byte)'a');
                plain[0] = plain[^1] = (byte)'"';
                // Each the least of two sends: a buffer pool's one-off growth (a new buffer of up to 2 MB on a thread
                // that had none) can fall into any single measurement.
                var carried = long.MaxValue;
                var sent = long.MaxValue;
                var status = 0;
                var answer = "";
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    carried = Math.Min(carried, await AllocatedAsync(() => SendAndCheckAsync(c with { Body = plain }, admin, [], chunked)));
                    sent = Math.Min(sent, await AllocatedAsync(async () => (status, answer) = await SendAndCheckAsync(c, admin, statuses, chunked)));
                    Assert.True(status is 413 or 400 or 401 or 403 or 404 or 405 or 415, $"{c} {(chunked ? "chunked" : "with length")} answered {status}: {answer}");
                }
                var grown = sent - carried;
                requests++;
                total += grown;
                largest = Math.Max(largest, grown);
                Assert.True(grown < AllocationBoundPerRequest,
                    $"{c} {(chunked ? "chunked" : "with length")} allocated {grown:N0} bytes beyond carrying the body (bound {AllocationBoundPerRequest:N0}), answered {status}");
            }
        }
        var after = await api.StateAsync();
        Assert.True(before == after, $"refused large bodies changed the stored state ({before.Diff(after)})");
        output.WriteLine($"{requests} requests with {LargeList:N0}-entry lists ({bodies.Sum(b => (long)b.Body.Length) / bodies.Count / 1024:N0} KB a body on average): "
            + $"at most {largest / 1024:N0} KB, on average {total / requests / 1024:N0} KB allocated a request");
        foreach (var (endpoint, seen) in statuses.OrderBy(s => s.Key, StringComparer.Ordinal)) output.WriteLine($"{endpoint}: {string.Join(", ", seen)}");
    }

    /// <summary>
    /// For one endpoint: a JSON body for each list its body type has (top level and one level down, e.g. a plan's
    /// slots' kinds), holding <see cref="LargeList"/> different entries; a top-level JSON array and JSON Lines of as
    /// many records; and, where CSV is accepted, as many CSV rows.
    /// </summary>
    private static IEnumerable<(string ContentType, byte[] Body)> LargeBodies(EndpointShape endpoint)
    {
        static string Entries(string element) => "["
            + string.Join(",", Enumerable.Range(0, LargeList).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, element, i))) + "]";
        var json = endpoint.ContentTypes.FirstOrDefault(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)) ?? "application/json";
        yield return (json, HostileGen.Utf8(Entries("\"id-{0}\"")));
        yield return (json, HostileGen.Utf8(Entries("{{\"id\":\"org-{0}\",\"nameZh\":\"机构{0}\",\"kind\":\"enterprise\",\"city\":\"jiaxing\"}}")));
        if (endpoint.BodyType is { } type)
        {
            foreach (var (path, element) in ListProperties(type, 2))
            {
                // {"a":{"b":[...]}} or {"a":[{"b":[...]}]} for a nested path.
                var value = Entries(element == typeof(string) ? "\"entry-{0}\"" : IsNumber(element) ? "{0}" : "{{}}");
                for (var i = path.Count - 1; i >= 0; i--) value = "{" + JsonSerializer.Serialize(path[i].Name) + ":"
                    + (i < path.Count - 1 && path[i].IsList ? "[" + value + "]" : value) + "}";
                yield return (json, HostileGen.Utf8(value));
            }
        }
        foreach (var type2 in endpoint.ContentTypes.Where(t => t.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || t.Contains("jsonl", StringComparison.OrdinalIgnoreCase)))
        {
            yield return (type2, HostileGen.Utf8(string.Concat(Enumerable.Range(0, LargeList).Select(i => $"{{\"id\":\"org-{i}\",\"kind\":\"enterprise\"}}\n"))));
        }
        if (endpoint.ContentTypes.Any(t => t.Contains("csv", StringComparison.OrdinalIgnoreCase)))
        {
            yield return ("text/csv", HostileGen.Utf8("id,kind,city\n" + string.Concat(Enumerable.Range(0, LargeList).Select(i => $"org-{i},enterprise,jiaxing\n"))));
        }
    }

    private static bool IsNumber(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is var u && (u == typeof(int) || u == typeof(long) || u == typeof(double));

    /// <summary>Paths (camelCase names; whether each step is a list) to the list properties of a type, up to a depth.</summary>
    private static IEnumerable<(IReadOnlyList<(string Name, bool IsList)> Path, Type Element)> ListProperties(Type type, int depth)
    {
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var element = propertyType.IsArray ? propertyType.GetElementType()
                : propertyType != typeof(string) && propertyType.IsGenericType
                    && propertyType.IsAssignableTo(typeof(System.Collections.IEnumerable)) ? propertyType.GetGenericArguments()[^1] : null;
            if (element is not null)
            {
                yield return ([(name, true)], element);
                if (depth > 1 && element.IsClass && element != typeof(string))
                {
                    foreach (var (inner, innerElement) in ListProperties(element, depth - 1)) yield return ([(name, true), .. inner], innerElement);
                }
            }
            else if (depth > 1 && propertyType.IsClass && propertyType != typeof(string) && propertyType.Namespace?.StartsWith("Matchmaker", StringComparison.Ordinal) == true)
            {
                foreach (var (inner, innerElement) in ListProperties(propertyType, depth - 1)) yield return ([(name, false), .. inner], innerElement);
            }
        }
    }

    /// <summary>Bytes the whole process allocated while <paramref name="action"/> ran (after a collection, so that a pending one does not count).</summary>
    private static async Task<long> AllocatedAsync(Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await action();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>Waits until no run is running and no change waits for one, so that allocations measured are the request's.</summary>
    private async Task WaitForQuietAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={api.ListsPath};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM rec_runs WHERE status = 'Running'";
            var running = (long)(await command.ExecuteScalarAsync())!;
            await using var service = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={api.DatabasePath};Mode=ReadOnly;Pooling=False");
            await service.OpenAsync();
            await using var changes = service.CreateCommand();
            changes.CommandText = "SELECT count(*) FROM rec_changes";
            var waiting = (long)(await changes.ExecuteScalarAsync())!;
            if (running == 0 && waiting == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{running} runs still running and {waiting} changes waiting after two minutes");
            await Task.Delay(200);
        }
    }

    /// <summary>Keys of every kind; the admin key first.</summary>
    private async Task<List<(string Name, HttpClient Client)>> KeysAsync()
    {
        var admin = api.CreateAdminClient();
        // Every kind of key sends hostile input too: their refusals (403 from a policy or a handler) must be as clean.
        var keys = new List<(string Name, HttpClient Client)> { ("admin", admin) };
        // An earlier property may have deleted the organization the bound keys name: it exists again (201), or still (409).
        var target = await admin.PostAsJsonAsync("/api/v1/organizations",
            new { id = "fuzz-target", nameZh = "模糊测试目标", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" } });
        Assert.True(target.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"creating fuzz-target answered {(int)target.StatusCode}");
        foreach (var (name, scopes, organization) in new (string, string[], string?)[]
        {
            ("read", ["read"], null), ("feedback", ["feedback"], null), ("plan", ["plan"], null),
            ("read+feedback bound", ["read", "feedback"], "fuzz-target"), ("widget bound", ["widget"], "fuzz-target"),
        })
        {
            var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = $"fuzz {name}", scopes, organizationId = organization });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var keyClient = api.CreateClient();
            keyClient.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
            keys.Add((name, keyClient));
        }
        return keys;
    }

    /// <summary>Half the cases with the admin key (they reach the handlers), half spread over the others.</summary>
    private static Gen<int> KeyIndex(List<(string Name, HttpClient Client)> keys) =>
        Gen.Frequency((keys.Count - 1, Gen.Const(0)), (keys.Count - 1, Gen.Int[1, keys.Count - 1]));

    /// <summary>Sends one case and checks what holds for every answer: in time, no 5xx, every 4xx a ProblemDetails that says why.</summary>
    private static async Task<(int Status, string Body)> SendAndCheckAsync(Case c, HttpClient client, Dictionary<string, SortedSet<int>> statuses, bool chunked = false)
    {
        using var request = new HttpRequestMessage(new HttpMethod(c.Endpoint.Method), new Uri(c.Target, UriKind.Relative));
        if (c.Body is not null)
        {
            request.Content = new TrackedContent(c.Body, knownLength: !chunked);
            if (c.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
        }
        using var timeout = new CancellationTokenSource(Patience);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {Patience.TotalSeconds} s");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            // The test client writes the body on a task of its own: wait until it stopped, so that what it allocates
            // is counted with this request and not the next.
            if (request.Content is TrackedContent tracked) await tracked.Written.WaitAsync(Patience);
            lock (statuses)
            {
                if (!statuses.TryGetValue(c.Endpoint.ToString(), out var seen)) statuses[c.Endpoint.ToString()] = seen = [];
                seen.Add(status);
            }
            Assert.True(status < 500, $"answered {status}: {body}");
            if (status >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} without a ProblemDetails: {body}");
                var problem = JsonDocument.Parse(body).RootElement;
                Assert.Equal(status, problem.GetProperty("status").GetInt32());
                Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
                // A refused request says why: the fields at fault, or a reason.
                if (status == 400) Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _), $"400 without a reason: {body}");
            }
            return (status, body);
        }
    }

    /// <summary>
    /// A body sent with a Content-Length or without one (chunked: then only a limit on what is read can stop it),
    /// which says when the client stopped writing it (all written, or cut off by the server).
    /// </summary>
    private sealed class TrackedContent(byte[] body, bool knownLength) : HttpContent
    {
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Written => _written.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                await stream.WriteAsync(body);
            }
            finally
            {
                _written.TrySetResult();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = knownLength ? body.Length : -1;
            return knownLength;
        }

        protected override void Dispose(bool disposing)
        {
            // Never sent (refused before the body was asked for): nothing is being written.
            _written.TrySetResult();
            base.Dispose(disposing);
        }
    }

    private static Gen<Case> CaseFor(EndpointShape endpoint)
    {
        var path = Sequence(endpoint.RouteParameters.Select(p => PathValue(p, endpoint)).ToArray())
            .Select(values =>
            {
                var target = endpoint.Pattern;
                for (var i = 0; i < endpoint.RouteParameters.Count; i++)
                {
                    target = System.Text.RegularExpressions.Regex.Replace(target, @"\{\**" + endpoint.RouteParameters[i] + @"[^}]*\}",
                        values[i].Replace("$", "$$", StringComparison.Ordinal));
                }
                return target;
            });
        var knownQuery = endpoint.QueryParameters.Select(name => Gen.Frequency(
            (5, Gen.Const((string?)null)),
            (2, QueryValue.Select(v => (string?)$"{name}={v}")),
            (1, QueryValue.Array[2].Select(v => (string?)$"{name}={v[0]}&{name}={v[1]}")))).ToArray();
        var query = Gen.Select(Sequence(knownQuery), Gen.Frequency((4, Gen.Const((string?)null)), (1, Gen.Select(QueryValue, QueryValue, (k, v) => (string?)$"{k}={v}"))))
            .Select((parts, extra) => string.Join('&', parts.Append(extra).OfType<string>()));
        var mediaTypes = endpoint.ContentTypes.Concat(["application/json", "text/csv", "text/plain", "application/x-www-form-urlencoded",
            "application/json; charset=utf-16", "APPLICATION/JSON", ""]).ToArray();
        var body = !endpoint.Writes && endpoint.BodyType is null
            ? Gen.Frequency((9, Gen.Const(((string?)null, (byte[]?)null))), (1, Gen.Select(Gen.OneOf(mediaTypes), HostileGen.BrokenJson, (t, b) => ((string?)t, (byte[]?)b))))
            : Gen.Select(Gen.Frequency((5, Gen.OneOf(endpoint.ContentTypes.Count > 0 ? [.. endpoint.ContentTypes] : mediaTypes)), (1, Gen.OneOf(mediaTypes))),
                Gen.Frequency(
                    (6, (endpoint.BodyType is { } type ? HostileGen.Shaped(type) : HostileGen.JsonValue(2)).Select(HostileGen.Utf8)),
                    (2, HostileGen.BrokenJson),
                    (1, HostileGen.Csv.Select(HostileGen.Utf8)),
                    (1, Gen.Int[1, 4].Select(n => new byte[(int)InProcessApi.ImportMaxBodyBytes * n / 2 + 1]))),
                (t, b) => (t.Length == 0 ? null : (string?)t, (byte[]?)b));
        return Gen.Select(path, query, body, (p, q, b) => new Case(endpoint, q.Length == 0 ? p : p + "?" + q, b.Item1, b.Item2));
    }

    private static Gen<string> PathValue(string parameter, EndpointShape endpoint)
    {
        // Real organizations for reads (to reach the code behind the lookup); a throwaway one for writes.
        var real = parameter switch
        {
            "id" => endpoint.Writes ? "fuzz-target" : "tongji-auto",
            "candidateId" => "donghua-mse",
            _ => null,
        };
        // NUL in a path is refused by Kestrel itself (400) before the service sees it; the test server throws instead.
        var hostile = HostileGen.String.Select(s => s.Replace("\0", "", StringComparison.Ordinal)).Select(s => s.Length == 0 ? "x" : Percent(s));
        return real is null ? Gen.Frequency((5, hostile), (1, Gen.OneOf("%2F", "..", "%2E%2E", "%E4%B8", "%ZZ", new string('a', 5000))))
            : Gen.Frequency((3, Gen.Const(real)), (4, hostile), (1, Gen.OneOf("%2F", "..", "%E4%B8", "%ZZ")));
    }

    /// <summary>Query values: percent-encoded hostile strings, and raw sequences that do not decode to UTF-8.</summary>
    private static readonly Gen<string> QueryValue = Gen.Frequency(
        (8, HostileGen.String.Select(Percent)),
        (1, Gen.OneOf("%ff%fe", "%E4%B8", "%C0%AF", "%", "%ZZ", "%00", "a+b", "%2B", "%26x%3D1")));

    /// <summary>Every byte of the UTF-8 form percent-encoded (lone surrogates become U+FFFD, as any client would send them).</summary>
    private static string Percent(string value) => string.Concat(Encoding.UTF8.GetBytes(value).Select(b => $"%{b:X2}"));

    private static Gen<T[]> Sequence<T>(Gen<T>[] gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<T>()), (all, next) => Gen.Select(all, next, (a, x) => (T[])[.. a, x]));
}
