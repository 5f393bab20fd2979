using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine;

/// <summary>
/// How every embedded store opens the service's SQLite file: one absolute path, pooled connections, a 30 s busy
/// timeout (writers in WAL mode wait for each other instead of failing), and the file and its folder created on first
/// use, private to the service's user.
/// </summary>
internal static class SqliteFile
{
    public static string ConnectionString(string databasePath, bool foreignKeys = false) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(databasePath),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        ForeignKeys = foreignKeys,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Times are stored as round-trip ISO 8601 text in UTC, which also sorts in time order.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);

    /// <summary>Creates a missing folder (and its missing parents) for the service's data: 0700 on Unix.</summary>
    public static void EnsurePrivateDirectory(string directory)
    {
        if (Directory.Exists(directory)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else CreatePrivateDirectory(Path.GetFullPath(directory));
    }

    /// <summary>Creates a folder and every missing parent 0700 (the mode given to CreateDirectory applies to the last one only).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreatePrivateDirectory(string directory)
    {
        var parent = Path.GetDirectoryName(directory);
        if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent)) CreatePrivateDirectory(parent);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// Creates the database file (and its folder) when missing, readable by the service's user only: the file holds API
    /// key hashes, feedback with its comments and sealed secrets. On Unix a folder created here is 0700 and the file
    /// 0600 (SQLite gives its -wal and -shm files the database file's mode); existing files and folders keep theirs.
    /// </summary>
    public static void EnsureFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:") return;
        var path = Path.GetFullPath(builder.DataSource);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory)) EnsurePrivateDirectory(directory);
        if (File.Exists(path)) return;
        try
        {
            // An empty file is a valid new SQLite database: creating it here is what sets its mode.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another store or process created it first.
        }
    }
}
