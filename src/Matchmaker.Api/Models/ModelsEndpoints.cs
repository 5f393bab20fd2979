using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Matching;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Models;

/// <summary>What an administrator sees of the ranking model in use.</summary>
public sealed record ModelStatus(
    int Version, DateTimeOffset CreatedAt, string Trainer, string TrainingData, int TrainingQueries, int TrainingRows,
    ValidationMetrics? Validation, IReadOnlyDictionary<string, string> Parameters, int FeatureCount);

public static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/models")
            .WithTags("Models")
            .RequireAuthorization(AccessPolicies.Admin)
            .MapGet("/current", Current)
            .WithSummary("The ranking model in use: version, when it was trained, on what data, and its validation metrics")
            .WithDescription("404 while no model has been trained and promoted; lists are then ranked by the heuristic ranker.")
            .ProducesCommonProblems(StatusCodes.Status404NotFound);
        return app;
    }

    internal static Results<Ok<ModelStatus>, ProblemHttpResult> Current(ModelRegistry registry)
    {
        if (registry.CurrentVersion is not { } version)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No model yet.",
                detail: "No ranking model has been trained and promoted yet; the heuristic ranker serves the lists.");
        }
        var card = RankingModel.ReadCard(registry.PathOf(version));
        return TypedResults.Ok(new ModelStatus(card.Version, card.CreatedAt, card.Trainer, card.TrainingData, card.TrainingQueries, card.TrainingRows,
            card.Validation, card.Parameters, card.FeatureNames.Count));
    }
}
