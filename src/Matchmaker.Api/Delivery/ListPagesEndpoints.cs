using Matchmaker.Engine.Delivery;
using Matchmaker.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Delivery;

/// <summary>
/// The pages behind the links in a weekly list. They need no API key: the signed token in the path is the
/// permission. Unsubscribing is a POST (the page behind the GET asks to confirm), so that mail scanners and link
/// previews that fetch every link do not unsubscribe anyone; mail clients use the same POST through the
/// List-Unsubscribe-Post header (RFC 8058 one-click).
/// </summary>
public static class ListPagesEndpoints
{
    private const string PageSecurity = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IEndpointRouteBuilder MapListPages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Weekly lists").ExcludeFromDescription();
        group.MapGet("/lists/{token}", ListPage);
        group.MapGet("/unsubscribe/{token}", ConfirmUnsubscribe);
        group.MapPost("/unsubscribe/{token}", Unsubscribe);
        return app;
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ListPage(
        string token, HttpContext http, DeliveryTokens tokens, IDeliveryStore store, DeliveryService delivery, HtmlPages pages, CancellationToken cancellationToken)
    {
        if (!tokens.TryReadList(token, out var digestId, out var linkVersion) || await store.GetDigestAsync(digestId, cancellationToken) is not { } digest
            || await store.GetSubscriptionAsync(digest.SubscriptionId, cancellationToken) is not { } subscription)
        {
            return LinkNotFound();
        }
        if (subscription.LinkVersion != linkVersion) return LinkRevoked();
        return Page(http, await pages.ListPageAsync(digest, delivery.UnsubscribeUrl(subscription)));
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ConfirmUnsubscribe(
        string token, HttpContext http, DeliveryTokens tokens, IDeliveryStore store, HtmlPages pages, CancellationToken cancellationToken)
    {
        if (!tokens.TryReadUnsubscribe(token, out var subscriptionId, out var linkVersion)
            || await store.GetSubscriptionAsync(subscriptionId, cancellationToken) is not { } subscription)
        {
            return LinkNotFound();
        }
        if (subscription.LinkVersion != linkVersion) return LinkRevoked();
        var step = subscription.Status == SubscriptionStatus.Unsubscribed ? UnsubscribeStep.AlreadyUnsubscribed : UnsubscribeStep.Confirm;
        return Page(http, await pages.UnsubscribePageAsync(DeliveryTargets.Redact(subscription.Target), step));
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> Unsubscribe(
        string token, HttpContext http, DeliveryTokens tokens, IDeliveryStore store, DeliveryService delivery, HtmlPages pages, CancellationToken cancellationToken)
    {
        if (!tokens.TryReadUnsubscribe(token, out var subscriptionId, out var linkVersion)
            || await store.GetSubscriptionAsync(subscriptionId, cancellationToken) is not { } current)
        {
            return LinkNotFound();
        }
        if (current.LinkVersion != linkVersion) return LinkRevoked();
        if (await delivery.UnsubscribeAsync(subscriptionId, cancellationToken) is not { } subscription) return LinkNotFound();
        return Page(http, await pages.UnsubscribePageAsync(DeliveryTargets.Redact(subscription.Target), UnsubscribeStep.Done));
    }

    private static ContentHttpResult Page(HttpContext http, string html)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = PageSecurity;
        headers["Referrer-Policy"] = "no-referrer"; // the token is in the URL
        headers["X-Robots-Tag"] = "noindex";
        headers.CacheControl = "private, no-store";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>A genuine link of a subscription whose links were revoked since it was sent.</summary>
    private static ProblemHttpResult LinkRevoked() =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Link no longer valid.",
            detail: "The links of this subscription were revoked; the links in the latest message work.");

    private static ProblemHttpResult LinkNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Link not found.", detail: "This link is not valid, or what it pointed to was deleted.");
}
