using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Planning.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Tests;

/// <summary>Runs on Unix only, where file modes exist; skipped on Windows, saying why.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes do not exist on Windows.";
    }
}

public sealed class SqliteFilePermissionsTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root = Directory.CreateTempSubdirectory("matchmaker-modes-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_stores_create_their_sqlite_files_0600_in_a_folder_0700()
    {
        // The embedded layout in a folder that does not exist yet, as on a first start.
        var folder = Path.Combine(_root, "var", "matchmaker");
        var service = Path.Combine(folder, "matchmaker.db");
        var lists = Path.Combine(folder, "matchmaker-lists.db");
        await new SqliteGraphStore(service).InitializeAsync();
        await new SqliteRecommendationStore(lists, service).InitializeAsync();
        await new SqliteApiKeyStore(service).InitializeAsync();
        var feedback = new SqliteFeedbackStore(service);
        await feedback.InitializeAsync();
        await new SqliteDeliveryStore(service).InitializeAsync();
        await new SqlitePlanStore(service).InitializeAsync();

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(folder));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.GetDirectoryName(folder)!));
        Assert.Equal(Private, File.GetUnixFileMode(service));
        Assert.Equal(Private, File.GetUnixFileMode(lists));

        // SQLite gives the write-ahead log and shared-memory files the database file's mode.
        await using var connection = new SqliteConnection($"Data Source={service};Pooling=false");
        await connection.OpenAsync();
        await feedback.AddAsync(new NewFeedback("org-a", "org-b", FeedbackAction.Accept, null, null, "key-1", DateTimeOffset.UnixEpoch));
        Assert.Equal(Private, File.GetUnixFileMode(service + "-wal"));
        Assert.Equal(Private, File.GetUnixFileMode(service + "-shm"));
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Existing_files_and_folders_keep_their_modes()
    {
        var folder = Path.Combine(_root, "shared");
        Directory.CreateDirectory(folder, PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var path = Path.Combine(folder, "matchmaker.db");
        await File.WriteAllBytesAsync(path, []);
        File.SetUnixFileMode(path, Private | UnixFileMode.GroupRead);

        await new SqliteFeedbackStore(path).InitializeAsync();

        Assert.Equal(PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(folder));
        Assert.Equal(Private | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }
}
