using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Webhook signatures: <c>X-Matchmaker-Signature: v1=&lt;hex HMAC-SHA256(secret, "{timestamp}.{body}")&gt;</c> with the
/// Unix time in seconds in <c>X-Matchmaker-Timestamp</c>. Receivers recompute it over the raw body, compare in
/// constant time and refuse timestamps more than five minutes away from their clock (replays).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Matchmaker-Signature";
    public const string TimestampHeader = "X-Matchmaker-Timestamp";
    public const string EventHeader = "X-Matchmaker-Event";
    public const string DeliveryHeader = "X-Matchmaker-Delivery";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string NewSecret() => "whsec_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static bool Verify(string secret, string? signatureHeader, string? timestampHeader, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (signatureHeader is null || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > Tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader.Trim()));
    }

    /// <summary>DingTalk's robot signing (加签): HMAC-SHA256 over "{timestamp ms}\n{secret}", Base64, sent as query parameters.</summary>
    public static string DingTalkSignedUrl(string url, string secret, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var sign = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));
        return $"{url}&timestamp={timestamp}&sign={Uri.EscapeDataString(sign)}";
    }
}
