using System.Runtime.CompilerServices;

namespace Matchmaker.Engine.Matching;

// The two-hop diffusion (DiffusionOptions.TwoHops) summed in floats for the scored candidates: its first hop is taken
// by Prepare, its second by CompleteTwoHop, and the reverse pair's score by ReverseDiffusion.
public sealed partial class QueryContext
{
    // The query's total project weight, the mass its own projects send back to it, and the factor that ages projects
    // from the query year rather than the snapshot's latest.
    private float _queryWeight, _selfMass, _ageFactor = 1;

    /// <summary>
    /// The two-hop diffusion's score of each organization filled by <see cref="CompleteTwoHop"/>: the mass a walk of
    /// <see cref="DiffusionOptions.TwoHops"/> from the query brings to it (as <see cref="DiscoveryDiffusion"/> would, in floats).
    /// </summary>
    public Column Diffusion => new(_rows, Neighbour.DiffusionAt);

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
}
