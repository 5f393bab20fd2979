using System.Globalization;
using Npgsql;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>Hangfire's view of a PostgreSQL job store, for the failure messages of the tests that run real workers.</summary>
public static class HangfireJobs
{
    /// <summary>
    /// The unfinished jobs (state, arguments, state data naming the server, when a worker fetched them) and the job
    /// store's locks; a description of the error instead when the store cannot be read (the test may be failing because
    /// the database is down).
    /// </summary>
    public static async Task<string> DescribeUnfinishedAsync(string? connectionString)
    {
        if (connectionString is null) return "";
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT j.id, j.statename, j.arguments, s.data, q.fetchedat, now() FROM hangfire.job j
                LEFT JOIN hangfire.jobqueue q ON q.jobid = j.id LEFT JOIN hangfire.state s ON s.id = j.stateid
                WHERE j.statename IS DISTINCT FROM 'Succeeded' ORDER BY j.id
                """, connection);
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                        .Select(i => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
                }
            }
            await using var locks = new NpgsqlCommand("SELECT resource, acquired FROM hangfire.lock ORDER BY acquired", connection);
            await using var held = await locks.ExecuteReaderAsync();
            var heldLines = new List<string>();
            while (await held.ReadAsync()) heldLines.Add($"{held.GetValue(0)} | {held.GetValue(1)}");
            return "unfinished jobs:\n" + string.Join('\n', lines) + "\njob store locks:\n" + string.Join('\n', heldLines);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return $"job store not readable: {e.GetType().Name}: {e.Message}";
        }
    }
}
