using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The real service over a real SQLite file in a temp directory of its own, with the G60 demo graph loaded on
/// first start exactly as a fresh clone would. The bootstrap admin key is a known test value.
/// </summary>
public class MatchmakerApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-bootstrap-admin-key-0123456789abcdef";

    private readonly string _directory;
    private readonly bool _ownsDirectory;

    public MatchmakerApiFactory() : this(Directory.CreateTempSubdirectory("matchmaker-api-").FullName, ownsDirectory: true)
    {
    }

    /// <summary>A service on the files of <paramref name="directory"/>: a later factory on the same folder is a restart. It is deleted on dispose only when owned.</summary>
    protected MatchmakerApiFactory(string directory, bool ownsDirectory)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    public string DatabasePath => Path.Combine(_directory, "matchmaker.db");

    /// <summary>The recommendation lists' own file (Storage:ListsSqlitePath's default beside <see cref="DatabasePath"/>).</summary>
    public string ListsDatabasePath => Path.Combine(_directory, "matchmaker-lists.db");

    /// <summary>Requests per key per minute; generous here so that polling tests never meet the limiter.</summary>
    protected virtual int PermitsPerMinute => 100_000;

    /// <summary>The configured bootstrap admin key; null leaves it unset, as on a fresh embedded install.</summary>
    protected virtual string? BootstrapAdminKey => AdminKey;

    /// <summary>A client that sends the bootstrap admin key on every request.</summary>
    public HttpClient CreateAdminClient() => CreateClientWithKey(AdminKey);

    /// <summary>A client that sends the given token in the X-Api-Key header.</summary>
    public HttpClient CreateClientWithKey(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", token);
        return client;
    }

    /// <summary>Every log line the service wrote, with its category (a real logger provider, kept in memory).</summary>
    public CollectedLogs Logs { get; } = new();

    /// <summary>Settings a derived factory adds to (or changes in) the ones above; they win over every other source too.</summary>
    protected virtual void AddSettings(IDictionary<string, string?> settings)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        // Added last, so these win over every other source, an operator's environment variables included (plain or
        // with the Matchmaker__ prefix): the tests' outcome must not depend on the shell that runs them.
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Mode"] = "Embedded",
            ["Graph:Provider"] = "Sqlite",
            ["Storage:SqlitePath"] = DatabasePath,
            ["Storage:ListsSqlitePath"] = ListsDatabasePath,
            ["Models:Directory"] = Path.Combine(_directory, "models"),
            ["Import:MaxBodyBytes"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Import:MaxRows"] = "1000",
            // Blank is unset: the service then makes its first key itself, as on a fresh embedded install.
            ["Auth:BootstrapAdminKey"] = BootstrapAdminKey ?? "",
            ["RateLimits:PermitsPerMinute"] = PermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // No OTLP export unless a test asks for it (blank is unset), whatever the shell's OTEL_* variables say.
            ["OpenTelemetry:OtlpEndpoint"] = "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        };
        AddSettings(settings);
        // As host settings too, for what start-up reads before the configuration is complete (the storage mode).
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (!_ownsDirectory) return;
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same service with a limit of three requests per key per minute.</summary>
public sealed class RateLimitedApiFactory : MatchmakerApiFactory
{
    public const int Limit = 3;

    protected override int PermitsPerMinute => Limit;
}

/// <summary>The service with the given bootstrap key; null is a fresh embedded install: no key stored, none configured.</summary>
public sealed class BootstrapKeyApiFactory(string? bootstrapAdminKey) : MatchmakerApiFactory
{
    protected override string? BootstrapAdminKey => bootstrapAdminKey;
}

/// <summary>Keeps every formatted log line (category, level, message) for assertions on what the service logs.</summary>
public sealed class CollectedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectedLogs sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) sink.Lines.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
        }
    }
}
