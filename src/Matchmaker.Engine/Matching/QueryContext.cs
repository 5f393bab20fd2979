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
/// The per-organization values live together in records, not in one array per value: a query touches thousands
/// of organizations in random order, and each touch then costs one memory access instead of one per value. The
/// common-partner scores, written for every partner of every partner, have a small record of their own
/// (<see cref="TwoHopScores"/>, four to a cache line); what only partners and scored candidates get is in
/// <see cref="Neighbour"/>. The columns (<see cref="Joint"/>, <see cref="AdamicAdar"/>, ...) read those records.
/// </remarks>
public sealed partial class QueryContext
{
    private readonly List<int> _touched = [];
    // Organizations with a two-hop score, in the order first reached: appended without a branch (the slot is always
    // written, the count moves only on a first visit), since whether a visit is the first one is a coin toss that the
    // processor kept guessing wrong, and each wrong guess stopped the memory reads in flight.
    private readonly int[] _twoHop;
    private int _twoHopCount;
    // The same organizations, a bit each: path lengths test the partners of every far candidate, and 12.5 KB of bits
    // at 100k organizations stay in the first-level cache where the 1.6 MB of score records do not.
    private readonly ulong[] _twoHopBits;
    private readonly Neighbour[] _rows;
    private readonly TwoHopScores[] _near;
    // The query organization's partners, a bit each (tested for every partner of a partner).
    private readonly ulong[] _partnerBits;
    // Organizations whose project-based two-hop values are filled (see CompleteTwoHop), and those being filled
    // (a bit each: the walk tests one per member of every project it crosses).
    private readonly bool[] _twoHopDone;
    private readonly ulong[] _twoHopWanted;
    private readonly List<int> _done = [];
    private readonly List<int> _wanted = [];
    // Hub partners left for CompleteHubs, in partner order, and the organizations they were added for.
    private readonly List<(int Hub, float AdamicAdar, float ResourceAllocation)> _hubs = [];
    private readonly ulong[] _hubDone;
    private readonly List<int> _hubDoneList = [];
    private readonly ulong[] _hubPartners;
    private bool _hubPartnersReady;
    // The two-hop diffusion (DiffusionOptions.TwoHops): the query's total project weight, the mass its own projects
    // send back to it, and the factor that ages projects from the query year rather than the snapshot's latest.
    private float _queryWeight, _selfMass, _ageFactor = 1;
    // The query's sectors as a bit mask (when the snapshot's sectors fit in one; see SnapshotStats.SectorsFitMask).
    private ulong _querySectors;

    /// <summary>What the query knows of a partner or a scored candidate. Zero for other organizations.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Neighbour
    {
        public float Joint;
        public float JointWeighted;
        public float JointInSector;
        public float JointQueryLed;
        public float JointCandidateLed;
        public float JointInverseSize;
        public float TwoHopRecent;
        public float TwoHopInSectors;
        public float TwoHopRecentInSectors;
        /// <summary>Partners: the two-hop diffusion's mass after its first hop, times the query's total project weight.</summary>
        public float HopOne;
        /// <summary>Scored candidates: the two-hop diffusion's score (<see cref="DiffusionOptions.TwoHops"/>).</summary>
        public float Diffusion;
        public short LastJointYear;
    }

    /// <summary>Common-partner scores of one organization. Zero for organizations that are not partners of partners.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TwoHopScores
    {
        public float CommonPartners;
        public float AdamicAdar;
        public float ResourceAllocation;
        public float CappedAdamicAdar;
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(T[] array, int index) where T : unmanaged
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)index >= (uint)array.Length) return;
        fixed (T* first = array) System.Runtime.Intrinsics.X86.Sse.Prefetch0(first + index);
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
    public Column CommonPartners => new(_near, 0);
    public Column AdamicAdar => new(_near, 1);
    public Column ResourceAllocation => new(_near, 2);
    /// <summary>Adamic-Adar through intermediaries with at most <see cref="HubCap"/> partners (for candidate generation).</summary>
    public Column CappedAdamicAdar => new(_near, 3);
    /// <summary>
    /// Partners of partners through their projects, weighted by how recent both ties are: over the query's
    /// non-hub partners z and each project p of z with b, 0.5^(age of the z-p project) × 0.5^(age of the last
    /// query-z project) / ln(partners of z). Like the next two, filled by <see cref="CompleteTwoHop"/> (which
    /// <see cref="PairFeatureExtractor.Compute"/> calls for its candidates), not by <see cref="Prepare"/>.
    /// </summary>
    public Column TwoHopRecent => new(_rows, 6);
    /// <summary>Partners of partners through projects in the query's fields only: over non-hub z, 1 / ln(partners of z) per such project.</summary>
    public Column TwoHopInSectors => new(_rows, 7);
    /// <summary><see cref="TwoHopRecent"/> through projects in the query's fields only.</summary>
    public Column TwoHopRecentInSectors => new(_rows, 8);
    /// <summary>The query organization's usual consortia: share of the other members of its projects by kind (index = (int)kind).</summary>
    public float[] ConsortiumKindShare { get; }
    public float[] PartnerKindShare { get; }
    public float[] PartnerCityShare { get; }
    public bool[] QuerySectorMark { get; }
    /// <summary>Organizations with any two-hop score.</summary>
    public ArraySegment<int> TwoHop => new(_twoHop, 0, _twoHopCount);
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

    /// <summary>One value of every organization's record, read like an array.</summary>
    public readonly struct Column
    {
        private readonly Array _records;
        private readonly int _offset;
        private readonly int _stride;

        internal Column(Neighbour[] records, int field) : this(records, field, Unsafe.SizeOf<Neighbour>()) { }

        internal Column(TwoHopScores[] records, int field) : this(records, field, Unsafe.SizeOf<TwoHopScores>()) { }

        private Column(Array records, int field, int stride)
        {
            _records = records;
            _offset = field * sizeof(float);
            _stride = stride;
        }

        public float this[int organization]
        {
            get
            {
                if ((uint)organization >= (uint)_records.Length) throw new ArgumentOutOfRangeException(nameof(organization));
                return Unsafe.As<byte, float>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_records), _offset + (nint)organization * _stride));
            }
        }

        public int Length => _records.Length;
    }

    /// <summary>The year of the latest joint project per organization (0 for non-partners), read like an array.</summary>
    public readonly struct YearColumn
    {
        private readonly Neighbour[] _rows;

        internal YearColumn(Neighbour[] rows) => _rows = rows;

        public short this[int organization] => _rows[organization].LastJointYear;

        public int Length => _rows.Length;
    }

    public void Prepare(MatchQuery query, int hubCap = 1000) => Prepare(query, hubCap, hubsOnDemand: false);

    /// <summary>
    /// As <see cref="Prepare(MatchQuery, int)"/>; with <paramref name="hubsOnDemand"/>, partners with more than
    /// <paramref name="hubCap"/> partners of their own (hubs) are not spread over all their partners here: their
    /// share of <see cref="CommonPartners"/>, <see cref="AdamicAdar"/> and <see cref="ResourceAllocation"/> is added
    /// by <see cref="CompleteHubs"/> for the scored candidates only (a bit test per hub), and <see cref="TwoHop"/>
    /// then holds the organizations reached through non-hubs. Hubs are few but hold most partnerships: at 100k
    /// organizations they were 60 % of a query's partner-of-partner visits. Only the order of the additions differs
    /// (hubs last), which may move a sum in its last bit.
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

    /// <summary>
    /// Adds the hubs' share of the common-partner scores for the given organizations (those not done yet for this
    /// query), when <see cref="Prepare(MatchQuery, int, bool)"/> left hubs for later; otherwise does nothing.
    /// </summary>
    public void CompleteHubs(ReadOnlySpan<int> organizations)
    {
        if (_hubs.Count == 0) return;
        var a = Query.Organization;
        var near = _near;
        foreach (var b in organizations)
        {
            if (b == a || (_hubDone[b >> 6] & (1UL << b)) != 0) continue;
            _hubDone[b >> 6] |= 1UL << b;
            _hubDoneList.Add(b);
            ref var scores = ref near[b];
            foreach (var (z, aa, ra) in _hubs)
            {
                if (!Stats.IsPartnerOf(z, b)) continue;
                if (scores.CommonPartners == 0)
                {
                    _twoHop[_twoHopCount++] = b;
                    _twoHopBits[b >> 6] |= 1UL << b;
                }
                scores.CommonPartners++;
                scores.AdamicAdar += aa;
                scores.ResourceAllocation += ra;
            }
        }
    }

    /// <summary>
    /// The partners of the query's hub partners, a bit each: the union of the hubs' partner bits, made on the first
    /// path length that needs it in a query (a few thousand word operations instead of a test per hub per organization).
    /// </summary>
    private ulong[] HubPartners()
    {
        if (_hubPartnersReady) return _hubPartners;
        var union = _hubPartners;
        foreach (var (z, _, _) in _hubs)
        {
            var bits = Stats.PartnerBits(z);
            for (var w = 0; w < union.Length; w++) union[w] |= bits[w];
        }
        _hubPartnersReady = true;
        return union;
    }

    /// <summary>
    /// Fills <see cref="TwoHopRecent"/>, <see cref="TwoHopInSectors"/>, <see cref="TwoHopRecentInSectors"/> and
    /// <see cref="Diffusion"/> for the given organizations (those not filled yet for this query). These walk every
    /// project of every non-hub partner, so they are computed for the organizations being scored only: the walk then
    /// reads a bit per member instead of writing four values for each. Sums are taken in the same order as for every member.
    /// </summary>
    public void CompleteTwoHop(ReadOnlySpan<int> organizations)
    {
        var wanted = _twoHopWanted;
        foreach (var b in organizations)
        {
            if (_twoHopDone[b] || (wanted[b >> 6] & (1UL << b)) != 0) continue;
            wanted[b >> 6] |= 1UL << b;
            _wanted.Add(b);
        }
        if (_wanted.Count == 0) return;
        var g = Snapshot;
        var a = Query.Organization;
        var rows = _rows;
        var partners = g.Partners;
        var members = g.ProjectMembers;
        var latest = Stats.LatestYear;
        var refs = Stats.ProjectRefs;
        var projects = g.OrganizationProjects;
        var spread = _queryWeight > 0 ? 1 / _queryWeight : 0;
        var partnerList = partners[a];
        // The query organization first (the diffusion's mass that came back to it walks on too), then its partners.
        for (var k = -1; k < partnerList.Length; k++)
        {
            var z = k < 0 ? a : partnerList[k];
            var dz = partners.Degree(z);
            // Hubs neither propose partners of partners nor pass on diffusion mass.
            if (z != a && dz > HubCap) continue;
            var twoHop = z != a && dz >= 2;
            var first = projects.Offsets[z];
            var last = projects.Offsets[z + 1];
            // The diffusion's second hop: z sends its mass into its projects by weight.
            var total = ProjectWeightOf(z);
            var mass = (k < 0 ? _selfMass : rows[z].HopOne) * spread;
            var perWeight = total > 0 ? mass / total : 0;
            if (!twoHop && perWeight == 0) continue;
            var aa = twoHop ? 1f / MathF.Log(dz) : 0;
            // Every member of z's projects is a partner of z, so b is among the touched two-hop organizations.
            var tie = aa * SnapshotStats.HalfPower(latest - rows[z].LastJointYear);
            for (var r = first; r < last; r++)
            {
                ref readonly var project = ref refs[r];
                // Each project's member row is a read from far away: ask for the one four projects on now.
                if (r + 4 < last) Prefetch(members.Targets, refs[r + 4].MembersFrom);
                var recent = tie * project.Recency;
                var inSector = InSector(project);
                var share = perWeight * DiffusionWeight(project.Recency, inSector) / (project.MembersTo - project.MembersFrom);
                for (var e = project.MembersFrom; e < project.MembersTo; e++)
                {
                    var b = members.Targets[e];
                    if ((wanted[b >> 6] & (1UL << b)) == 0) continue;
                    ref var row = ref rows[b];
                    row.Diffusion += share;
                    if (!twoHop || b == a || b == z) continue;
                    row.TwoHopRecent += recent;
                    if (!inSector) continue;
                    row.TwoHopInSectors += aa;
                    row.TwoHopRecentInSectors += recent;
                }
            }
        }
        foreach (var b in _wanted)
        {
            wanted[b >> 6] &= ~(1UL << b);
            _twoHopDone[b] = true;
            _done.Add(b);
        }
        _wanted.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InSector(in SnapshotStats.ProjectRef project)
    {
        if (Stats.SectorsFitMask) return (project.Sectors & _querySectors) != 0;
        var inSector = false;
        foreach (var s in Snapshot.ProjectSectors[project.Project]) inSector |= QuerySectorMark[s];
        return inSector;
    }

    /// <summary>A project's weight in the two-hop diffusion: halved per year of age (from the year before the query), ×6 in the query's fields.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float DiffusionWeight(float recency, bool inSector) =>
        MathF.Min(1, recency * _ageFactor) * (inSector ? SectorBoost : 1);

    private static readonly float SectorBoost = (float)DiffusionOptions.TwoHops.SectorBoost;

    /// <summary>The total two-hop diffusion weight of organization <paramref name="z"/>'s projects: what its mass is divided by.</summary>
    private float ProjectWeightOf(int z)
    {
        var refs = Stats.ProjectRefs;
        var projects = Snapshot.OrganizationProjects;
        float total = 0;
        for (var r = projects.Offsets[z]; r < projects.Offsets[z + 1]; r++) total += DiffusionWeight(refs[r].Recency, InSector(refs[r]));
        return total;
    }

    /// <summary>
    /// Whether <paramref name="options"/> is the two-hop diffusion this context sums for its scored candidates
    /// (<see cref="DiffusionOptions.TwoHops"/> with the context's hub cap).
    /// </summary>
    internal bool Fuses(DiffusionOptions options) => options == DiffusionOptions.TwoHops with { HubCap = HubCap };

    private readonly Dictionary<int, double> _reverseHopOne = [];

    /// <summary>
    /// The two-hop diffusion's score of the query organization in a walk from <paramref name="b"/> (the reverse pair,
    /// in the query's fields and year), without a whole walk. Both directions sum, over the organizations z in both
    /// first hops, (what a's projects with z carry) × (what b's projects with z carry) / (z's total project weight), the
    /// forward divided by a's total weight and the reverse by b's: so only b's projects and the total weights of the
    /// few z they share with a are read.
    /// </summary>
    internal double ReverseDiffusion(int b)
    {
        var g = Snapshot;
        var a = Query.Organization;
        var refs = Stats.ProjectRefs;
        var projects = g.OrganizationProjects;
        var members = g.ProjectMembers;
        // b's first hop: b's projects' weights shared among their members (a partner's record holds a's).
        var hopOne = _reverseHopOne;
        hopOne.Clear();
        double totalB = 0;
        for (var r = projects.Offsets[b]; r < projects.Offsets[b + 1]; r++)
        {
            var w = (double)DiffusionWeight(refs[r].Recency, InSector(refs[r]));
            totalB += w;
            var each = w / (refs[r].MembersTo - refs[r].MembersFrom);
            for (var e = refs[r].MembersFrom; e < refs[r].MembersTo; e++)
            {
                var z = members.Targets[e];
                if (z != a && !IsPartner(z)) continue;
                hopOne[z] = hopOne.GetValueOrDefault(z) + each;
            }
        }
        if (!(totalB > 0) || !(_queryWeight > 0)) return 0;
        double sum = 0;
        foreach (var (z, fromB) in hopOne)
        {
            // b itself always passes mass on, as the query does forward; other hubs never.
            if (z != b && g.Partners.Degree(z) > HubCap) continue;
            double totalZ = ProjectWeightOf(z);
            var fromA = z == a ? _selfMass : _rows[z].HopOne;
            if (totalZ > 0) sum += fromA * fromB / totalZ;
        }
        return sum / totalB;
    }

    /// <summary>
    /// The two-hop diffusion's score of each organization filled by <see cref="CompleteTwoHop"/>: the mass a walk of
    /// <see cref="DiffusionOptions.TwoHops"/> from the query brings to it (as <see cref="DiscoveryDiffusion"/> would, in floats).
    /// </summary>
    public Column Diffusion => new(_rows, 10);

    /// <summary>Shortest path length from the query organization, up to 3; 4 stands for "further or unreachable".</summary>
    public int PathLength(int b)
    {
        var a = Query.Organization;
        if (b == a) return 0;
        if (IsPartner(b)) return 1;
        var near = _twoHopBits;
        if (_hubs.Count == 0)
        {
            if ((near[b >> 6] & (1UL << b)) != 0) return 2;
            foreach (var z in Snapshot.Partners[b])
            {
                if ((near[z >> 6] & (1UL << z)) != 0) return 3;
            }
            return 4;
        }
        // Through a hub too; the hubs' partners include the query organization itself, which is no partner of a partner.
        var hubs = HubPartners();
        if (((near[b >> 6] | hubs[b >> 6]) & (1UL << b)) != 0) return 2;
        foreach (var z in Snapshot.Partners[b])
        {
            if (((near[z >> 6] | hubs[z >> 6]) & (1UL << z)) != 0 && z != a) return 3;
        }
        return 4;
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
        foreach (var b in _hubDoneList) _hubDone[b >> 6] = 0;
        _hubDoneList.Clear();
        if (_hubPartnersReady)
        {
            Array.Clear(_hubPartners);
            _hubPartnersReady = false;
        }
        _hubs.Clear();
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
