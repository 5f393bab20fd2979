using Hangfire;
using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Recommendations;

public sealed record RunResponse(
    string Id, string Kind, string Status, string ModelVersion, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    int ShardsTotal, int ShardsDone, long OrganizationsScored, long PairsScored, double PairsPerSecond, string? Error)
{
    public static RunResponse From(RecomputeRun r) => new(r.Id, r.Kind.ToString().ToLowerInvariant(), r.Status.ToString().ToLowerInvariant(), r.ModelVersion,
        r.StartedAt, r.FinishedAt, r.ShardsTotal, r.ShardsDone, r.OrganizationsScored, r.PairsScored, Math.Round(r.PairsPerSecond), r.Error);
}

public static class RecomputeEndpoints
{
    public static IEndpointRouteBuilder MapRecompute(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/recompute/runs")
            .WithTags("Recompute")
            .RequireAuthorization(AccessPolicies.Read)
            .ProducesCommonProblems();

        group.MapPost("/", Trigger)
            .RequireAuthorization(AccessPolicies.Admin)
            .WithSummary("Start a full recompute of every organization's recommendations")
            .WithDescription("Plans the run and enqueues one job per shard; poll the returned run for progress. While a full run is in flight (started within " +
                "the last 12 hours), the request joins it: the answer is that run.");
        group.MapGet("/", ListRuns).WithSummary("Recent recompute runs, newest first");
        group.MapGet("/{runId}", GetRun)
            .WithName("GetRecomputeRun")
            .WithSummary("A recompute run's status and progress (shards done, organizations scored, pairs per second)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>A full run older than this that still says running is taken as stuck: a new request plans a new run.</summary>
    public static readonly TimeSpan InFlightWindow = TimeSpan.FromHours(12);

    internal static async Task<AcceptedAtRoute<RunResponse>> Trigger(
        RecomputeService service, IRecommendationStore store, IBackgroundJobClient jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        // Requests repeated (a retrying client, a double click, a cross-site page, another replica's caller) join the
        // run in flight instead of each starting a whole recompute: the check and the planning are one turn, taken in
        // the store so that API replicas sharing it take turns too.
        await using (await store.HoldFullRunPlanningAsync(cancellationToken))
        {
            var inFlight = (await store.ListRunsAsync(20, cancellationToken))
                .FirstOrDefault(r => r.Kind == RunKind.Full && r.Status == RunStatus.Running && time.GetUtcNow() - r.StartedAt < InFlightWindow);
            if (inFlight is not null) return TypedResults.AcceptedAtRoute(RunResponse.From(inFlight), "GetRecomputeRun", new { runId = inFlight.Id });
            var plan = await service.PlanFullRunAsync(cancellationToken);
            RecomputeJobs.EnqueueShards(jobs, plan);
            var run = await store.GetRunAsync(plan.RunId, cancellationToken);
            return TypedResults.AcceptedAtRoute(RunResponse.From(run!), "GetRecomputeRun", new { runId = plan.RunId });
        }
    }

    /// <param name="limit">How many runs, 1-100 (default 20).</param>
    internal static async Task<Results<Ok<IReadOnlyList<RunResponse>>, ValidationProblem>> ListRuns(int? limit, IRecommendationStore store, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 100) return FieldErrors.Problem("limit", FieldErrors.Messages.Between(1, 100));
        var runs = await store.ListRunsAsync(limit ?? 20, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RunResponse>>(runs.Select(RunResponse.From).ToList());
    }

    internal static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetRun(string runId, IRecommendationStore store, CancellationToken cancellationToken) =>
        await store.GetRunAsync(runId, cancellationToken) is { } run
            ? TypedResults.Ok(RunResponse.From(run))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Run not found.", detail: $"No recompute run has id '{runId}'.");
}
