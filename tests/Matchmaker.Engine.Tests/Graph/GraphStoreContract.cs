using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Tests.Graph;

/// <summary>
/// The behaviour every <see cref="IGraphStore"/> adapter must have. Each adapter's test class derives from this
/// and supplies a fresh, initialized store; its facts are <see cref="ContractFactAttribute"/>s, so a derived class that needs
/// a server it cannot have reports each of them as skipped, with the reason. Tests create their own uniquely keyed rows and never assert global
/// counts, so they also run against a shared server.
/// </summary>
public abstract class GraphStoreContract
{
    protected abstract Task<IGraphStore> CreateStoreAsync();

    [ContractFact]
    public async Task Organization_round_trips_with_every_field()
    {
        var store = await CreateStoreAsync();
        var org = new Organization(TestData.NewId("org"), "东华大学材料科学与工程学院", "Donghua University MSE", OrganizationKind.University,
            "shanghai-songjiang", ["东华材料", "DHU MSE"], ["new-materials"], ["carbon-fibre"], ["carbon-fibre", "fibre-spinning"],
            ["pilot-production"], "纤维材料 / fibre materials", 900, illustrative: false);

        await store.UpsertOrganizationAsync(org);
        var read = await store.GetOrganizationAsync(org.Id);

        Assert.NotNull(read);
        Assert.Equal(org.NameZh, read.NameZh);
        Assert.Equal(org.NameEn, read.NameEn);
        Assert.Equal(org.Aliases, read.Aliases);
        Assert.Equal(org.Kind, read.Kind);
        Assert.Equal(org.City, read.City);
        Assert.Equal(org.Sectors, read.Sectors);
        Assert.Equal(org.SubFields, read.SubFields);
        Assert.Equal(org.Capabilities, read.Capabilities);
        Assert.Equal(org.Needs, read.Needs);
        Assert.Equal(org.Description, read.Description);
        Assert.Equal(org.Employees, read.Employees);
    }

    [ContractFact]
    public async Task Upsert_replaces_an_existing_organization()
    {
        var store = await CreateStoreAsync();
        var id = TestData.NewId("org");
        await store.UpsertOrganizationAsync(TestData.Org(id, nameZh: "旧名称"));
        await store.UpsertOrganizationAsync(TestData.Org(id, nameZh: "新名称", city: "suzhou"));

        var read = await store.GetOrganizationAsync(id);
        Assert.Equal("新名称", read!.NameZh);
        Assert.Equal("suzhou", read.City);
    }

    [ContractFact]
    public async Task Import_writes_organizations_projects_and_ties_that_export_reads_back()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org(kind: OrganizationKind.University); var c = TestData.Org(kind: OrganizationKind.FinancialInstitution);
        var project = TestData.Project(null, 2022, (a.Id, ConsortiumRole.Industry), (b.Id, ConsortiumRole.Academia), (c.Id, ConsortiumRole.Finance));
        var tie = new Tie(c.Id, a.Id, TieType.InvestedIn, 2023);

        var summary = await store.ImportAsync(new GraphBatch([a, b, c], [project], [tie]));

        Assert.Equal(new ImportSummary(3, 1, 1), summary);
        var exported = new List<Organization>();
        await foreach (var o in store.ExportOrganizationsAsync()) exported.Add(o);
        Assert.Contains(exported, o => o.Id == a.Id);
        Assert.Contains(exported, o => o.Id == c.Id);
        Assert.Equal(exported.Select(o => o.Id).OrderBy(x => x, StringComparer.Ordinal), exported.Select(o => o.Id));

        Project? readProject = null;
        await foreach (var p in store.ExportProjectsAsync()) if (p.Id == project.Id) readProject = p;
        Assert.NotNull(readProject);
        Assert.Equal(2022, readProject.Year);
        Assert.Equal(project.Members, readProject.Members);

        var ties = new List<Tie>();
        await foreach (var t in store.ExportTiesAsync()) ties.Add(t);
        Assert.Contains(tie, ties);
        Assert.Equal([tie], await store.GetTiesAsync(a.Id));
    }

    [ContractFact]
    public async Task Project_texts_round_trip_through_import_get_upsert_export_and_snapshot()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org(kind: OrganizationKind.University);
        var members = new[] { new ProjectMember(a.Id, ConsortiumRole.Industry), new ProjectMember(b.Id, ConsortiumRole.Academia) };
        var project = new Project(TestData.NewId("prj"), "碳纤维回收 / Recycling carbon fibre", 2024, "new-materials", "carbon-fibre", members,
            summary: "热解回收碳纤维并再制造汽车部件。\nPyrolysis recovers carbon fibre for \"second-life\" car parts.",
            keywords: ["碳纤维", "recycling", "pyrolysis"],
            topics: [new ProjectTopic("HORIZON-CL4-2023-RESILIENCE-01-03", "Circular composites"), new ProjectTopic("G60-NM-2024-07")]);
        var plain = TestData.Project(null, 2021, (a.Id, ConsortiumRole.User), (b.Id, ConsortiumRole.Academia));

        await store.ImportAsync(new GraphBatch([a, b], [project, plain], []));

        var read = await store.GetProjectAsync(project.Id);
        Assert.NotNull(read);
        Assert.Equal("碳纤维回收 / Recycling carbon fibre", read.Title);
        Assert.Equal("热解回收碳纤维并再制造汽车部件。\nPyrolysis recovers carbon fibre for \"second-life\" car parts.", read.Summary);
        Assert.Equal(["碳纤维", "recycling", "pyrolysis"], read.Keywords);
        Assert.Equal([new ProjectTopic("HORIZON-CL4-2023-RESILIENCE-01-03", "Circular composites"), new ProjectTopic("G60-NM-2024-07")], read.Topics);
        var readPlain = await store.GetProjectAsync(plain.Id);
        Assert.Null(readPlain!.Summary);
        Assert.Empty(readPlain.Keywords);
        Assert.Empty(readPlain.Topics);

        // An upsert replaces every text, including clearing ones the new version lacks.
        await store.UpsertProjectAsync(new Project(project.Id, "碳纤维回收 / Recycling carbon fibre", 2024, "new-materials", "carbon-fibre", members,
            summary: null, keywords: ["热解"], topics: [new ProjectTopic("G60-NM-2024-07", "复合材料循环利用")]));
        Project? exported = null;
        await foreach (var p in store.ExportProjectsAsync()) if (p.Id == project.Id) exported = p;
        Assert.NotNull(exported);
        Assert.Null(exported.Summary);
        Assert.Equal(["热解"], exported.Keywords);
        Assert.Equal([new ProjectTopic("G60-NM-2024-07", "复合材料循环利用")], exported.Topics);

        var snapshot = await GraphSnapshot.BuildAsync(store);
        var text = snapshot.ProjectTexts[snapshot.ProjectIndexOf(project.Id)];
        Assert.NotNull(text);
        Assert.Equal(["热解"], text.Keywords);
        Assert.Equal(["G60-NM-2024-07"], text.TopicCodes);
        Assert.Equal(["复合材料循环利用"], text.TopicTitles);
    }

    [ContractFact]
    public async Task Import_with_one_bad_row_writes_nothing_and_names_the_row_and_field()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org();
        var missing = TestData.NewId("missing");
        var good = TestData.Project(null, 2021, (a.Id, ConsortiumRole.Industry), (b.Id, ConsortiumRole.User));
        var bad = TestData.Project(null, 2022, (a.Id, ConsortiumRole.Industry), (missing, ConsortiumRole.Research));

        var error = await Assert.ThrowsAsync<GraphImportException>(() => store.ImportAsync(new GraphBatch([a, b], [good, bad], [])));

        var only = Assert.Single(error.Errors);
        Assert.Equal("projects", only.Section);
        Assert.Equal(1, only.Row);
        Assert.Equal("members[1].org", only.Field);
        Assert.Contains(missing, only.Reason);
        Assert.Null(await store.GetOrganizationAsync(a.Id));
        Assert.Null(await store.GetProjectAsync(good.Id));
    }

    [ContractFact]
    public async Task Import_rejects_duplicate_ids_in_one_batch()
    {
        var store = await CreateStoreAsync();
        var id = TestData.NewId("org");

        var error = await Assert.ThrowsAsync<GraphImportException>(() =>
            store.ImportAsync(new GraphBatch([TestData.Org(id), TestData.Org(id)], [], [])));

        Assert.Equal(("organizations", 1, "id"), (error.Errors[0].Section, error.Errors[0].Row, error.Errors[0].Field));
        Assert.Null(await store.GetOrganizationAsync(id));
    }

    [ContractFact]
    public async Task Tie_to_an_unknown_organization_is_refused()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org();
        await store.UpsertOrganizationAsync(a);

        var error = await Assert.ThrowsAsync<GraphImportException>(() => store.UpsertTieAsync(new Tie(a.Id, TestData.NewId("nobody"), TieType.HostedBy)));

        Assert.Equal("to", Assert.Single(error.Errors).Field);
        Assert.Empty(await store.GetTiesAsync(a.Id));
    }

    [ContractFact]
    public async Task Deleting_an_organization_cascades_its_ties_and_memberships()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org(); var c = TestData.Org();
        var project = TestData.Project(null, 2020, (a.Id, ConsortiumRole.Industry), (b.Id, ConsortiumRole.Academia), (c.Id, ConsortiumRole.User));
        await store.ImportAsync(new GraphBatch([a, b, c], [project], [new Tie(a.Id, b.Id, TieType.HostedBy), new Tie(c.Id, b.Id, TieType.FinancedBy)]));

        Assert.True(await store.DeleteOrganizationAsync(b.Id));

        Assert.Null(await store.GetOrganizationAsync(b.Id));
        Assert.Empty(await store.GetTiesAsync(a.Id));
        Assert.Empty(await store.GetTiesAsync(c.Id));
        var read = await store.GetProjectAsync(project.Id);
        Assert.Equal([a.Id, c.Id], read!.Members.Select(m => m.OrganizationId));
        Assert.False(await store.DeleteOrganizationAsync(b.Id));
    }

    [ContractFact]
    public async Task Tie_and_project_can_be_deleted()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org();
        var project = TestData.Project(null, 2020, (a.Id, ConsortiumRole.Industry), (b.Id, ConsortiumRole.Academia));
        await store.ImportAsync(new GraphBatch([a, b], [project], [new Tie(a.Id, b.Id, TieType.HostedBy)]));

        Assert.True(await store.DeleteTieAsync(a.Id, b.Id, TieType.HostedBy));
        Assert.False(await store.DeleteTieAsync(a.Id, b.Id, TieType.HostedBy));
        Assert.True(await store.DeleteProjectAsync(project.Id));

        Assert.Empty(await store.GetTiesAsync(a.Id));
        Assert.Null(await store.GetProjectAsync(project.Id));
        Assert.NotNull(await store.GetOrganizationAsync(a.Id));
    }

    [ContractFact]
    public async Task Search_finds_by_chinese_or_english_name_or_alias_with_filters_and_pages()
    {
        var store = await CreateStoreAsync();
        var marker = Guid.NewGuid().ToString("N")[..10];
        var orgs = Enumerable.Range(0, 5).Select(i => TestData.Org($"s{marker}-{i}", nameZh: $"同济{marker}学院{i}", nameEn: $"Tongji {marker} School {i}",
            kind: i < 3 ? OrganizationKind.University : OrganizationKind.Enterprise, city: i % 2 == 0 ? "shanghai" : "suzhou",
            aliases: [$"别名{marker}{i}"])).ToList();
        await store.ImportAsync(new GraphBatch(orgs, [], []));

        var byChinese = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = $"同济{marker}", Limit = 50 });
        Assert.Equal(5, byChinese.Items.Count);
        var byEnglish = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = $"TONGJI {marker.ToUpperInvariant()}", Limit = 50 });
        Assert.Equal(5, byEnglish.Items.Count);
        var byAlias = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = $"别名{marker}3" });
        Assert.Equal($"s{marker}-3", Assert.Single(byAlias.Items).Id);
        var filtered = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = marker, Kind = OrganizationKind.University, City = "shanghai" });
        Assert.Equal([$"s{marker}-0", $"s{marker}-2"], filtered.Items.Select(o => o.Id));

        var page1 = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = marker, Limit = 2 });
        var page2 = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = marker, Limit = 2, After = page1.NextCursor });
        var page3 = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = marker, Limit = 2, After = page2.NextCursor });
        Assert.Equal(orgs.Select(o => o.Id), page1.Items.Concat(page2.Items).Concat(page3.Items).Select(o => o.Id));
        Assert.Null(page3.NextCursor);
    }

    [ContractFact]
    public async Task Search_treats_query_looking_strings_as_plain_text()
    {
        var store = await CreateStoreAsync();
        var org = TestData.Org(nameZh: "O'Brien % _ 公司", nameEn: "x' OR 1=1 -- } RETURN n //");
        await store.UpsertOrganizationAsync(org);

        var quote = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = "o'brien % _" });
        var injection = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = "' OR 1=1 -- } RETURN n //" });
        var nothing = await store.SearchOrganizationsAsync(new OrganizationQuery { Text = "' OR '1'='1" });

        Assert.Contains(quote.Items, o => o.Id == org.Id);
        Assert.Contains(injection.Items, o => o.Id == org.Id);
        Assert.DoesNotContain(nothing.Items, o => o.Id == org.Id);
    }

    [ContractFact]
    public async Task Snapshot_built_from_the_store_matches_its_contents()
    {
        var store = await CreateStoreAsync();
        var a = TestData.Org(); var b = TestData.Org(); var c = TestData.Org();
        await store.ImportAsync(new GraphBatch([a, b, c],
            [TestData.Project(null, 2019, (a.Id, ConsortiumRole.Industry), (b.Id, ConsortiumRole.Academia)),
             TestData.Project(null, 2023, (a.Id, ConsortiumRole.User), (b.Id, ConsortiumRole.Academia), (c.Id, ConsortiumRole.Finance))],
            [new Tie(c.Id, a.Id, TieType.InvestedIn, 2024)]));

        var snapshot = await GraphSnapshot.BuildAsync(store);
        var counts = await store.CountAsync();

        Assert.Equal(counts.Organizations, snapshot.OrganizationCount);
        Assert.Equal(counts.Projects, snapshot.ProjectCount);
        Assert.Equal(counts.Memberships, snapshot.MembershipCount);
        Assert.Equal(counts.Ties, snapshot.TieCount);
        int ia = snapshot.IndexOf(a.Id), ib = snapshot.IndexOf(b.Id), ic = snapshot.IndexOf(c.Id);
        var ab = snapshot.Partners.EdgeIndex(ia, ib);
        Assert.Equal(2, snapshot.PartnerJointProjects[ab]);
        Assert.Equal(2023, snapshot.PartnerLastYear[ab]);
        Assert.Equal(1, snapshot.PartnerJointProjects[snapshot.Partners.EdgeIndex(ic, ia)]);
        Assert.Equal([ia], snapshot.TiesOut[(int)TieType.InvestedIn][ic].ToArray());
        Assert.Equal([ic], snapshot.TiesIn[(int)TieType.InvestedIn][ia].ToArray());
        Assert.Equal(a.Id, snapshot.Details[ia]!.Id);
    }
}
