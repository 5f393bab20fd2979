using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Api.Access;

/// <summary>
/// The candidates a key bound to an organization may name: those the service has put before that organization (its
/// current list, existing partners and declined ones included; the members of its latest saved plans) and those it
/// has given feedback on. A bound key cannot search, so any other id is one it has no business knowing: the
/// endpoints answer such an id exactly as they answer an id no organization has, so a bound key learns nothing about
/// which organizations exist. Unbound keys search the whole graph anyway and are not restricted.
/// </summary>
public static class CandidateReach
{
    /// <summary>How many of the organization's newest plans count.</summary>
    public const int RecentPlans = 20;

    /// <summary>True when the request's key is bound (to any organization).</summary>
    public static bool IsBound(HttpContext http) => ApiKeyClaims.OrganizationOf(http.User) is not null;

    /// <summary>The ids <paramref name="organizationId"/> may name as candidates through a bound key.</summary>
    public static async Task<HashSet<string>> OfAsync(string organizationId, IRecommendationStore lists, FeedbackIndex feedback, IPlanStore plans,
        CancellationToken cancellationToken)
    {
        var reach = new HashSet<string>(StringComparer.Ordinal);
        if (await lists.GetCurrentAsync(organizationId, cancellationToken) is { } list)
        {
            foreach (var item in list.Items) reach.Add(item.CandidateId);
        }
        // Only feedback this organization gave: interest others showed in it stays hidden (it is one-sided until returned).
        var state = await feedback.GetStateAsync(organizationId, cancellationToken);
        reach.UnionWith(state.Given.Keys);
        reach.UnionWith(await PlanMembersAsync(organizationId, plans, cancellationToken));
        reach.Remove(organizationId);
        return reach;
    }

    /// <summary>
    /// Whether the organization may name <paramref name="candidateId"/>, given its current list and feedback state
    /// (read once by the caller, which needs them too); its plans are read only when those do not decide.
    /// </summary>
    public static async Task<bool> ReachesAsync(string organizationId, string candidateId, RecommendationList? list, FeedbackState state, IPlanStore plans,
        CancellationToken cancellationToken)
    {
        if (candidateId == organizationId) return false;
        if (list is not null && list.Items.Any(i => i.CandidateId == candidateId)) return true;
        if (state.Given.ContainsKey(candidateId)) return true;
        return (await PlanMembersAsync(organizationId, plans, cancellationToken)).Contains(candidateId);
    }

    private static async Task<HashSet<string>> PlanMembersAsync(string organizationId, IPlanStore plans, CancellationToken cancellationToken)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plan in await plans.ListByLeadAsync(organizationId, RecentPlans, cancellationToken))
        {
            foreach (var team in plan.Alternatives) members.UnionWith(team.Members.Select(m => m.OrganizationId));
        }
        return members;
    }
}
