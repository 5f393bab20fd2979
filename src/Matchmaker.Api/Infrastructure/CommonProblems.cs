namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// The problems every keyed API endpoint can answer: 401 (no or unknown key), 403 (scope or organization) and 429
/// (rate limit), documented once instead of per group. Extra codes a group adds (404, 500, 503...) are merged in
/// ascending order, the order the document has always listed them in.
/// </summary>
internal static class CommonProblems
{
    private static readonly int[] Always =
    [
        StatusCodes.Status401Unauthorized,
        StatusCodes.Status403Forbidden,
        StatusCodes.Status429TooManyRequests,
    ];

    public static RouteGroupBuilder ProducesCommonProblems(this RouteGroupBuilder group, params int[] alsoStatusCodes)
    {
        foreach (var status in StatusCodesWith(alsoStatusCodes)) group.ProducesProblem(status);
        return group;
    }

    public static RouteHandlerBuilder ProducesCommonProblems(this RouteHandlerBuilder endpoint, params int[] alsoStatusCodes)
    {
        foreach (var status in StatusCodesWith(alsoStatusCodes)) endpoint.ProducesProblem(status);
        return endpoint;
    }

    private static IEnumerable<int> StatusCodesWith(int[] alsoStatusCodes) => Always.Union(alsoStatusCodes).Order();
}
