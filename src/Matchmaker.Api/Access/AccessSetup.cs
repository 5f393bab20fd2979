using Hangfire;
using Matchmaker.Engine.Access;
using Matchmaker.Hosting;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Access;

public static class AccessSetup
{
    /// <summary>API key authentication, the scope policies and the per-key rate limiter.</summary>
    public static IHostApplicationBuilder AddMatchmakerAccess(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => BootstrapKeys.Weakness(o.BootstrapAdminKey) is null,
                "Auth:BootstrapAdminKey is too weak: it needs at least 32 characters, at least 10 different ones and no repeated block; make one with `openssl rand -base64 32`.")
            .ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.PermitsPerMinute is >= 1 and <= 1_000_000 && o.WindowSeconds is >= 1 and <= 3600 && o.AddressPermitsPerWindow is null or >= 1,
                "RateLimits:PermitsPerMinute must be 1-1,000,000, RateLimits:WindowSeconds 1-3600 and RateLimits:AddressPermitsPerWindow at least 1.")
            .ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(AccessPolicies.Add);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, OrganizationBindingHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, AllowedOriginHandler>();
        services.AddSingleton<KeyOrigins>();
        // The framework's CORS; the policy of a request comes from the keys (KeyCorsPolicyProvider), not from configuration.
        services.AddCors();
        services.AddSingleton<Microsoft.AspNetCore.Cors.Infrastructure.ICorsPolicyProvider, KeyCorsPolicyProvider>();
        // Registered so that the jobs dashboard checks its antiforgery token on every POST (Hangfire skips the check
        // when no antiforgery service exists), against cross-site forms riding on cached Basic credentials.
        services.AddAntiforgery();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>>((o, limits) => RateLimits.Configure(o, limits.Value));
        return builder;
    }

    /// <summary>The per-address window, before CORS preflights and authentication (see <see cref="RateLimits.UseAddressRateLimit"/>).</summary>
    public static IApplicationBuilder UseMatchmakerAddressLimit(this IApplicationBuilder app) => app.UseAddressRateLimit();

    /// <summary>
    /// CORS per key (see <see cref="KeyCorsPolicyProvider"/>). After authentication, as a real request's policy comes
    /// from its key; preflights carry no key and are answered from the origins of all active keys.
    /// </summary>
    public static IApplicationBuilder UseMatchmakerCors(this IApplicationBuilder app) =>
        app.UseCors().Use(KeyCorsPolicyProvider.RefuseUnansweredOptionsAsync);

    /// <summary>The jobs dashboard, for admin keys only (header, bearer, or the browser's Basic prompt with the key as password).</summary>
    public static IEndpointConventionBuilder MapJobsDashboard(this IEndpointRouteBuilder app) =>
        app.MapHangfireDashboard("/jobs", new DashboardOptions { Authorization = [new AdminKeyDashboardAuthorization()] })
            .RequireAuthorization(AccessPolicies.Admin);

    /// <summary>
    /// Makes sure an admin can get in. With no key stored and none configured, the embedded mode issues one admin
    /// key and prints its token to the console once (to a 0600 file beside the SQLite file when the output is not a
    /// terminal); the store keeps only its hash. The production mode never
    /// issues one on its own: it expects Auth:BootstrapAdminKey.
    /// </summary>
    public static async Task EnsureAdminAccessAsync(this IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        var store = services.GetRequiredService<IApiKeyStore>();
        if (services.GetRequiredService<IOptions<AuthOptions>>().Value.BootstrapAdminKey is { } configured && !string.IsNullOrWhiteSpace(configured))
        {
            // Listed and revocable like any key (DELETE /api/v1/keys/{id}); a revoked one stays refused though configured.
            var bootstrap = await services.GetRequiredService<ApiKeyService>().RecordBootstrapAsync(configured, cancellationToken);
            logger.LogInformation("The configured bootstrap admin key has id {KeyId}", bootstrap.Id);
            return;
        }
        if ((await store.ListAsync(cancellationToken)).Count > 0) return;
        if (services.GetRequiredService<IOptions<StorageOptions>>().Value.Mode != StorageMode.Embedded)
        {
            logger.LogWarning("No API key exists and Auth:BootstrapAdminKey is not set: no one can call the protected endpoints. Set Auth__BootstrapAdminKey " +
                "and create keys with POST /api/v1/keys.");
            return;
        }
        var issued = await services.GetRequiredService<ApiKeyService>().IssueAsync("first admin key (generated at first start)", [ApiScope.Admin], null, null, cancellationToken);
        var text = $"""

            ==== Matchmaker: first admin API key (shown once; only its hash is stored) ====
            {issued.Key.Id}: {issued.Token}
            Send it as X-Api-Key: <token> or Authorization: Bearer <token>. Revoke it with DELETE /api/v1/keys/{issued.Key.Id}.
            =================================================================================

            """;
        // A terminal shows it once to the person starting the service. Redirected output (a service manager, a
        // container's log) is kept and shipped like a log, so then the token goes to a file only its user can read.
        if (!Console.IsOutputRedirected)
        {
            logger.LogWarning("No API key existed: generated admin key {KeyId}; its token is printed to the console once and is not stored", issued.Key.Id);
            Console.WriteLine(text);
            return;
        }
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(storage.SqlitePath) ?? "", FirstKeyFileName));
        File.Delete(file); // a stale one from an earlier first start: the new file is created with the mode below
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(file, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(text.AsMemory(), cancellationToken);
        }
        logger.LogWarning("No API key existed: generated admin key {KeyId}; the output is not a terminal, so its token was written to {File} (readable by this " +
            "user only): read it, then delete the file", issued.Key.Id, file);
    }

    /// <summary>Where the generated first admin token goes when the output is not a terminal, beside the SQLite file.</summary>
    public const string FirstKeyFileName = "first-admin-key.txt";
}
