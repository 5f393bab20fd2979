using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The real service over a real SQLite file in a temp directory of its own, with the G60 demo graph loaded on
/// first start exactly as a fresh clone would.
/// </summary>
public sealed class MatchmakerApiFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-api-").FullName;

    public string DatabasePath => Path.Combine(_directory, "matchmaker.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:SqlitePath", DatabasePath);
        builder.UseSetting("Models:Directory", Path.Combine(_directory, "models"));
        builder.UseSetting("Import:MaxBodyBytes", (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Import:MaxRows", "1000");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
