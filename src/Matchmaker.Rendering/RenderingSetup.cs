using Matchmaker.Engine.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Rendering;

public static class RenderingSetup
{
    /// <summary>The HTML renderer, as the Engine's <see cref="IDigestHtmlRenderer"/> port and for the pages.</summary>
    public static IServiceCollection AddHtmlPages(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new HtmlPages(sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IDigestHtmlRenderer>(sp => sp.GetRequiredService<HtmlPages>());
        return services;
    }
}
