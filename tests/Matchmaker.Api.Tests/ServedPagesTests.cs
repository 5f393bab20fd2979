using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Api.Recommendations;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The in-memory pages of served lists and the remembered key checks: whatever is kept, a publish, a feedback and a
/// revocation show at once through this process (another process's changes: <see cref="ChangesByAnotherProcessTests"/>).
/// </summary>
public sealed class ServedPagesTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? acceptEncoding = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }

    private static byte[] Decode(byte[] body, string? coding) => coding switch
    {
        "br" => Read(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)),
        "gzip" => Read(new GZipStream(new MemoryStream(body), CompressionMode.Decompress)),
        null => body,
        _ => throw new InvalidDataException($"unexpected coding {coding}"),
    };

    private static byte[] Read(Stream stream)
    {
        using (stream)
        {
            var output = new MemoryStream();
            stream.CopyTo(output);
            return output.ToArray();
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("br;q=0, gzip;q=0", null)]
    [InlineData("identity", null)]
    [InlineData("*", "br")]
    [InlineData("*;q=0.1, br;q=0", "gzip")]
    public async Task Pages_are_compressed_as_the_client_accepts_and_carry_the_same_json(string? acceptEncoding, string? expected)
    {
        const string path = "/api/v1/organizations/jx-hechuan-ami/recommendations?includeExistingPartners=true";
        await PublishedLists.WaitForListAsync(_admin, "jx-hechuan-ami", "?includeExistingPartners=true");
        for (var attempt = 1; ; attempt++)
        {
            var runs = await RunsAsync();
            var plain = await GetAsync(_admin, path);
            var plainBody = await plain.Content.ReadAsByteArrayAsync();
            // Twice: the first may render and compress the page, the second is served as kept.
            var responses = new List<(HttpResponseMessage Response, byte[] Body)>();
            for (var i = 0; i < 2; i++)
            {
                var response = await GetAsync(_admin, path, acceptEncoding);
                responses.Add((response, await response.Content.ReadAsByteArrayAsync()));
            }
            if (runs != await RunsAsync() && attempt < 5)
            {
                await Task.Delay(500);
                continue;
            }
            foreach (var (response, body) in responses)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
                Assert.Contains("Accept-Encoding", response.Headers.Vary);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                if (expected is not null) Assert.True(body.Length * 3 < plainBody.Length, $"{body.Length} compressed bytes for {plainBody.Length}");
                Assert.Equal(Encoding.UTF8.GetString(plainBody), Encoding.UTF8.GetString(Decode(body, expected)));
                // A compressed body carries the page's tag as a weak tag.
                Assert.Equal(expected is not null, response.Headers.ETag!.IsWeak);
                Assert.Equal(plain.Headers.ETag!.Tag, response.Headers.ETag.Tag);
            }
            return;
        }
    }

    /// <summary>
    /// The runs and their states. A publish changes every page's tag, and runs still in flight can publish at any moment
    /// (the service's start trains a model and then recomputes with it): a check of tags is repeated until no run
    /// changed while it ran.
    /// </summary>
    private async Task<string> RunsAsync() =>
        string.Join(",", (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/recompute/runs")).EnumerateArray()
            .Select(r => r.GetProperty("id").GetString() + ":" + r.GetProperty("status").GetString()));

    [Fact]
    public async Task A_client_holding_the_page_in_any_coding_gets_304()
    {
        const string path = "/api/v1/organizations/hf-jingheng-nmi/recommendations";
        await PublishedLists.WaitForListAsync(_admin, "hf-jingheng-nmi");
        for (var attempt = 1; ; attempt++)
        {
            var runs = await RunsAsync();
            var compressed = await GetAsync(_admin, path, "br");
            var weak = compressed.Headers.ETag!;
            var again = await GetAsync(_admin, path, "br", weak.ToString());
            var againBody = await again.Content.ReadAsByteArrayAsync();
            // The same page asked for without compression: the weak tag still names it; the answer carries the strong tag.
            var plain = await GetAsync(_admin, path, null, weak.ToString());
            // Another page (another query) is not named by it.
            var other = await GetAsync(_admin, path + "?limit=2", "br", weak.ToString());
            if (runs != await RunsAsync() && attempt < 5)
            {
                await Task.Delay(500);
                continue;
            }
            Assert.True(weak.IsWeak);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(weak.ToString(), again.Headers.ETag!.ToString());
            Assert.Empty(againBody);
            Assert.Equal(HttpStatusCode.NotModified, plain.StatusCode);
            Assert.False(plain.Headers.ETag!.IsWeak);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            return;
        }
    }

    [Fact]
    public async Task A_publish_through_this_process_is_served_on_the_next_read()
    {
        const string org = "jx-lanxian-composites";
        var before = await PublishedLists.WaitForListAsync(_admin, org);
        Assert.Equal(before.GetProperty("runId").GetString(), (await PublishedLists.WaitForListAsync(_admin, org)).GetProperty("runId").GetString());

        var run = await RecomputeRuns.TriggerAndWaitAsync(_admin);
        Assert.Equal("published", run.GetProperty("status").GetString());

        // No wait: the publish went through this process, which dropped its pages then.
        var after = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/recommendations");
        Assert.Equal(run.GetProperty("id").GetString(), after.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task Feedback_replaces_the_kept_page_at_once()
    {
        const string org = "huz-zhiyun-textiles";
        var first = await PublishedLists.WaitForListAsync(_admin, org, "?limit=100");
        var again = await GetAsync(_admin, $"/api/v1/organizations/{org}/recommendations?limit=100", "br");
        var candidates = first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!).ToList();
        Assert.True(candidates.Count >= 2);

        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync($"/api/v1/organizations/{org}/feedback",
            new { candidateId = candidates[0], action = "decline", reason = "other" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync($"/api/v1/organizations/{org}/feedback",
            new { candidateId = candidates[1], action = "accept" })).StatusCode);

        // Both codings: each kept body belonged to the page before the feedback.
        foreach (var coding in new[] { null, "br" })
        {
            var response = await GetAsync(_admin, $"/api/v1/organizations/{org}/recommendations?limit=100", coding, again.Headers.ETag!.ToString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonDocument.Parse(Decode(await response.Content.ReadAsByteArrayAsync(), coding)).RootElement;
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.DoesNotContain(items, i => i.GetProperty("candidateId").GetString() == candidates[0]);
            Assert.Equal("accept", items.Single(i => i.GetProperty("candidateId").GetString() == candidates[1]).GetProperty("feedback").GetString());
            Assert.NotEqual(again.Headers.ETag.Tag, response.Headers.ETag!.Tag);
        }
    }
}

/// <summary>The bound and the eviction order of the page cache, on its own.</summary>
public sealed class ServedPageCacheTests
{
    private static CachedPage Page(long generation, int bytes) => new(generation, 0, "\"t\"", PageCoding.Identity, new byte[bytes]);

    [Fact]
    public void The_cache_stays_within_its_bound_and_keeps_the_pages_in_use()
    {
        var cache = new ServedPageCache(100 * (1000 + CachedPage.Overhead));
        cache.Add("hot", "", Page(1, 1000));
        for (var i = 0; i < 500; i++)
        {
            cache.Add($"org-{i}", "", Page(1, 1000));
            Assert.NotNull(cache.Find("hot", "", 1, 0));
            Assert.True(cache.Bytes <= 100 * (1000 + CachedPage.Overhead), $"{cache.Bytes} bytes after {i + 1} pages");
        }
        Assert.InRange(cache.Count, 50, 100);
        // Least recently used first: a sweep keeps the newest 80 % of the bound (the hot page among them).
        Assert.All(Enumerable.Range(0, 400), i => Assert.Null(cache.Find($"org-{i}", "", 1, 0)));
        Assert.All(Enumerable.Range(430, 70), i => Assert.NotNull(cache.Find($"org-{i}", "", 1, 0)));
    }

    [Fact]
    public void A_page_is_found_only_for_its_generation_and_feedback_version_and_never_replaced_by_an_older_one()
    {
        var cache = new ServedPageCache(1 << 20);
        cache.Add("a", "?limit=5", new CachedPage(2, 7, "\"x\"", PageCoding.Identity, [1, 2, 3]));

        Assert.NotNull(cache.Find("a", "?limit=5", 2, 7));
        Assert.Null(cache.Find("a", "?limit=5", 3, 7));
        Assert.Null(cache.Find("a", "?limit=5", 2, 8));
        Assert.Null(cache.Find("a", "", 2, 7));
        cache.Add("a", "?limit=5", new CachedPage(1, 9, "\"old\"", PageCoding.Identity, [1]));
        Assert.Equal("\"x\"", cache.Find("a", "?limit=5", 2, 7)!.ETag);
    }

    [Fact]
    public void Compressed_bodies_are_made_once_and_counted()
    {
        var cache = new ServedPageCache(1 << 20);
        var json = Encoding.UTF8.GetBytes("{\"items\":[" + string.Join(",", Enumerable.Repeat("{\"candidateId\":\"tongji-auto\",\"score\":0.5}", 200)) + "]}");
        // Kept in Brotli only, as when the first client asked for Brotli.
        var page = new CachedPage(1, 0, "\"x\"", PageCoding.Brotli, PageCodings.Compress(json, PageCoding.Brotli));
        cache.Add("a", "", page);
        var before = cache.Bytes;
        Assert.True(before < json.Length / 4 + CachedPage.Overhead, $"{before} bytes kept for {json.Length} of JSON");
        Assert.Null(page.Body(PageCoding.Identity));

        var gzip = cache.Body(page, PageCoding.Gzip);
        Assert.Same(gzip, cache.Body(page, PageCoding.Gzip));
        // Each body is charged its bytes and its array's header (a few dozen bytes).
        Assert.InRange(cache.Bytes - before, gzip.Length, gzip.Length + 64);
        Assert.Equal(json, PageCodings.Decompress(gzip, PageCoding.Gzip));
        var withGzip = cache.Bytes;
        var identity = cache.Body(page, PageCoding.Identity);
        Assert.Equal(json, identity);
        Assert.InRange(cache.Bytes - withGzip, json.Length, json.Length + 64);
        Assert.Equal(json, PageCodings.Decompress(cache.Body(page, PageCoding.Brotli), PageCoding.Brotli));
    }
}

/// <summary>The page cache's bound holds under concurrent additions, and each entry is charged at least its bytes.</summary>
public sealed class ServedPageCacheBoundTests
{
    [Fact]
    public async Task A_cache_of_n_bytes_never_holds_more_even_while_pages_and_codings_are_added_concurrently()
    {
        const long bound = 64 * 1024;
        var cache = new ServedPageCache(bound);
        var added = new System.Collections.Concurrent.ConcurrentBag<(string Organization, string Query)>();
        long highest = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!done.IsCancellationRequested) highest = Math.Max(highest, cache.Bytes);
        });
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var random = new Random(17 + w);
            for (var i = 0; i < 600; i++)
            {
                var organization = $"org-{w}-{i}-" + new string('x', random.Next(0, 60));
                var query = new string('q', random.Next(0, 200));
                var body = new byte[random.Next(100, 6000)];
                random.NextBytes(body);
                var page = new CachedPage(1, 0, $"\"{i}\"", PageCoding.Identity, body);
                cache.Add(organization, query, page);
                added.Add((organization, query));
                // Another coding asked for later adds a body to the page.
                if (random.Next(3) == 0) cache.Body(page, random.Next(2) == 0 ? PageCoding.Gzip : PageCoding.Brotli);
                Assert.True(cache.Bytes <= bound, $"{cache.Bytes} bytes held");
            }
        })).ToArray();
        await Task.WhenAll(writers);
        done.Cancel();
        await sampler;

        Assert.True(highest <= bound, $"{highest} bytes held at some point");
        Assert.True(highest > bound / 2, $"{highest}: the cache was used");
        // What it charges is at least what the entries really hold: their bodies and the key's characters (two bytes each).
        long held = 0;
        foreach (var (organization, query) in added)
        {
            if (cache.Find(organization, query, 1, 0) is not { } page) continue;
            held += 2L * (organization.Length + query.Length);
            foreach (var coding in new[] { PageCoding.Identity, PageCoding.Gzip, PageCoding.Brotli }) held += page.Body(coding)?.Length ?? 0;
        }
        Assert.True(held > 0);
        Assert.InRange(cache.Bytes, held, bound);
    }
}

/// <summary>Room is made in the memory cache by its compaction, least recently used first, whatever the sizes of the pages.</summary>
public sealed class ServedPageCacheCompactionTests
{
    [Fact]
    public void Pages_of_mixed_sizes_are_kept_within_the_bound_and_a_new_page_is_always_kept()
    {
        const long bound = 200_000;
        using var cache = new ServedPageCache(bound);
        var random = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            // Mostly small pages, now and then one of up to a quarter of the bound (more than 30 small ones).
            var size = i % 10 == 9 ? random.Next(20_000, 49_000) : random.Next(500, 3_000);
            cache.Add($"org-{i}", "", new CachedPage(1, 0, "\"t\"", PageCoding.Identity, new byte[size]));
            Assert.True(cache.Bytes <= bound, $"{cache.Bytes} bytes after {i + 1} pages");
            Assert.NotNull(cache.Find($"org-{i}", "", 1, 0));
        }
        // Least recently used first: the oldest pages went, the newest stayed.
        Assert.Null(cache.Find("org-0", "", 1, 0));
        Assert.All(Enumerable.Range(297, 3), i => Assert.NotNull(cache.Find($"org-{i}", "", 1, 0)));
    }

    [Fact]
    public void A_body_made_for_a_page_replaced_by_a_newer_one_is_served_but_not_kept()
    {
        using var cache = new ServedPageCache(1 << 20);
        var json = Encoding.UTF8.GetBytes("{\"items\":[" + string.Join(",", Enumerable.Repeat("{\"candidateId\":\"tongji-auto\"}", 100)) + "]}");
        var old = new CachedPage(1, 0, "\"old\"", PageCoding.Identity, json);
        cache.Add("a", "", old);
        cache.Add("a", "", new CachedPage(2, 0, "\"new\"", PageCoding.Identity, json));
        var bytes = cache.Bytes;

        var gzip = cache.Body(old, PageCoding.Gzip);
        Assert.Equal(json, PageCodings.Decompress(gzip, PageCoding.Gzip));
        Assert.Null(old.Body(PageCoding.Gzip));
        Assert.Equal(bytes, cache.Bytes);
        Assert.Equal(1, cache.Count);
        Assert.Equal("\"new\"", cache.Find("a", "", 2, 0)!.ETag);
    }

    [Fact]
    public void A_cache_of_zero_bytes_keeps_nothing_and_still_serves_every_coding()
    {
        using var cache = new ServedPageCache(0);
        var page = new CachedPage(1, 0, "\"t\"", PageCoding.Identity, Encoding.UTF8.GetBytes("{\"items\":[]}"));
        cache.Add("a", "", page);
        Assert.False(cache.Enabled);
        Assert.Null(cache.Find("a", "", 1, 0));
        Assert.Equal("{\"items\":[]}", Encoding.UTF8.GetString(PageCodings.Decompress(cache.Body(page, PageCoding.Brotli), PageCoding.Brotli)));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Organizations_and_queries_that_concatenate_alike_are_different_pages()
    {
        using var cache = new ServedPageCache(1 << 20);
        cache.Add("ab", "c", new CachedPage(1, 0, "\"1\"", PageCoding.Identity, [1]));
        cache.Add("a", "bc", new CachedPage(1, 0, "\"2\"", PageCoding.Identity, [2]));
        Assert.Equal("\"1\"", cache.Find("ab", "c", 1, 0)!.ETag);
        Assert.Equal("\"2\"", cache.Find("a", "bc", 1, 0)!.ETag);
        // A long key (past what a read writes on the stack) is found as well.
        var id = new string('x', 400);
        cache.Add(id, "kind=&limit=20", new CachedPage(1, 0, "\"3\"", PageCoding.Identity, [3]));
        Assert.Equal("\"3\"", cache.Find(id, "kind=&limit=20", 1, 0)!.ETag);
    }
}

/// <summary>The coding chosen for hand-written Accept-Encoding headers.</summary>
public sealed class PageCodingNegotiationTests
{
    [Theory]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("BR;Q=0.5, GZIP", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("gzip;q=0.8, br;q=0.8", "br")]
    [InlineData("br;q=0, gzip;q=0", null)]
    [InlineData("identity", null)]
    [InlineData("deflate", null)]
    [InlineData("*", "br")]
    [InlineData("*;q=0.1, br;q=0", "gzip")]
    [InlineData("*;q=0", null)]
    [InlineData("", null)]
    // A q that cannot be read (above 1) refuses the coding.
    [InlineData("br;q=2, gzip;q=0.5", "gzip")]
    [InlineData("br;q=2", null)]
    public void The_coding_follows_the_header(string header, string? expected) =>
        Assert.Equal(expected, PageCodings.HeaderValue(PageCodings.Negotiate(header)));

    [Fact]
    public void Several_header_lines_are_read_as_one_list() =>
        Assert.Equal(PageCoding.Gzip, PageCodings.Negotiate(new Microsoft.Extensions.Primitives.StringValues(["gzip", "br;q=0"]).ToString()));

    [Fact]
    public void No_header_is_identity() => Assert.Equal(PageCoding.Identity, PageCodings.Negotiate(default(Microsoft.Extensions.Primitives.StringValues).ToString()));
}

/// <summary>List pages are cached under the query as understood: order, case, spelled-out defaults and unknown parameters make no new entry.</summary>
public sealed class ServedPageKeyTests : IDisposable
{
    private readonly MatchmakerApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_same_query_in_another_order_case_or_with_unknown_parameters_is_one_cache_entry()
    {
        const string org = "tongji-auto";
        var admin = _factory.CreateAdminClient();
        await PublishedLists.WaitForListAsync(admin, org);
        var cache = _factory.Services.GetRequiredService<ServedPageCache>();
        cache.Clear();

        async Task<string> ETagAsync(string query)
        {
            var response = await admin.GetAsync($"/api/v1/organizations/{org}/recommendations{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.ETag!.Tag;
        }

        var first = await ETagAsync("?a=1&b=2");
        Assert.Equal(1, cache.Count);
        Assert.Equal(first, await ETagAsync("?b=2&a=1&junk=x"));
        Assert.Equal(first, await ETagAsync(""));
        Assert.Equal(first, await ETagAsync("?LIMIT=20&includeExistingPartners=false"));
        Assert.Equal(1, cache.Count);

        var filtered = await ETagAsync("?kind=enterprise&limit=5");
        Assert.NotEqual(first, filtered);
        Assert.Equal(filtered, await ETagAsync("?limit=5&Kind=ENTERPRISE&x=y"));
        Assert.Equal(filtered, await ETagAsync("?limit=5&kind=enterprise&includeExistingPartners=false"));
        Assert.Equal(2, cache.Count);
    }
}

/// <summary>
/// The service on a clock the test moves (<see cref="FakeTimeProvider"/>), with no job server: nothing in the process
/// publishes or runs on that clock behind the test's back, so every run served here comes from the test.
/// </summary>
public sealed class FakeClockApiFactory : MatchmakerApiFactory
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void AddSettings(IDictionary<string, string?> settings)
    {
        settings["Jobs:RunServer"] = "false";
        settings["Serving:PageCacheMegabytes"] = "64";
    }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}

/// <summary>
/// What another process changes (a worker host publishing, a replica revoking a key, both writing the same files) is
/// seen by this process once the check interval has passed, and not before: the kept page and the remembered key
/// check stand for the whole interval. Time is the subject, so the clock is the test's.
/// </summary>
public sealed class ChangesByAnotherProcessTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task A_publish_by_another_process_is_served_once_the_check_interval_has_passed()
    {
        const string org = "xc-lili-materials";
        var admin = factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/organizations/{org}/recommendations")).StatusCode);
        var worker = new SqliteRecommendationStore(factory.ListsDatabasePath, factory.DatabasePath);
        await worker.InitializeAsync();

        async Task<string> PublishAsync(string candidate)
        {
            var now = DateTimeOffset.UtcNow;
            var runId = $"inc-test-{Guid.NewGuid():N}";
            await worker.CreateRunAsync(new RecomputeRun(runId, RunKind.Incremental, RunStatus.Running, "test-model", now, null, 1, 0, 0, 0, 0, null));
            var item = new RecommendedPartner(candidate, 1, 0.5, [new Reason("test", "测试", "test", [])], false);
            await worker.WriteShardAsync(runId, new ShardResult(0, [new RecommendationList(org, runId, "test-model", now, [item])], 1, 0.1));
            Assert.True(await worker.TryPublishAsync(runId, now));
            return runId;
        }

        async Task<JsonElement> ServedAsync()
        {
            var response = await admin.GetAsync($"/api/v1/organizations/{org}/recommendations");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var first = await PublishAsync("tongji-auto");
        // A whole interval since any earlier read of the publication stamp: this request reads it (now) and sees the run.
        factory.Time.Advance(PublishedListsWatch.CheckInterval);
        Assert.Equal(first, (await ServedAsync()).GetProperty("runId").GetString());
        Assert.Equal(first, (await ServedAsync()).GetProperty("runId").GetString()); // the page is now kept in memory

        var second = await PublishAsync("donghua-mse");
        factory.Time.Advance(PublishedListsWatch.CheckInterval - Tick);
        Assert.Equal(first, (await ServedAsync()).GetProperty("runId").GetString());
        factory.Time.Advance(Tick);
        var after = await ServedAsync();
        Assert.Equal(second, after.GetProperty("runId").GetString());
        Assert.Equal("donghua-mse", Assert.Single(after.GetProperty("items").EnumerateArray()).GetProperty("candidateId").GetString());
    }

    [Fact]
    public async Task A_key_revoked_by_another_process_fails_once_the_check_interval_has_passed()
    {
        var created = await factory.CreateAdminClient().PostAsJsonAsync("/api/v1/keys", new { name = "revoked elsewhere", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var client = factory.CreateClientWithKey(body.GetProperty("token").GetString()!);
        const string path = "/api/v1/organizations";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode); // the check is remembered from now

        // Another API replica revokes it in the shared store.
        Assert.True(await new SqliteApiKeyStore(factory.DatabasePath).RevokeAsync(body.GetProperty("key").GetProperty("id").GetString()!, DateTimeOffset.UtcNow));

        factory.Time.Advance(ApiKeyService.CheckInterval - Tick);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        factory.Time.Advance(Tick);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
    }
}
