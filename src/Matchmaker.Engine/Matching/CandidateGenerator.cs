namespace Matchmaker.Engine.Matching;

/// <summary>Where a candidate came from; one candidate may come from several sources.</summary>
[Flags]
public enum CandidateSource : byte
{
    None = 0,
    PreviousPartner = 1,
    PartnerOfPartner = 2,
    ComplementaryKind = 4,
    PopularInField = 8,
    CapabilityMatch = 16,
}

public sealed record CandidateOptions
{
    /// <summary>Intermediaries with more partners than this do not propose partners of partners (hubs know everyone).</summary>
    public int HubCap { get; init; } = 1000;
    public int MaxPartnersOfPartners { get; init; } = 300;
    /// <summary>Most active organizations of the query's fields whose kind differs from the query's.</summary>
    public int MaxComplementary { get; init; } = 60;
    /// <summary>Most active organizations of the query's fields, recent activity first: the cold-start fallback.</summary>
    public int MaxPopular { get; init; } = 100;
    public int MaxCapabilityMatches { get; init; } = 50;
    /// <summary>
    /// Discovery mode: the query organization's previous partners are never proposed (they are known already);
    /// only new ties are. Use with a model trained for new ties (<see cref="ForNewPartners"/>).
    /// </summary>
    public bool ExcludePreviousPartners { get; init; }
    /// <summary>
    /// Rank partners of partners by Adamic-Adar through every intermediary, hubs included, instead of through
    /// non-hubs only: new ties mostly come through the query's best-connected partners.
    /// </summary>
    public bool PartnersOfPartnersThroughHubs { get; init; }

    /// <summary>The options of the new-partner track: no previous partners, and a deeper reach beyond them.</summary>
    public static CandidateOptions ForNewPartners { get; } = new()
    {
        ExcludePreviousPartners = true,
        PartnersOfPartnersThroughHubs = true,
        MaxPartnersOfPartners = 1200,
        MaxComplementary = 100,
        MaxPopular = 300,
    };
}

/// <summary>
/// Proposes the organizations worth scoring for a query: previous partners, partners of partners (ranked by
/// Adamic-Adar through non-hub intermediaries), active organizations of the same fields with a complementary
/// kind, organizations whose capabilities meet the query's needs, and the most active organizations of the
/// fields as a fallback for newcomers without a network.
/// </summary>
public sealed class CandidateGenerator(CandidateOptions? options = null, ICapabilityMatcher? capabilities = null)
{
    public CandidateOptions Options { get; } = options ?? new CandidateOptions();

    /// <summary>Fills <paramref name="candidates"/> and the parallel <paramref name="sources"/> (both cleared first).</summary>
    public void Generate(QueryContext context, List<int> candidates, List<CandidateSource> sources)
    {
        candidates.Clear();
        sources.Clear();
        var g = context.Snapshot;
        var a = context.Query.Organization;
        var index = new Dictionary<int, int>();

        void Add(int b, CandidateSource source)
        {
            if (b == a) return;
            if (Options.ExcludePreviousPartners && context.Joint[b] > 0) return;
            if (index.TryGetValue(b, out var at))
            {
                sources[at] |= source;
                return;
            }
            index[b] = candidates.Count;
            candidates.Add(b);
            sources.Add(source);
        }

        if (!Options.ExcludePreviousPartners)
        {
            foreach (var b in context.Partners) Add(b, CandidateSource.PreviousPartner);
        }

        var twoHop = Options.PartnersOfPartnersThroughHubs ? context.AdamicAdar : context.CappedAdamicAdar;
        foreach (var b in TopBy(context.TwoHop, b => twoHop[b], Options.MaxPartnersOfPartners, b => context.Joint[b] == 0 && twoHop[b] > 0))
        {
            Add(b, CandidateSource.PartnerOfPartner);
        }

        var sectors = context.Query.Sectors;
        if (sectors.Length > 0)
        {
            // Leaders of each field, re-ranked by their activity summed over the query's fields.
            var pool = sectors.Length == 1 ? context.Stats.SectorLeaders(sectors[0])
                : sectors.SelectMany(context.Stats.SectorLeaders).Distinct()
                    .Select(o => (Id: o, Key: -sectors.Sum(s => context.Stats.Activity(s, o)))).OrderBy(p => p.Key).ThenBy(p => p.Id).Select(p => p.Id).ToArray();
            var kind = g.Kinds[a];
            var complementary = 0;
            for (var i = 0; i < pool.Length && complementary < Options.MaxComplementary; i++)
            {
                if (g.Kinds[pool[i]] == kind || pool[i] == a) continue;
                Add(pool[i], CandidateSource.ComplementaryKind);
                complementary++;
            }
            var popular = 0;
            for (var i = 0; i < pool.Length && popular < Options.MaxPopular; i++)
            {
                if (pool[i] == a) continue;
                Add(pool[i], CandidateSource.PopularInField);
                popular++;
            }
        }

        if (capabilities is not null && Options.MaxCapabilityMatches > 0)
        {
            var related = capabilities.Related(a, g.OrganizationCount).Where(o => o != a).Distinct().ToArray();
            var scores = related.ToDictionary(o => o, o => capabilities.Match(needing: a, offering: o) + capabilities.Match(needing: o, offering: a));
            foreach (var b in TopBy(related, o => scores[o], Options.MaxCapabilityMatches, o => scores[o] > 0))
            {
                Add(b, CandidateSource.CapabilityMatch);
            }
        }
    }

    /// <summary>The <paramref name="k"/> best items by score (ties by lower index) among those passing the filter.</summary>
    private static IEnumerable<int> TopBy(IReadOnlyList<int> items, Func<int, float> score, int k, Func<int, bool> keep)
    {
        if (k <= 0) return [];
        var heap = new PriorityQueue<int, (float Score, int Negated)>(k + 1);
        foreach (var item in items)
        {
            if (!keep(item)) continue;
            heap.Enqueue(item, (score(item), -item));
            if (heap.Count > k) heap.Dequeue();
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }
}
