using Microsoft.AspNetCore.Http.Features;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// HEAD is answered as GET without a body (RFC 9110 9.3.2): the request runs through the GET endpoint (key, scope,
/// rate limit, ETag and all) with the body written nowhere, so the headers are exactly those of the GET. Minimal
/// API routes match GET only; without this every HEAD would be a 405.
/// </summary>
internal static class HeadAsGet
{
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await next(http);
            return;
        }
        var body = http.Features.Get<IHttpResponseBodyFeature>()!;
        // Both the stream and the PipeWriter of the response go to the discarding feature.
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
        http.Request.Method = HttpMethods.Get;
        try
        {
            await next(http);
        }
        finally
        {
            // Back to HEAD before the server writes the headers, so it sends no body and checks no Content-Length.
            http.Request.Method = HttpMethods.Head;
            http.Features.Set(body);
        }
    });
}
