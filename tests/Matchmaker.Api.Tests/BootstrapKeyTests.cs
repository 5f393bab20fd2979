using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Api.Tests;

/// <summary>The service on a folder the test owns, with the given bootstrap key: a second one on the same folder is a restart.</summary>
public sealed class FolderApiFactory(string directory, string? bootstrapAdminKey) : MatchmakerApiFactory(directory, ownsDirectory: false)
{
    protected override string? BootstrapAdminKey => bootstrapAdminKey;
}

/// <summary>The configured bootstrap admin key is listed and revocable like any key, and a weak one stops the start.</summary>
public sealed class BootstrapKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-bootstrap-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_bootstrap_key_is_revoked_through_the_keys_endpoint_and_stays_revoked_after_a_restart_while_a_new_value_works()
    {
        const string first = "first-bootstrap-key-Vq7Lk2Rt9Zx4Mn8Pw3Ys", second = "second-bootstrap-key-Hd5Fg1Jk6Lq0Wr2Te8Ub";
        string bootstrapId;
        string otherAdmin;
        using (var factory = new FolderApiFactory(_directory, first))
        {
            var admin = factory.CreateClientWithKey(first);
            var keys = await admin.GetFromJsonAsync<JsonElement>("/api/v1/keys");
            var listed = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "bootstrap (configuration)");
            bootstrapId = listed.GetProperty("id").GetString()!;
            Assert.StartsWith("bootstrap-", bootstrapId);
            Assert.Equal(["admin"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
            Assert.False(listed.TryGetProperty("revokedAt", out var revokedAt) && revokedAt.ValueKind != JsonValueKind.Null);

            var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "the real admin", scopes = new[] { "admin" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            otherAdmin = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{bootstrapId}")).StatusCode);
            var refused = await admin.GetAsync("/api/v1/keys");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var after = await factory.CreateClientWithKey(otherAdmin).GetFromJsonAsync<JsonElement>("/api/v1/keys");
            Assert.Equal(JsonValueKind.String, after.EnumerateArray().Single(k => k.GetProperty("id").GetString() == bootstrapId).GetProperty("revokedAt").ValueKind);
        }

        // Restarted with the same value configured: still refused.
        using (var factory = new FolderApiFactory(_directory, first))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClientWithKey(first).GetAsync("/api/v1/keys")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientWithKey(otherAdmin).GetAsync("/api/v1/keys")).StatusCode);
        }

        // A new value is a new key: it works, and the revoked one stays listed as revoked.
        using (var factory = new FolderApiFactory(_directory, second))
        {
            var admin = factory.CreateClientWithKey(second);
            var keys = await admin.GetFromJsonAsync<JsonElement>("/api/v1/keys");
            var bootstraps = keys.EnumerateArray().Where(k => k.GetProperty("name").GetString() == "bootstrap (configuration)").ToList();
            Assert.Equal(2, bootstraps.Count);
            Assert.Single(bootstraps, k => k.GetProperty("id").GetString() == bootstrapId && k.TryGetProperty("revokedAt", out var at) && at.ValueKind == JsonValueKind.String);
            Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClientWithKey(first).GetAsync("/api/v1/keys")).StatusCode);
        }
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababababababababababababab")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("abcdefgh111111111111111111111111111111")] // 38 characters, 9 different
    public void A_weak_bootstrap_key_stops_the_start_with_a_clear_message(string key)
    {
        using var factory = new FolderApiFactory(_directory, key);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Auth:BootstrapAdminKey is too weak", error.ToString());
    }
}
