using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

public sealed class OrganizationsApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _client = factory.CreateAdminClient();

    private static string NewId() => $"api-{Guid.NewGuid():N}";

    private static object NewOrganization(string id, string nameZh = "嘉兴测试复合材料有限公司", string kind = "enterprise") => new
    {
        id,
        nameZh,
        nameEn = "Jiaxing Test Composites Co.",
        aliases = new[] { "测试复材" },
        kind,
        city = "jiaxing",
        sectors = new[] { "new-materials" },
        subFields = new[] { "carbon-fibre" },
        capabilities = new[] { "pilot-production" },
        needs = new[] { "venture-funding" },
        description = "碳纤维复合材料中试 / carbon fibre composites pilot production",
        employees = 120,
    };

    private async Task<long> CountOrganizationsAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM organizations";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.DoesNotContain("   at ", problem.GetRawText());
        return problem;
    }

    [Theory]
    [InlineData("同济")]
    [InlineData("Tongji")]
    public async Task First_start_loads_the_demo_graph_and_search_finds_seed_organizations(string query)
    {
        var page = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations?q={Uri.EscapeDataString(query)}");

        var names = page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("nameZh").GetString()).ToList();
        Assert.Contains("同济大学汽车学院", names);
    }

    [Fact]
    public async Task Search_filters_by_kind_sector_and_city_and_pages_with_a_cursor()
    {
        var first = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations?sector=new-energy-vehicles&kind=enterprise&limit=3");
        var items = first.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, o =>
        {
            Assert.Equal("enterprise", o.GetProperty("kind").GetString());
            Assert.Contains("new-energy-vehicles", o.GetProperty("sectors").EnumerateArray().Select(s => s.GetString()));
        });
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations?sector=new-energy-vehicles&kind=enterprise&limit=3&cursor={cursor}");
        var secondIds = second.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()).ToList();
        Assert.NotEmpty(secondIds);
        Assert.All(secondIds, id => Assert.True(string.CompareOrdinal(id, items[^1].GetProperty("id").GetString()) > 0));

        var inCity = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations?city=hefei&limit=200");
        Assert.All(inCity.GetProperty("items").EnumerateArray(), o => Assert.Equal("hefei", o.GetProperty("city").GetString()));
    }

    [Theory]
    [InlineData("kind=bogus", "kind")]
    [InlineData("sector=agriculture", "sector")]
    [InlineData("subField=warp-drive", "subField")]
    [InlineData("city=paris", "city")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=100000", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    public async Task Search_rejects_bad_parameters_with_the_field_named(string query, string field)
    {
        var response = await _client.GetAsync($"/api/v1/organizations?{query}");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Organization_can_be_created_read_replaced_and_deleted()
    {
        var id = NewId();
        var created = await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith($"/api/v1/organizations/{id}", created.Headers.Location!.ToString());

        var read = await _client.GetFromJsonAsync<OrganizationRecord>($"/api/v1/organizations/{id}");
        Assert.Equal("嘉兴测试复合材料有限公司", read!.NameZh);

        var replaced = await _client.PutAsJsonAsync($"/api/v1/organizations/{id}", NewOrganization(id, nameZh: "嘉兴新名称有限公司"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("嘉兴新名称有限公司", (await _client.GetFromJsonAsync<OrganizationRecord>($"/api/v1/organizations/{id}"))!.NameZh);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/organizations/{id}")).StatusCode);
        await ProblemAsync(await _client.GetAsync($"/api/v1/organizations/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await _client.DeleteAsync($"/api/v1/organizations/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_a_conflict_and_changes_nothing()
    {
        var id = NewId();
        await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, nameZh: "原名称"));

        var response = await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, nameZh: "另一个名称"));

        await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("原名称", (await _client.GetFromJsonAsync<OrganizationRecord>($"/api/v1/organizations/{id}"))!.NameZh);
    }

    [Fact]
    public async Task Put_with_a_different_id_in_the_body_is_refused()
    {
        var response = await _client.PutAsJsonAsync($"/api/v1/organizations/{NewId()}", NewOrganization(NewId()));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Unknown_kind_is_a_validation_problem_naming_the_field()
    {
        var id = NewId();
        var before = await CountOrganizationsAsync();

        var response = await _client.PostAsJsonAsync("/api/v1/organizations", NewOrganization(id, kind: "spaceship"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("spaceship", problem.GetProperty("errors").GetProperty("kind")[0].GetString());
        Assert.Equal(before, await CountOrganizationsAsync());
    }

    [Theory]
    [InlineData("{\"id\": \"x\", ")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"id\": 12}")]
    [InlineData("{\"id\":\"a\",\"id\":\"b\",\"kind\":\"enterprise\",\"city\":\"hangzhou\",\"nameZh\":\"重复\"}")]
    public async Task Malformed_json_is_a_bad_request_and_changes_nothing(string body)
    {
        var before = await CountOrganizationsAsync();

        var response = await _client.PostAsync("/api/v1/organizations", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(before, await CountOrganizationsAsync());
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var response = await _client.PostAsync("/api/v1/organizations", new StringContent("id=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);

        var import = await _client.PostAsync("/api/v1/organizations/import", new StringContent("<xml/>", Encoding.UTF8, "application/xml"));
        await ProblemAsync(import, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Json_import_writes_organizations_projects_and_ties()
    {
        string a = NewId(), b = NewId(), p = NewId();
        var body = new
        {
            organizations = new[] { NewOrganization(a), NewOrganization(b, kind: "university") },
            projects = new[] { new { id = p, year = 2024, sector = "new-materials", members = new[] { new { org = a, role = "产" }, new { org = b, role = "academia" } } } },
            ties = new[] { new { from = a, to = "zju-science-park", type = "hosted-by", year = 2023 } },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 1, 1), (summary.GetProperty("organizations").GetInt32(), summary.GetProperty("projects").GetInt32(), summary.GetProperty("ties").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/api/v1/organizations/{b}")).StatusCode);
    }

    [Fact]
    public async Task Json_import_keeps_project_texts_for_export_and_the_snapshot()
    {
        string a = NewId(), b = NewId(), p = NewId();
        var body = new
        {
            organizations = new[] { NewOrganization(a), NewOrganization(b, kind: "university") },
            projects = new[]
            {
                new
                {
                    id = p, title = "碳纤维回收 / Recycling carbon fibre", year = 2024, sector = "new-materials",
                    summary = "热解回收碳纤维并再制造汽车部件。 / Pyrolysis recovers carbon fibre for car parts.",
                    keywords = new[] { "碳纤维回收", "pyrolysis" },
                    topics = new object[] { new { code = "HORIZON-CL4-2023-RESILIENCE-01-03", title = "Circular composites" }, new { code = "G60-NM-2024-07" } },
                    members = new[] { new { org = a, role = "industry" }, new { org = b, role = "academia" } },
                },
            },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var store = factory.Services.GetRequiredService<IGraphStore>();
        Project? exported = null;
        await foreach (var project in store.ExportProjectsAsync()) if (project.Id == p) exported = project;
        Assert.NotNull(exported);
        Assert.Equal("热解回收碳纤维并再制造汽车部件。 / Pyrolysis recovers carbon fibre for car parts.", exported.Summary);
        Assert.Equal(["碳纤维回收", "pyrolysis"], exported.Keywords);
        Assert.Equal([new ProjectTopic("HORIZON-CL4-2023-RESILIENCE-01-03", "Circular composites"), new ProjectTopic("G60-NM-2024-07")], exported.Topics);
        var snapshot = await GraphSnapshot.BuildAsync(store);
        var text = snapshot.ProjectTexts[snapshot.ProjectIndexOf(p)];
        Assert.NotNull(text);
        Assert.Equal("碳纤维回收 / Recycling carbon fibre", text.Title);
        Assert.Equal(["HORIZON-CL4-2023-RESILIENCE-01-03", "G60-NM-2024-07"], text.TopicCodes);
        Assert.Equal(["Circular composites", null], text.TopicTitles);
    }

    [Fact]
    public async Task Import_refuses_a_project_with_a_bad_topic_and_writes_nothing()
    {
        string a = NewId(), p = NewId();
        var body = new
        {
            organizations = new[] { NewOrganization(a) },
            projects = new[] { new { id = p, year = 2024, sector = "new-materials", topics = new[] { new { code = "has spaces" } },
                members = new[] { new { org = a, role = "industry" } } } },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("projects[0].topics[0].code", out _), problem.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/organizations/{a}")).StatusCode);
    }

    [Fact]
    public async Task Import_with_one_bad_row_writes_no_row_and_names_each_bad_row()
    {
        string good = NewId(), bad = NewId(), alsoBad = NewId();
        var before = await CountOrganizationsAsync();
        var body = new
        {
            organizations = new[] { NewOrganization(good), NewOrganization(bad, kind: "castle"), new { id = alsoBad, kind = "enterprise", city = "atlantis", nameZh = "亚特兰蒂斯" } },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("organizations[1].kind", out _), errors.GetRawText());
        Assert.True(errors.TryGetProperty("organizations[2].city", out _), errors.GetRawText());
        Assert.Equal(before, await CountOrganizationsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/organizations/{good}")).StatusCode);
    }

    [Fact]
    public async Task Import_with_duplicate_ids_is_refused_whole()
    {
        var id = NewId();
        var before = await CountOrganizationsAsync();

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", new { organizations = new[] { NewOrganization(id), NewOrganization(id) } });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("organizations[1].id", out _));
        Assert.Equal(before, await CountOrganizationsAsync());
    }

    [Fact]
    public async Task Import_referencing_an_unknown_member_is_refused_whole()
    {
        var a = NewId();
        var body = new
        {
            organizations = new[] { NewOrganization(a) },
            projects = new[] { new { id = NewId(), year = 2024, sector = "new-materials",
                members = new[] { new { org = a, role = "industry" }, new { org = "nobody-here", role = "user" } } } },
        };

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("projects[0].members[1].org", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/organizations/{a}")).StatusCode);
    }

    [Fact]
    public async Task Oversized_import_is_413_and_changes_nothing()
    {
        var before = await CountOrganizationsAsync();
        var big = Enumerable.Range(0, 2000).Select(i => NewOrganization(NewId())).ToArray();

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", new { organizations = big });

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await CountOrganizationsAsync());
    }

    [Fact]
    public async Task Import_with_more_rows_than_allowed_is_413()
    {
        var rows = Enumerable.Range(0, 1001).Select(i => new { id = NewId(), kind = "enterprise", city = "wuhu", nameZh = "芜湖" }).ToArray();

        var response = await _client.PostAsJsonAsync("/api/v1/organizations/import", new { organizations = rows });

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Csv_import_reads_quoted_fields_and_lists()
    {
        string a = NewId(), b = NewId();
        var csv = $"""
        id,nameZh,nameEn,aliases,kind,city,sectors,subFields,capabilities,needs,description,employees
        {a},芜湖测试航空有限公司,"Wuhu Test Aviation, Ltd.",测试航空|WTA,enterprise,wuhu,low-altitude-economy,drones|evtol,mass-production,venture-funding,"说明 ""引号"" / quoted, with comma",300
        {b},合肥测试研究院,,,research-institute,hefei,new-energy-vehicles,,applied-research,pilot-production,,
        """;

        var response = await _client.PostAsync("/api/v1/organizations/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await _client.GetFromJsonAsync<OrganizationRecord>($"/api/v1/organizations/{a}");
        Assert.Equal("Wuhu Test Aviation, Ltd.", read!.NameEn);
        Assert.Equal(["测试航空", "WTA"], read.Aliases);
        Assert.Equal(["drones", "evtol"], read.SubFields);
        Assert.Equal("说明 \"引号\" / quoted, with comma", read.Description);
        Assert.Equal(300, read.Employees);
    }

    [Fact]
    public async Task Csv_import_with_a_bad_cell_writes_nothing()
    {
        string a = NewId(), b = NewId();
        var csv = $"id,nameZh,kind,city,employees\n{a},好公司,enterprise,wuhu,10\n{b},坏公司,enterprise,wuhu,many\n";

        var response = await _client.PostAsync("/api/v1/organizations/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("organizations[1].employees", out _), problem.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/organizations/{a}")).StatusCode);
    }

    [Fact]
    public async Task Query_looking_strings_are_plain_text()
    {
        foreach (var q in new[] { "'; DROP TABLE organizations; --", "\" OR 1=1", "MATCH (n) DETACH DELETE n", "%_\\" })
        {
            var response = await _client.GetAsync($"/api/v1/organizations?q={Uri.EscapeDataString(q)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        }
        Assert.True(await CountOrganizationsAsync() >= 100);
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        var ready = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_documents_the_organization_endpoints()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/organizations", out _));
        Assert.True(paths.TryGetProperty("/api/v1/organizations/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/v1/organizations/import", out _));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/swagger/index.html")).StatusCode);
    }
}
