using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine;

/// <summary>
/// How every embedded store opens the service's SQLite file: one absolute path, pooled connections, a 30 s busy
/// timeout (writers in WAL mode wait for each other instead of failing), and the folder created on first use.
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

    public static void EnsureDirectory(string connectionString)
    {
        var directory = Path.GetDirectoryName(new SqliteConnectionStringBuilder(connectionString).DataSource);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
