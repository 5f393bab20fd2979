using Matchmaker.Engine.Graph.Neo4j;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>Builds the adapter the way the service does: configuration section, AddNeo4jGraphStore, resilience handler.</summary>
internal static class Neo4jTestStores
{
    public static Neo4jGraphStore Create(Uri baseUrl, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["BaseUrl"] = baseUrl.ToString(),
            ["User"] = "neo4j",
            ["Password"] = "verysecret",
            ["RetryDelay"] = "00:00:00.010",
            ["MaxRetryAttempts"] = "2",
            ["RequestTimeout"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        return Build(values).GetRequiredService<Neo4jGraphStore>();
    }

    public static ServiceProvider Build(IDictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddNeo4jGraphStore(configuration);
        return services.BuildServiceProvider();
    }
}
