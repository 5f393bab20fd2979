using System.Text.RegularExpressions;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Planning;

/// <summary>The needs a plan's coverage counts, and who covers them.</summary>
public sealed partial class ConsortiumPlanner
{
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9]*", RegexOptions.CultureInvariant)]
    private static partial Regex LatinWord();

    /// <summary>
    /// The need items of a plan: every informative term of the challenge text (or, without one, each need tag of
    /// the lead), plus the sub-field. Terms nobody offers, or that over <see cref="PlannerOptions.MaxTermShare"/>
    /// of organizations offer, are left out. Weight: ln(1 + organizations / organizations offering).
    /// </summary>
    private NeedItem[] NeedsOf(PlanRequest request, int lead)
    {
        var n = _g.OrganizationCount;
        var limit = Math.Max(5, _options.MaxTermShare * n);
        float Idf(int offering) => MathF.Log(1 + (float)n / offering);
        bool Informative(string term) => _terms.OfferedBy(term).Count is > 0 and var df && df <= limit;
        var items = new List<NeedItem>();
        if (!string.IsNullOrWhiteSpace(request.Challenge))
        {
            // Surface forms for stemmed English terms ("batteri" is shown as "batteries").
            var surface = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match word in LatinWord().Matches(request.Challenge))
            {
                foreach (var term in TextAnalysis.Terms(word.Value)) surface.TryAdd(term, word.Value.ToLowerInvariant());
            }
            foreach (var term in TextAnalysis.Terms(request.Challenge).Distinct(StringComparer.Ordinal).Where(Informative))
            {
                items.Add(new NeedItem(surface.GetValueOrDefault(term, term), [term], null, Idf(_terms.OfferedBy(term).Count)));
            }
        }
        else
        {
            foreach (var (tag, terms) in _terms.Needs(lead))
            {
                var useful = terms.Where(Informative).ToArray();
                if (useful.Length > 0) items.Add(new NeedItem(tag, useful, null, useful.Average(t => Idf(_terms.OfferedBy(t).Count))));
            }
        }
        if (request.SubField is { } subField)
        {
            var declaring = _g.Details.Count(d => d?.SubFields.Contains(subField, StringComparer.Ordinal) == true);
            if (declaring > 0)
            {
                var name = G60Catalog.Sectors.SelectMany(s => s.SubFields).FirstOrDefault(f => f.Code == subField);
                items.Add(new NeedItem(name is null ? subField : $"{name.NameZh} ({subField})", [], subField, Idf(declaring)));
            }
        }
        return items.ToArray();
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
                foreach (var o in _terms.OfferedBy(term)) Credit(o);
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
                : item.Terms.Any(offers.Contains);
            if (covered) result.Add(i);
        }
        return result.ToArray();
    }
}
