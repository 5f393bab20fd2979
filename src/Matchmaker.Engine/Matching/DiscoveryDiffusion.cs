using System.Runtime.CompilerServices;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>Settings of <see cref="DiscoveryDiffusion"/>: how mass spreads over the organization-project graph.</summary>
public sealed record DiffusionOptions
{
    /// <summary>Organization-to-organization hops walked (each is organization → project → organization).</summary>
    public int Hops { get; init; } = 3;
    /// <summary>Weight of a project per year of age before the query year (1 = all years alike).</summary>
    public double RecencyDecay { get; init; } = 0.7;
    /// <summary>Factor on a project that is in one of the query's sectors.</summary>
    public double SectorBoost { get; init; } = 6;
    /// <summary>
    /// Mass an organization sends into a project is divided by (its projects' total weight)^this: 1 is a random
    /// walk (a hub's mass spreads thin), 0 lets every project carry the organization's full mass.
    /// </summary>
    public double SpreadExponent { get; init; } = 1;
    /// <summary>Mass a project passes to each member is divided by (its members)^this: 1 is a random walk.</summary>
    public double ProjectSizeExponent { get; init; } = 1;
    /// <summary>
    /// The final mass of an organization is divided by (its projects)^this: 0 keeps the walk's preference for
    /// active organizations (ProbS), 1 removes it (HeatS-like), values between mix the two.
    /// </summary>
    public double DegreeExponent { get; init; }
    /// <summary>Weight of the mass arriving after the third hop relative to the second (the first is the query's partners).</summary>
    public double ThirdHopWeight { get; init; } = 1;
    /// <summary>
    /// Organizations with more partners than this pass on no mass after the first hop (the query organization itself
    /// always does): a hub knows everyone, so what reaches its partners says little about the query.
    /// </summary>
    public int HubCap { get; init; } = int.MaxValue;
    /// <summary>Whether <see cref="PairFeature.DiffusionRelative"/> is written (the score over the query's best non-partner score; that needs the whole walk).</summary>
    public bool Relative { get; init; } = true;

    /// <summary>
    /// The product's discovery column (every model's <see cref="PairFeature.Diffusion"/>): partners of partners by a
    /// two-hop walk, projects halved in weight per year of age and ×6 in the query's fields, hubs (over 1,000
    /// partners, the candidate generator's cap) passing nothing on. <see cref="QueryContext"/> computes it for the
    /// scored candidates inside its two-hop project walk, at a small fraction of a whole walk's cost; chosen on the
    /// 2018 split (docs/benchmarks-matching.md, "Discovery in the product's model").
    /// </summary>
    public static DiffusionOptions TwoHops { get; } = new() { Hops = 2, RecencyDecay = 0.5, HubCap = 1000, Relative = false };
}

/// <summary>
/// Mass diffusion from the query organization over the bipartite organization-project graph (a random walk of a
/// few steps, projects weighted by recency and by being in the query's sectors): organizations two and three hops
/// away score by how much of the query's mass reaches them. Unlike Adamic-Adar it reaches beyond partners of
/// partners and weighs each path by the projects it runs through. Computed once per query into a dense array;
/// not thread-safe (one instance per thread).
/// </summary>
public sealed class DiscoveryDiffusion
{
    private readonly GraphSnapshot _g;
    private readonly DiffusionOptions _o;
    private readonly double[] _orgMass, _nextOrg, _projectMass, _result, _beyond;
    private readonly List<int> _orgTouched = [], _nextTouched = [], _projectTouched = [], _resultTouched = [];
    private readonly float[] _projectWeight;
    private readonly bool[] _projectWeighed;
    private readonly List<int> _weighed = [];

    public DiscoveryDiffusion(GraphSnapshot snapshot, DiffusionOptions? options = null)
    {
        _g = snapshot;
        _o = options ?? new DiffusionOptions();
        _orgMass = new double[snapshot.OrganizationCount];
        _nextOrg = new double[snapshot.OrganizationCount];
        _result = new double[snapshot.OrganizationCount];
        _beyond = new double[snapshot.OrganizationCount];
        _projectMass = new double[snapshot.ProjectCount];
        _projectWeight = new float[snapshot.ProjectCount];
        _projectWeighed = new bool[snapshot.ProjectCount];
    }

    public DiffusionOptions Options => _o;

    /// <summary>The last query's score per organization (0 where no mass arrived; the query and its own partners included).</summary>
    public ReadOnlySpan<double> Scores => _result;

    /// <summary>The part of <see cref="Scores"/> that arrived after the second hop (paths beyond partners of partners).</summary>
    public ReadOnlySpan<double> Beyond => _beyond;

    /// <summary>Organizations with a score above 0 after the last <see cref="Run"/>.</summary>
    public IReadOnlyList<int> Reached => _resultTouched;

    /// <summary>The highest score of an organization that is neither the query's nor one of its partners (0 if none).</summary>
    public double Best { get; private set; }

    private MatchQuery? _last;
    private static readonly ConditionalWeakTable<QueryContext, DiscoveryDiffusion> PerContext = [];

    /// <summary>
    /// The diffusion of the context's current query, run at most once per query and context (candidate generation
    /// and pair features share it). One walker per context, so per thread, like the context itself.
    /// </summary>
    public static DiscoveryDiffusion Of(QueryContext context, DiffusionOptions options)
    {
        if (!PerContext.TryGetValue(context, out var walk) || walk._o != options)
        {
            walk = new DiscoveryDiffusion(context.Snapshot, options);
            PerContext.AddOrUpdate(context, walk);
        }
        if (!ReferenceEquals(walk._last, context.Query))
        {
            walk.Run(context.Query);
            double best = 0;
            foreach (var b in walk._resultTouched)
            {
                if (b != context.Query.Organization && !context.IsPartner(b) && walk._result[b] > best) best = walk._result[b];
            }
            walk.Best = best;
            walk._last = context.Query;
        }
        return walk;
    }

    /// <summary>
    /// The <paramref name="k"/> best-scored organizations that are neither the query's nor its partners, best first
    /// (ties by lower index): the discovery candidate source.
    /// </summary>
    public int[] Top(QueryContext context, int k)
    {
        if (k <= 0) return [];
        var heap = new PriorityQueue<int, (double Score, int Negated)>(k + 1);
        foreach (var b in _resultTouched)
        {
            if (b == context.Query.Organization || context.IsPartner(b)) continue;
            heap.Enqueue(b, (_result[b], -b));
            if (heap.Count > k) heap.Dequeue();
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }

    /// <summary>The discovery columns: <see cref="PairFeature.Diffusion"/> to <see cref="PairFeature.DiffusionRelative"/>.</summary>
    private const int DiscoveryColumns = PairFeature.DiffusionRelative - PairFeature.Diffusion + 1;

    /// <summary>
    /// Writes the discovery columns (<see cref="PairFeature.Diffusion"/> to <see cref="PairFeature.DiffusionRelative"/>) of each candidate's row: zeros when
    /// <paramref name="options"/> is null. The product's two-hop diffusion (<see cref="DiffusionOptions.TwoHops"/>) is
    /// read from the context, which sums it inside its two-hop project walk for the scored candidates only; any
    /// other setting runs a whole walk once per query.
    /// </summary>
    public static void WriteFeatures(QueryContext context, DiffusionOptions? options, ReadOnlySpan<int> candidates, Span<float> output)
    {
        var count = PairFeatureExtractor.Count;
        if (options is null)
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                output.Slice(i * count + (int)PairFeature.Diffusion, DiscoveryColumns).Clear();
            }
            return;
        }
        if (context.Fuses(options))
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                var f = output.Slice(i * count, count);
                f[(int)PairFeature.Diffusion] = (float)(context.Row(candidates[i]).Diffusion * 1e6);
                f[(int)PairFeature.DiffusionBeyondTwoHops] = 0;
                f[(int)PairFeature.DiffusionRelative] = 0;
            }
            return;
        }
        var walk = Of(context, options);
        var scale = walk.Best > 0 && options.Relative ? 1 / walk.Best : 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            var b = candidates[i];
            var f = output.Slice(i * count, count);
            // Mass is tiny and spans decades: scaled by 10^6 so that the values stay well inside float's precision.
            f[(int)PairFeature.Diffusion] = (float)(walk._result[b] * 1e6);
            f[(int)PairFeature.DiffusionBeyondTwoHops] = (float)(walk._beyond[b] * 1e6);
            f[(int)PairFeature.DiffusionRelative] = (float)(walk._result[b] * scale);
        }
    }

    private static readonly ConditionalWeakTable<QueryContext, DiscoveryDiffusion> ReversePerContext = [];

    /// <summary>
    /// The discovery columns of the reverse pair (<paramref name="b"/> asking about the context's query organization,
    /// in the same fields and year). The walk is not symmetric: the product's two-hop column is derived from what the
    /// context holds and <paramref name="b"/>'s projects (<see cref="QueryContext.ReverseDiffusion"/>); any other
    /// setting runs a walk from <paramref name="b"/> (a walker per context, kept apart from the forward one).
    /// </summary>
    public static void WriteReverse(QueryContext context, DiffusionOptions? options, int b, Span<float> reverse)
    {
        if (options is null)
        {
            reverse.Slice((int)PairFeature.Diffusion, DiscoveryColumns).Clear();
            return;
        }
        if (context.Fuses(options))
        {
            reverse[(int)PairFeature.Diffusion] = (float)(context.ReverseDiffusion(b) * 1e6);
            reverse[(int)PairFeature.DiffusionBeyondTwoHops] = 0;
            reverse[(int)PairFeature.DiffusionRelative] = 0;
            return;
        }
        if (!ReversePerContext.TryGetValue(context, out var walk) || walk._o != options)
        {
            walk = new DiscoveryDiffusion(context.Snapshot, options);
            ReversePerContext.AddOrUpdate(context, walk);
        }
        var q = context.Query;
        var a = q.Organization;
        walk.Run(new MatchQuery(b, q.Sectors, q.Year));
        double best = 0;
        if (options.Relative)
        {
            var partners = new HashSet<int>(context.Snapshot.Partners[b].ToArray());
            foreach (var o in walk._resultTouched)
            {
                if (o != b && !partners.Contains(o) && walk._result[o] > best) best = walk._result[o];
            }
        }
        reverse[(int)PairFeature.Diffusion] = (float)(walk._result[a] * 1e6);
        reverse[(int)PairFeature.DiffusionBeyondTwoHops] = (float)(walk._beyond[a] * 1e6);
        reverse[(int)PairFeature.DiffusionRelative] = best > 0 ? (float)(walk._result[a] / best) : 0;
    }

    /// <summary>Diffuses from <paramref name="query"/>'s organization; read the result from <see cref="Scores"/>.</summary>
    public void Run(MatchQuery query)
    {
        _last = null;
        foreach (var b in _resultTouched) _beyond[b] = 0;
        Clear(_result, _resultTouched);
        Clear(_orgMass, _orgTouched);
        foreach (var p in _weighed) _projectWeighed[p] = false;
        _weighed.Clear();

        _orgMass[query.Organization] = 1;
        _orgTouched.Add(query.Organization);
        for (var hop = 1; hop <= _o.Hops; hop++)
        {
            Step(query);
            var weight = hop switch { 1 => 0, 2 => 1, _ => Math.Pow(_o.ThirdHopWeight, hop - 2) };
            if (weight <= 0) continue;
            foreach (var b in _orgTouched)
            {
                if (_result[b] == 0) _resultTouched.Add(b);
                _result[b] += weight * _orgMass[b];
                if (hop > 2) _beyond[b] += weight * _orgMass[b];
            }
        }
        if (_o.DegreeExponent != 0)
        {
            foreach (var b in _resultTouched)
            {
                var damp = Math.Pow(Math.Max(1, _g.OrganizationProjects.Degree(b)), _o.DegreeExponent);
                _result[b] /= damp;
                _beyond[b] /= damp;
            }
        }
    }

    /// <summary>One hop: organizations → projects → organizations.</summary>
    private void Step(MatchQuery query)
    {
        var orgProjects = _g.OrganizationProjects;
        var orgPartners = _g.Partners;
        var members = _g.ProjectMembers;
        foreach (var o in _orgTouched)
        {
            if (o != query.Organization && orgPartners.Degree(o) > _o.HubCap) continue;
            var mass = _orgMass[o];
            double total = 0;
            foreach (var p in orgProjects[o]) total += Weight(p, query);
            if (!(total > 0)) continue;
            var share = mass / (_o.SpreadExponent == 1 ? total : Math.Pow(total, _o.SpreadExponent));
            foreach (var p in orgProjects[o])
            {
                if (_projectMass[p] == 0) _projectTouched.Add(p);
                _projectMass[p] += share * _projectWeight[p];
            }
        }
        foreach (var p in _projectTouched)
        {
            var size = members.Degree(p);
            var each = _projectMass[p] / (_o.ProjectSizeExponent == 1 ? size : Math.Pow(size, _o.ProjectSizeExponent));
            foreach (var b in members[p])
            {
                if (_nextOrg[b] == 0) _nextTouched.Add(b);
                _nextOrg[b] += each;
            }
        }
        Clear(_projectMass, _projectTouched);
        Clear(_orgMass, _orgTouched);
        foreach (var b in _nextTouched)
        {
            _orgMass[b] = _nextOrg[b];
            _nextOrg[b] = 0;
            _orgTouched.Add(b);
        }
        _nextTouched.Clear();
    }

    private float Weight(int p, MatchQuery query)
    {
        if (_projectWeighed[p]) return _projectWeight[p];
        var age = Math.Max(0, query.Year - 1 - _g.ProjectYears[p]);
        var w = Math.Pow(_o.RecencyDecay, age);
        if (query.Sectors.Length > 0)
        {
            foreach (var s in _g.ProjectSectors[p])
            {
                if (Array.IndexOf(query.Sectors, s) < 0) continue;
                w *= _o.SectorBoost;
                break;
            }
        }
        _projectWeight[p] = (float)w;
        _projectWeighed[p] = true;
        _weighed.Add(p);
        return (float)w;
    }

    private static void Clear(double[] values, List<int> touched)
    {
        foreach (var i in touched) values[i] = 0;
        touched.Clear();
    }
}
