using System.Runtime.CompilerServices;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// Everything about one query organization that pair features and candidate generation read: its partners with
/// their joint-project details and its two-hop neighbourhood (common partners, Adamic-Adar, resource allocation),
/// over the snapshot's organizations. One instance per thread; <see cref="Prepare"/> resets only what the previous
/// query touched, so a query costs its neighbourhood, not the graph.
/// </summary>
/// <remarks>
/// The per-organization values live together in records, not in one array per value: a query touches thousands
/// of organizations in random order, and each touch then costs one memory access instead of one per value. The
/// common-partner scores, written for every partner of every partner, have a small record of their own
/// (<see cref="TwoHopScores"/>, four to a cache line); what only partners and scored candidates get is in
/// <see cref="Neighbour"/>. The columns (<see cref="Joint"/>, <see cref="AdamicAdar"/>, ...) read those records.
/// <para>By concern: this file holds the query's partners, their joint projects and the common-partner spread
/// (<see cref="Prepare(MatchQuery, int, bool)"/>); <c>QueryContext.Records.cs</c> the records and columns;
/// <c>QueryContext.Hubs.cs</c> the hub partners left for the scored candidates; <c>QueryContext.TwoHop.cs</c> the
/// project-based two-hop values and path lengths; <c>QueryContext.Diffusion.cs</c> the two-hop diffusion;
/// <c>QueryContext.Text.cs</c> the text signals.</para>
/// </remarks>
public sealed partial class QueryContext
{
    private readonly List<int> _touched = [];
    private readonly Neighbour[] _rows;
    private readonly TwoHopScores[] _near;
    // The query organization's partners, a bit each (tested for every partner of a partner).
    private readonly ulong[] _partnerBits;
    // The query's sectors as a bit mask (when the snapshot's sectors fit in one; see SnapshotStats.SectorsFitMask).
    private ulong _querySectors;

    public QueryContext(SnapshotStats stats)
    {
        Stats = stats;
        var n = stats.Snapshot.OrganizationCount;
        _rows = new Neighbour[n];
        _near = new TwoHopScores[n];
        _twoHop = new int[n + 1];
        _twoHopBits = new ulong[(n + 63) / 64];
        _partnerBits = new ulong[(n + 63) / 64];
        _hubDone = new ulong[(n + 63) / 64];
        _hubPartners = new ulong[(n + 63) / 64];
        _twoHopDone = new bool[n];
        _twoHopWanted = new ulong[(n + 63) / 64];
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

    public Column Joint => new(_rows, Neighbour.JointAt);
    public Column JointWeighted => new(_rows, Neighbour.JointWeightedAt);
    public YearColumn LastJointYear => new(_rows);
    public Column JointInSector => new(_rows, Neighbour.JointInSectorAt);
    public Column JointQueryLed => new(_rows, Neighbour.JointQueryLedAt);
    public Column JointCandidateLed => new(_rows, Neighbour.JointCandidateLedAt);
    public Column JointInverseSize => new(_rows, Neighbour.JointInverseSizeAt);
    public Column CommonPartners => new(_near, TwoHopScores.CommonPartnersAt);
    public Column AdamicAdar => new(_near, TwoHopScores.AdamicAdarAt);
    public Column ResourceAllocation => new(_near, TwoHopScores.ResourceAllocationAt);
    /// <summary>Adamic-Adar through intermediaries with at most <see cref="HubCap"/> partners (for candidate generation).</summary>
    public Column CappedAdamicAdar => new(_near, TwoHopScores.CappedAdamicAdarAt);
    /// <summary>
    /// Partners of partners through their projects, weighted by how recent both ties are: over the query's
    /// non-hub partners z and each project p of z with b, 0.5^(age of the z-p project) × 0.5^(age of the last
    /// query-z project) / ln(partners of z). Like the next two, filled by <see cref="CompleteTwoHop"/> (which
    /// <see cref="PairFeatureExtractor.Compute"/> calls for its candidates), not by <see cref="Prepare"/>.
    /// </summary>
    public Column TwoHopRecent => new(_rows, Neighbour.TwoHopRecentAt);
    /// <summary>Partners of partners through projects in the query's fields only: over non-hub z, 1 / ln(partners of z) per such project.</summary>
    public Column TwoHopInSectors => new(_rows, Neighbour.TwoHopInSectorsAt);
    /// <summary><see cref="TwoHopRecent"/> through projects in the query's fields only.</summary>
    public Column TwoHopRecentInSectors => new(_rows, Neighbour.TwoHopRecentInSectorsAt);
    /// <summary>The query organization's usual consortia: share of the other members of its projects by kind (index = (int)kind).</summary>
    public float[] ConsortiumKindShare { get; }
    public float[] PartnerKindShare { get; }
    public float[] PartnerCityShare { get; }
    public bool[] QuerySectorMark { get; }
    /// <summary>The query organization's partners.</summary>
    public ReadOnlySpan<int> Partners => Snapshot.Partners[Query.Organization];

    /// <summary>What the query knows of organization <paramref name="b"/> as a partner or candidate, by reference (no copy).</summary>
    internal ref readonly Neighbour Row(int b) => ref _rows[b];

    /// <summary>Whether <paramref name="b"/> is a partner of the query organization (has a joint project with it).</summary>
    internal bool IsPartner(int b) => (_partnerBits[b >> 6] & (1UL << b)) != 0;

    /// <summary>The common-partner scores of organization <paramref name="b"/>, by reference (no copy).</summary>
    internal ref readonly TwoHopScores Near(int b) => ref _near[b];

    /// <summary>Scratch for candidate generation: organizations sharing a capability or need term with the query.</summary>
    internal List<int> RelatedScratch { get; } = [];

    private float[] _relatedScores = new float[256];

    /// <summary>Scratch for candidate generation: a score per <see cref="RelatedScratch"/> entry (at least <paramref name="count"/> long).</summary>
    internal Span<float> RelatedScores(int count)
    {
        if (_relatedScores.Length < count) _relatedScores = new float[Math.Max(count, 2 * _relatedScores.Length)];
        return _relatedScores.AsSpan(0, count);
    }

    /// <summary>Scratch for candidate generation: 1 + the position of each organization in the candidate list, 0 when absent.</summary>
    internal int[] CandidateSlots { get; }

    public void Prepare(MatchQuery query, int hubCap = 1000) => Prepare(query, hubCap, hubsOnDemand: false);

    /// <summary>
    /// As <see cref="Prepare(MatchQuery, int)"/>; with <paramref name="hubsOnDemand"/>, partners with more than
    /// <paramref name="hubCap"/> partners of their own (hubs) are not spread over all their partners here: their
    /// share of <see cref="CommonPartners"/>, <see cref="AdamicAdar"/> and <see cref="ResourceAllocation"/> is added
    /// by <see cref="CompleteHubs"/> for the scored candidates only (a bit test per hub), and <see cref="TwoHop"/>
    /// then holds the organizations reached through non-hubs. Hubs are few but hold most partnerships, so most of a
    /// query's partner-of-partner visits go through them (docs/benchmarks-matching.md, "Scoring throughput"). Only the
    /// order of the additions differs (hubs last), which may move a sum in its last bit.
    /// </summary>
    internal void Prepare(MatchQuery query, int hubCap, bool hubsOnDemand)
    {
        Reset();
        Query = query;
        HubCap = hubCap;
        _textPreparedBy = null;
        var g = Snapshot;
        var a = query.Organization;
        var rows = _rows;
        foreach (var s in query.Sectors) QuerySectorMark[s] = true;
        _querySectors = 0;
        if (Stats.SectorsFitMask) foreach (var s in query.Sectors) _querySectors |= 1UL << s;

        var partners = g.Partners;
        for (var e = partners.Offsets[a]; e < partners.Offsets[a + 1]; e++)
        {
            var b = partners.Targets[e];
            rows[b].Joint = g.PartnerJointProjects[e];
            rows[b].LastJointYear = g.PartnerLastYear[e];
            _partnerBits[b >> 6] |= 1UL << b;
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
        // Projects after the year before the query count as new (age 0), as in DiscoveryDiffusion; otherwise every
        // weight is the same multiple of the walk's, which cancels out of its shares.
        _ageFactor = latest > query.Year - 1 ? MathF.Pow(2, latest - (query.Year - 1)) : 1;
        float consortiumMembers = 0;
        foreach (var p in g.OrganizationProjects[a])
        {
            var size = members.Degree(p);
            var weight = SnapshotStats.HalfPower(latest - g.ProjectYears[p]);
            var inSector = false;
            foreach (var s in g.ProjectSectors[p]) inSector |= QuerySectorMark[s];
            // The diffusion's first hop: the query sends its mass into its projects by weight, each shares it among its members.
            var diffusionWeight = DiffusionWeight(weight, inSector);
            _queryWeight += diffusionWeight;
            var each = diffusionWeight / size;
            _selfMass += each;
            if (size < 2) continue;
            foreach (var m in members[p])
            {
                if (m == a) continue;
                ConsortiumKindShare[(int)g.Kinds[m]]++;
                consortiumMembers++;
            }
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
                row.HopOne += each;
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
            if (!capped && hubsOnDemand)
            {
                _hubs.Add((z, aa, ra));
                continue;
            }
            var near = _near;
            var list = _twoHop;
            var count = _twoHopCount;
            var row = partners[z];
            for (var i = 0; i < row.Length; i++)
            {
                var b = row[i];
                if (b == a) continue;
                ref var scores = ref near[b];
                if (scores.CommonPartners == 0)
                {
                    list[count++] = b;
                    _twoHopBits[b >> 6] |= 1UL << b;
                }
                scores.CommonPartners++;
                scores.AdamicAdar += aa;
                scores.ResourceAllocation += ra;
                if (capped) scores.CappedAdamicAdar += aa;
            }
            _twoHopCount = count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InSector(in SnapshotStats.ProjectRef project)
    {
        if (Stats.SectorsFitMask) return (project.Sectors & _querySectors) != 0;
        var inSector = false;
        foreach (var s in Snapshot.ProjectSectors[project.Project]) inSector |= QuerySectorMark[s];
        return inSector;
    }

    private void Reset()
    {
        foreach (var b in _touched)
        {
            _rows[b] = default;
            _partnerBits[b >> 6] = 0;
        }
        foreach (var b in TwoHop)
        {
            _near[b] = default;
            _twoHopBits[b >> 6] = 0;
        }
        // Candidates filled by CompleteTwoHop need not be partners of partners (nor partners).
        foreach (var b in _done)
        {
            _twoHopDone[b] = false;
            _rows[b] = default;
        }
        _done.Clear();
        ResetHubs();
        _touched.Clear();
        _twoHopCount = 0;
        _queryWeight = 0;
        _selfMass = 0;
        Array.Clear(PartnerKindShare);
        Array.Clear(ConsortiumKindShare);
        Array.Clear(PartnerCityShare);
        Array.Clear(QuerySectorMark);
    }
}
