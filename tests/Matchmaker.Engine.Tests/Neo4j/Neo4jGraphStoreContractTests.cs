using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Matchmaker.Engine.Tests.Graph;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>
/// Where the real Neo4j for the contract suite is: MATCHMAKER_NEO4J_URI (e.g. http://localhost:7474 or
/// https://xxxx.databases.neo4j.io), MATCHMAKER_NEO4J_USER and MATCHMAKER_NEO4J_PASSWORD, or MATCHMAKER_NEO4J_TOKEN,
/// and optionally MATCHMAKER_NEO4J_DATABASE (default neo4j).
/// </summary>
internal static class Neo4jServer
{
    public static string? Uri => Environment.GetEnvironmentVariable("MATCHMAKER_NEO4J_URI") is { Length: > 0 } uri ? uri : null;

    public const string NotConfigured =
        "MATCHMAKER_NEO4J_URI is not set: the store contract suite against a real Neo4j 5.26+ or Aura did not run "
        + "(set it, with MATCHMAKER_NEO4J_USER/MATCHMAKER_NEO4J_PASSWORD or MATCHMAKER_NEO4J_TOKEN, and run the tests).";

    private static readonly Lazy<Task<Neo4jGraphStore>> Store = new(async () =>
    {
        var settings = new Dictionary<string, string?>
        {
            ["BaseUrl"] = Uri,
            ["User"] = Environment.GetEnvironmentVariable("MATCHMAKER_NEO4J_USER"),
            ["Password"] = Environment.GetEnvironmentVariable("MATCHMAKER_NEO4J_PASSWORD"),
            ["BearerToken"] = Environment.GetEnvironmentVariable("MATCHMAKER_NEO4J_TOKEN"),
            ["Database"] = Environment.GetEnvironmentVariable("MATCHMAKER_NEO4J_DATABASE") is { Length: > 0 } db ? db : "neo4j",
        };
        var store = Neo4jTestStores.Build(settings).GetRequiredService<Neo4jGraphStore>();
        var verification = await store.VerifyAsync();
        if (!verification.IsHealthy) throw new InvalidOperationException(verification.Message);
        await store.InitializeAsync();
        return store;
    });

    /// <summary>One store for the run: the schema is applied once; tests key their own rows, so they share it.</summary>
    public static Task<Neo4jGraphStore> GetStoreAsync() => Store.Value;
}

/// <summary>Runs when MATCHMAKER_NEO4J_URI is set; skipped otherwise, saying why.</summary>
public sealed class Neo4jServerFactAttribute : FactAttribute
{
    public Neo4jServerFactAttribute()
    {
        if (Neo4jServer.Uri is null) Skip = Neo4jServer.NotConfigured;
    }
}

public sealed class Neo4jServerTests
{
    [Neo4jServerFact]
    public async Task Contract_suite_runs_against_the_configured_Neo4j_server()
    {
        var store = await Neo4jServer.GetStoreAsync();
        var verification = await store.VerifyAsync();
        Assert.True(verification.IsHealthy, verification.Message);
    }
}

/// <summary>
/// The store contract on a real Neo4j server. Not a loopback fake: recorded exchanges prove the wire, this proves the
/// store. Without MATCHMAKER_NEO4J_URI each contract test is reported as skipped, saying why.
/// </summary>
[RequiresEnvironmentVariable("MATCHMAKER_NEO4J_URI", Neo4jServer.NotConfigured)]
public sealed class Neo4jGraphStoreContractTests : GraphStoreContract
{
    protected override async Task<IGraphStore> CreateStoreAsync() => await Neo4jServer.GetStoreAsync();
}
