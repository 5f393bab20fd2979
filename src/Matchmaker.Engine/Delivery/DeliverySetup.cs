using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Delivery;

public static class DeliverySetup
{
    /// <summary>
    /// The delivery options, the link signer, the senders (SMTP, and HTTP with the address policy on every connection)
    /// and <see cref="DeliveryService"/>. The store adapter is registered with the storage mode.
    /// </summary>
    /// <param name="embedded">The embedded mode: a link key generated into <paramref name="dataDirectory"/> when none is configured.</param>
    public static IServiceCollection AddDelivery(this IServiceCollection services, bool embedded, Func<IServiceProvider, string> dataDirectory)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section)
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "Delivery:PublicBaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.TokenKey is null || o.TokenKey.Trim().Length >= DeliveryTokens.MinKeyLength,
                "Delivery:TokenKey must be at least 32 characters (use a long random value).")
            .Validate(o => o.MaxSubscriptionsPerOrganization is >= 1 and <= 10_000, "Delivery:MaxSubscriptionsPerOrganization must be 1-10,000.")
            .Validate(o => SmtpOptions.IsKnownSecurity(o.Smtp.Security), "Delivery:Smtp:Security must be StartTls, SslOnConnect, None or Auto.")
            .Validate(o => (o.PreviousTokenKeys ?? []).All(k => k is not null && k.Trim().Length >= DeliveryTokens.MinKeyLength) && o.LinkLifetimeDays is >= 1 and <= 3650,
                "Delivery:PreviousTokenKeys must each be at least 32 characters; Delivery:LinkLifetimeDays 1-3650.")
            .Validate(o => embedded || !string.IsNullOrWhiteSpace(o.TokenKey),
                "Delivery:TokenKey is required in the production mode: it signs list and unsubscribe links, and every API replica and worker must share it.")
            .Validate(o => o.MaxItems is >= 1 and <= 50 && o.PauseAfterFailures is >= 1 and <= 100 && o.HttpTimeoutSeconds is >= 1 and <= 120
                && o.WeComMaxBytes is >= 512 and <= 4096 && o.DingTalkMaxBytes >= 512 && o.RepeatScoreRise >= 0 && o.RetryDelays.All(d => d is >= 1 and <= 86_400),
                "Delivery: MaxItems 1-50, PauseAfterFailures 1-100, HttpTimeoutSeconds 1-120, WeComMaxBytes 512-4096, RetryDelaysSeconds 1-86400 each.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            return DeliveryTokens.Load(o.TokenKey, embedded ? Path.Combine(dataDirectory(sp), "delivery-token.key") : null, o.PreviousTokenKeys,
                    sp.GetService<TimeProvider>(), TimeSpan.FromDays(o.LinkLifetimeDays))
                ?? throw new InvalidOperationException("Delivery:TokenKey is not set.");
        });
        services.AddSingleton(sp => new SubscriptionSecrets(sp.GetRequiredService<DeliveryTokens>()));
        services.TryAddSingleton(HostResolver.System);
        services.AddHttpClient(HttpMessageSender.ClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.HttpTimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
                var policy = new TargetPolicy(o.AllowLoopbackTargets, o.AllowPrivateTargets ?? false);
                var resolver = sp.GetRequiredService<HostResolver>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    // A proxy from the environment would be the address the connect-time check sees, not the target.
                    UseProxy = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = (context, cancellationToken) => HttpMessageSender.ConnectAsync(context, policy, cancellationToken, resolver),
                };
            });
        services.AddSingleton<IMessageSender, SmtpMessageSender>();
        services.AddSingleton<IMessageSender, HttpMessageSender>();
        services.AddSingleton<DeliveryService>();
        return services;
    }
}
