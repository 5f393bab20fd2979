using System.Runtime.CompilerServices;

namespace Matchmaker.Engine.Matching;

// The query's two-hop neighbourhood beyond Prepare's common-partner scores: the project-based two-hop values (and the
// diffusion's second hop) for the scored candidates, and path lengths.
public sealed partial class QueryContext
{
    // Organizations with a two-hop score, in the order first reached: appended without a branch (the slot is always
    // written, the count moves only on a first visit), since whether a visit is the first one is a coin toss that the
    // processor kept guessing wrong, and each wrong guess stopped the memory reads in flight.
    private readonly int[] _twoHop;
    private int _twoHopCount;
    // The same organizations, a bit each: path lengths test the partners of every far candidate, and 12.5 KB of bits
    // at 100k organizations stay in the first-level cache where the 1.6 MB of score records do not.
    private readonly ulong[] _twoHopBits;
    // Organizations whose project-based two-hop values are filled (see CompleteTwoHop), and those being filled
    // (a bit each: the walk tests one per member of every project it crosses).
    private readonly bool[] _twoHopDone;
    private readonly ulong[] _twoHopWanted;
    private readonly List<int> _done = [];
    private readonly List<int> _wanted = [];

    /// <summary>Organizations with any two-hop score.</summary>
    public ArraySegment<int> TwoHop => new(_twoHop, 0, _twoHopCount);

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(T[] array, int index) where T : unmanaged
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)index >= (uint)array.Length) return;
        fixed (T* first = array) System.Runtime.Intrinsics.X86.Sse.Prefetch0(first + index);
    }
}
