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
    /// What background work rewrites on its own after an accepted write, so that a hash taken around one request must
    /// not see it: recomputes take recorded changes (rec_changes, the scheduling flag) and write, publish and prune
    /// lists (rec_lists, rec_shards, rec_serving, the incremental runs and every run's status). A request can only
    /// start a full run, so of the runs only the full runs' ids are hashed. Every other table of both files is hashed
    /// whole, tables added later included.
    /// </summary>
    private static readonly Dictionary<string, string?> Background = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rec_changes"] = null,
        ["rec_flags"] = null,
        ["rec_lists"] = null,
        ["rec_shards"] = null,
        ["rec_serving"] = null,
        ["rec_runs"] = "SELECT id FROM {0}.rec_runs WHERE kind = 'Full'",
    };

    /// <summary>
    /// A hash of every table of the service's and the lists' SQLite files (read from sqlite_master, so a table added
    /// later is covered without listing it): the graph, feedback, keys, subscriptions, deliveries, plans, full runs,
    /// the migration journal. <see cref="Background"/> lists what follows accepted writes on its own. Returned with
    /// each table's own hash, so a failure can name the table that changed.
    /// </summary>
    public async Task<State> StateAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false,
            Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        await using (var attach = connection.CreateCommand())
        {
            attach.CommandText = "ATTACH DATABASE $lists AS lists";
            attach.Parameters.AddWithValue("$lists", ListsPath);
            await attach.ExecuteNonQueryAsync();
        }
        // One read transaction over both files: the hash is of one moment.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var tables = new List<(string Schema, string Name)>();
        foreach (var schema in new[] { "main", "lists" })
        {
            await using var list = connection.CreateCommand();
            list.Transaction = transaction;
            list.CommandText = $"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add((schema, reader.GetString(0)));
        }
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (schema, name) in tables)
        {
            var query = Background.TryGetValue(name, out var projection)
                ? projection is null ? null : string.Format(System.Globalization.CultureInfo.InvariantCulture, projection, schema)
                : $"SELECT * FROM {schema}.\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            if (query is null) continue;
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync();
            // Rows sorted by their text, so that the hash does not depend on the order SQLite returns them in.
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? "\u0000null" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes)
                        : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    row.Append(value).Append('\u001f');
                }
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            hashes[$"{schema}.{name}"] = rows.Count + ":" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows))))[..16];
        }
        return new State(hashes);
    }

    /// <summary>The tables hashed, each with its row count and hash.</summary>
    public sealed record State(SortedDictionary<string, string> Tables)
    {
        public bool Equals(State? other) => other is not null && Tables.SequenceEqual(other.Tables);

        public override int GetHashCode() => Tables.Count;

        /// <summary>The tables whose hash differs, for a failure message.</summary>
        public string Diff(State after) => string.Join(", ", Tables.Keys.Union(after.Tables.Keys)
            .Where(t => Tables.GetValueOrDefault(t) != after.Tables.GetValueOrDefault(t))
            .Select(t => $"{t} {Tables.GetValueOrDefault(t) ?? "absent"} -> {after.Tables.GetValueOrDefault(t) ?? "absent"}"));
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
