using System.Diagnostics;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Matchmaker.Tests.Shared;
using static Matchmaker.Engine.Tests.Neo4j.Exchange;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>Each Query API call is a client span named after its statement, with the server and database and never a credential.</summary>
public sealed class Neo4jTracingTests
{
    private const string Password = "verysecret";
    private const string BasicCredentials = "bmVvNGo6dmVyeXNlY3JldA==";

    [Fact]
    public async Task A_call_is_a_client_span_named_after_its_statement_and_a_refusal_marks_it_failed()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.GetOrganization, """{"id": "org-a"}""", """["organization"]""", "[]"),
            QueryStatus(PinnedCypher.GetOrganization, """{"id": "org-b"}""", 401,
                Error("Neo.ClientError.Security.Unauthorized", "Invalid username or password.")));
        var store = Neo4jTestStores.Create(server.BaseUrl);
        using var spans = new CollectedActivities();

        Assert.Null(await store.GetOrganizationAsync("org-a"));
        await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.GetOrganizationAsync("org-b"));

        // Other tests' stores run beside this one: this server's spans only.
        var ours = spans.Stopped.Where(a => a.GetTagItem("server.port") is int port && port == server.BaseUrl.Port).ToList();
        Assert.Equal(2, ours.Count);
        Assert.All(ours, span =>
        {
            Assert.Equal("neo4j organization.get", span.OperationName);
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("neo4j", span.GetTagItem("db.system.name"));
            Assert.Equal("neo4j", span.GetTagItem("db.namespace"));
            Assert.Equal("organization.get", span.GetTagItem("db.operation.name"));
            Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
            var text = string.Join("\n", span.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(span.StatusDescription ?? "").Append(span.DisplayName));
            Assert.DoesNotContain(Password, text);
            Assert.DoesNotContain(BasicCredentials, text);
            Assert.DoesNotContain("org-a", text); // parameters stay out
        });
        Assert.Equal(ActivityStatusCode.Unset, ours[0].Status);
        Assert.Equal(ActivityStatusCode.Error, ours[1].Status);
        Assert.Equal(nameof(GraphStoreUnavailableException), ours[1].GetTagItem("error.type"));
    }
}
