using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>Small graphs with answers that can be worked out by hand.</summary>
internal static class HandGraphs
{
    public static readonly DateTimeOffset Built = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Projects as (year, sector, members); the first member leads. Organizations are the distinct member ids.</summary>
    public static GraphSnapshot Build(params (int Year, string Sector, string[] Members)[] projects)
    {
        var builder = new GraphSnapshotBuilder();
        foreach (var id in projects.SelectMany(p => p.Members).Distinct().Order(StringComparer.Ordinal))
        {
            builder.AddOrganization(id, id.StartsWith('u') ? OrganizationKind.University : OrganizationKind.Enterprise, "hangzhou", []);
        }
        var i = 0;
        foreach (var (year, sector, members) in projects)
        {
            builder.AddProject($"p{i++}", year, [sector],
                members.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)));
        }
        return builder.Build(Built);
    }

    /// <summary>
    /// New ties: a led p0 with b (2016, s); b led p1 with a (2018, t); a led p2 with z (2017, s); z led p3 with c, d
    /// (2017, s); c led p4 with e (2018, s); f led p5 with g (2018, t). Latest year 2018.
    /// </summary>
    public static readonly GraphSnapshot NewTies = Build(
        (2016, "s", ["a", "b"]),
        (2018, "t", ["b", "a"]),
        (2017, "s", ["a", "z"]),
        (2017, "s", ["z", "c", "d"]),
        (2018, "s", ["c", "e"]),
        (2018, "t", ["f", "g"]));

    public static int Id(this GraphSnapshot g, string id) => g.IndexOf(id) is var i and >= 0 ? i : throw new ArgumentException(id);
}
