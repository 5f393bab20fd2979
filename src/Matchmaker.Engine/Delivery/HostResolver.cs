using System.Net;
using System.Text.RegularExpressions;

namespace Matchmaker.Engine.Delivery;

/// <summary>Resolves host names for the target checks and the connections; a seam so tests can return any address.</summary>
public class HostResolver
{
    public static readonly HostResolver System = new();

    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
