using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// Everything about one query organization that pair features and candidate generation read: its partners with
/// their joint-project details and its two-hop neighbourhood (common partners, Adamic-Adar, resource allocation),
/// over the snapshot's organizations. One instance per thread; <see cref="Prepare"/> resets only what the previous
/// query touched, so a query costs its neighbourhood, not the graph.
/// </summary>
/// <remarks>
/// The per-organization values live together in one <see cref="Neighbour"/> record per organization (one cache
/// line), not in one array per value: a query touches thousands of organizations in random order, and each touch
/// then costs one memory access instead of one per value. The columns (<see cref="Joint"/>,
/// <see cref="AdamicAdar"/>, ...) read that record.
/// </remarks>
public sealed class QueryContext
{
    private readonly List<int> _touched = [];
    private readonly List<int> _touchedTwoHop = [];
    private readonly Neighbour[] _rows;
    // Organizations whose project-based two-hop values are filled (see CompleteTwoHop), and those being filled.
    private readonly bool[] _twoHopDone;
    private readonly bool[] _twoHopWanted;
    private readonly List<int> _done = [];
    private readonly List<int> _wanted = [];

    /// <summary>What the query knows of one organization. Zero for organizations outside its neighbourhood.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Neighbour
    {
        public float Joint;
        public float JointWeighted;
        public float JointInSector;
        public float JointQueryLed;
        public float JointCandidateLed;
        public float JointInverseSize;
        public float CommonPartners;
        public float AdamicAdar;
        public float ResourceAllocation;
        public float CappedAdamicAdar;
        public float TwoHopRecent;
        public float TwoHopInSectors;
        public float TwoHopRecentInSectors;
        public short LastJointYear;
    }

    public QueryContext(SnapshotStats stats)
    {
        Stats = stats;
        var n = stats.Snapshot.OrganizationCount;
        _rows = new Neighbour[n];
        _twoHopDone = new bool[n];
        _twoHopWanted = new bool[n];
        CandidateSlots = new int[n];
        ConsortiumKindShare = new float[8];
        PartnerKindShare = new float[8];
        PartnerCityShare = new float[stats.Snapshot.CityCodes.Length];
        QuerySectorMark = new bool[stats.Snapshot.SectorCodes.Length];
    }

    public SnapshotStats Stats { get; }
    public GraphSnapshot Snapshot => Stats.Snapshot;
    public MatchQuery Query { get; private set; } = new(0, [], 0);
    public int HubCap { get; private set; }

    public Column Joint => new(_rows, 0);
    public Column JointWeighted => new(_rows, 1);
    public YearColumn LastJointYear => new(_rows);
    public Column JointInSector => new(_rows, 2);
    public Column JointQueryLed => new(_rows, 3);
    public Column JointCandidateLed => new(_rows, 4);
    public Column JointInverseSize => new(_rows, 5);
    public Column CommonPartners => new(_rows, 6);
    public Column AdamicAdar => new(_rows, 7);
    public Column ResourceAllocation => new(_rows, 8);
    /// <summary>Adamic-Adar through intermediaries with at most <see cref="HubCap"/> partners (for candidate generation).</summary>
    public Column CappedAdamicAdar => new(_rows, 9);
    /// <summary>
    /// Partners of partners through their projects, weighted by how recent both ties are: over the query's
    /// non-hub partners z and each project p of z with b, 0.5^(age of the z-p project) × 0.5^(age of the last
    /// query-z project) / ln(partners of z). Like the next two, filled by <see cref="CompleteTwoHop"/> (which
    /// <see cref="PairFeatureExtractor.Compute"/> calls for its candidates), not by <see cref="Prepare"/>.
    /// </summary>
    public Column TwoHopRecent => new(_rows, 10);
    /// <summary>Partners of partners through projects in the query's fields only: over non-hub z, 1 / ln(partners of z) per such project.</summary>
    public Column TwoHopInSectors => new(_rows, 11);
    /// <summary><see cref="TwoHopRecent"/> through projects in the query's fields only.</summary>
    public Column TwoHopRecentInSectors => new(_rows, 12);
    /// <summary>The query organization's usual consortia: share of the other members of its projects by kind (index = (int)kind).</summary>
    public float[] ConsortiumKindShare { get; }
    public float[] PartnerKindShare { get; }
    public float[] PartnerCityShare { get; }
    public bool[] QuerySectorMark { get; }
    /// <summary>Organizations with any two-hop score.</summary>
    public IReadOnlyList<int> TwoHop => _touchedTwoHop;
    /// <summary>The query organization's partners.</summary>
    public ReadOnlySpan<int> Partners => Snapshot.Partners[Query.Organization];

    /// <summary>Everything the query knows of organization <paramref name="b"/>, by reference (no copy).</summary>
    internal ref readonly Neighbour Row(int b) => ref _rows[b];

    /// <summary>Scratch for candidate generation: 1 + the position of each organization in the candidate list, 0 when absent.</summary>
    internal int[] CandidateSlots { get; }

    /// <summary>One value of every organization's <see cref="Neighbour"/> record, read like an array.</summary>
    public readonly struct Column
    {
        private readonly Neighbour[] _rows;
        private readonly int _field;

        internal Column(Neighbour[] rows, int field)
        {
            _rows = rows;
            _field = field;
        }

        public float this[int organization] => Unsafe.Add(ref Unsafe.As<Neighbour, float>(ref _rows[organization]), _field);

        public int Length => _rows.Length;
    }

    /// <summary>The year of the latest joint project per organization (0 for non-partners), read like an array.</summary>
    public readonly struct YearColumn
    {
        private readonly Neighbour[] _rows;

        internal YearColumn(Neighbour[] rows) => _rows = rows;

        public short this[int organization] => _rows[organization].LastJointYear;

        public int Length => _rows.Length;
    }

    public void Prepare(MatchQuery query, int hubCap = 1000)
    {
        Reset();
        Query = query;
        HubCap = hubCap;
        var g = Snapshot;
        var a = query.Organization;
        var rows = _rows;
        foreach (var s in query.Sectors) QuerySectorMark[s] = true;

        var partners = g.Partners;
        for (var e = partners.Offsets[a]; e < partners.Offsets[a + 1]; e++)
        {
            var b = partners.Targets[e];
            rows[b].Joint = g.PartnerJointProjects[e];
            rows[b].LastJointYear = g.PartnerLastYear[e];
            _touched.Add(b);
            PartnerKindShare[(int)g.Kinds[b]]++;
            PartnerCityShare[g.OrganizationCities[b]]++;
        }
        var degree = partners.Degree(a);
        if (degree > 0)
        {
            for (var k = 0; k < PartnerKindShare.Length; k++) PartnerKindShare[k] /= degree;
            for (var c = 0; c < PartnerCityShare.Length; c++) PartnerCityShare[c] /= degree;
        }

        // Joint-project details come from the query's own projects: one pass over their members.
        var members = g.ProjectMembers;
        var latest = Stats.LatestYear;
        float consortiumMembers = 0;
        foreach (var p in g.OrganizationProjects[a])
        {
            var size = members.Degree(p);
            if (size < 2) continue;
            foreach (var m in members[p])
            {
                if (m == a) continue;
                ConsortiumKindShare[(int)g.Kinds[m]]++;
                consortiumMembers++;
            }
            var weight = SnapshotStats.HalfPower(latest - g.ProjectYears[p]);
            var inSector = false;
            foreach (var s in g.ProjectSectors[p]) inSector |= QuerySectorMark[s];
            var queryLed = false;
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                if (members.Targets[e] == a) queryLed = g.MemberIsLead[e];
            }
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                var b = members.Targets[e];
                if (b == a) continue;
                ref var row = ref rows[b];
                row.JointWeighted += weight;
                if (inSector) row.JointInSector++;
                if (queryLed) row.JointQueryLed++;
                if (g.MemberIsLead[e]) row.JointCandidateLed++;
                row.JointInverseSize += 1f / (size - 1);
            }
        }

        if (consortiumMembers > 0)
        {
            for (var k = 0; k < ConsortiumKindShare.Length; k++) ConsortiumKindShare[k] /= consortiumMembers;
        }

        foreach (var z in partners[a])
        {
            var dz = partners.Degree(z);
            if (dz < 2) continue;
            var aa = 1f / MathF.Log(dz);
            var ra = 1f / dz;
            var capped = dz <= hubCap;
            foreach (var b in partners[z])
            {
                if (b == a) continue;
                ref var row = ref rows[b];
                if (row.CommonPartners == 0) _touchedTwoHop.Add(b);
                row.CommonPartners++;
                row.AdamicAdar += aa;
                row.ResourceAllocation += ra;
                if (capped) row.CappedAdamicAdar += aa;
            }
        }
    }

    /// <summary>
    /// Fills <see cref="TwoHopRecent"/>, <see cref="TwoHopInSectors"/> and <see cref="TwoHopRecentInSectors"/> for
    /// the given organizations (those not filled yet for this query). These walk every project of every non-hub
    /// partner, so they are computed for the organizations being scored only: the walk then reads a bit per
    /// member instead of writing three values for each. Sums are taken in the same order as for every member.
    /// </summary>
    public void CompleteTwoHop(ReadOnlySpan<int> organizations)
    {
        var pending = 0;
        foreach (var b in organizations)
        {
            if (_twoHopDone[b] || _twoHopWanted[b]) continue;
            _twoHopWanted[b] = true;
            _wanted.Add(b);
            pending++;
        }
        if (pending == 0) return;
        var g = Snapshot;
        var a = Query.Organization;
        var rows = _rows;
        var partners = g.Partners;
        var members = g.ProjectMembers;
        var latest = Stats.LatestYear;
        var wanted = _twoHopWanted;
        foreach (var z in partners[a])
        {
            var dz = partners.Degree(z);
            if (dz < 2 || dz > HubCap) continue;
            var aa = 1f / MathF.Log(dz);
            // Every member of z's projects is a partner of z, so b is among the touched two-hop organizations.
            var tie = aa * SnapshotStats.HalfPower(latest - rows[z].LastJointYear);
            foreach (var p in g.OrganizationProjects[z])
            {
                var recent = tie * SnapshotStats.HalfPower(latest - g.ProjectYears[p]);
                var inSector = false;
                foreach (var s in g.ProjectSectors[p]) inSector |= QuerySectorMark[s];
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    var b = members.Targets[e];
                    if (!wanted[b] || b == a || b == z) continue;
                    ref var row = ref rows[b];
                    row.TwoHopRecent += recent;
                    if (!inSector) continue;
                    row.TwoHopInSectors += aa;
                    row.TwoHopRecentInSectors += recent;
                }
            }
        }
        foreach (var b in _wanted)
        {
            wanted[b] = false;
            _twoHopDone[b] = true;
            _done.Add(b);
        }
        _wanted.Clear();
    }

    /// <summary>Shortest path length from the query organization, up to 3; 4 stands for "further or unreachable".</summary>
    public int PathLength(int b)
    {
        if (b == Query.Organization) return 0;
        ref readonly var row = ref _rows[b];
        if (row.Joint > 0) return 1;
        if (row.CommonPartners > 0) return 2;
        foreach (var z in Snapshot.Partners[b])
        {
            if (_rows[z].CommonPartners > 0) return 3;
        }
        return 4;
    }

    private void Reset()
    {
        foreach (var b in _touched) _rows[b] = default;
        foreach (var b in _touchedTwoHop) _rows[b] = default;
        foreach (var b in _done) _twoHopDone[b] = false;
        _done.Clear();
        _touched.Clear();
        _touchedTwoHop.Clear();
        Array.Clear(PartnerKindShare);
        Array.Clear(ConsortiumKindShare);
        Array.Clear(PartnerCityShare);
        Array.Clear(QuerySectorMark);
    }
}
