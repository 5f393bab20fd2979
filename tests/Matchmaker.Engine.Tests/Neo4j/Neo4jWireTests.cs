using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using static Matchmaker.Engine.Tests.Neo4j.Exchange;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>
/// The adapter against recorded Query API exchanges served by a real HTTP listener on loopback: the exact Cypher,
/// parameters and headers it sends, and how it reads Neo4j's documented answers and errors.
/// </summary>
public sealed class Neo4jWireTests
{
    private static Organization Org(string id) => TestData.Org(id);

    /// <summary>The row <see cref="TestData.Org"/> becomes: every stored property, nulls left out, plus searchText.</summary>
    private static string OrgRow(string id) => $$"""
        {"id": "{{id}}", "nameZh": "测试科技有限公司", "nameEn": "Test Technology Co.", "aliases": [], "kind": "enterprise",
         "city": "hangzhou", "sectors": ["new-materials"], "subFields": [], "capabilities": ["pilot-production"],
         "needs": ["venture-funding"], "description": "测试 / test", "employees": 50, "illustrative": false,
         "searchText": "测试科技有限公司\u001ftest technology co."}
        """;

    /// <summary>An organization as the map projection returns it (absent properties come back as null).</summary>
    private static string OrgMap(string id) => $$"""
        {"id": "{{id}}", "nameZh": "测试科技有限公司", "nameEn": "Test Technology Co.", "aliases": [], "kind": "enterprise",
         "city": "hangzhou", "sectors": ["new-materials"], "subFields": [], "capabilities": ["pilot-production"],
         "needs": ["venture-funding"], "description": "测试 / test", "employees": 50, "illustrative": false}
        """;

    [Fact]
    public async Task Upsert_organization_sends_one_parameterized_merge_with_basic_auth()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-a")}}]}""", "[]", "[]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        await store.UpsertOrganizationAsync(Org("org-a"));

        server.AssertAllExchanged();
        var request = Assert.Single(server.Received);
        RecordedNeo4jServer.AssertBody(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-a")}}]}""", request.Body);
        Assert.Equal("Basic bmVvNGo6dmVyeXNlY3JldA==", request.Header("authorization"));
    }

    [Fact]
    public async Task Bearer_token_is_sent_instead_of_basic_credentials()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.GetOrganization, """{"id": "org-a"}""", """["organization"]""", "[]"));
        var store = Neo4jTestStores.Create(server.BaseUrl, new Dictionary<string, string?>
        {
            ["User"] = null, ["Password"] = null, ["BearerToken"] = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        });

        Assert.Null(await store.GetOrganizationAsync("org-a"));

        Assert.Equal("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", Assert.Single(server.Received).Header("authorization"));
    }

    [Fact]
    public async Task Get_organization_reads_the_documented_result_shape()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.GetOrganization, """{"id": "org-a"}""", """["organization"]""", $"[[{OrgMap("org-a")}]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var read = await store.GetOrganizationAsync("org-a");

        server.AssertAllExchanged();
        Assert.NotNull(read);
        var expected = Org("org-a");
        Assert.Equal((expected.Id, expected.NameZh, expected.NameEn, expected.Kind, expected.City, expected.Employees, expected.Description),
            (read.Id, read.NameZh, read.NameEn, read.Kind, read.City, read.Employees, read.Description));
        Assert.Equal(expected.Capabilities, read.Capabilities);
        Assert.Equal(expected.Needs, read.Needs);
    }

    [Fact]
    public async Task Search_sends_every_filter_as_a_parameter_and_pages_by_id()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.SearchOrganizations,
                """{"after": "org-a", "text": "o'brien % _", "kind": "university", "city": null, "sector": "new-materials", "subField": null, "limit": 2}""",
                """["organization"]""", $"[[{OrgMap("org-b")}], [{OrgMap("org-c")}]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var page = await store.SearchOrganizationsAsync(new OrganizationQuery
        {
            Text = "  O'Brien % _ ", Kind = OrganizationKind.University, Sector = "new-materials", After = "org-a", Limit = 1,
        });

        server.AssertAllExchanged();
        Assert.Equal(["org-b"], page.Items.Select(o => o.Id));
        Assert.Equal("org-b", page.NextCursor);
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_as_unavailable_with_a_clear_message_and_not_retried()
    {
        await using var server = RecordedNeo4jServer.Start(
            QueryStatus(PinnedCypher.GetOrganization, """{"id": "org-a"}""", 401,
                Error("Neo.ClientError.Security.Unauthorized", "Invalid username or password.")));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.GetOrganizationAsync("org-a"));

        server.AssertAllExchanged();
        Assert.Contains("credentials were refused for user 'neo4j'", error.Message);
        Assert.Contains("Invalid username or password.", error.Message);
        Assert.Equal("Neo.ClientError.Security.Unauthorized", Assert.IsType<Neo4jException>(error.InnerException).Code);
    }

    [Theory]
    [InlineData(202)] // as the Query API documents: errors travel in the body of a 202
    [InlineData(400)] // servers that derive the HTTP status from the GQL status (2025.11 and later)
    public async Task Syntax_error_is_a_bug_that_names_the_statement(int status)
    {
        const string message = "Invalid input 'RETRUN': expected 'RETURN' (line 2, column 1 (offset: 38))";
        await using var server = RecordedNeo4jServer.Start(
            QueryError(PinnedCypher.GetOrganization, """{"id": "org-a"}""", "Neo.ClientError.Statement.SyntaxError", message, status));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<Neo4jException>(() => store.GetOrganizationAsync("org-a"));

        server.AssertAllExchanged();
        Assert.Equal("organization.get", error.StatementName);
        Assert.Equal("Neo.ClientError.Statement.SyntaxError", error.Code);
        Assert.Equal("ClientError", error.Classification);
        Assert.Equal($"Neo4j refused the statement 'organization.get' with Neo.ClientError.Statement.SyntaxError: {message}", error.Message);
    }

    [Fact]
    public async Task Transient_error_is_retried_with_backoff_then_succeeds()
    {
        var parameters = """{"id": "org-a"}""";
        await using var server = RecordedNeo4jServer.Start(
            QueryError(PinnedCypher.GetOrganization, parameters, "Neo.TransientError.General.DatabaseUnavailable",
                "The database is not currently available to serve your request."),
            QueryError(PinnedCypher.GetOrganization, parameters, "Neo.TransientError.Transaction.DeadlockDetected", "ForsetiClient[2] can't acquire ExclusiveLock."),
            Query(PinnedCypher.GetOrganization, parameters, """["organization"]""", $"[[{OrgMap("org-a")}]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var read = await store.GetOrganizationAsync("org-a");

        server.AssertAllExchanged();
        Assert.Equal("org-a", read!.Id);
        Assert.Equal(3, server.Received.Count);
    }

    [Fact]
    public async Task Transient_error_that_outlasts_the_retries_is_reported_as_unavailable()
    {
        var parameters = """{"id": "org-a"}""";
        var busy = QueryError(PinnedCypher.GetOrganization, parameters, "Neo.TransientError.General.DatabaseUnavailable",
            "The database is not currently available to serve your request.");
        await using var server = RecordedNeo4jServer.Start(busy, busy, busy);
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.GetOrganizationAsync("org-a"));

        server.AssertAllExchanged();
        Assert.Equal(3, server.Received.Count); // the first attempt and MaxRetryAttempts = 2 retries
        Assert.Contains("transient failure running 'organization.get'", error.Message);
        Assert.Equal("Neo.TransientError.General.DatabaseUnavailable", Assert.IsType<Neo4jException>(error.InnerException).Code);
    }

    [Fact]
    public async Task Service_unavailable_is_retried_then_succeeds()
    {
        var parameters = """{"id": "org-a"}""";
        await using var server = RecordedNeo4jServer.Start(
            QueryStatus(PinnedCypher.DeleteOrganization, parameters, 503),
            Query(PinnedCypher.DeleteOrganization, parameters, """["deleted"]""", "[[1]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        Assert.True(await store.DeleteOrganizationAsync("org-a"));

        server.AssertAllExchanged();
    }

    [Fact]
    public async Task A_delete_is_not_repeated_after_a_gateway_timeout_because_it_may_have_run()
    {
        await using var server = RecordedNeo4jServer.Start(
            QueryStatus(PinnedCypher.DeleteOrganization, """{"id": "org-a"}""", 504));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.DeleteOrganizationAsync("org-a"));

        server.AssertAllExchanged();
        Assert.Contains("HTTP 504", error.Message);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_reported_as_unavailable()
    {
        var store = Neo4jTestStores.Create(new Uri($"http://127.0.0.1:{RecordedNeo4jServer.FreePort()}/"));

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.CountAsync());

        Assert.Contains("cannot be reached (connection refused or failed) while running 'graph.count'", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Constraint_violation_is_a_conflict()
    {
        await using var server = RecordedNeo4jServer.Start(
            QueryError(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-a")}}]}""", "Neo.ClientError.Schema.ConstraintValidationFailed",
                "Node(42) already exists with label `Organization` and property `id` = 'org-a'"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphConflictException>(() => store.UpsertOrganizationAsync(Org("org-a")));

        server.AssertAllExchanged();
        Assert.Contains("'organization.upsert' conflicts", error.Message);
        Assert.Equal("Neo.ClientError.Schema.ConstraintValidationFailed", Assert.IsType<Neo4jException>(error.InnerException).Code);
    }

    [Fact]
    public async Task Import_runs_in_one_explicit_transaction_in_bounded_batches_echoing_the_affinity_header()
    {
        var orgs = Enumerable.Range(1, 5).Select(i => Org($"org-{i}")).ToList();
        var project = TestData.Project("prj-1", 2023, ("org-1", ConsortiumRole.Industry), ("org-2", ConsortiumRole.Academia), ("org-x", ConsortiumRole.Finance));
        var ties = new[] { new Tie("org-3", "org-1", TieType.HostedBy, 2021), new Tie("org-x", "org-2", TieType.InvestedIn) };
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": ["org-x"]}""", """["missing"]""", "[[[]]]"),
            InTransaction(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-1")}}, {{OrgRow("org-2")}}]}""", "[]", "[]"),
            InTransaction(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-3")}}, {{OrgRow("org-4")}}]}""", "[]", "[]"),
            InTransaction(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-5")}}]}""", "[]", "[]"),
            InTransaction(PinnedCypher.UpsertProjects, """
                {"rows": [{"id": "prj-1", "title": "测试项目 / Test project", "year": 2023, "sector": "new-materials", "members": [
                  {"org": "org-1", "role": "industry", "ordinal": 0}, {"org": "org-2", "role": "academia", "ordinal": 1},
                  {"org": "org-x", "role": "finance", "ordinal": 2}]}]}
                """, """["written"]""", "[[3]]"),
            InTransaction(PinnedCypher.UpsertHostedBy, """{"rows": [{"from": "org-3", "to": "org-1", "year": 2021}]}""", """["written"]""", "[[1]]"),
            InTransaction(PinnedCypher.UpsertInvestedIn, """{"rows": [{"from": "org-x", "to": "org-2"}]}""", """["written"]""", "[[1]]"),
            Commit());
        var store = Neo4jTestStores.Create(server.BaseUrl, new Dictionary<string, string?> { ["BatchSize"] = "2" });

        var summary = await store.ImportAsync(new GraphBatch(orgs, [project], ties));

        server.AssertAllExchanged();
        Assert.Equal(new ImportSummary(5, 1, 2), summary);
        Assert.Equal(
            ["/db/neo4j/query/v2/tx", .. Enumerable.Repeat("/db/neo4j/query/v2/tx/lyU", 6), "/db/neo4j/query/v2/tx/lyU/commit"],
            server.Received.Select(r => r.Path));
        RecordedNeo4jServer.AssertBody(PinnedCypher.UpsertHostedBy, """{"rows": [{"from": "org-3", "to": "org-1", "year": 2021}]}""", server.Received[5].Body);
    }

    [Fact]
    public async Task Import_with_an_unknown_reference_rolls_back_and_names_the_row_and_field()
    {
        var a = Org("org-a");
        var project = TestData.Project("prj-1", 2022, ("org-a", ConsortiumRole.Industry), ("ghost", ConsortiumRole.Research));
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": ["ghost"]}""", """["missing"]""", """[[["ghost"]]]"""),
            Rollback());
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphImportException>(() => store.ImportAsync(new GraphBatch([a], [project], [])));

        server.AssertAllExchanged();
        var only = Assert.Single(error.Errors);
        Assert.Equal(("projects", 0, "members[1].org"), (only.Section, only.Row, only.Field));
        Assert.Contains("'ghost' does not exist", only.Reason);
        Assert.Equal("DELETE", server.Received[^1].Method);
    }

    [Fact]
    public async Task A_bad_batch_rolls_the_whole_transaction_back_and_stops()
    {
        var orgs = Enumerable.Range(1, 5).Select(i => Org($"org-{i}")).ToList();
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": []}""", """["missing"]""", "[[[]]]"),
            InTransaction(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-1")}}, {{OrgRow("org-2")}}]}""", "[]", "[]"),
            InTransactionError(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-3")}}, {{OrgRow("org-4")}}]}""",
                "Neo.ClientError.Schema.ConstraintValidationFailed", "Node(7) already exists with label `Organization` and property `id` = 'org-3'"),
            Rollback());
        var store = Neo4jTestStores.Create(server.BaseUrl, new Dictionary<string, string?> { ["BatchSize"] = "2" });

        await Assert.ThrowsAsync<GraphConflictException>(() => store.ImportAsync(new GraphBatch(orgs, [], [])));

        server.AssertAllExchanged();
        Assert.DoesNotContain(server.Received, r => r.Path.EndsWith("/commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_error_inside_a_transaction_is_not_retried_there()
    {
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": []}""", """["missing"]""", "[[[]]]"),
            InTransactionError(PinnedCypher.UpsertOrganizations, $$"""{"rows": [{{OrgRow("org-1")}}]}""",
                "Neo.TransientError.Transaction.DeadlockDetected", "ForsetiClient[3] can't acquire ExclusiveLock."),
            Rollback());
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.ImportAsync(new GraphBatch([Org("org-1")], [], [])));

        server.AssertAllExchanged();
        Assert.Contains("Neo.TransientError.Transaction.DeadlockDetected", error.Message);
    }

    [Fact]
    public async Task A_reference_deleted_between_check_and_write_is_a_conflict()
    {
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": ["org-a", "org-b"]}""", """["missing"]""", "[[[]]]"),
            InTransaction(PinnedCypher.UpsertFinancedBy, """{"rows": [{"from": "org-a", "to": "org-b", "year": 2020}]}""", """["written"]""", "[[0]]"),
            Rollback());
        var store = Neo4jTestStores.Create(server.BaseUrl);

        await Assert.ThrowsAsync<GraphConflictException>(() => store.UpsertTieAsync(new Tie("org-a", "org-b", TieType.FinancedBy, 2020)));

        server.AssertAllExchanged();
    }

    [Fact]
    public async Task Ties_are_listed_in_both_directions_and_deleted_by_their_relationship_type()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.GetTies, """{"id": "org-a"}""", """["from", "to", "type", "year"]""",
                """[["org-a", "org-b", "FINANCED_BY", 2020], ["org-c", "org-a", "INVESTED_IN", null]]"""),
            Query(PinnedCypher.DeleteFinancedBy, """{"from": "org-a", "to": "org-b"}""", """["deleted"]""", "[[1]]"),
            Query(PinnedCypher.DeleteFinancedBy, """{"from": "org-a", "to": "org-b"}""", """["deleted"]""", "[[0]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var ties = await store.GetTiesAsync("org-a");
        var deleted = await store.DeleteTieAsync("org-a", "org-b", TieType.FinancedBy);
        var deletedAgain = await store.DeleteTieAsync("org-a", "org-b", TieType.FinancedBy);

        server.AssertAllExchanged();
        Assert.Equal([new Tie("org-a", "org-b", TieType.FinancedBy, 2020), new Tie("org-c", "org-a", TieType.InvestedIn)], ties);
        Assert.True(deleted);
        Assert.False(deletedAgain);
    }

    [Fact]
    public async Task Export_pages_by_id_so_that_no_response_holds_the_whole_graph()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.ExportOrganizations, """{"after": "", "pageSize": 2}""", """["organization"]""", $"[[{OrgMap("org-1")}], [{OrgMap("org-2")}]]"),
            Query(PinnedCypher.ExportOrganizations, """{"after": "org-2", "pageSize": 2}""", """["organization"]""", $"[[{OrgMap("org-3")}], [{OrgMap("org-4")}]]"),
            Query(PinnedCypher.ExportOrganizations, """{"after": "org-4", "pageSize": 2}""", """["organization"]""", $"[[{OrgMap("org-5")}]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl, new Dictionary<string, string?> { ["ExportPageSize"] = "2" });

        var ids = new List<string>();
        await foreach (var o in store.ExportOrganizationsAsync()) ids.Add(o.Id);

        server.AssertAllExchanged();
        Assert.Equal(["org-1", "org-2", "org-3", "org-4", "org-5"], ids);
    }

    [Fact]
    public async Task Tie_export_continues_after_the_last_from_to_type_key()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.ExportTies, """{"afterFrom": "", "afterTo": "", "afterType": "", "pageSize": 2}""",
                """["from", "to", "type", "year"]""", """[["org-a", "org-b", "FINANCED_BY", 2020], ["org-a", "org-b", "HOSTED_BY", null]]"""),
            Query(PinnedCypher.ExportTies, """{"afterFrom": "org-a", "afterTo": "org-b", "afterType": "HOSTED_BY", "pageSize": 2}""",
                """["from", "to", "type", "year"]""", """[["org-c", "org-a", "INVESTED_IN", 2024]]"""));
        var store = Neo4jTestStores.Create(server.BaseUrl, new Dictionary<string, string?> { ["ExportPageSize"] = "2" });

        var ties = new List<Tie>();
        await foreach (var t in store.ExportTiesAsync()) ties.Add(t);

        server.AssertAllExchanged();
        Assert.Equal(
            [new Tie("org-a", "org-b", TieType.FinancedBy, 2020), new Tie("org-a", "org-b", TieType.HostedBy), new Tie("org-c", "org-a", TieType.InvestedIn, 2024)],
            ties);
    }

    [Fact]
    public async Task Project_export_skips_projects_without_members_and_keeps_member_order()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.ExportProjects, """{"after": "", "pageSize": 1000}""",
                """["id", "title", "year", "sector", "subField", "summary", "keywords", "topicCodes", "topicTitles", "members"]""", """
                [["prj-1", null, 2021, "new-energy-vehicles", "power-batteries", null, null, null, null,
                  [{"org": "org-b", "role": "industry"}, {"org": "org-a", "role": "academia"}]],
                 ["prj-2", "empty", 2022, "new-materials", null, null, null, null, null, []]]
                """));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var projects = new List<Project>();
        await foreach (var p in store.ExportProjectsAsync()) projects.Add(p);

        server.AssertAllExchanged();
        var only = Assert.Single(projects);
        Assert.Equal(("prj-1", null, 2021, "power-batteries"), (only.Id, only.Title, only.Year, only.SubField));
        Assert.Equal([new ProjectMember("org-b", ConsortiumRole.Industry), new ProjectMember("org-a", ConsortiumRole.Academia)], only.Members);
    }

    [Fact]
    public async Task Project_texts_are_written_as_node_properties_and_read_back()
    {
        var project = new Project("prj-t", "碳纤维回收 / Recycling carbon fibre", 2024, "new-materials", "carbon-fibre",
            [new ProjectMember("org-a", ConsortiumRole.Industry), new ProjectMember("org-b", ConsortiumRole.Academia)],
            summary: "热解回收碳纤维。 / Pyrolysis recovers carbon fibre.", keywords: ["碳纤维", "recycling"],
            topics: [new ProjectTopic("HORIZON-CL4-2023-RESILIENCE-01-03", "Circular composites"), new ProjectTopic("G60-NM-2024-07")]);
        const string row = """
            {"rows": [{"id": "prj-t", "title": "碳纤维回收 / Recycling carbon fibre", "year": 2024, "sector": "new-materials", "subField": "carbon-fibre",
              "summary": "热解回收碳纤维。 / Pyrolysis recovers carbon fibre.", "keywords": ["碳纤维", "recycling"],
              "topicCodes": ["HORIZON-CL4-2023-RESILIENCE-01-03", "G60-NM-2024-07"], "topicTitles": ["Circular composites", ""],
              "members": [{"org": "org-a", "role": "industry", "ordinal": 0}, {"org": "org-b", "role": "academia", "ordinal": 1}]}]}
            """;
        await using var server = RecordedNeo4jServer.Start(
            Begin(PinnedCypher.MissingOrganizations, """{"ids": ["org-a", "org-b"]}""", """["missing"]""", "[[[]]]"),
            InTransaction(PinnedCypher.UpsertProjects, row, """["written"]""", "[[2]]"),
            Commit(),
            Query(PinnedCypher.GetProject, """{"id": "prj-t"}""",
                """["id", "title", "year", "sector", "subField", "summary", "keywords", "topicCodes", "topicTitles", "members"]""", """
                [["prj-t", "碳纤维回收 / Recycling carbon fibre", 2024, "new-materials", "carbon-fibre",
                  "热解回收碳纤维。 / Pyrolysis recovers carbon fibre.", ["碳纤维", "recycling"],
                  ["HORIZON-CL4-2023-RESILIENCE-01-03", "G60-NM-2024-07"], ["Circular composites", ""],
                  [{"org": "org-a", "role": "industry"}, {"org": "org-b", "role": "academia"}]]]
                """));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        await store.UpsertProjectAsync(project);
        var read = await store.GetProjectAsync("prj-t");

        server.AssertAllExchanged();
        RecordedNeo4jServer.AssertBody(PinnedCypher.UpsertProjects, row, server.Received[1].Body);
        RecordedNeo4jServer.AssertBody(PinnedCypher.GetProject, """{"id": "prj-t"}""", server.Received[3].Body);
        Assert.NotNull(read);
        Assert.Equal("热解回收碳纤维。 / Pyrolysis recovers carbon fibre.", read.Summary);
        Assert.Equal(["碳纤维", "recycling"], read.Keywords);
        Assert.Equal([new ProjectTopic("HORIZON-CL4-2023-RESILIENCE-01-03", "Circular composites"), new ProjectTopic("G60-NM-2024-07")], read.Topics);
    }

    [Fact]
    public async Task Initialize_applies_every_statement_of_the_schema_file_then_waits_for_indexes()
    {
        await using var server = RecordedNeo4jServer.Start(
        [
            .. PinnedCypher.Schema.Select(s => Query(s, "{}", "[]", "[]")),
            Query(PinnedCypher.AwaitIndexes, """{"timeoutSeconds": 10}""", "[]", "[]"),
        ]);
        var store = Neo4jTestStores.Create(server.BaseUrl);

        await store.InitializeAsync();

        server.AssertAllExchanged();
    }

    [Fact]
    public async Task Verify_reports_a_healthy_server_with_its_version()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.Ping, "{}", """["name", "version", "edition"]""", """[["Neo4j Kernel", "5.26.0", "enterprise"]]"""));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var verification = await store.VerifyAsync();

        server.AssertAllExchanged();
        Assert.True(verification.IsHealthy, verification.Message);
        Assert.Equal("5.26.0", verification.ServerVersion);
    }

    [Fact]
    public async Task Verify_explains_wrong_credentials()
    {
        await using var server = RecordedNeo4jServer.Start(
            QueryStatus(PinnedCypher.Ping, "{}", 401, Error("Neo.ClientError.Security.Unauthorized", "Invalid username or password.")));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var verification = await store.VerifyAsync();

        Assert.False(verification.IsHealthy);
        Assert.Contains("credentials were refused for user 'neo4j'", verification.Message);
    }

    [Fact]
    public async Task Verify_explains_an_unreachable_server()
    {
        var store = Neo4jTestStores.Create(new Uri($"http://127.0.0.1:{RecordedNeo4jServer.FreePort()}/"));

        var verification = await store.VerifyAsync();

        Assert.False(verification.IsHealthy);
        Assert.Contains("cannot be reached", verification.Message);
    }

    [Fact]
    public async Task Verify_refuses_a_server_without_explicit_transactions()
    {
        await using var server = RecordedNeo4jServer.Start(
            Query(PinnedCypher.Ping, "{}", """["name", "version", "edition"]""", """[["Neo4j Kernel", "5.20.0", "community"]]"""));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var verification = await store.VerifyAsync();

        Assert.False(verification.IsHealthy);
        Assert.Contains("too old", verification.Message);
    }

    [Fact]
    public async Task The_readiness_probe_asks_for_one_row_and_counts_nothing()
    {
        await using var server = RecordedNeo4jServer.Start(Query(PinnedCypher.Probe, "{}", """["one"]""", "[[1]]"));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        await store.PingAsync();

        server.AssertAllExchanged();
        var request = Assert.Single(server.Received);
        RecordedNeo4jServer.AssertBody(PinnedCypher.Probe, "{}", request.Body);
    }

    [Fact]
    public async Task A_probe_the_server_cannot_answer_is_an_unavailable_store()
    {
        await using var server = RecordedNeo4jServer.Start(QueryStatus(PinnedCypher.Probe, "{}", 404));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.PingAsync());

        Assert.Contains("has no Query API", error.Message);
    }

    [Fact]
    public async Task A_server_without_the_query_api_is_explained()
    {
        await using var server = RecordedNeo4jServer.Start(QueryStatus(PinnedCypher.Count, "{}", 404));
        var store = Neo4jTestStores.Create(server.BaseUrl);

        var error = await Assert.ThrowsAsync<GraphStoreUnavailableException>(() => store.CountAsync());

        Assert.Contains("has no Query API", error.Message);
    }
}
