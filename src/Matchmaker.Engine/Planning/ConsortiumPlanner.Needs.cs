using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Planning;

/// <summary>The needs a plan's coverage counts, and who covers them.</summary>
public sealed partial class ConsortiumPlanner
{
    /// <summary>
    /// The need items of a plan: every informative term of the challenge as the text index analyzes it (the terms of
    /// its <see cref="TextQuery"/>, in the order the challenge writes them), or, without a challenge, each need tag of
    /// the lead; plus the sub-field. A challenge term is held by the organizations whose text profile (own text and
    /// projects' texts, <see cref="Holders"/>) holds it, a tag's terms by those whose capabilities do. Terms nobody
    /// holds, or that over <see cref="PlannerOptions.MaxTermShare"/> of organizations hold, are left out. Weight:
    /// ln(1 + organizations / organizations holding).
    /// </summary>
    private NeedItem[] NeedsOf(PlanRequest request, int lead)
    {
        var n = _g.OrganizationCount;
        var limit = Math.Max(5, _options.MaxTermShare * n);
        float Idf(int holding) => MathF.Log(1 + (float)n / holding);
        bool Informative(int holding) => holding > 0 && holding <= limit;
        var items = new List<NeedItem>();
        if (!string.IsNullOrWhiteSpace(request.Challenge))
        {
            if (_text is { } text)
            {
                // Analyzed once: the query's terms and their order and surfaces come from the same words.
                var words = TextAnalyzer.Shared.Analyze(request.Challenge);
                var query = text.Index.Analyze(words);
                var kept = query.Terms.ToHashSet(StringComparer.Ordinal);
                // In the challenge's order, each term shown as the challenge wrote it first (the stem "battery" as "batteries").
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var word in words)
                {
                    if (!kept.Contains(word.Term) || !seen.Add(word.Term)) continue;
                    // Counted before the holders are listed: most uninformative terms cost no look-up.
                    var holding = text.Index.ProfileFrequency(word.Term) - _needOnly.GetValueOrDefault(word.Term, []).Length;
                    if (Informative(holding)) items.Add(new NeedItem(word.Surface, [word.Term], null, Idf(holding), InText: true) { Holders = Holders(word.Term) });
                }
            }
        }
        else
        {
            foreach (var (tag, terms) in _terms.Needs(lead))
            {
                var useful = terms.Where(t => Informative(_terms.OfferedBy(t).Count)).ToArray();
                if (useful.Length > 0) items.Add(new NeedItem(tag, useful, null, useful.Average(t => Idf(_terms.OfferedBy(t).Count)), InText: false));
            }
        }
        if (request.SubField is { } subField)
        {
            var declaring = _g.Details.Count(d => d?.SubFields.Contains(subField, StringComparer.Ordinal) == true);
            if (declaring > 0)
            {
                var name = G60Catalog.Sectors.SelectMany(s => s.SubFields).FirstOrDefault(f => f.Code == subField);
                items.Add(new NeedItem(name is null ? subField : $"{name.NameZh} ({subField})", [], subField, Idf(declaring), InText: false));
            }
        }
        return items.ToArray();
    }

    /// <summary>
    /// The organizations that cover a challenge term, ascending: those whose text profile holds it (the index's
    /// postings), less those in whose profile only their own need tags hold it.
    /// </summary>
    private int[] Holders(string term) => _holders.GetOrAdd(term, static (t, planner) => planner.HoldersOf(t), this);

    private int[] HoldersOf(string term)
    {
        var holders = _text!.Index.OrganizationsHolding(term);
        if (!_needOnly.TryGetValue(term, out var needing)) return holders;
        return holders.Where(o => Array.BinarySearch(needing, o) < 0).ToArray();
    }

    /// <summary>Per organization, the weighted share of the need items it covers (for the shortlist prior); null without needs.</summary>
    private float[]? NeedCoverage(NeedItem[] needs)
    {
        var total = needs.Sum(x => (double)x.Weight);
        if (total <= 0) return null;
        var n = _g.OrganizationCount;
        var result = new float[n];
        // An organization holding several terms of one item counts the item once: stamped with the item's number.
        var stamp = new int[n];
        for (var i = 0; i < needs.Length; i++)
        {
            var item = needs[i];
            var share = (float)(item.Weight / total);
            void Credit(int o)
            {
                if (stamp[o] == i + 1) return;
                stamp[o] = i + 1;
                result[o] += share;
            }
            foreach (var term in item.Terms)
            {
                foreach (var o in item.InText ? item.Holders : _terms.OfferedBy(term)) Credit(o);
            }
            if (item.SubField is { } subField)
            {
                for (var o = 0; o < n; o++)
                {
                    if (_g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true) Credit(o);
                }
            }
        }
        return result;
    }

    private int[] Covered(int o, NeedItem[] needs)
    {
        var offers = _terms.Offers(o);
        var result = new List<int>();
        for (var i = 0; i < needs.Length; i++)
        {
            var item = needs[i];
            var covered = item.SubField is { } subField
                ? _g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true
                : item.InText
                    ? Array.BinarySearch(item.Holders, o) >= 0
                    : item.Terms.Any(offers.Contains);
            if (covered) result.Add(i);
        }
        return result.ToArray();
    }
}
