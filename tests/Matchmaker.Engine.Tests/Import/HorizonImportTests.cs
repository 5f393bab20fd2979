using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Tests.Import;

/// <summary>The Horizon slice (CORDIS, European Commission) converted to bulk-import JSON Lines and read back.</summary>
public sealed class HorizonImportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"horizon-import-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_slice_converts_and_loads_through_the_import_parser_and_the_domain()
    {
        var data = HorizonDataset.Load(Path.Combine(AppContext.BaseDirectory, "Data", "horizon-slice"));
        var result = HorizonImport.Convert(data);
        HorizonImport.WriteJsonLines(result, _directory);

        var batch = GraphImportParser.ParseJsonLinesDirectory(_directory);

        // 1,283 distinct organisations in a member role; every project has a Horizon programme part.
        Assert.Equal(1283, batch.Organizations.Count);
        Assert.Equal(196, batch.Projects.Count);
        var cesefor = batch.Organizations.Single(o => o.Id == "pic-973346404");
        Assert.Equal("FUNDACION CENTRO DE SERVICIOS Y PROMOCION FORESTAL Y DE SU INDUSTRIA DE CASTILLA Y LEON", cesefor.NameEn);
        Assert.Equal(["CESEFOR"], cesefor.Aliases);
        Assert.Equal((OrganizationKind.ResearchInstitute, "ES"), (cesefor.Kind, cesefor.City));
        Assert.Equal("Spain", G60Catalog.FindCity(cesefor.City)!.NameEn);
        // 31 organisations of the slice sit outside Europe (8 in the US, 5 in Canada, ...).
        Assert.Equal(31, batch.Organizations.Count(o => o.City == HorizonImport.OutsideEurope));
        Assert.Equal(31, result.Adjusted["place outside Europe (ZZ)"]);

        var project = batch.Projects.Single(p => p.Id == "horizon-101135516");
        Assert.Equal((2024, "HORIZON.2.6"), (project.Year, project.Sector));
        Assert.Equal("pic-973346404", project.Members[0].OrganizationId);
        Assert.Equal(10, project.Members.Count);
        Assert.Equal("HORIZON-CL6-2023-CircBio-01-12", project.Topics.Single().Code);
        Assert.StartsWith("Optimising the sustainable production of wood", project.Topics.Single().Title);
        Assert.False(string.IsNullOrEmpty(project.Summary));

        // The converted graph builds into a snapshot with the projects' texts.
        var builder = new GraphSnapshotBuilder();
        foreach (var o in batch.Organizations) builder.Add(o);
        foreach (var p in batch.Projects) builder.Add(p);
        var snapshot = builder.Build(DateTimeOffset.UnixEpoch);
        Assert.Equal(196, snapshot.ProjectTexts.Count(t => t is not null));
    }

    [Fact]
    public void The_catalog_keeps_the_corridor_first_and_knows_european_places_and_programme_parts()
    {
        Assert.Equal("shanghai-songjiang", G60Catalog.Cities[0].Code);
        Assert.Equal(11, G60Catalog.Cities.Count);
        Assert.Equal(["new-materials", "new-energy-vehicles", "low-altitude-economy"], G60Catalog.Sectors.Select(s => s.Code));
        Assert.Equal(G60Catalog.Cities, G60Catalog.AllPlaces.Take(11));
        Assert.Equal(("希腊", "Greece", false), (G60Catalog.FindCity("EL")!.NameZh, G60Catalog.FindCity("EL")!.NameEn, G60Catalog.FindCity("EL")!.InCorridor));
        Assert.Equal("United Kingdom", G60Catalog.FindCity("UK")!.NameEn);
        Assert.Equal("Climate, energy and mobility", G60Catalog.FindSector("HORIZON.2.5")!.NameEn);
        Assert.Null(G60Catalog.FindSector("HORIZON.9.9"));
        var e = Assert.Throws<DomainValidationException>(() => new Organization("pic-1", null, "X", OrganizationKind.Enterprise, "US"));
        Assert.Equal("city", e.Field);
    }
}
