using System.Collections.Concurrent;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>
/// The reference methods of the Horizon data's protocol that need no text (previous partners, Adamic-Adar, field
/// popularity), with its tie-break: activity (number of projects before the test year), then orgId. Each fills a
/// score per organization of the snapshot whose order (higher first, ties by lower index) is that ranking.
/// </summary>
public sealed class HorizonBaselines
{
    private readonly GraphSnapshot _g;
    private readonly HorizonDataset _data;
    // Position of each organization in the activity order (most projects first, then orgId = snapshot index).
    private readonly int[] _activityRank;
    private readonly string[] _projectLegalBasis;
    private readonly string[] _projectDestination;
    private readonly ConcurrentDictionary<string, int[]> _legalBasisCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]> _destinationCounts = new(StringComparer.Ordinal);

    public HorizonBaselines(GraphSnapshot before, HorizonDataset data)
    {
        _g = before;
        _data = data;
        var n = before.OrganizationCount;
        var order = Enumerable.Range(0, n).OrderByDescending(o => before.OrganizationProjects.Degree(o)).ThenBy(o => o).ToArray();
        _activityRank = new int[n];
        for (var r = 0; r < n; r++) _activityRank[order[r]] = r;
        _projectLegalBasis = new string[before.ProjectCount];
        _projectDestination = new string[before.ProjectCount];
        for (var p = 0; p < before.ProjectCount; p++)
        {
            var project = data.Project(before.ProjectIds[p]) ?? throw new InvalidOperationException($"Project {before.ProjectIds[p]} is not in the data.");
            _projectLegalBasis[p] = project.MainLegalBasis;
            _projectDestination[p] = project.MainDestination;
        }
    }

    /// <summary>The coordinator's previous partners by number of joint projects, then everyone else.</summary>
    public void PreviousPartners(MatchQuery q, Span<double> scores)
    {
        Heuristics.PreviousPartners(_g, q, scores);
        BreakTies(scores);
    }

    /// <summary>Sum over common partners w of 1 / ln(partners of w), every intermediary counted.</summary>
    public void AdamicAdar(MatchQuery q, Span<double> scores)
    {
        Heuristics.AdamicAdar(_g, q, scores);
        // Sums of the same terms in another order may differ in the last bits; rounding keeps such ties tied.
        for (var o = 0; o < scores.Length; o++)
        {
            if (double.IsFinite(scores[o])) scores[o] = Math.Round(scores[o], 9);
        }
        BreakTies(scores);
    }

    /// <summary>
    /// Projects before the test year with the query's main legal basis, then projects with its topic destination
    /// (both counted on each project's main legal basis and first topic), then activity.
    /// </summary>
    public void FieldPopularity(MatchQuery q, Span<double> scores)
    {
        var project = _data.Project(q.Id) ?? throw new InvalidOperationException($"Query {q.Id} is not a project of the data.");
        var byLegalBasis = Counts(_legalBasisCounts, _projectLegalBasis, project.MainLegalBasis);
        var byDestination = Counts(_destinationCounts, _projectDestination, project.MainDestination);
        // Counts are below the number of projects, so the pair is exact as one number.
        double scale = _g.ProjectCount + 1;
        for (var o = 0; o < scores.Length; o++) scores[o] = byLegalBasis[o] * scale + byDestination[o];
        scores[q.Organization] = double.NegativeInfinity;
        BreakTies(scores);
    }

    /// <summary>
    /// BM25 of the query's text against each organization's profile in <paramref name="text"/>'s index (its own
    /// texts and its projects' before the test year), then activity; the product's index, not the README's exact
    /// reference (which has no recency weighting and keeps only terms in at least two profiles).
    /// </summary>
    public void TextBm25(TextMatcher text, MatchQuery q, Span<double> scores)
    {
        var query = text.Index.Analyze(q.Text);
        var buffer = new float[scores.Length];
        if (!query.IsEmpty) text.Index.ScoreOrganizations(query, buffer);
        for (var o = 0; o < scores.Length; o++) scores[o] = buffer[o];
        scores[q.Organization] = double.NegativeInfinity;
        BreakTies(scores);
    }

    private int[] Counts(ConcurrentDictionary<string, int[]> cache, string[] field, string value) => cache.GetOrAdd(value, v =>
    {
        var counts = new int[_g.OrganizationCount];
        if (v.Length == 0) return counts;
        for (var p = 0; p < field.Length; p++)
        {
            if (field[p] != v) continue;
            foreach (var o in _g.ProjectMembers[p]) counts[o]++;
        }
        return counts;
    });

    /// <summary>
    /// Rewrites scores so that their order is (score, activity, orgId): the positive scores, sorted, above every
    /// zero score, and zeros in activity order. Removed organizations (-inf) stay removed.
    /// </summary>
    public void BreakTies(Span<double> scores)
    {
        var n = scores.Length;
        var rank = _activityRank;
        // One primitive sort by descending score, then each run of equal scores by activity: the same order as
        // comparing (score, activity) pairs, without a delegate call per comparison (it ran for every query of
        // every method).
        var count = 0;
        for (var o = 0; o < n; o++)
        {
            if (scores[o] > 0) count++;
        }
        var items = new int[count];
        var keys = new double[count];
        count = 0;
        for (var o = 0; o < n; o++)
        {
            if (!(scores[o] > 0)) continue;
            items[count] = o;
            keys[count++] = -scores[o];
        }
        Array.Sort(keys, items);
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(items, start, end - start, Comparer<int>.Create((a, b) => rank[a].CompareTo(rank[b])));
            start = end;
        }
        for (var o = 0; o < n; o++)
        {
            if (!double.IsNegativeInfinity(scores[o])) scores[o] = n - rank[o];
        }
        for (var i = 0; i < items.Length; i++) scores[items[i]] = 2.0 * n - i;
    }
}
