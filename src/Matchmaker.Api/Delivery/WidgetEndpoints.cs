using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Delivery;

/// <summary>One match as the widget shows it: name, kind and city labels and reasons in the asked language.</summary>
public sealed record WidgetMatch(string CandidateId, int Rank, string Name, string Kind, string City, IReadOnlyList<string> Reasons);

public sealed record WidgetMatches(string OrganizationId, string? OrganizationName, string Language, DateTimeOffset ComputedAt, IReadOnlyList<WidgetMatch> Items);

/// <summary>
/// The embeddable widget: a script served by the API and the data endpoint it calls from a partner's page with a
/// publishable key (the widget scope alone, bound to the organization, with the partner's origin in its allowed
/// origins). CORS comes from <see cref="KeyCorsPolicyProvider"/>: headers go only to origins the key allows; a preflight
/// (which carries no key) is answered for origins that some active widget key able to reach the organization allows.
/// </summary>
public static class WidgetEndpoints
{
    public const int MaxItems = 20;
    private static readonly Lazy<string> Script = new(() =>
    {
        using var stream = typeof(WidgetEndpoints).Assembly.GetManifestResourceStream("Matchmaker.Api.Delivery.widget.js")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapWidget(this IEndpointRouteBuilder app)
    {
        app.MapGet("/widget/v1.js", ScriptFile).WithTags("Widget").ExcludeFromDescription();
        var group = app.MapGroup("/widget/v1/organizations/{id}/matches").WithTags("Widget");
        group.MapGet("/", Matches)
            .RequireAuthorization(AccessPolicies.Widget)
            .RequireCors(KeyCorsPolicyProvider.Widget)
            .ScopedToOrganization()
            .WithSummary("An organization's top matches for the embeddable widget")
            .WithDescription("Discovery only (no existing partners, no declined candidates), with names, labels and reasons in zh or en. Called from browsers " +
                "with a publishable key; answers carry CORS headers for the key's allowed origins.")
            .ProducesValidationProblem()
            // 429 too: a widget key has a window per visitor's address.
            .ProducesCommonProblems(StatusCodes.Status404NotFound);
        return app;
    }

    internal static IResult ScriptFile(HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Text(Script.Value, "text/javascript; charset=utf-8");
    }

    /// <param name="lang">zh (default) or en.</param>
    /// <param name="limit">How many matches, 1-20 (default 5).</param>
    internal static async Task<Results<Ok<WidgetMatches>, ValidationProblem, ProblemHttpResult>> Matches(
        string id, string? lang, int? limit, HttpContext http, IRecommendationStore recommendations, IFeedbackStore feedback, IGraphStore graph,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (lang is not null && lang is not ("zh" or "en")) errors.Add("lang", "must be zh or en");
        errors.Range("limit", limit, 1, MaxItems);
        if (errors.Count > 0) return errors.ToProblem();

        var list = await recommendations.GetCurrentAsync(id, cancellationToken);
        if (list is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No recommendations.", detail: $"No recommendations are published for '{id}'.");
        }
        var language = lang == "en" ? DigestLanguage.En : DigestLanguage.Zh;
        var state = await feedback.GetStateAsync(id, cancellationToken);
        var organization = await graph.GetOrganizationAsync(id, cancellationToken);
        var items = list.Items.Where(i => !i.ExistingPartner && !state.IsDeclined(i.CandidateId)).Take(limit ?? 5)
            .Select((i, index) =>
            {
                var item = new DigestItem(i.CandidateId, i.Rank, i.Score, false, false, i.Candidate, i.Reasons);
                // The rank a visitor sees: the position among the matches shown.
                return new WidgetMatch(i.CandidateId, index + 1, DigestRenderer.CandidateName(item, language), DigestRenderer.KindLabel(i.Candidate?.Kind, language),
                    DigestRenderer.CityLabel(i.Candidate?.City, language),
                    i.Reasons.Take(DigestRenderer.ReasonsShown).Select(r => DigestRenderer.ReasonText(r, language)).ToList());
            }).ToList();
        var name = language == DigestLanguage.En ? organization?.NameEn ?? organization?.NameZh : organization?.NameZh ?? organization?.NameEn;
        http.Response.Headers.CacheControl = "private, max-age=60";
        return TypedResults.Ok(new WidgetMatches(id, name, language == DigestLanguage.En ? "en" : "zh", list.ComputedAt, items));
    }
}
