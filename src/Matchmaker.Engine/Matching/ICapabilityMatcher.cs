using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Matching;

/// <summary>How well one organization's capabilities meet another's needs, in [0, 1]; 0 when nothing is known.</summary>
public interface ICapabilityMatcher
{
    float Match(int needing, int offering);

    /// <summary>
    /// Organizations that may match <paramref name="organization"/> in either direction (they share a need or
    /// capability term), so that candidate generation scores those instead of every organization.
    /// </summary>
    IEnumerable<int> Related(int organization, int organizationCount) => Enumerable.Range(0, organizationCount);

    /// <summary>Adds <see cref="Related"/>'s organizations to <paramref name="into"/>, each once, in no particular order.</summary>
    void CollectRelated(int organization, int organizationCount, List<int> into) => into.AddRange(Related(organization, organizationCount).Distinct());

    /// <summary><see cref="Match"/> of <paramref name="query"/> with each candidate, in both directions.</summary>
    void MatchAll(int query, ReadOnlySpan<int> candidates, Span<float> candidateMeetsQuery, Span<float> queryMeetsCandidate) =>
        MatchPairByPair(this, query, candidates, candidateMeetsQuery, queryMeetsCandidate);

    /// <summary><see cref="MatchAll"/> by one <see cref="Match"/> per pair and direction.</summary>
    protected static void MatchPairByPair(ICapabilityMatcher matcher, int query, ReadOnlySpan<int> candidates, Span<float> candidateMeetsQuery, Span<float> queryMeetsCandidate)
    {
        for (var i = 0; i < candidates.Length; i++)
        {
            candidateMeetsQuery[i] = matcher.Match(needing: query, offering: candidates[i]);
            queryMeetsCandidate[i] = matcher.Match(needing: candidates[i], offering: query);
        }
    }
}
