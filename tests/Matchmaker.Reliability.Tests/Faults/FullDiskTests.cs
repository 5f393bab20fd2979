using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Matchmaker.Reliability.Tests.Faults;

/// <summary>
/// The embedded service with its SQLite file on a small tmpfs that fills up. Needs root (mount); the tests and CI
/// run as root, as ./test.sh's setup steps do.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_full_disk_refuses_writes_with_507_serves_reads_keeps_acknowledged_feedback_and_leaves_the_file_intact()
    {
        using var directory = new TempDirectory("matchmaker-fulldisk-");
        var disk = directory.File("disk");
        Directory.CreateDirectory(disk);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk);
        var database = Path.Combine(disk, "matchmaker.db");
        var lists = Path.Combine(disk, "matchmaker-lists.db");
        try
        {
            await using (var api = await ApiProcess.StartAsync(new Dictionary<string, string>
            {
                ["Storage:SqlitePath"] = database,
                ["Models:Directory"] = directory.File("models"),
                ["Models:MinimumTrainingQueries"] = "1000000000",
            }))
            {
                await Runs.WaitForPublishedFullRunAsync(api.Client, _ => true, TimeSpan.FromMinutes(2), () => api.Output);
                var list = await api.Client.GetStringAsync("/api/v1/organizations/tongji-auto/recommendations");

                // Empty the write-ahead log so that the next write needs new space, then fill the disk.
                await SqliteProbe.ExecuteAsync(database, "PRAGMA wal_checkpoint(TRUNCATE)");
                await SqliteProbe.ExecuteAsync(lists, "PRAGMA wal_checkpoint(TRUNCATE)");
                var filler = Path.Combine(disk, "filler");
                output.WriteLine($"filled the disk with {Fill(filler) / 1024} KiB");

                var refused = await api.Client.PostAsync("/api/v1/organizations/import", Import("full", 300));
                Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.Equal("The database disk is full.", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
                Assert.NotNull(refused.Headers.RetryAfter);

                var acked = new List<string>();
                for (var i = 0; i < 20; i++)
                {
                    var marker = $"full-disk-{i}-{Guid.NewGuid():N}";
                    var response = await api.Client.PostAsJsonAsync("/api/v1/organizations/tongji-auto/feedback",
                        new { candidateId = "donghua-mse", action = "contacted", comment = marker });
                    Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.InsufficientStorage, $"feedback answered {(int)response.StatusCode}");
                    if (response.StatusCode == HttpStatusCode.Created) acked.Add(marker);
                }
                // Reads go on.
                Assert.Equal(list, await api.Client.GetStringAsync("/api/v1/organizations/tongji-auto/recommendations"));
                Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync("/api/v1/organizations/donghua-mse")).StatusCode);

                File.Delete(filler);
                var accepted = await api.Client.PostAsync("/api/v1/organizations/import", Import("room", 300));
                Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync("/api/v1/organizations/room-0")).StatusCode);
                // The refused import wrote nothing at all.
                Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync("/api/v1/organizations/full-0")).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync("/api/v1/organizations/full-299")).StatusCode);
                var given = await api.Client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/feedback?candidateId=donghua-mse&limit=100");
                var comments = given.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("comment").GetString()).ToHashSet();
                Assert.All(acked, marker => Assert.Contains(marker, comments));
                output.WriteLine($"{acked.Count} of 20 feedback acknowledged on the full disk");
            }
            Assert.Equal("ok", await SqliteProbe.IntegrityCheckAsync(database));
            Assert.Equal("ok", await SqliteProbe.IntegrityCheckAsync(lists));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", disk);
        }
    }

    private static long Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        long written = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // No space left: the rest of the chunk does not fit. Top up with single blocks.
        }
        try
        {
            while (true)
            {
                stream.Write(chunk, 0, 4096);
                written += 4096;
            }
        }
        catch (IOException)
        {
        }
        return written;
    }

    private static StringContent Import(string prefix, int count)
    {
        var organizations = Enumerable.Range(0, count).Select(i => new
        {
            id = $"{prefix}-{i}", nameZh = $"满盘测试企业{i}", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" },
            description = new string('材', 400),
        });
        return new StringContent(JsonSerializer.Serialize(new { organizations }), Encoding.UTF8, "application/json");
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error} (the full-disk test mounts a tmpfs and needs root)");
    }
}
