using Microsoft.Extensions.Configuration;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// The service in process (WebApplicationFactory) over a real SQLite file with the G60 demo graph, for the hostile
/// input properties: thousands of requests, each checked, in seconds.
/// </summary>
public sealed class InProcessApi : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "reliability-inprocess-admin-key-0123456789abcdef";

    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-hostile-").FullName;

    public string DatabasePath => Path.Combine(_directory, "matchmaker.db");

    /// <summary>The recommendation lists' file, beside the service's file.</summary>
    public string ListsPath => Path.Combine(_directory, "matchmaker-lists.db");

    public const long ImportMaxBodyBytes = 256 * 1024;

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // Added last, so these win over every other source, an operator's environment variables included.
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Matchmaker.Requests"] = "Warning",
            ["Storage:Mode"] = "Embedded",
            ["Graph:Provider"] = "Sqlite",
            ["Storage:SqlitePath"] = DatabasePath,
            ["Storage:ListsSqlitePath"] = ListsPath,
            ["Models:Directory"] = Path.Combine(_directory, "models"),
            ["Models:MinimumTrainingQueries"] = "1000000000",
            ["Import:MaxBodyBytes"] = ImportMaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Import:MaxRows"] = "1000",
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["RateLimits:PermitsPerMinute"] = "1000000",
        };
        // As host settings too, for what start-up reads before the configuration is complete (the storage mode).
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
    }

    /// <summary>Starts the service and waits for the first lists, so that reads reach the list code.</summary>
    public async Task InitializeAsync()
    {
        using var client = CreateAdminClient();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await client.GetAsync("/api/v1/organizations/tongji-auto/recommendations")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the first lists were not published");
            await Task.Delay(200);
        }
        var created = await client.PostAsJsonAsync("/api/v1/organizations",
            new { id = "fuzz-target", nameZh = "模糊测试目标", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" } });
        created.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A hash of everything a request may write: the graph (organizations, projects, memberships, ties), feedback,
    /// keys (with revocations) and full runs. Background incremental runs are left out: they follow accepted writes.
    /// </summary>
    public async Task<string> StateAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "ATTACH DATABASE $lists AS lists";
        command.Parameters.AddWithValue("$lists", ListsPath);
        await command.ExecuteNonQueryAsync();
        command.Parameters.Clear();
        command.CommandText = """
            SELECT
              (SELECT group_concat(id || record, '|') FROM (SELECT id, record FROM organizations ORDER BY id)),
              (SELECT group_concat(id || coalesce(title, '') || year || sector || coalesce(sub_field, ''), '|') FROM (SELECT * FROM projects ORDER BY id)),
              (SELECT group_concat(project_id || org_id || role || ordinal, '|') FROM (SELECT * FROM project_members ORDER BY project_id, org_id)),
              (SELECT group_concat(from_id || to_id || type || coalesce(year, ''), '|') FROM (SELECT * FROM ties ORDER BY from_id, to_id, type)),
              (SELECT count(*) || ':' || coalesce(max(seq), 0) FROM feedback),
              (SELECT group_concat(id || coalesce(revoked_at, ''), '|') FROM (SELECT id, revoked_at FROM api_keys ORDER BY id)),
              (SELECT count(*) FROM lists.rec_runs WHERE kind = 'Full')
            """;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var state = new StringBuilder();
        for (var i = 0; i < reader.FieldCount; i++) state.Append(reader.IsDBNull(i) ? "-" : reader.GetValue(i)).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(state.ToString())));
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
