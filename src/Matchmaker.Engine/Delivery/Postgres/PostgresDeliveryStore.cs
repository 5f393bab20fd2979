using System.Data.Common;
using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Delivery.Postgres;

/// <summary>The production delivery store on PostgreSQL, shared by every API replica and worker.</summary>
public sealed class PostgresDeliveryStore(NpgsqlDataSource dataSource) : DeliveryStore
{
    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Delivery, cancellationToken);
        await SealPlainValuesAsync(cancellationToken);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await dataSource.OpenConnectionAsync(cancellationToken);

    protected override string Name(string name) => name;

    protected override object Time(DateTimeOffset time) => time.ToUniversalTime();

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal), TimeSpan.Zero);
}
