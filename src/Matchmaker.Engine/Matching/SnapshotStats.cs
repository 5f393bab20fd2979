using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// Per-organization and per-sector aggregates of one snapshot, computed once so that pair features are array
/// reads. Per-sector arrays are built on first use. Thread-safe.
/// </summary>
public sealed class SnapshotStats
{
    private readonly int[]?[] _sectorActivity;
    private readonly int[]?[] _sectorRecent;
    private readonly float[]?[] _sectorKindShare;
    private readonly int[]?[] _sectorLeaders;

    /// <summary>How many leaders per sector are kept, best first (enough for every candidate list drawn from them).</summary>
    public const int LeadersPerSector = 1000;

    public SnapshotStats(GraphSnapshot snapshot)
    {
        Snapshot = snapshot;
        var n = snapshot.OrganizationCount;
        LatestYear = snapshot.ProjectCount == 0 ? (short)0 : snapshot.ProjectYears.Max();
        Projects = new int[n];
        RecentProjects = new int[n];
        Led = new int[n];
        LastYear = new short[n];
        MeanContribution = new float[n];
        var members = snapshot.ProjectMembers;
        var contributionCount = new int[n];
        Array.Fill(LastYear, short.MinValue);
        for (var p = 0; p < snapshot.ProjectCount; p++)
        {
            var year = snapshot.ProjectYears[p];
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                var o = members.Targets[e];
                Projects[o]++;
                if (year >= LatestYear - 1) RecentProjects[o]++;
                if (snapshot.MemberIsLead[e]) Led[o]++;
                if (year > LastYear[o]) LastYear[o] = year;
                var money = snapshot.MemberContributions[e];
                if (float.IsFinite(money))
                {
                    MeanContribution[o] += money;
                    contributionCount[o]++;
                }
            }
        }
        for (var o = 0; o < n; o++)
        {
            MeanContribution[o] = contributionCount[o] > 0 ? MeanContribution[o] / contributionCount[o] : 0;
        }
        RecentNewPartners = CountRecentNewPartners(snapshot, LatestYear);
        _sectorActivity = new int[]?[snapshot.SectorCodes.Length];
        _sectorRecent = new int[]?[snapshot.SectorCodes.Length];
        _sectorKindShare = new float[]?[snapshot.SectorCodes.Length];
        _sectorLeaders = new int[]?[snapshot.SectorCodes.Length];
        Cities = snapshot.CityCodes.Select(G60Catalog.FindCity).ToArray();

        var cities = snapshot.CityCodes.Length;
        CityPairShare = new float[cities * cities];
        var fromCity = new float[cities];
        for (var o = 0; o < n; o++)
        {
            var c = snapshot.OrganizationCities[o];
            foreach (var z in snapshot.Partners[o])
            {
                CityPairShare[c * cities + snapshot.OrganizationCities[z]]++;
                fromCity[c]++;
            }
        }
        for (var c = 0; c < cities; c++)
        {
            for (var d = 0; d < cities; d++) CityPairShare[c * cities + d] = fromCity[c] > 0 ? CityPairShare[c * cities + d] / fromCity[c] : 0;
        }
    }

    /// <summary>Row-major city × city: of all partnerships of organizations in the first city, the share with the second.</summary>
    public float[] CityPairShare { get; }

    public GraphSnapshot Snapshot { get; }
    /// <summary>The latest project year in the snapshot; "recent" means this year or the one before.</summary>
    public short LatestYear { get; }
    public int[] Projects { get; }
    public int[] RecentProjects { get; }
    public int[] Led { get; }
    public short[] LastYear { get; }
    public float[] MeanContribution { get; }
    /// <summary>Partners each organization first worked with this year or the one before: how open it is to new ties.</summary>
    public int[] RecentNewPartners { get; }

    private static int[] CountRecentNewPartners(GraphSnapshot g, short latest)
    {
        var n = g.OrganizationCount;
        var result = new int[n];
        var seenBy = new int[n];
        Array.Fill(seenBy, -1);
        var members = g.ProjectMembers;
        for (var o = 0; o < n; o++)
        {
            var projects = g.OrganizationProjects[o].ToArray();
            var years = projects.Select(p => g.ProjectYears[p]).ToArray();
            Array.Sort(years, projects);
            foreach (var p in projects)
            {
                var recent = g.ProjectYears[p] >= latest - 1;
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    var z = members.Targets[e];
                    if (z == o || seenBy[z] == o) continue;
                    seenBy[z] = o;
                    if (recent) result[o]++;
                }
            }
        }
        return result;
    }
    /// <summary>Catalog cities (with coordinates) per city code, null where the code is not a catalog city.</summary>
    public City?[] Cities { get; }

    /// <summary>Projects per organization in the sector.</summary>
    public int[] SectorActivity(int sector) => Lazy(_sectorActivity, sector, s => CountInSector(s, recentOnly: false));

    /// <summary>Recent projects per organization in the sector.</summary>
    public int[] SectorRecentActivity(int sector) => Lazy(_sectorRecent, sector, s => CountInSector(s, recentOnly: true));

    /// <summary>Share of the sector's memberships held by each organization kind (index = (int)kind).</summary>
    public float[] SectorKindShare(int sector) => Lazy(_sectorKindShare, sector, s =>
    {
        var counts = new float[8];
        float total = 0;
        for (var p = 0; p < Snapshot.ProjectCount; p++)
        {
            if (!Snapshot.ProjectSectors[p].Contains(s)) continue;
            foreach (var o in Snapshot.ProjectMembers[p])
            {
                counts[(int)Snapshot.Kinds[o]]++;
                total++;
            }
        }
        for (var k = 0; k < counts.Length; k++) counts[k] = total > 0 ? counts[k] / total : 0;
        return counts;
    });

    /// <summary>Activity in the sector that favours the recent: all projects plus twice the recent ones.</summary>
    public float Activity(int sector, int organization) => SectorActivity(sector)[organization] + 2f * SectorRecentActivity(sector)[organization];

    /// <summary>The most active organizations of the sector by <see cref="Activity"/>, best first (ties by lower index).</summary>
    public int[] SectorLeaders(int sector) => Lazy(_sectorLeaders, sector, s =>
    {
        var all = SectorActivity(s);
        var active = Enumerable.Range(0, all.Length).Where(o => all[o] > 0).ToArray();
        var keys = active.Select(o => (-Activity(s, o), o)).ToArray();
        Array.Sort(keys, active);
        return active.Length > LeadersPerSector ? active[..LeadersPerSector] : active;
    });

    private int[] CountInSector(int sector, bool recentOnly)
    {
        var counts = new int[Snapshot.OrganizationCount];
        for (var p = 0; p < Snapshot.ProjectCount; p++)
        {
            if (recentOnly && Snapshot.ProjectYears[p] < LatestYear - 1) continue;
            if (!Snapshot.ProjectSectors[p].Contains(sector)) continue;
            foreach (var o in Snapshot.ProjectMembers[p]) counts[o]++;
        }
        return counts;
    }

    private static T Lazy<T>(T?[] table, int index, Func<int, T> build) where T : class
    {
        var value = Volatile.Read(ref table[index]);
        if (value is not null) return value;
        value = build(index);
        return Interlocked.CompareExchange(ref table[index], value, null) ?? value;
    }
}
