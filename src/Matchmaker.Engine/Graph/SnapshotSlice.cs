using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>Time slices of a snapshot, for training and validating on what was known before a year.</summary>
public static class SnapshotSlice
{
    /// <summary>The same organizations and ties, with only the projects that started before <paramref name="year"/>.</summary>
    public static GraphSnapshot Before(this GraphSnapshot snapshot, int year)
    {
        var builder = new GraphSnapshotBuilder();
        for (var o = 0; o < snapshot.OrganizationCount; o++)
        {
            if (snapshot.Details[o] is { } details) builder.Add(details);
            else builder.AddOrganization(snapshot.OrganizationIds[o], snapshot.Kinds[o], snapshot.CityCodes[snapshot.OrganizationCities[o]],
                snapshot.OrganizationSectors[o].ToArray().Select(s => snapshot.SectorCodes[s]));
        }
        for (var p = 0; p < snapshot.ProjectCount; p++)
        {
            if (snapshot.ProjectYears[p] >= year) continue;
            builder.AddProject(snapshot.ProjectIds[p], snapshot.ProjectYears[p], Sectors(snapshot, p), Members(snapshot, p), snapshot.ProjectTexts[p]);
        }
        for (var t = 1; t < snapshot.TiesOut.Length; t++)
        {
            for (var o = 0; o < snapshot.OrganizationCount; o++)
            {
                foreach (var to in snapshot.TiesOut[t][o]) builder.Add(new Tie(snapshot.OrganizationIds[o], snapshot.OrganizationIds[to], (TieType)t));
            }
        }
        return builder.Build(snapshot.BuiltAt);
    }

    /// <summary>The projects that started in <paramref name="year"/>: lead (first member), sectors, members and texts.</summary>
    public static IEnumerable<(string Id, int Year, IReadOnlyList<string> Sectors, string? Lead, IReadOnlyList<string> Members,
        ProjectText? Text)> ProjectsOf(this GraphSnapshot snapshot, int year)
    {
        for (var p = 0; p < snapshot.ProjectCount; p++)
        {
            if (snapshot.ProjectYears[p] != year) continue;
            var members = Members(snapshot, p).ToList();
            yield return (snapshot.ProjectIds[p], year, Sectors(snapshot, p), members.FirstOrDefault(m => m.IsLead).OrganizationId ?? members.FirstOrDefault().OrganizationId,
                members.Select(m => m.OrganizationId).ToList(), snapshot.ProjectTexts[p]);
        }
    }

    private static List<string> Sectors(GraphSnapshot snapshot, int p) => snapshot.ProjectSectors[p].ToArray().Select(s => snapshot.SectorCodes[s]).ToList();

    private static List<GraphSnapshotBuilder.Membership> Members(GraphSnapshot snapshot, int p)
    {
        var result = new List<GraphSnapshotBuilder.Membership>();
        for (var e = snapshot.ProjectMembers.Offsets[p]; e < snapshot.ProjectMembers.Offsets[p + 1]; e++)
        {
            result.Add(new GraphSnapshotBuilder.Membership(snapshot.OrganizationIds[snapshot.ProjectMembers.Targets[e]],
                snapshot.MemberRoles[e] == 0 ? null : (ConsortiumRole)snapshot.MemberRoles[e], snapshot.MemberIsLead[e], snapshot.MemberContributions[e]));
        }
        return result;
    }
}
