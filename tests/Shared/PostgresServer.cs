using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Matchmaker.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster started from the machine's binaries (initdb + pg_ctl) in a temp directory on a
/// free loopback port, stopped and deleted at the end. PostgreSQL refuses to run as root, so when the tests run
/// as root the cluster runs as the <c>postgres</c> OS user through runuser. The binaries are looked up in
/// MATCHMAKER_PG_BIN, then /usr/lib/postgresql/{17,16,15,14}/bin, then PATH.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private int _databases;

    private PostgresServer(string bin, string dataDirectory, int port, bool asPostgresUser)
    {
        _bin = bin;
        DataDirectory = dataDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=15";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        var asPostgresUser = Environment.UserName == "root";
        var root = Path.Combine(Path.GetTempPath(), $"matchmaker-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (asPostgresUser) await RunAsync("chown", ["postgres:postgres", root]);
        var data = Path.Combine(root, "data");
        var server = new PostgresServer(bin, data, FreePort(), asPostgresUser);
        await server.PgAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        await server.StartClusterAsync();
        return server;
    }

    public Task StartClusterAsync() => PgAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(Path.GetDirectoryName(DataDirectory)!, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {Path.GetDirectoryName(DataDirectory)} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);

    /// <summary>Stops the cluster at once (as a crash would look to clients), for fault tests.</summary>
    public Task StopClusterAsync(string mode = "immediate") => PgAsync("pg_ctl", ["-D", DataDirectory, "-w", "-m", mode, "stop"]);

    /// <summary>Creates a fresh, uniquely named database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "mm")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        await using var connection = new Npgsql.NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Timeout=15";
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopClusterAsync(); } catch (InvalidOperationException) { }
        Npgsql.NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task PgAsync(string tool, string[] arguments)
    {
        var path = Path.Combine(_bin, tool);
        return _asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("MATCHMAKER_PG_BIN") is { Length: > 0 } configured) candidates.Add(configured);
        candidates.AddRange(new[] { "17", "16", "15", "14" }.Select(v => $"/usr/lib/postgresql/{v}/bin"));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the Debian package postgresql (15 or " +
                "later) or set MATCHMAKER_PG_BIN.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One cluster per test class that asks for it (xunit class fixture).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
