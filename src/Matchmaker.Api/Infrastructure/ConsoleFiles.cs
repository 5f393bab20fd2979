using Microsoft.Net.Http.Headers;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// The coordinators' console: <c>index.html</c>, <c>console.js</c> and <c>console.css</c> from wwwroot, served at
/// <c>/</c> without a key. A strict content security policy keeps the page to its own scripts and to this origin's
/// API, so a pasted key can be sent nowhere else.
/// </summary>
internal static class ConsoleFiles
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication UseConsoleFiles(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                // A new release's script and page are fetched again rather than mixed with cached old ones.
                headers[HeaderNames.CacheControl] = "no-cache";
            },
        });
        return app;
    }
}
