using System.Buffers;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// Computes the pair features of one query against a batch of candidates from a prepared <see cref="QueryContext"/>:
/// array reads only, no per-pair look-ups in any store. Values are never NaN (unknown distance is -1, "never
/// worked together" is 99 years), so that a compiled tree and ML.NET route every row the same way.
/// </summary>
/// <param name="capabilities">Capability and need matching, or null (those columns are then 0).</param>
/// <param name="discovery">The diffusion behind the discovery columns; null = <see cref="DiffusionOptions.TwoHops"/>, the product's.</param>
/// <param name="discoveryColumns">False: the discovery columns are 0 (a model without them, for comparison).</param>
/// <param name="text">Text matching behind the text columns, or null (those columns are then 0).</param>
public sealed class PairFeatureExtractor(ICapabilityMatcher? capabilities = null, DiffusionOptions? discovery = null, bool discoveryColumns = true, TextMatcher? text = null)
{
    public const int Count = 54;
    public const float Never = 99;

    public static IReadOnlyList<string> Names { get; } = Enum.GetNames<PairFeature>();

    public ICapabilityMatcher? Capabilities { get; } = capabilities;

    public TextMatcher? Text { get; } = text;

    /// <summary>The diffusion behind the discovery columns, or null (those columns are then 0).</summary>
    public DiffusionOptions? Discovery { get; } = discoveryColumns ? discovery ?? DiffusionOptions.TwoHops : null;

    /// <summary>Writes <see cref="Count"/> features per candidate, row after row, into <paramref name="output"/>.</summary>
    public void Compute(QueryContext context, ReadOnlySpan<int> candidates, Span<float> output)
    {
        if (output.Length < candidates.Length * Count) throw new ArgumentException("output is too small for the candidates", nameof(output));
        var g = context.Snapshot;
        var stats = context.Stats;
        var q = context.Query;
        var a = q.Organization;
        var sectorActivity = q.Sectors.Select(stats.SectorActivity).ToArray();
        var sectorRecent = q.Sectors.Select(stats.SectorRecentActivity).ToArray();
        var kindShare = new float[8];
        foreach (var s in q.Sectors)
        {
            var share = stats.SectorKindShare(s);
            for (var k = 0; k < kindShare.Length; k++) kindShare[k] += share[k] / q.Sectors.Length;
        }
        var queryCity = stats.Cities[g.OrganizationCities[a]];
        var year = q.Year;
        // One great-circle distance per city, not per pair.
        var distanceByCity = new float[g.CityCodes.Length];
        for (var c = 0; c < distanceByCity.Length; c++)
        {
            var candidateCity = stats.Cities[c];
            distanceByCity[c] = queryCity is not null && candidateCity is not null ? (float)G60Catalog.DistanceKm(queryCity, candidateCity) : -1;
        }
        var queryDegree = g.Partners.Degree(a);
        var queryMoney = MathF.Log(1 + stats.MeanContribution[a]);
        var profiles = stats.Profiles;
        context.CompleteHubs(candidates);
        context.CompleteTwoHop(candidates);
        // Capability and need matches in both directions, for all candidates at once.
        var matches = ArrayPool<float>.Shared.Rent(2 * candidates.Length);
        var meets = matches.AsSpan(0, candidates.Length);
        var met = matches.AsSpan(candidates.Length, candidates.Length);
        if (Capabilities is { } capabilities) capabilities.MatchAll(a, candidates, meets, met);
        else matches.AsSpan(0, 2 * candidates.Length).Clear();

        for (var i = 0; i < candidates.Length; i++)
        {
            var b = candidates[i];
            var f = output.Slice(i * Count, Count);
            ref readonly var row = ref context.Row(b);
            var joint = row.Joint;
            f[(int)PairFeature.JointProjects] = joint;
            f[(int)PairFeature.JointRecencyWeighted] = row.JointWeighted;
            f[(int)PairFeature.YearsSinceJoint] = joint > 0 ? year - row.LastJointYear : Never;
            f[(int)PairFeature.JointInQuerySectors] = row.JointInSector;
            f[(int)PairFeature.JointLedByQuery] = row.JointQueryLed;
            f[(int)PairFeature.JointLedByCandidate] = row.JointCandidateLed;
            f[(int)PairFeature.JointInverseSize] = row.JointInverseSize;
            ref readonly var near = ref context.Near(b);
            f[(int)PairFeature.CommonPartners] = near.CommonPartners;
            f[(int)PairFeature.AdamicAdar] = near.AdamicAdar;
            f[(int)PairFeature.ResourceAllocation] = near.ResourceAllocation;
            f[(int)PairFeature.PathLength] = context.PathLength(b);

            ref readonly var profile = ref profiles[b];
            FillCandidateSide(f, profile, b, year, sectorActivity, sectorRecent);
            var kind = profile.Kind;
            f[(int)PairFeature.CandidateKind] = (float)kind;
            f[(int)PairFeature.QueryKind] = (float)g.Kinds[a];
            f[(int)PairFeature.KindAffinity] = context.PartnerKindShare[(int)kind];
            f[(int)PairFeature.SectorKindShare] = kindShare[(int)kind];
            f[(int)PairFeature.ConsortiumKindShare] = context.ConsortiumKindShare[(int)kind];
            // What the field's consortia hold of this kind beyond what the query's usual consortia hold.
            f[(int)PairFeature.KindGap] = kindShare[(int)kind] - context.ConsortiumKindShare[(int)kind];
            f[(int)PairFeature.TwoHopRecent] = row.TwoHopRecent;
            f[(int)PairFeature.TwoHopInSectors] = row.TwoHopInSectors;
            f[(int)PairFeature.TwoHopRecentInSectors] = row.TwoHopRecentInSectors;
            f[(int)PairFeature.QueryContributionLog] = queryMoney;

            var city = profile.City;
            f[(int)PairFeature.SameCity] = city == g.OrganizationCities[a] ? 1 : 0;
            f[(int)PairFeature.CityAffinity] = context.PartnerCityShare[city];
            f[(int)PairFeature.CityPairShare] = stats.CityPairShare[g.OrganizationCities[a] * g.CityCodes.Length + city];
            f[(int)PairFeature.DistanceKm] = distanceByCity[city];

            f[(int)PairFeature.QueryProjects] = stats.Projects[a];
            f[(int)PairFeature.QueryDegree] = queryDegree;
            f[(int)PairFeature.CandidateMeetsQueryNeeds] = meets[i];
            f[(int)PairFeature.QueryMeetsCandidateNeeds] = met[i];
            var overlap = 0;
            foreach (var s in g.OrganizationSectors[b]) overlap += context.QuerySectorMark[s] ? 1 : 0;
            f[(int)PairFeature.DeclaredSectorOverlap] = overlap;
        }
        DiscoveryDiffusion.WriteFeatures(context, Discovery, candidates, output);
        WriteTextFeatures(context, candidates, output);
        // Not returned when a row throws: the pool then simply allocates another.
        ArrayPool<float>.Shared.Return(matches);
    }

    private void WriteTextFeatures(QueryContext context, ReadOnlySpan<int> candidates, Span<float> output)
    {
        if (Text is null)
        {
            for (var i = 0; i < candidates.Length; i++) output.Slice(i * Count + (int)PairFeature.QueryHasText, Count - (int)PairFeature.QueryHasText).Clear();
            return;
        }
        var t = context.EnsureText(Text);
        var a = context.Query.Organization;
        var best = t.BestProfile;
        for (var i = 0; i < candidates.Length; i++)
        {
            var b = candidates[i];
            var f = output.Slice(i * Count, Count);
            f[(int)PairFeature.QueryHasText] = t.HasText ? 1 : 0;
            f[(int)PairFeature.TextProfile] = t.HasText ? t.Profile[b] : 0;
            f[(int)PairFeature.TextProfileRelative] = best > 0 ? t.Profile[b] / best : 0;
            f[(int)PairFeature.TextSimilarProjects] = t.Projects[b];
            f[(int)PairFeature.TextSimilarProjectCount] = t.ProjectCount[b];
            f[(int)PairFeature.ProfileSimilarity] = Text.Index.ProfileSimilarity(a, b);
            f[(int)PairFeature.TopicProjects] = t.Topic[b];
            f[(int)PairFeature.TopicDestinationProjects] = t.Destination[b];
            // Where the candidate's profile stands among all profiles for this text (log2 of 1 + rank; 0 without a match).
            f[(int)PairFeature.TextProfileRank] = t.HasText && t.Profile[b] > 0 ? MathF.Log2(1 + t.RankOf(b)) : 0;
            f[(int)PairFeature.TextBestSimilarProject] = t.BestProject[b];
        }
    }

    private static void FillCandidateSide(Span<float> f, in SnapshotStats.CandidateProfile profile, int b, int year, int[][] sectorActivity, int[][] sectorRecent)
    {
        var projects = profile.Projects;
        float inSectors = 0, recentInSectors = 0;
        for (var s = 0; s < sectorActivity.Length; s++)
        {
            inSectors += sectorActivity[s][b];
            recentInSectors += sectorRecent[s][b];
        }
        f[(int)PairFeature.CandidateProjects] = projects;
        f[(int)PairFeature.CandidateProjectsInSectors] = inSectors;
        f[(int)PairFeature.CandidateRecentProjects] = profile.RecentProjects;
        f[(int)PairFeature.CandidateRecentInSectors] = recentInSectors;
        f[(int)PairFeature.CandidateLed] = profile.Led;
        f[(int)PairFeature.CandidateDegree] = profile.Degree;
        f[(int)PairFeature.CandidateSectorShare] = projects > 0 ? inSectors / projects : 0;
        f[(int)PairFeature.CandidateContributionLog] = profile.ContributionLog;
        f[(int)PairFeature.CandidateYearsSinceActive] = projects > 0 ? year - profile.LastYear : Never;
        f[(int)PairFeature.CandidateRecentNewPartners] = profile.RecentNewPartners;
        f[(int)PairFeature.CandidatePartnersPerProject] = profile.PartnersPerProject;
    }

    /// <summary>
    /// The features of the reverse pair (the candidate <paramref name="b"/> asking about the query organization, in
    /// the same fields and year) from the forward row: the symmetric graph features are shared, and only what
    /// depends on the asking side is recomputed, at the cost of <paramref name="b"/>'s partner list and projects
    /// (and of a walk from <paramref name="b"/> for a diffusion other than the product's two-hop one).
    /// </summary>
    public void Reverse(QueryContext context, int b, ReadOnlySpan<float> forward, Span<float> reverse)
    {
        forward[..Count].CopyTo(reverse);
        var g = context.Snapshot;
        var stats = context.Stats;
        var q = context.Query;
        var a = q.Organization;
        reverse[(int)PairFeature.JointLedByQuery] = forward[(int)PairFeature.JointLedByCandidate];
        reverse[(int)PairFeature.JointLedByCandidate] = forward[(int)PairFeature.JointLedByQuery];
        FillCandidateSide(reverse, stats.Profiles[a], a, q.Year, q.Sectors.Select(stats.SectorActivity).ToArray(), q.Sectors.Select(stats.SectorRecentActivity).ToArray());
        var kindA = g.Kinds[a];
        var cityA = g.OrganizationCities[a];
        float sameKind = 0, sameCity = 0;
        var partners = g.Partners[b];
        foreach (var z in partners)
        {
            if (g.Kinds[z] == kindA) sameKind++;
            if (g.OrganizationCities[z] == cityA) sameCity++;
        }
        reverse[(int)PairFeature.CandidateKind] = (float)kindA;
        reverse[(int)PairFeature.QueryKind] = (float)g.Kinds[b];
        reverse[(int)PairFeature.KindAffinity] = partners.Length > 0 ? sameKind / partners.Length : 0;
        float kindShare = 0;
        foreach (var s in q.Sectors) kindShare += stats.SectorKindShare(s)[(int)kindA] / q.Sectors.Length;
        reverse[(int)PairFeature.SectorKindShare] = kindShare;
        float sameKindMembers = 0, otherMembers = 0;
        foreach (var p in g.OrganizationProjects[b])
        {
            foreach (var m in g.ProjectMembers[p])
            {
                if (m == b) continue;
                otherMembers++;
                if (g.Kinds[m] == kindA) sameKindMembers++;
            }
        }
        var consortiumShare = otherMembers > 0 ? sameKindMembers / otherMembers : 0;
        reverse[(int)PairFeature.ConsortiumKindShare] = consortiumShare;
        reverse[(int)PairFeature.KindGap] = kindShare - consortiumShare;
        reverse[(int)PairFeature.QueryContributionLog] = MathF.Log(1 + stats.MeanContribution[b]);
        reverse[(int)PairFeature.CityAffinity] = partners.Length > 0 ? sameCity / partners.Length : 0;
        reverse[(int)PairFeature.CityPairShare] = stats.CityPairShare[g.OrganizationCities[b] * g.CityCodes.Length + cityA];
        reverse[(int)PairFeature.QueryProjects] = stats.Projects[b];
        reverse[(int)PairFeature.QueryDegree] = partners.Length;
        reverse[(int)PairFeature.CandidateMeetsQueryNeeds] = forward[(int)PairFeature.QueryMeetsCandidateNeeds];
        reverse[(int)PairFeature.QueryMeetsCandidateNeeds] = forward[(int)PairFeature.CandidateMeetsQueryNeeds];
        var overlap = 0;
        foreach (var s in g.OrganizationSectors[a]) overlap += context.QuerySectorMark[s] ? 1 : 0;
        reverse[(int)PairFeature.DeclaredSectorOverlap] = overlap;
        DiscoveryDiffusion.WriteReverse(context, Discovery, b, reverse);
    }
}
