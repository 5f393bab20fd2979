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
        ProjectRefs = BuildProjectRefs(snapshot, LatestYear);
        SectorsFitMask = snapshot.SectorCodes.Length <= 64;
        Profiles = BuildProfiles();
        _sectorActivity = new int[]?[snapshot.SectorCodes.Length];
        _sectorRecent = new int[]?[snapshot.SectorCodes.Length];
        _sectorKindShare = new float[]?[snapshot.SectorCodes.Length];
        _sectorLeaders = new int[]?[snapshot.SectorCodes.Length];
        _partnerBits = new ulong[]?[n];
        Cities = snapshot.CityCodes.Select(G60Catalog.FindCity).ToArray();
        CityPairShare = CityPairs(snapshot);
    }

    private readonly ulong[]?[] _partnerBits;

    /// <summary>
    /// Whether <paramref name="b"/> is a partner of <paramref name="hub"/>: one bit test in the hub's partner set,
    /// made on first use (a bit per organization, so only for the few organizations asked about: hubs).
    /// </summary>
    internal bool IsPartnerOf(int hub, int b)
    {
        var bits = PartnerBits(hub);
        return (b >> 6) < bits.Length && (bits[b >> 6] & (1UL << b)) != 0;
    }

    /// <summary>The partners of <paramref name="hub"/>, a bit each (made on first use, as for <see cref="IsPartnerOf"/>).</summary>
    internal ulong[] PartnerBits(int hub) => Volatile.Read(ref _partnerBits[hub]) ?? Lazy(_partnerBits, hub, z =>
    {
        var set = new ulong[(Snapshot.OrganizationCount + 63) / 64];
        foreach (var p in Snapshot.Partners[z]) set[p >> 6] |= 1UL << p;
        return set;
    });

    private static readonly float[] HalfPowers = Enumerable.Range(0, 256).Select(k => MathF.Pow(0.5f, k)).ToArray();

    /// <summary>0.5^<paramref name="age"/>, exactly as <see cref="MathF.Pow"/> gives it, from a table for the usual ages.</summary>
    public static float HalfPower(int age) => (uint)age < (uint)HalfPowers.Length ? HalfPowers[age] : MathF.Pow(0.5f, age);

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

    /// <summary>
    /// What a walk over an organization's projects reads of each, in the order of
    /// <see cref="GraphSnapshot.OrganizationProjects"/> (one record per membership): walking an organization's
    /// projects is then one sequential read per project instead of a look-up in four arrays.
    /// </summary>
    internal ProjectRef[] ProjectRefs { get; }

    /// <summary>False when the snapshot has more than 64 sectors: then <see cref="ProjectRef.Sectors"/> is not used.</summary>
    internal bool SectorsFitMask { get; }

    /// <summary>
    /// What pair features read of each organization as a candidate that does not depend on the query, one record
    /// per organization: a candidate then costs one memory access for these instead of one per array.
    /// </summary>
    internal CandidateProfile[] Profiles { get; private set; } = [];

    internal readonly record struct CandidateProfile(float Projects, float RecentProjects, float Led, float Degree, float ContributionLog,
        float RecentNewPartners, float PartnersPerProject, short LastYear, OrganizationKind Kind, int City);

    private CandidateProfile[] BuildProfiles()
    {
        var g = Snapshot;
        var profiles = new CandidateProfile[g.OrganizationCount];
        for (var o = 0; o < profiles.Length; o++)
        {
            var projects = Projects[o];
            var degree = g.Partners.Degree(o);
            profiles[o] = new CandidateProfile(projects, RecentProjects[o], Led[o], degree, MathF.Log(1 + MeanContribution[o]),
                RecentNewPartners[o], projects > 0 ? (float)degree / projects : 0, LastYear[o], g.Kinds[o], g.OrganizationCities[o]);
        }
        return profiles;
    }

    /// <summary>One project as seen from one of its members.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    internal readonly record struct ProjectRef(int Project, int MembersFrom, int MembersTo, float Recency, ulong Sectors);

    private static ProjectRef[] BuildProjectRefs(GraphSnapshot g, short latest)
    {
        var projects = g.OrganizationProjects;
        var refs = new ProjectRef[projects.EdgeCount];
        var members = g.ProjectMembers;
        for (var e = 0; e < refs.Length; e++)
        {
            var p = projects.Targets[e];
            ulong mask = 0;
            foreach (var s in g.ProjectSectors[p]) mask |= s < 64 ? 1UL << s : 0;
            refs[e] = new ProjectRef(p, members.Offsets[p], members.Offsets[p + 1], HalfPower(latest - g.ProjectYears[p]), mask);
        }
        return refs;
    }

    /// <summary>
    /// The statistics of <paramref name="patched"/>, a snapshot made from <paramref name="previous"/>'s by attribute
    /// edits (<see cref="SnapshotPatch"/>: same projects and memberships, organizations possibly appended). What
    /// depends only on projects is shared; what depends on kinds or cities is recomputed only when an edit changed
    /// a kind or a city. Falls back to a full computation when the projects are not the same.
    /// </summary>
    public static SnapshotStats Patch(SnapshotStats previous, GraphSnapshot patched)
    {
        var before = previous.Snapshot;
        if (!ReferenceEquals(before.ProjectMembers, patched.ProjectMembers) || patched.OrganizationCount < before.OrganizationCount
            || patched.SectorCodes.Length < before.SectorCodes.Length || patched.CityCodes.Length < before.CityCodes.Length)
        {
            return new SnapshotStats(patched);
        }
        return new SnapshotStats(previous, patched);
    }

    private SnapshotStats(SnapshotStats previous, GraphSnapshot patched)
    {
        var before = previous.Snapshot;
        Snapshot = patched;
        var n = patched.OrganizationCount;
        LatestYear = previous.LatestYear;
        Projects = Grow(previous.Projects, n, 0);
        RecentProjects = Grow(previous.RecentProjects, n, 0);
        Led = Grow(previous.Led, n, 0);
        LastYear = Grow(previous.LastYear, n, short.MinValue);
        MeanContribution = Grow(previous.MeanContribution, n, 0f);
        RecentNewPartners = Grow(previous.RecentNewPartners, n, 0);
        // Appended organizations have no projects, so the membership order is unchanged.
        ProjectRefs = previous.ProjectRefs;
        SectorsFitMask = patched.SectorCodes.Length <= 64;
        // Kinds and cities may have changed: one linear pass.
        Profiles = BuildProfiles();
        var kindsChanged = false;
        var citiesChanged = false;
        for (var o = 0; o < before.OrganizationCount; o++)
        {
            if (ReferenceEquals(before.Details[o], patched.Details[o])) continue;
            kindsChanged |= before.Kinds[o] != patched.Kinds[o];
            citiesChanged |= before.OrganizationCities[o] != patched.OrganizationCities[o];
        }
        var sectors = patched.SectorCodes.Length;
        _sectorActivity = Carry(previous._sectorActivity, sectors, a => Grow(a, n, 0));
        _sectorRecent = Carry(previous._sectorRecent, sectors, a => Grow(a, n, 0));
        // Leaders are organizations with activity; appended organizations have none.
        _sectorLeaders = Carry(previous._sectorLeaders, sectors, a => a);
        _sectorKindShare = kindsChanged ? new float[]?[sectors] : Carry(previous._sectorKindShare, sectors, a => a);
        // Partner sets do not change; appended organizations are nobody's partners (the bit test checks the length).
        _partnerBits = Carry(previous._partnerBits, n, a => a);
        Cities = patched.CityCodes.Select(G60Catalog.FindCity).ToArray();
        // Appended organizations have no partners, so only a moved organization changes the city pairs.
        CityPairShare = citiesChanged || patched.CityCodes.Length != before.CityCodes.Length ? CityPairs(patched) : previous.CityPairShare;
    }

    private static T[] Grow<T>(T[] source, int length, T fill)
    {
        if (source.Length == length) return source;
        var copy = new T[length];
        Array.Copy(source, copy, source.Length);
        Array.Fill(copy, fill, source.Length, length - source.Length);
        return copy;
    }

    private static T?[] Carry<T>(T?[] table, int length, Func<T, T> adapt) where T : class
    {
        var copy = new T?[length];
        for (var i = 0; i < table.Length; i++)
        {
            if (Volatile.Read(ref table[i]) is { } built) copy[i] = adapt(built);
        }
        return copy;
    }

    private static float[] CityPairs(GraphSnapshot snapshot)
    {
        var cities = snapshot.CityCodes.Length;
        var share = new float[cities * cities];
        var fromCity = new float[cities];
        for (var o = 0; o < snapshot.OrganizationCount; o++)
        {
            var c = snapshot.OrganizationCities[o];
            foreach (var z in snapshot.Partners[o])
            {
                share[c * cities + snapshot.OrganizationCities[z]]++;
                fromCity[c]++;
            }
        }
        for (var c = 0; c < cities; c++)
        {
            for (var d = 0; d < cities; d++) share[c * cities + d] = fromCity[c] > 0 ? share[c * cities + d] / fromCity[c] : 0;
        }
        return share;
    }

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

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _leadersOf = new(StringComparer.Ordinal);

    /// <summary>
    /// The leaders of each of the fields, re-ranked by their activity summed over the fields (in the order given),
    /// best first (ties by lower index). Cached per list of fields: queries ask for the same few combinations.
    /// </summary>
    public int[] LeadersOf(int[] sectors)
    {
        if (sectors.Length == 1) return SectorLeaders(sectors[0]);
        var key = string.Join(',', sectors);
        if (_leadersOf.TryGetValue(key, out var cached)) return cached;
        var leaders = sectors.SelectMany(SectorLeaders).Distinct()
            .Select(o => (Id: o, Key: -sectors.Sum(s => Activity(s, o)))).OrderBy(p => p.Key).ThenBy(p => p.Id).Select(p => p.Id).ToArray();
        // A bounded cache: the combinations come from the data and are few, but a caller could invent many.
        if (_leadersOf.Count < 4096) _leadersOf.TryAdd(key, leaders);
        return leaders;
    }

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
