using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Recommendations;

public static class ServingSetup
{
    /// <summary>
    /// The in-memory pages of served lists: the store registered before is wrapped so that this process learns of
    /// publications (its own at once, other processes' within a second), and a bounded cache of rendered pages.
    /// Call after the storage is registered.
    /// </summary>
    public static IHostApplicationBuilder AddMatchmakerServing(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section)
            .Validate(o => o.PageCacheMegabytes is >= 0 and <= 65_536, "Serving:PageCacheMegabytes must be 0-65536 (0 turns the page cache off).")
            .ValidateOnStart();
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IRecommendationStore))
            ?? throw new InvalidOperationException("Register the recommendation store before AddMatchmakerServing.");
        services.Remove(registered);
        services.AddSingleton(sp => new PublishedListsWatch(Create(registered, sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRecommendationStore>(sp => sp.GetRequiredService<PublishedListsWatch>());
        services.AddSingleton(sp => new ServedPageCache(sp.GetRequiredService<IOptions<ServingOptions>>().Value.PageCacheMegabytes * 1024L * 1024L));
        return builder;
    }

    private static IRecommendationStore Create(ServiceDescriptor descriptor, IServiceProvider services) => (IRecommendationStore)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
