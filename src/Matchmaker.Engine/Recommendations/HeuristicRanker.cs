using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The ranker used until a learned model has been trained and promoted (a fresh install, a new deployment):
/// partners of partners by Adamic-Adar, plus organizations whose capabilities meet the organization's needs,
/// with a bonus when the need is met in both directions. Deterministic; ties break by id.
/// </summary>
/// <remarks>A query with text adds the text's BM25 match with each profile, relative to the best (0-2).</remarks>
public sealed class HeuristicRankerFactory(TextMatchers? texts = null) : IPartnerRankerFactory
{
    public const string Version = "heuristic-1";

    public IPartnerRanker Create(GraphSnapshot snapshot) => new HeuristicRanker(snapshot, texts?.For(snapshot));
}

internal sealed class HeuristicRanker : IPartnerRanker
{
    private const int HubCap = 200;
    /// <summary>Organizations added by their profile's match with a query's text.</summary>
    private const int TextCandidates = 200;
    private const double TextWeight = 2;
    private readonly GraphSnapshot _snapshot;
    private readonly TextMatcher? _text;
    private readonly Dictionary<string, int[]> _offering = new(StringComparer.Ordinal);

    public HeuristicRanker(GraphSnapshot snapshot, TextMatcher? text = null)
    {
        _snapshot = snapshot;
        _text = text;
        var offering = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var o = 0; o < snapshot.OrganizationCount; o++)
        {
            foreach (var tag in snapshot.Details[o]?.Capabilities ?? [])
            {
                if (!offering.TryGetValue(tag, out var list)) offering[tag] = list = [];
                list.Add(o);
            }
        }
        foreach (var (tag, list) in offering) _offering[tag] = list.ToArray();
    }

    public string ModelVersion => HeuristicRankerFactory.Version;

    public RankedPartners Recommend(int organization, int topK) => Rank(organization, topK, null, null);

    public RankedPartners Query(PartnerQuery query) => Rank(query.Organization, query.TopK, query.Text, query.Accept);

    private RankedPartners Rank(int organization, int topK, string? text, Func<int, bool>? accept)
    {
        var s = _snapshot;
        var scores = new Dictionary<int, double>();
        var shared = new Dictionary<int, List<int>>();
        foreach (var partner in s.Partners[organization])
        {
            var degree = s.Partners.Degree(partner);
            if (degree > HubCap || degree < 2) continue;
            var weight = 1.0 / Math.Log(degree);
            foreach (var candidate in s.Partners[partner])
            {
                if (candidate == organization) continue;
                scores[candidate] = scores.GetValueOrDefault(candidate) + weight;
                if (!shared.TryGetValue(candidate, out var via)) shared[candidate] = via = [];
                if (via.Count < 3) via.Add(partner);
            }
        }
        var self = s.Details[organization];
        var meets = new Dictionary<int, List<string>>();
        foreach (var need in self?.Needs ?? [])
        {
            if (!_offering.TryGetValue(need, out var offering)) continue;
            foreach (var candidate in offering.Take(2_000))
            {
                if (candidate == organization) continue;
                if (!meets.TryGetValue(candidate, out var tags)) meets[candidate] = tags = [];
                tags.Add(need);
                scores[candidate] = scores.GetValueOrDefault(candidate) + 0.5;
            }
        }
        Text.TextQuery? textQuery = null;
        if (_text is not null && !string.IsNullOrWhiteSpace(text) && _text.Index.Analyze(text) is { Terms.Count: > 0 } analyzed)
        {
            textQuery = analyzed;
            var profile = new float[s.OrganizationCount];
            _text.Index.ScoreOrganizations(analyzed, profile);
            var top = Enumerable.Range(0, profile.Length).Where(o => o != organization && profile[o] > 0)
                .OrderByDescending(o => profile[o]).ThenBy(o => o).Take(TextCandidates).ToList();
            var best = top.Count > 0 ? profile[top[0]] : 0;
            foreach (var candidate in top)
            {
                scores[candidate] = scores.GetValueOrDefault(candidate) + TextWeight * profile[candidate] / best;
            }
        }
        // Discovery first: the list keeps topK new organizations and, labelled, up to topK existing partners,
        // so that readers who exclude existing partners still get a full list.
        var ordered = scores
            .Where(kv => accept is null || accept(kv.Key))
            .Select(kv => (Candidate: kv.Key, Score: kv.Value + Reciprocity(self, s.Details[kv.Key]) + SameCity(organization, kv.Key)))
            .OrderByDescending(x => x.Score).ThenBy(x => s.OrganizationIds[x.Candidate], StringComparer.Ordinal)
            .ToList();
        var ranked = ordered.Where(x => s.Partners.EdgeIndex(organization, x.Candidate) < 0).Take(topK)
            .Concat(ordered.Where(x => s.Partners.EdgeIndex(organization, x.Candidate) >= 0).Take(topK))
            .OrderByDescending(x => x.Score).ThenBy(x => s.OrganizationIds[x.Candidate], StringComparer.Ordinal)
            .Select((x, i) => new RecommendedPartner(s.OrganizationIds[x.Candidate], i + 1, Math.Round(x.Score, 6),
                TextReason(textQuery, x.Candidate).Concat(Reasons(organization, x.Candidate, shared.GetValueOrDefault(x.Candidate), meets.GetValueOrDefault(x.Candidate))).ToList(),
                s.Partners.EdgeIndex(organization, x.Candidate) >= 0, CandidateSummary.Of(s, x.Candidate)))
            .ToList();
        return new RankedPartners(ranked, scores.Count);
    }

    public RecommendedPartner ExplainPair(int organization, int candidate)
    {
        var s = _snapshot;
        double score = 0;
        var via = new List<int>();
        foreach (var partner in s.Partners[organization])
        {
            var degree = s.Partners.Degree(partner);
            if (degree > HubCap || degree < 2 || s.Partners.EdgeIndex(partner, candidate) < 0) continue;
            score += 1.0 / Math.Log(degree);
            if (via.Count < 3) via.Add(partner);
        }
        var self = s.Details[organization];
        var needsMet = (self?.Needs ?? []).Intersect(s.Details[candidate]?.Capabilities ?? [], StringComparer.Ordinal).ToList();
        score += 0.5 * needsMet.Count + Reciprocity(self, s.Details[candidate]) + SameCity(organization, candidate);
        return new RecommendedPartner(s.OrganizationIds[candidate], 0, Math.Round(score, 6), Reasons(organization, candidate, via, needsMet),
            s.Partners.EdgeIndex(organization, candidate) >= 0, CandidateSummary.Of(s, candidate));
    }

    /// <summary>What the candidate's profile shares with the query's text: its best matching projects and the matched words.</summary>
    private IEnumerable<Reason> TextReason(Text.TextQuery? query, int candidate)
    {
        if (_text is null || query is null || _text.Evidence(query, candidate) is not { } evidence) yield break;
        yield return new Reason("text-match", evidence.Zh, evidence.En, evidence.Evidence);
    }

    /// <summary>The candidate needs something the organization offers: the match is wanted on both sides.</summary>
    private static double Reciprocity(Organization? self, Organization? candidate) =>
        self is null || candidate is null ? 0 : candidate.Needs.Intersect(self.Capabilities, StringComparer.Ordinal).Any() ? 0.5 : 0;

    private double SameCity(int a, int b) => _snapshot.OrganizationCities[a] == _snapshot.OrganizationCities[b] ? 0.1 : 0;

    private static string Bilingual(string tag) => $"{TagCatalog.Zh(tag)} / {TagCatalog.En(tag)}";

    private List<Reason> Reasons(int organization, int candidate, List<int>? via, List<string>? needsMet)
    {
        var s = _snapshot;
        var reasons = new List<Reason>();
        if (via is { Count: > 0 })
        {
            var names = via.Select(Name).ToList();
            reasons.Add(new Reason("shared-partners", $"{via.Count} 个共同合作伙伴：{string.Join("、", names)}",
                $"{via.Count} shared partner{(via.Count > 1 ? "s" : "")}: {string.Join(", ", names)}", names));
        }
        if (needsMet is { Count: > 0 })
        {
            reasons.Add(new Reason("capability-meets-need", $"对方能力满足您的需求：{string.Join("、", needsMet.Select(TagCatalog.Zh))}",
                $"Offers what you need: {string.Join(", ", needsMet.Select(TagCatalog.En))}", needsMet.Select(Bilingual).ToList()));
        }
        var back = s.Details[candidate]?.Needs.Intersect(s.Details[organization]?.Capabilities ?? [], StringComparer.Ordinal).ToList();
        if (back is { Count: > 0 })
        {
            reasons.Add(new Reason("need-meets-capability", $"对方也需要您的能力：{string.Join("、", back.Select(TagCatalog.Zh))}",
                $"Needs what you offer: {string.Join(", ", back.Select(TagCatalog.En))}", back.Select(Bilingual).ToList()));
        }
        if (s.OrganizationCities[organization] == s.OrganizationCities[candidate] && G60Catalog.FindCity(s.CityCodes[s.OrganizationCities[candidate]]) is { } city)
        {
            reasons.Add(new Reason("same-city", $"同在{city.NameZh}", $"Also in {city.NameEn}", [city.Code]));
        }
        return reasons;
    }

    private string Name(int o) => _snapshot.Details[o]?.DisplayName ?? _snapshot.OrganizationIds[o];
}
