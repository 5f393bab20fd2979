namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// What a production ASP.NET Core service sends on every answer: <c>X-Content-Type-Options: nosniff</c> (a JSON
/// error that echoes input is never sniffed into HTML), and HSTS in the Production environment (on https answers).
/// </summary>
internal static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        if (app.Environment.IsProduction()) app.UseHsts();
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            });
            await next(http);
        });
        return app;
    }

    /// <summary>The Swagger UI is for people trying the API: every environment but Production. The document itself stays.</summary>
    public static bool ServesSwaggerUi(this IHostEnvironment environment) => !environment.IsProduction();
}
