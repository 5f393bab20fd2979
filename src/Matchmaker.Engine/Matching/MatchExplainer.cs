using System.Buffers;
using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Matching;

/// <summary>One reason for a match, in both languages, with the evidence behind it and its weight in the score.</summary>
public sealed record MatchReason(string Kind, float Contribution, string Zh, string En, IReadOnlyList<string> Evidence);

/// <summary>
/// Turns a scored pair into reasons: ML.NET's feature contributions of the tree model say which features moved
/// the score; features are pooled into a few reason kinds (prior work, shared partners, activity in the field,
/// complementary kind, place, capability and need), and the kinds that pushed the score up most are written out
/// with evidence read from the snapshot (names of shared partners, joint projects, city, met needs).
/// </summary>
/// <remarks>
/// With a <see cref="TextMatcher"/> and a query that carries text, the text reasons quote what matched: the
/// candidate's past projects best matching the text (title and year) and the matched words.
/// </remarks>
public sealed class MatchExplainer(GraphSnapshot snapshot, RankingModel model, CapabilityIndex? capabilities = null, TextMatcher? text = null)
{
    private static readonly Dictionary<PairFeature, string> KindOf = new()
    {
        [PairFeature.JointProjects] = "prior-work",
        [PairFeature.JointRecencyWeighted] = "prior-work",
        [PairFeature.YearsSinceJoint] = "prior-work",
        [PairFeature.JointInQuerySectors] = "prior-work",
        [PairFeature.JointLedByQuery] = "prior-work",
        [PairFeature.JointLedByCandidate] = "prior-work",
        [PairFeature.JointInverseSize] = "prior-work",
        [PairFeature.CommonPartners] = "shared-partners",
        [PairFeature.AdamicAdar] = "shared-partners",
        [PairFeature.ResourceAllocation] = "shared-partners",
        [PairFeature.PathLength] = "shared-partners",
        [PairFeature.TwoHopRecent] = "shared-partners",
        [PairFeature.TwoHopInSectors] = "shared-partners",
        [PairFeature.TwoHopRecentInSectors] = "shared-partners",
        [PairFeature.Diffusion] = "shared-partners",
        [PairFeature.DiffusionBeyondTwoHops] = "shared-partners",
        [PairFeature.DiffusionRelative] = "shared-partners",
        [PairFeature.CandidateRecentNewPartners] = "field-activity",
        [PairFeature.CandidatePartnersPerProject] = "field-activity",
        [PairFeature.ConsortiumKindShare] = "complementary-kind",
        [PairFeature.KindGap] = "complementary-kind",
        [PairFeature.CandidateProjects] = "field-activity",
        [PairFeature.CandidateProjectsInSectors] = "field-activity",
        [PairFeature.CandidateRecentProjects] = "field-activity",
        [PairFeature.CandidateRecentInSectors] = "field-activity",
        [PairFeature.CandidateLed] = "field-activity",
        [PairFeature.CandidateDegree] = "field-activity",
        [PairFeature.CandidateSectorShare] = "field-activity",
        [PairFeature.CandidateYearsSinceActive] = "field-activity",
        [PairFeature.CandidateContributionLog] = "field-activity",
        [PairFeature.DeclaredSectorOverlap] = "field-activity",
        [PairFeature.CandidateKind] = "complementary-kind",
        [PairFeature.KindAffinity] = "complementary-kind",
        [PairFeature.SectorKindShare] = "complementary-kind",
        [PairFeature.SameCity] = "place",
        [PairFeature.CityAffinity] = "place",
        [PairFeature.DistanceKm] = "place",
        [PairFeature.CityPairShare] = "place",
        [PairFeature.CandidateMeetsQueryNeeds] = "meets-your-needs",
        [PairFeature.QueryMeetsCandidateNeeds] = "you-meet-their-needs",
        [PairFeature.TextProfile] = "text-match",
        [PairFeature.TextProfileRelative] = "text-match",
        [PairFeature.TextSimilarProjects] = "text-match",
        [PairFeature.TextSimilarProjectCount] = "text-match",
        [PairFeature.ProfileSimilarity] = "similar-work",
        [PairFeature.TopicProjects] = "same-topic",
        [PairFeature.TopicDestinationProjects] = "same-topic",
        [PairFeature.TextProfileRank] = "text-match",
        [PairFeature.TextBestSimilarProject] = "text-match",
    };

    // The reason kinds in the order their first feature appears, and each feature's kind (-1 for none): the
    // contributions are pooled per kind in feature order, and equal pools keep that order.
    private static readonly string[] Kinds = Enumerable.Range(0, PairFeatureExtractor.Count)
        .Select(f => KindOf.GetValueOrDefault((PairFeature)f)).OfType<string>().Distinct().ToArray();

    private static readonly int[] KindOfFeature = Enumerable.Range(0, PairFeatureExtractor.Count)
        .Select(f => KindOf.TryGetValue((PairFeature)f, out var kind) ? Array.IndexOf(Kinds, kind) : -1).ToArray();

    // Display names of the snapshot's sector and city codes, looked up once instead of once per reason.
    private readonly (string Zh, string En)[] _sectorNames = snapshot.SectorCodes.Select(SectorName).ToArray();
    private readonly (string Zh, string En)[] _cityNames = snapshot.CityCodes.Select(CityName).ToArray();

    /// <summary>Reasons for each candidate of <paramref name="candidates"/> (scored for <paramref name="query"/>), best first.</summary>
    public IReadOnlyList<IReadOnlyList<MatchReason>> Explain(MatchQuery query, IReadOnlyList<ScoredCandidate> candidates, int maxReasons = 3)
    {
        if (candidates.Count == 0) return [];
        var result = new List<IReadOnlyList<MatchReason>>(candidates.Count);
        // The query's text is analyzed once for all candidates' text evidence.
        var textQuery = text is not null && !string.IsNullOrWhiteSpace(query.Text) ? text.Index.Analyze(query.Text) : null;
        Span<float> contributions = stackalloc float[PairFeatureExtractor.Count];
        Span<float> byKind = stackalloc float[Kinds.Length];
        Span<bool> seen = stackalloc bool[Kinds.Length];
        Span<int> order = stackalloc int[Kinds.Length];
        for (var i = 0; i < candidates.Count; i++)
        {
            model.Trees.Contributions(candidates[i].Features, contributions);
            byKind.Clear();
            seen.Clear();
            for (var f = 0; f < PairFeatureExtractor.Count; f++)
            {
                var k = KindOfFeature[f];
                if (k < 0) continue;
                byKind[k] += contributions[f];
                seen[k] = true;
            }
            // Kinds that raised the score, most first; a stable insertion sort keeps equal ones in kind order.
            var count = 0;
            for (var k = 0; k < Kinds.Length; k++)
            {
                if (!seen[k] || !(byKind[k] > 0)) continue;
                var at = count++;
                while (at > 0 && byKind[order[at - 1]] < byKind[k])
                {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = k;
            }
            var reasons = new List<MatchReason>(maxReasons);
            for (var r = 0; r < count && reasons.Count < maxReasons; r++)
            {
                var reason = Describe(Kinds[order[r]], byKind[order[r]], query, candidates[i], textQuery);
                if (reason is not null) reasons.Add(reason);
            }
            if (reasons.Count == 0)
            {
                // The kinds that raised the score had no evidence to show (a text column of a query without text, say):
                // the facts about the candidate that weighed most, whichever way, so that no listed candidate goes unexplained.
                var pooled = byKind.ToArray();
                var all = new List<int>();
                for (var k = 0; k < Kinds.Length; k++)
                {
                    if (seen[k]) all.Add(k);
                }
                all.Sort((x, y) => pooled[y] != pooled[x] ? pooled[y].CompareTo(pooled[x]) : x.CompareTo(y));
                foreach (var k in all)
                {
                    if (reasons.Count >= 1) break;
                    var reason = Describe(Kinds[k], byKind[k], query, candidates[i], textQuery);
                    if (reason is not null) reasons.Add(reason);
                }
            }
            result.Add(reasons);
        }
        return result;
    }

    public string NameOf(int organization) => snapshot.Details[organization]?.DisplayName ?? snapshot.OrganizationIds[organization];

    /// <summary>Partners of both, the ones with most joint projects with either side first.</summary>
    public IReadOnlyList<int> SharedPartners(int a, int b)
    {
        var buffer = ArrayPool<(int Z, int Weight)>.Shared.Rent(Math.Min(snapshot.Partners.Degree(a), snapshot.Partners.Degree(b)) + 1);
        try
        {
            var shared = buffer.AsSpan(0, Shared(a, b, buffer));
            shared.Sort(static (x, y) => Before(x, y) ? -1 : Before(y, x) ? 1 : 0);
            var result = new int[shared.Length];
            for (var i = 0; i < result.Length; i++) result[i] = shared[i].Z;
            return result;
        }
        finally
        {
            ArrayPool<(int Z, int Weight)>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The first <paramref name="top"/>.Length of <see cref="SharedPartners"/> (same order) and how many there are,
    /// without sorting them all: a reason names three.
    /// </summary>
    internal int SharedPartnersTop(int a, int b, Span<int> top)
    {
        var buffer = ArrayPool<(int Z, int Weight)>.Shared.Rent(Math.Min(snapshot.Partners.Degree(a), snapshot.Partners.Degree(b)) + 1);
        try
        {
            var shared = buffer.AsSpan(0, Shared(a, b, buffer));
            // A partial selection sort: the best, then the best of the rest, as many as asked.
            for (var k = 0; k < Math.Min(top.Length, shared.Length); k++)
            {
                var best = k;
                for (var i = k + 1; i < shared.Length; i++)
                {
                    if (Before(shared[i], shared[best])) best = i;
                }
                (shared[k], shared[best]) = (shared[best], shared[k]);
                top[k] = shared[k].Z;
            }
            return shared.Length;
        }
        finally
        {
            ArrayPool<(int Z, int Weight)>.Shared.Return(buffer);
        }
    }

    // More joint projects with either side first, then the lower index.
    private static bool Before((int Z, int Weight) x, (int Z, int Weight) y) => x.Weight != y.Weight ? x.Weight > y.Weight : x.Z < y.Z;

    /// <summary>Writes the partners of both with their joint-project counts into <paramref name="into"/> (as long as the shorter partner list); returns how many.</summary>
    private int Shared(int a, int b, Span<(int Z, int Weight)> into)
    {
        var partners = snapshot.Partners;
        // Walk the shorter partner list and look each one up in the longer (both are sorted).
        var (walk, other) = partners.Degree(a) <= partners.Degree(b) ? (a, b) : (b, a);
        var row = partners[walk];
        var count = 0;
        for (var j = 0; j < row.Length; j++)
        {
            var z = row[j];
            var eo = partners.EdgeIndex(other, z);
            if (eo < 0) continue;
            // Joint-project counts are symmetric: the edge walk-z carries the same count as z-walk.
            into[count++] = (z, snapshot.PartnerJointProjects[partners.Offsets[walk] + j] + snapshot.PartnerJointProjects[eo]);
        }
        return count;
    }

    public IReadOnlyList<int> JointProjects(int a, int b)
    {
        // Both rows are sorted by project: a merge, then the latest first (a stable sort keeps project order within a year).
        var mine = snapshot.OrganizationProjects[a];
        var theirs = snapshot.OrganizationProjects[b];
        var joint = new List<int>();
        for (int i = 0, j = 0; i < mine.Length && j < theirs.Length;)
        {
            if (mine[i] < theirs[j]) i++;
            else if (mine[i] > theirs[j]) j++;
            else
            {
                joint.Add(mine[i]);
                i++;
                j++;
            }
        }
        return joint.OrderByDescending(p => snapshot.ProjectYears[p]).ToArray();
    }

    /// <summary>The first <paramref name="top"/>.Length of <see cref="JointProjects"/> (same order) and how many there are.</summary>
    internal int JointProjectsTop(int a, int b, Span<int> top)
    {
        var mine = snapshot.OrganizationProjects[a];
        var theirs = snapshot.OrganizationProjects[b];
        var years = snapshot.ProjectYears;
        var count = 0;
        for (int i = 0, j = 0; i < mine.Length && j < theirs.Length;)
        {
            if (mine[i] < theirs[j]) i++;
            else if (mine[i] > theirs[j]) j++;
            else
            {
                var p = mine[i];
                i++;
                j++;
                count++;
                // Later years first; within a year, project order (projects arrive in ascending order).
                var kept = Math.Min(count, top.Length);
                var at = kept - 1;
                if (count > top.Length && years[p] <= years[top[at]]) continue;
                while (at > 0 && years[p] > years[top[at - 1]])
                {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = p;
            }
        }
        return count;
    }

    private MatchReason? Describe(string kind, float weight, MatchQuery query, ScoredCandidate candidate, TextQuery? textQuery)
    {
        var a = query.Organization;
        var b = candidate.Organization;
        var f = candidate.Features;
        switch (kind)
        {
            case "text-match":
            {
                if (text is null || textQuery is null || text.Evidence(textQuery, b) is not { } evidence) return null;
                return new MatchReason(kind, weight, evidence.Zh, evidence.En, evidence.Evidence);
            }
            case "similar-work":
            {
                if (text is null) return null;
                var similarity = f[(int)PairFeature.ProfileSimilarity];
                if (!(similarity > 0)) return null;
                var evidence = similarity.ToString("P0", CultureInfo.InvariantCulture);
                return new MatchReason(kind, weight,
                    $"双方过往项目的主题相近（文本相似度 {evidence}）",
                    $"both have worked on similar subjects (text similarity {evidence})",
                    [evidence]);
            }
            case "same-topic":
            {
                var onTopic = f[(int)PairFeature.TopicProjects];
                var inDestination = f[(int)PairFeature.TopicDestinationProjects];
                if (onTopic <= 0 && inDestination <= 0) return null;
                var topics = string.Join(", ", query.Topics);
                return onTopic > 0
                    ? new MatchReason(kind, weight,
                        $"曾参与同一课题（{topics}）的 {Fmt(onTopic)} 个项目",
                        $"{Fmt(onTopic)} project{(onTopic == 1 ? "" : "s")} on the same call topic ({topics})",
                        [topics, Fmt(onTopic)])
                    : new MatchReason(kind, weight,
                        $"曾参与同一指南方向的 {Fmt(inDestination)} 个项目（{topics}）",
                        $"{Fmt(inDestination)} project{(inDestination == 1 ? "" : "s")} in the same call destination ({topics})",
                        [topics, Fmt(inDestination)]);
            }
            case "prior-work":
            {
                Span<int> top = stackalloc int[3];
                var count = JointProjectsTop(a, b, top);
                if (count == 0) return null;
                // Projects by title and year (a person cannot read project ids).
                var evidence = new string[Math.Min(count, top.Length)];
                var zhTitles = new string[evidence.Length];
                var enTitles = new string[evidence.Length];
                for (var i = 0; i < evidence.Length; i++)
                {
                    var p = top[i];
                    var title = snapshot.ProjectTexts[p]?.Title;
                    var (zhTitle, enTitle) = ProjectTitles.Of(title, snapshot.ProjectIds[p]);
                    var year = snapshot.ProjectYears[p];
                    evidence[i] = $"{(string.IsNullOrWhiteSpace(title) ? snapshot.ProjectIds[p] : title.Trim())} ({year})";
                    zhTitles[i] = $"{zhTitle}（{year}）";
                    enTitles[i] = $"{enTitle} ({year})";
                }
                var latest = snapshot.ProjectYears[top[0]];
                return new MatchReason(kind, weight,
                    $"此前合作过 {count} 个项目，最近一次在 {latest} 年：{string.Join("、", zhTitles)}",
                    $"{count} joint project{(count == 1 ? "" : "s")}, latest in {latest}: {string.Join(", ", enTitles)}",
                    evidence);
            }
            case "shared-partners":
            {
                Span<int> top = stackalloc int[3];
                var count = SharedPartnersTop(a, b, top);
                if (count == 0) return null;
                var names = new string[Math.Min(count, top.Length)];
                for (var i = 0; i < names.Length; i++) names[i] = NameOf(top[i]);
                return new MatchReason(kind, weight,
                    $"{count} 个共同合作伙伴：{string.Join("、", names)}{(count > 3 ? " 等" : "")}",
                    $"{count} shared partner{(count == 1 ? "" : "s")}: {string.Join(", ", names)}{(count > 3 ? ", ..." : "")}",
                    names);
            }
            case "field-activity":
            {
                var sectors = new (string Zh, string En)[query.Sectors.Length];
                for (var i = 0; i < sectors.Length; i++) sectors[i] = _sectorNames[query.Sectors[i]];
                var inField = f[(int)PairFeature.CandidateProjectsInSectors];
                var recent = f[(int)PairFeature.CandidateRecentInSectors];
                if (sectors.Length == 0 || inField <= 0) return null;
                var evidence = new[] { string.Join(", ", sectors.Select(s => s.En)), Fmt(inField), Fmt(recent) };
                return new MatchReason(kind, weight,
                    $"在{string.Join("、", sectors.Select(s => s.Zh))}领域活跃：{evidence[1]} 个项目，其中近两年 {evidence[2]} 个",
                    $"active in {evidence[0]}: {evidence[1]} project{(inField == 1 ? "" : "s")}, {evidence[2]} in the last two years",
                    evidence);
            }
            case "complementary-kind":
            {
                var (zh, en) = KindName(snapshot.Kinds[b]);
                var share = f[(int)PairFeature.KindAffinity];
                return new MatchReason(kind, weight,
                    $"对方是{zh}，你方以往合作伙伴中 {share.ToString("P0", CultureInfo.InvariantCulture)} 是{zh}",
                    $"{(en is "enterprise" or "organization" ? "an" : "a")} {en}; {share.ToString("P0", CultureInfo.InvariantCulture)} of your past partners are of this kind",
                    [en]);
            }
            case "place":
            {
                var city = _cityNames[snapshot.OrganizationCities[b]];
                var same = f[(int)PairFeature.SameCity] > 0;
                var share = f[(int)PairFeature.CityAffinity];
                return new MatchReason(kind, weight,
                    same ? $"同在{city.Zh}" : $"位于{city.Zh}，你方以往合作伙伴中 {share.ToString("P0", CultureInfo.InvariantCulture)} 在此",
                    same ? $"also in {city.En}" : $"in {city.En}, where {share.ToString("P0", CultureInfo.InvariantCulture)} of your past partners are",
                    [city.En]);
            }
            case "meets-your-needs" or "you-meet-their-needs":
            {
                if (capabilities is null) return null;
                var theirs = kind == "meets-your-needs";
                var met = theirs ? capabilities.MetNeeds(a, b) : capabilities.MetNeeds(b, a);
                if (met.Count == 0) return null;
                var metZh = string.Join("、", met.Select(TagCatalog.Zh));
                var metEn = string.Join(", ", met.Select(TagCatalog.En));
                return new MatchReason(kind, weight,
                    theirs ? $"对方能力满足你方需求：{metZh}" : $"你方能力满足对方需求：{metZh}",
                    theirs ? $"they offer what you need: {metEn}" : $"you offer what they need: {metEn}",
                    met.Select(t => $"{TagCatalog.Zh(t)} / {TagCatalog.En(t)}").ToArray());
            }
            default:
                return null;
        }
    }

    // Counts are whole numbers: formatting them as integers gives the same text as the "0" float format, faster.
    private static string Fmt(float value) =>
        value == MathF.Floor(value) && value is >= 0 and <= int.MaxValue ? ((int)value).ToString(CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture);

    private static (string Zh, string En) SectorName(string code) =>
        G60Catalog.FindSector(code) is { } s ? (s.NameZh, s.NameEn) : (code, code);

    private static (string Zh, string En) CityName(string code) =>
        G60Catalog.FindCity(code) is { } c ? (c.NameZh, c.NameEn) : (code, code);

    public static (string Zh, string En) KindName(OrganizationKind kind) => kind switch
    {
        OrganizationKind.University => ("高校", "university"),
        OrganizationKind.ResearchInstitute => ("科研机构", "research institute"),
        OrganizationKind.Enterprise => ("企业", "enterprise"),
        OrganizationKind.FinancialInstitution => ("金融机构", "financial institution"),
        OrganizationKind.Platform => ("平台或园区", "platform or park"),
        OrganizationKind.PublicBody => ("公共机构", "public body"),
        _ => ("机构", "organization"),
    };
}
