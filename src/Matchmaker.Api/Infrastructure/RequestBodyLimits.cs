namespace Matchmaker.Api.Infrastructure;

/// <summary>Endpoint metadata: the most bytes a request body may have; null when the handler enforces its own limit.</summary>
public sealed record RequestBodyLimit(long? MaxBytes);

/// <summary>
/// A body limit for every endpoint, before anything reads the body: 64 KB unless the endpoint says otherwise (an
/// organization is larger, the import enforces its own). Kestrel's default (about 28.6 MB) is far more than any
/// of these bodies needs, and test servers and some proxies enforce none. A body without a Content-Length is read
/// up to the limit here, so no handler or model binder sees more.
/// </summary>
public static class RequestBodyLimits
{
    public const long Default = 64 * 1024;

    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long maxBytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(maxBytes));

    /// <summary>For endpoints that read their body with their own, configured limit (the import).</summary>
    public static TBuilder WithOwnRequestBodyLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(null));

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>() is { } declared ? declared.MaxBytes : Default;
        if (limit is not { } max || request.ContentLength == 0
            || http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            await next(http);
            return;
        }
        if (request.ContentLength > max) throw RequestBodies.TooLarge(max);
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max;
        if (request.ContentLength is null)
        {
            // Unknown length (chunked): take at most the limit now; the endpoint reads the copy.
            var copy = await RequestBodies.ReadLimitedAsync(request, max, http.RequestAborted);
            http.Response.RegisterForDisposeAsync(copy);
            request.Body = copy;
            request.ContentLength = copy.Length;
        }
        await next(http);
    });
}
