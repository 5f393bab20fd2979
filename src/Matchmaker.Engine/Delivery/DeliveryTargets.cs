using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Matchmaker.Engine.Delivery;

/// <summary>Which network targets a subscription may name: https everywhere; http only to loopback when allowed; private networks only when allowed.</summary>
public sealed record TargetPolicy(bool AllowLoopbackHttp, bool AllowPrivateNetworks);

/// <summary>
/// Checks subscription targets. The syntax is checked when a subscription is saved; in the production mode the host
/// is also resolved then, and every connection checks the address it actually reaches (a name that later resolves to
/// a private address is refused too).
/// </summary>
public static partial class DeliveryTargets
{
    public const int MaxTargetLength = 2000;

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)"
        + @"([A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?\.)+[A-Za-z\u00a1-\uffff]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    /// <summary>The reason the target is not acceptable for the channel, or null when it is (syntax and scheme only).</summary>
    public static string? Check(DeliveryChannel channel, string? target, TargetPolicy policy)
    {
        if (string.IsNullOrWhiteSpace(target)) return "is required";
        if (target.Length > MaxTargetLength) return $"is longer than {MaxTargetLength} characters";
        if (channel == DeliveryChannel.Email)
        {
            return EmailPattern().IsMatch(target) ? null : "is not an e-mail address such as tm@example.cn";
        }
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) return "is not an absolute https URL";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "must not carry a user name or password";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "must not have a fragment (#...)";
        if (uri.Scheme == "http" && !(policy.AllowLoopbackHttp && IsLoopbackHost(uri))) return "must use https";
        if (!policy.AllowPrivateNetworks && IPAddress.TryParse(Host(uri), out var literal) && IsForbidden(literal) && !(policy.AllowLoopbackHttp && IPAddress.IsLoopback(literal)))
        {
            return "points to a private, loopback or link-local address, which this service does not call";
        }
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        return channel switch
        {
            DeliveryChannel.WeCom when !uri.AbsolutePath.EndsWith("/cgi-bin/webhook/send", StringComparison.Ordinal) || string.IsNullOrEmpty(query["key"]) =>
                "is not a WeCom group robot URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)",
            DeliveryChannel.DingTalk when !uri.AbsolutePath.EndsWith("/robot/send", StringComparison.Ordinal) || string.IsNullOrEmpty(query["access_token"]) =>
                "is not a DingTalk robot URL (https://oapi.dingtalk.com/robot/send?access_token=...)",
            _ => null,
        };
    }

    /// <summary>Resolves the host (unless private targets are allowed): the reason when it cannot be resolved or any address is private, else null.</summary>
    public static async Task<string?> CheckResolvedAsync(string target, TargetPolicy policy, CancellationToken cancellationToken, HostResolver? resolver = null)
    {
        if (policy.AllowPrivateNetworks || !Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) return null;
        if (policy.AllowLoopbackHttp && IsLoopbackHost(uri)) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(Host(uri), out var literal) ? [literal] : await (resolver ?? HostResolver.System).ResolveAsync(Host(uri), cancellationToken);
        }
        catch (SocketException)
        {
            return $"names a host that does not resolve ({uri.IdnHost})";
        }
        return addresses.Length == 0 ? $"names a host that does not resolve ({uri.IdnHost})"
            : addresses.Any(IsForbidden) ? "resolves to a private, loopback or link-local address, which this service does not call"
            : null;
    }

    public static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(Host(uri), out var a) && IPAddress.IsLoopback(a));

    /// <summary>The host as DNS and address parsing want it: punycode for names, no brackets around IPv6 literals.</summary>
    private static string Host(Uri uri) => uri.IdnHost.Trim('[', ']');

    /// <summary>Addresses a public service must not be made to call: loopback, private, link-local, CGNAT, multicast,
    /// unspecified, and IPv6 prefixes that embed IPv4 ones.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return true;
            // Prefixes that carry an IPv4 address a gateway or the host's stack may reach (a private one included):
            // NAT64 64:ff9b::/96 and its local-use 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32, and the
            // deprecated IPv4-compatible ::/96. A webhook has no reason to use any of them.
            var v6 = address.GetAddressBytes();
            if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b) return true;
            if (v6[0] == 0x20 && v6[1] == 0x02) return true;
            if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x00 && v6[3] == 0x00) return true;
            if (v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return true;
            return false;
        }
        var b = address.GetAddressBytes();
        return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 192 && b[1] == 0 && b[2] == 0)
            || (b[0] == 198 && (b[1] == 18 || b[1] == 19));
    }

    /// <summary>
    /// The target for logs and pages: an e-mail address with its local part masked (<c>z***@example.com</c>: enough to
    /// tell subscriptions apart, not enough to harvest addresses from logs), a URL without its query (robot keys live there).
    /// </summary>
    public static string Redact(string target)
    {
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return string.IsNullOrEmpty(uri.Query) ? target : uri.GetLeftPart(UriPartial.Path) + "?…";
        }
        var at = target.LastIndexOf('@');
        return at > 0 ? MaskLocalPart(target[..at]) + target[at..] : target;
    }

    /// <summary>Free text (an SMTP server's reply, an exception message) with every e-mail address in it masked as <see cref="Redact"/> does.</summary>
    public static string RedactAddresses(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : EmailInText().Replace(text, m => MaskLocalPart(m.Groups["local"].Value) + "@" + m.Groups["domain"].Value);

    private static string MaskLocalPart(string local) => char.IsSurrogate(local[0]) ? "***" : local[0] + "***";

    [GeneratedRegex(@"(?<local>[^\s<>()\[\],;:""@]+)@(?<domain>[A-Za-z0-9\p{L}.-]+\.[A-Za-z\p{L}]{2,})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EmailInText();
}
