using System.Text.Json;
using Matchmaker.Engine.Import;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// Reads request bodies with an explicit size limit, independent of the server in front (Kestrel enforces its
/// own limit, test servers and some proxies do not), and parses JSON with the project's strict options.
/// </summary>
internal static class RequestBodies
{
    public static async Task<MemoryStream> ReadLimitedAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    public static T ParseJson<T>(Stream body) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, WireJson.Options)
                ?? throw new BadHttpRequestException("The request body is empty or null.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException($"The request body is not valid JSON for this endpoint: {e.Message}", e);
        }
    }

    internal static BadHttpRequestException TooLarge(long maxBytes) =>
        new($"The request body exceeds the limit of {maxBytes:N0} bytes.", StatusCodes.Status413PayloadTooLarge);
}

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

/// <summary>
/// At most <see cref="Max"/> field errors in a validation problem, as the import reports: a body with thousands of bad
/// entries gets a bounded answer. The endpoints check list lengths before their entries, so the errors gathered
/// before this cap stay bounded too.
/// </summary>
public static class ValidationErrorCap
{
    public const int Max = 100;

    public static void Configure(ProblemDetailsOptions options) => options.CustomizeProblemDetails = context =>
    {
        if (context.ProblemDetails is HttpValidationProblemDetails { Errors.Count: > Max } validation)
        {
            var total = validation.Errors.Count;
            var kept = validation.Errors.Take(Max).ToList();
            validation.Errors.Clear();
            foreach (var (field, reasons) in kept) validation.Errors[field] = reasons;
            validation.Extensions["errorsOmitted"] = total - Max;
        }
    };
}
