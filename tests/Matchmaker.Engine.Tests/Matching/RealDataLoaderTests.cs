using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>
/// The loaders of real exports (CORDIS H2020 and Horizon Europe) on rows with <c>NA</c> and empty cells, as the full
/// upstream extracts write them: such cells are defaulted or their rows skipped, and counted; nothing throws.
/// </summary>
public sealed class RealDataLoaderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"real-data-{Guid.NewGuid():N}");

    public RealDataLoaderTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Write(string name, params string[] lines) => File.WriteAllText(Path.Combine(_directory, name), string.Join('\n', lines) + "\n");

    [Fact]
    public void Cordis_rows_with_NA_cells_are_defaulted_or_skipped_and_counted()
    {
        const string header = "rcn,role,pic,type,contribution,country,start_date,end_date,max_contribution,total_cost,start_year,end_year,duration,group,nunique";
        Write("participations.csv", header,
            "100,coordinator,111,HES,1000,DE,2015-03-01,2018-02-28,5,5,2015,2018,36,eu15,2",
            // NA contribution (unknown), NA country (Namibia), NA start year of a project already dated.
            "100,participant,222,PRC,NA,NA,2015-03-01,NA,5,5,NA,NA,NA,tc,2",
            // First row of 101: the start year comes from the start date; NA type, empty country.
            "101,participant,333,NA,10,,2016-05-01,NA,5,5,NA,NA,NA,NA,1",
            // No start year nor start date anywhere for 102: skipped.
            "102,coordinator,444,REC,5,FR,NA,NA,5,5,NA,NA,NA,eu15,1",
            "NA,participant,555,HES,5,FR,2015-01-01,NA,5,5,2015,NA,NA,eu15,1",
            "100,participant,NA,HES,5,FR,2015-01-01,NA,5,5,2015,NA,NA,eu15,1",
            "100,participant,888,HES,5",
            // 103's first row has no year; its second does, and the first joins it.
            "103,participant,666,HES,1,IT,NA,NA,5,5,NA,NA,NA,eu15,2",
            "103,NA,777,HES,2,IT,2017-01-01,NA,5,5,2017,NA,NA,eu15,2");
        Write("programme_parts.csv", "rcn,programme_part", "100,SC5", "101,NA");

        var data = CordisDataset.Load(_directory);

        Assert.Equal(["100", "101", "103"], data.Projects.Select(p => p.Rcn));
        Assert.Equal([2015, 2016, 2017], data.Projects.Select(p => p.StartYear));
        var p100 = data.Projects[0];
        Assert.Equal(["SC5"], p100.ProgrammeParts);
        Assert.Equal("111", p100.Coordinator!.Pic);
        Assert.True(float.IsNaN(p100.Members[1].Contribution));
        Assert.Equal("NA", p100.Members[1].Country);
        var m333 = data.Projects[1].Members.Single();
        Assert.Equal(("OTH", ""), (m333.Type, m333.Country));
        Assert.Equal(["777", "666"], data.Projects[2].Members.Select(m => m.Pic));
        Assert.Null(data.Projects[2].Coordinator);

        var (participations, parts) = (data.Reports[0], data.Reports[1]);
        Assert.Equal(5, participations.Loaded);
        Assert.Equal(new Dictionary<string, int>
        {
            ["no start_year nor start_date"] = 1,
            ["no rcn"] = 1,
            ["no pic"] = 1,
            ["5 cells, header 15"] = 1,
        }, participations.Skipped);
        Assert.Equal(new Dictionary<string, int>
        {
            ["contribution"] = 1,
            ["type"] = 1,
            ["country"] = 1,
            ["role"] = 1,
            ["start_year (from start_date)"] = 1,
        }, participations.Defaulted);
        Assert.Equal((1, 1), (parts.Loaded, parts.Skipped["no programme_part"]));
        Assert.Contains("skipped 1 (5 cells, header 15), 1 (no pic), 1 (no rcn), 1 (no start_year nor start_date)", participations.ToString());

        // The snapshot takes the unknown contribution as unknown (NaN), not as 0.
        var snapshot = data.BuildSnapshot(2018, HandGraphs.Built);
        Assert.Equal(5, snapshot.OrganizationCount);
        Assert.Equal(OrganizationKind.Platform, snapshot.Kinds[snapshot.IndexOf("333")]);
        Assert.Contains(snapshot.MemberContributions, float.IsNaN);
    }

    [Fact]
    public void Horizon_rows_with_NA_and_empty_cells_are_defaulted_or_skipped_and_counted()
    {
        Write("projects.tsv",
            "id\trcn\tacronym\tstartDate\tstartYear\tendDate\tstatus\ttitle\tobjective\tkeywords\ttopics\ttopicTitles\tlegalBasis\tlegalBasisTitles\t" +
            "fundingScheme\tmasterCall\tsubCall\teuroSciVoc\tecSignatureDate\ttotalCost\tecMaxContribution",
            "1001\t1\tA\t2022-01-01\t2022\t\tSIGNED\tTitle A\tObjective A\tsoil, water ,\tHORIZON-CL6-2021-ZEROPOLLUTION-01-05\tSoil; " +
            "water\tHORIZON.2.6;HORIZON.2.6.1\tFood\tHORIZON-RIA\t\t\t\t\t1\t1",
            "1002\t2\tB\t2023-02-01\tNA\t\tSIGNED\tNA\t\t\t\tNA\t\t\t\t\t\t\t\t\t",
            "NA\t3\tC\t2023-02-01\t2023\t\tSIGNED\tT\tO\t\t\t\t\t\t\t\t\t\t\t\t",
            "1004\t4\tD\tNA\tNA\t\tSIGNED\tT\tO\t\t\t\t\t\t\t\t\t\t\t\t",
            "1005\t5\tE");
        Write("participations.tsv",
            "projectId\torgId\trole\torder\tlegalName\tshortName\tcountry\tcity\tactivityType\tsme\tecContribution\tnetEcContribution\ttotalCost\tterminated",
            "1001\t900000001\tcoordinator\t1\tUNI ONE\tU1\tDE\tBerlin\tHES\tfalse\t100\t100\t100\tfalse",
            "1001\t900000002\tparticipant\t2\tNAMIBIA UNIVERSITY\t\tNA\tWindhoek\tNA\t\tNA\t\t\tfalse",
            "1001\t900000002\tassociatedPartner\t3\tNAMIBIA UNIVERSITY\t\tNA\tWindhoek\tHES\tfalse\t\t\t\tfalse",
            "1001\t900000003\tthirdParty\t4\tLINKED\t\tFR\tParis\tREC\tfalse\t1\t1\t1\tfalse",
            "1001\t900000004\tassociatedPartner\t5\t\t\t\t\tPRC\ttrue\t\t\t\tfalse",
            "1002\t900000001\tparticipant\t1\tUNI ONE\tU1\tDE\tBerlin\tHES\tfalse\t1\t1\t1\tfalse",
            "1002\t900000001\tcoordinator\t1\tUNI ONE\tU1\tDE\tBerlin\tHES\tfalse\t1\t1\t1\tfalse",
            "9999\t900000001\tparticipant\t1\tUNI ONE\tU1\tDE\tBerlin\tHES\tfalse\t1\t1\t1\tfalse",
            "1002\tNA\tparticipant\t1\tX\t\tDE\tBerlin\tHES\tfalse\t1\t1\t1\tfalse",
            "1002\t900000005\tNA\t1\tX\t\tDE\tBerlin\tHES\tfalse\t1\t1\t1\tfalse");

        var data = HorizonDataset.Load(_directory);

        Assert.Equal(["1001", "1002"], data.Projects.Select(p => p.Id));
        var a = data.Projects[0];
        Assert.Equal(["soil", "water"], a.Keywords);
        Assert.Equal(["Soil; water"], a.TopicTitles);
        Assert.Equal("HORIZON.2.6", a.MainLegalBasis);
        Assert.Equal("HORIZON-CL6-2021-ZEROPOLLUTION", a.MainDestination);
        // The organisation listed twice counts once; the third party is no member.
        Assert.Equal(["900000001", "900000002", "900000004"], a.Members.Select(m => m.OrgId));
        Assert.Equal("OTH", a.Members[1].ActivityType);
        Assert.True(float.IsNaN(a.Members[1].Contribution));
        var b = data.Projects[1];
        Assert.Equal((2023, "", ""), (b.StartYear, b.Title, b.Objective));
        Assert.Empty(b.TopicTitles);
        Assert.Equal("", b.MainLegalBasis);
        Assert.True(b.Members.Single().IsCoordinator);

        var namibia = data.Organizations["900000002"];
        Assert.Equal(("NA", "Windhoek", (bool?)null, (string?)null), (namibia.Country, namibia.City, namibia.Sme, namibia.ShortName));
        Assert.Equal(("900000004", ""), (data.Organizations["900000004"].LegalName, data.Organizations["900000004"].Country));

        var (projects, participations) = (data.Reports[0], data.Reports[1]);
        Assert.Equal(2, projects.Loaded);
        Assert.Equal(new Dictionary<string, int> { ["no id"] = 1, ["no startYear nor startDate"] = 1, ["3 cells, header 21"] = 1 }, projects.Skipped);
        Assert.Equal(new Dictionary<string, int>
        {
            ["startYear (from startDate)"] = 1,
            ["title"] = 1,
            ["objective"] = 1,
            ["legalBasis"] = 1,
        }, projects.Defaulted);
        Assert.Equal(6, participations.Loaded);
        Assert.Equal(new Dictionary<string, int>
        {
            ["thirdParty, not a member"] = 1,
            ["unknown project"] = 1,
            ["no orgId"] = 1,
            ["unknown role"] = 1,
        }, participations.Skipped);
        Assert.Equal(new Dictionary<string, int>
        {
            ["activityType"] = 1,
            ["sme"] = 1,
            ["ecContribution"] = 1,
            ["legalName"] = 1,
            ["country"] = 1,
        }, participations.Defaulted);

        // A project without a legal basis has no sector; the graph builds.
        var snapshot = data.BuildSnapshot(2024, HandGraphs.Built);
        Assert.Equal(2, snapshot.ProjectCount);
        Assert.Equal([snapshot.SectorIndexOf("HORIZON.2.6")], snapshot.ProjectSectors[snapshot.ProjectIndexOf("1001")].ToArray());
        Assert.Empty(snapshot.ProjectSectors[snapshot.ProjectIndexOf("1002")].ToArray());
    }
}
