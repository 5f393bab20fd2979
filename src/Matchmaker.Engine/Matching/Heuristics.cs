using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// The baselines a user could apply by hand: their previous partners, friends of friends (Adamic-Adar), and the
/// most active organizations of the field. Each fills a score per organization of the snapshot; the query's own
/// organization gets <see cref="double.NegativeInfinity"/> (not ranked).
/// </summary>
public static class Heuristics
{
    public static void PreviousPartners(GraphSnapshot g, MatchQuery q, Span<double> scores)
    {
        scores.Clear();
        var partners = g.Partners;
        for (var e = partners.Offsets[q.Organization]; e < partners.Offsets[q.Organization + 1]; e++)
        {
            scores[partners.Targets[e]] = g.PartnerJointProjects[e];
        }
        scores[q.Organization] = double.NegativeInfinity;
    }

    /// <summary>Sum over common partners z of 1 / ln(degree z). <paramref name="hubCap"/> skips intermediaries with more partners.</summary>
    public static void AdamicAdar(GraphSnapshot g, MatchQuery q, Span<double> scores, int hubCap = int.MaxValue)
    {
        scores.Clear();
        var partners = g.Partners;
        foreach (var z in partners[q.Organization])
        {
            var degree = partners.Degree(z);
            if (degree < 2 || degree > hubCap) continue;
            var w = 1 / Math.Log(degree);
            foreach (var b in partners[z]) scores[b] += w;
        }
        scores[q.Organization] = double.NegativeInfinity;
    }

    /// <summary>Number of projects in each of the query's sectors (a project in two of them counts twice).</summary>
    public static void FieldPopularity(GraphSnapshot g, MatchQuery q, Span<double> scores)
    {
        scores.Clear();
        foreach (var s in q.Sectors)
        {
            var counts = SectorActivity(g, s);
            for (var o = 0; o < counts.Length; o++) scores[o] += counts[o];
        }
        scores[q.Organization] = double.NegativeInfinity;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GraphSnapshot, int[]?[]> ActivityCache = [];

    /// <summary>Per organization, its number of projects in sector <paramref name="sector"/> (cached per snapshot).</summary>
    public static int[] SectorActivity(GraphSnapshot g, int sector)
    {
        var table = ActivityCache.GetValue(g, s => new int[]?[s.SectorCodes.Length]);
        var counts = Volatile.Read(ref table[sector]);
        if (counts is not null) return counts;
        counts = new int[g.OrganizationCount];
        for (var p = 0; p < g.ProjectCount; p++)
        {
            if (!g.ProjectSectors[p].Contains(sector)) continue;
            foreach (var o in g.ProjectMembers[p]) counts[o]++;
        }
        Volatile.Write(ref table[sector], counts);
        return counts;
    }
}
