using System.Net;
using System.Net.Http.Json;
using Matchmaker.Engine.Import;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Api.Tests;

/// <summary>
/// An organization write and its change record are one unit: the change is recorded before the write and released
/// after it, so a failure of the change store on either side leaves both or neither. Faults are injected in the real
/// SQLite file with triggers that abort the change store's statements; creates are one step in the graph store.
/// </summary>
public sealed class OrganizationWriteUnitTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _client = factory.CreateAdminClient();

    private static string NewId() => $"unit-{Guid.NewGuid():N}";

    private static object NewOrganization(string id, string nameZh) => new
    {
        id,
        nameZh,
        nameEn = "Jiaxing Test Composites Co.",
        kind = "enterprise",
        city = "jiaxing",
        sectors = new[] { "new-materials" },
        subFields = new[] { "carbon-fibre" },
        capabilities = new[] { "pilot-production" },
        needs = new[] { "venture-funding" },
    };

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The change row of an organization: (pending writes, due in Unix ms), or null when none is recorded.</summary>
    private async Task<(long Pending, long DueMs)?> ChangeRowAsync(string id)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pending, due_ms FROM rec_changes WHERE org_id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    private async Task<string?> NameAsync(string id)
    {
        var response = await _client.GetAsync($"/api/v1/organizations/{id}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : (await response.Content.ReadFromJsonAsync<OrganizationRecord>())!.NameZh;
    }

    [Fact]
    public async Task When_the_change_cannot_be_recorded_before_the_write_nothing_is_written()
    {
        var id = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, "原名称"))).StatusCode);
        await ExecuteAsync("""
            CREATE TRIGGER fail_change_insert BEFORE INSERT ON rec_changes BEGIN SELECT RAISE(ABORT, 'injected fault'); END;
            CREATE TRIGGER fail_change_update BEFORE UPDATE ON rec_changes BEGIN SELECT RAISE(ABORT, 'injected fault'); END;
            """);
        try
        {
            var replaced = await _client.PutAsJsonAsync($"/api/v1/organizations/{id}", NewOrganization(id, "新名称"));
            var created = await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(NewId() + "x", "不应存在"));

            Assert.False(replaced.IsSuccessStatusCode, $"{(int)replaced.StatusCode}");
            Assert.Equal("application/problem+json", replaced.Content.Headers.ContentType?.MediaType);
            Assert.False(created.IsSuccessStatusCode, $"{(int)created.StatusCode}");
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER fail_change_insert; DROP TRIGGER fail_change_update;");
        }
        Assert.Equal("原名称", await NameAsync(id));
    }

    [Fact]
    public async Task When_the_change_cannot_be_released_after_the_write_the_write_stands_and_its_change_stays_recorded()
    {
        var id = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, "原名称"))).StatusCode);
        // Only the release (pending going down) fails: the record before the write passes.
        await ExecuteAsync("""
            CREATE TRIGGER fail_change_release BEFORE UPDATE ON rec_changes WHEN NEW.pending < OLD.pending
            BEGIN SELECT RAISE(ABORT, 'injected fault'); END;
            """);
        HttpResponseMessage replaced;
        var before = DateTimeOffset.UtcNow;
        try
        {
            replaced = await _client.PutAsJsonAsync($"/api/v1/organizations/{id}", NewOrganization(id, "新名称"));
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER fail_change_release;");
        }

        // The write was applied, so it is acknowledged; its change is recorded, held back until the hold passes.
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("新名称", await NameAsync(id));
        var row = await ChangeRowAsync(id);
        Assert.NotNull(row);
        Assert.Equal(1, row.Value.Pending);
        Assert.InRange(row.Value.DueMs, before.AddMinutes(2).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Two_concurrent_creates_of_one_id_give_one_201_and_one_409()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = NewId();
            using var start = new ManualResetEventSlim();
            var creates = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, $"名称{i}"));
            })).ToList();
            start.Set();
            var answers = await Task.WhenAll(creates);

            var codes = answers.Select(a => a.StatusCode).OrderBy(c => c).ToList();
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], codes);
            var winner = Array.IndexOf(answers, answers.Single(a => a.StatusCode == HttpStatusCode.Created));
            Assert.Equal($"名称{winner}", await NameAsync(id));
        }
    }
}
