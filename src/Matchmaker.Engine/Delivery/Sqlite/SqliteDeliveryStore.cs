using System.Data.Common;
using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Delivery.Sqlite;

/// <summary>The embedded delivery store: four tables in the service's SQLite file.</summary>
public sealed class SqliteDeliveryStore(string databasePath) : DeliveryStore
{
    private readonly string _connectionString = SqliteFile.ConnectionString(databasePath);

    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Delivery);
        await SealPlainValuesAsync(cancellationToken);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override string Name(string name) => "@" + name;

    protected override object Time(DateTimeOffset time) => SqliteFile.Time(time);

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => SqliteFile.ParseTime(reader.GetString(ordinal));
}
