using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Api.Tests;

/// <summary>Saved plans are counted per key (Plans:MaxSavedPerKey) and expire (Plans:RetentionDays).</summary>
public sealed class PlanQuotaTests
{
    private const string Plans = "/api/v1/consortia/plans";

    private static object Body() => new
    {
        leadId = "baolong-auto",
        sector = "new-energy-vehicles",
        challenge = "sensor fusion and lightweight alloys",
        slots = new object[] { new { role = "research" }, new { role = "finance" } },
        alternatives = 1,
    };

    private static async Task<long> PlansOfKeyAsync(string databasePath, string keyId)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM consortium_plans WHERE key_id = $key";
        command.Parameters.AddWithValue("$key", keyId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Moves a saved plan's making back in time, in the service's SQLite file.</summary>
    private static async Task MakeOlderAsync(string databasePath, string planId, TimeSpan age)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE consortium_plans SET created_at = $old WHERE id = $id";
        command.Parameters.AddWithValue("$old", (DateTimeOffset.UtcNow - age).UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$id", planId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task A_key_keeps_at_most_its_quota_of_plans_then_429_until_its_oldest_expires_and_expired_plans_are_deleted()
    {
        using var factory = new ConfiguredApiFactory(("Plans:MaxSavedPerKey", "2"), ("Plans:RetentionDays", "30"));
        var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "planner", scopes = new[] { "plan" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var keyId = key.GetProperty("key").GetProperty("id").GetString()!;
        var planner = factory.CreateClientWithKey(key.GetProperty("token").GetString()!);

        var first = await planner.PostAsJsonAsync(Plans, Body());
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await planner.PostAsJsonAsync(Plans, Body())).StatusCode);

        var refused = await planner.PostAsJsonAsync(Plans, Body());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Plans:MaxSavedPerKey", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // The oldest plan frees a place in 30 days (less the seconds this test has taken).
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalDays, 29.99, 30);
        Assert.Equal(2, await PlansOfKeyAsync(factory.DatabasePath, keyId));
        // Another key has its own quota.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(Plans, Body())).StatusCode);

        // The first plan was made 31 days ago: the next save deletes it and takes its place.
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await MakeOlderAsync(factory.DatabasePath, firstId, TimeSpan.FromDays(31));
        Assert.Equal(HttpStatusCode.Created, (await planner.PostAsJsonAsync(Plans, Body())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await planner.GetAsync($"{Plans}/{firstId}")).StatusCode);
        Assert.Equal(2, await PlansOfKeyAsync(factory.DatabasePath, keyId));
    }

    [Fact]
    public async Task An_expired_plan_is_not_found_by_its_key_before_any_save_deletes_it()
    {
        using var factory = new ConfiguredApiFactory(("Plans:RetentionDays", "30"));
        var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync(Plans, Body());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"{Plans}/{id}")).StatusCode);

        await MakeOlderAsync(factory.DatabasePath, id, TimeSpan.FromDays(31));

        var expired = await admin.GetAsync($"{Plans}/{id}");
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.Equal("application/problem+json", expired.Content.Headers.ContentType?.MediaType);
        // Still in the file (no plan was saved since): the read, not the deletion, hides it.
        await using var check = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await check.OpenAsync();
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM consortium_plans WHERE id = $id";
        count.Parameters.AddWithValue("$id", id);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }
}
