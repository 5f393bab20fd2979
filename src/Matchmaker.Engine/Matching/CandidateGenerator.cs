using System.Runtime.InteropServices;
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
    /// <summary>Reached by mass diffusion from the query (<see cref="DiscoveryDiffusion"/>), up to three hops away.</summary>
    Diffusion = 32,
    /// <summary>Matched by text: the profile best matching the query's text, or a member of the past projects most similar to it (<see cref="TextMatcher"/>).</summary>
    TextMatch = 64,
}

public sealed record CandidateOptions
{
    /// <summary>Intermediaries with more partners than this do not propose partners of partners (hubs know everyone).</summary>
    public int HubCap { get; init; } = 1000;
    /// <summary>
    /// Partners of partners proposed, best Adamic-Adar first. 100 scored as 300 did on the 2018 validation year and
    /// the 2019 test year, with far fewer pairs per query and nearly the same first ten of a list (docs/benchmarks.md).
    /// </summary>
    public int MaxPartnersOfPartners { get; init; } = 100;
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

    /// <summary>The diffusion behind <see cref="MaxDiffused"/>; null = no diffusion source.</summary>
    public DiffusionOptions? Diffusion { get; init; }
    /// <summary>Organizations proposed by the best diffusion score (not partners), see <see cref="DiscoveryDiffusion"/>.</summary>
    public int MaxDiffused { get; init; }

    /// <summary>The options of the new-partner track: no previous partners, and a deeper reach beyond them.</summary>
    public static CandidateOptions ForNewPartners { get; } = new()
    {
        ExcludePreviousPartners = true,
        PartnersOfPartnersThroughHubs = true,
        MaxPartnersOfPartners = 1200,
        MaxComplementary = 100,
        MaxPopular = 300,
        // 800 by diffusion raised the answers among the candidates on the 2018 split; 1,500 scored worse (docs/benchmarks-matching.md).
        Diffusion = new DiffusionOptions(),
        MaxDiffused = 800,
    };
}

/// <summary>
/// Proposes the organizations worth scoring for a query: previous partners, partners of partners (ranked by
/// Adamic-Adar through non-hub intermediaries), active organizations of the same fields with a complementary
/// kind, organizations whose capabilities meet the query's needs, and the most active organizations of the
/// fields as a fallback for newcomers without a network.
/// </summary>
public sealed class CandidateGenerator(CandidateOptions? options = null, ICapabilityMatcher? capabilities = null, TextMatcher? text = null)
{
    public CandidateOptions Options { get; } = options ?? new CandidateOptions();

    public TextMatcher? Text { get; } = text;

    /// <summary>Fills <paramref name="candidates"/> and the parallel <paramref name="sources"/> (both cleared first).</summary>
    public void Generate(QueryContext context, List<int> candidates, List<CandidateSource> sources)
    {
        candidates.Clear();
        sources.Clear();
        var g = context.Snapshot;
        var a = context.Query.Organization;
        // 1 + each organization's position in the candidate list; cleared again before returning.
        var slots = context.CandidateSlots;

        void Add(int b, CandidateSource source)
        {
            if (b == a) return;
            if (Options.ExcludePreviousPartners && context.IsPartner(b)) return;
            var at = slots[b];
            if (at > 0)
            {
                sources[at - 1] |= source;
                return;
            }
            candidates.Add(b);
            sources.Add(source);
            slots[b] = candidates.Count;
        }

        try
        {
            if (!Options.ExcludePreviousPartners)
            {
                foreach (var b in context.Partners) Add(b, CandidateSource.PreviousPartner);
            }

            foreach (var b in PartnersOfPartners(context, Options.MaxPartnersOfPartners, Options.PartnersOfPartnersThroughHubs))
            {
                Add(b, CandidateSource.PartnerOfPartner);
            }

            if (Options is { Diffusion: { } diffusion, MaxDiffused: > 0 })
            {
                foreach (var b in DiscoveryDiffusion.Of(context, diffusion).Top(context, Options.MaxDiffused)) Add(b, CandidateSource.Diffusion);
            }

            var sectors = context.Query.Sectors;
            if (sectors.Length > 0)
            {
                // Leaders of each field, re-ranked by their activity summed over the query's fields.
                var pool = context.Stats.LeadersOf(sectors);
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

            if (Text is not null)
            {
                var signals = context.EnsureText(Text);
                var top = context.RelatedScratch;
                if (signals.HasText)
                {
                    TextMatcher.TopByProfile(signals, Text.Options.MaxProfileCandidates, top);
                    foreach (var b in top) Add(b, CandidateSource.TextMatch);
                    TextMatcher.TopByProjects(signals, Text.Options.MaxProjectCandidates, top);
                    foreach (var b in top) Add(b, CandidateSource.TextMatch);
                }
                top.Clear();
            }

            if (capabilities is not null && Options.MaxCapabilityMatches > 0)
            {
                // Organizations sharing a term with the query, each once, scored in both directions; no per-query
                // sets or dictionaries (this runs for every organization of a full recompute).
                var related = context.RelatedScratch;
                related.Clear();
                capabilities.CollectRelated(a, g.OrganizationCount, related);
                var scores = context.RelatedScores(related.Count);
                for (var i = 0; i < related.Count; i++)
                {
                    var o = related[i];
                    scores[i] = o == a ? 0 : capabilities.Match(needing: a, offering: o) + capabilities.Match(needing: o, offering: a);
                }
                foreach (var b in TopBy(CollectionsMarshal.AsSpan(related), scores, Options.MaxCapabilityMatches))
                {
                    Add(b, CandidateSource.CapabilityMatch);
                }
            }
        }
        finally
        {
            foreach (var b in candidates) slots[b] = 0;
        }
    }

    /// <summary>
    /// The <paramref name="k"/> organizations with the highest Adamic-Adar (through non-hubs unless
    /// <paramref name="throughHubs"/>) that are not partners, best first, ties by lower index. A bounded heap with the
    /// worst kept on top: most of the thousands of two-hop organizations are rejected by one comparison.
    /// </summary>
    private static int[] PartnersOfPartners(QueryContext context, int k, bool throughHubs)
    {
        if (k <= 0) return [];
        var heap = new (float Score, int Id)[k];
        var count = 0;
        foreach (var b in context.TwoHop)
        {
            ref readonly var near = ref context.Near(b);
            var score = throughHubs ? near.AdamicAdar : near.CappedAdamicAdar;
            if (!(score > 0) || context.IsPartner(b)) continue;
            var item = (score, b);
            if (count < k)
            {
                heap[count] = item;
                SiftUp(heap, count++);
            }
            else if (Better(item, heap[0]))
            {
                heap[0] = item;
                SiftDown(heap, count);
            }
        }
        var result = heap[..count];
        Array.Sort(result, (x, y) => Better(x, y) ? -1 : Better(y, x) ? 1 : 0);
        return result.Select(x => x.Id).ToArray();
    }

    private static bool Better((float Score, int Id) x, (float Score, int Id) y) => x.Score > y.Score || (x.Score == y.Score && x.Id < y.Id);

    private static void SiftUp((float Score, int Id)[] heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(heap[parent], heap[i])) break;
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown((float Score, int Id)[] heap, int count)
    {
        var i = 0;
        while (true)
        {
            var worst = i;
            var left = 2 * i + 1;
            var right = left + 1;
            if (left < count && Better(heap[worst], heap[left])) worst = left;
            if (right < count && Better(heap[worst], heap[right])) worst = right;
            if (worst == i) return;
            (heap[worst], heap[i]) = (heap[i], heap[worst]);
            i = worst;
        }
    }

    /// <summary>The <paramref name="k"/> best items by score (ties by lower index) among those scoring above 0, best first.</summary>
    private static int[] TopBy(ReadOnlySpan<int> items, ReadOnlySpan<float> scores, int k)
    {
        if (k <= 0) return [];
        var heap = new PriorityQueue<int, (float Score, int Negated)>(k + 1);
        for (var i = 0; i < items.Length; i++)
        {
            if (!(scores[i] > 0)) continue;
            heap.Enqueue(items[i], (scores[i], -items[i]));
            if (heap.Count > k) heap.Dequeue();
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }
}
