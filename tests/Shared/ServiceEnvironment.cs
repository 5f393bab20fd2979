using System.Diagnostics;

namespace Matchmaker.Tests.Shared;

/// <summary>
/// The service's settings that an operator's shell may hold (`Matchmaker__Auth__BootstrapAdminKey`,
/// `Storage__Mode`, ...): a service process started by a test must not inherit them, or the test's outcome would
/// depend on the shell it runs in. The test then sets what it depends on.
/// </summary>
public static class ServiceEnvironment
{
    private static readonly string[] Sections =
    [
        "Matchmaker__", "Storage__", "Graph__", "Auth__", "Delivery__", "RateLimits__", "Recompute__", "Models__", "Schedules__",
        "Jobs__", "Import__", "Serving__", "ConnectionStrings__", "OpenApi__", "OpenTelemetry__", "OTEL_", "Logging__", "Urls",
    ];

    /// <summary>Removes every inherited service setting from <paramref name="start"/>'s environment.</summary>
    public static void ClearInherited(ProcessStartInfo start)
    {
        foreach (var name in start.Environment.Keys.ToArray())
        {
            if (Sections.Any(s => name.StartsWith(s, StringComparison.OrdinalIgnoreCase))) start.Environment.Remove(name);
        }
    }
}
