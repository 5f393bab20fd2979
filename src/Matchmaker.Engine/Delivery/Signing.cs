using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Signed links that work without an API key: <c>{id}.{mac}</c>, where mac is the first 128 bits of
/// HMAC-SHA256(key, purpose:id). A list link opens one weekly list; an unsubscribe link stops one subscription.
/// Links do not expire: they are as good as the mailbox or group they were sent to.
/// </summary>
public sealed class DeliveryTokens
{
    public const int MinKeyLength = 32;
    private const int MacBytes = 16;
    private readonly byte[] _key;

    public DeliveryTokens(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Trim().Length < MinKeyLength) throw new ArgumentException($"The token key needs at least {MinKeyLength} characters.", nameof(key));
        _key = Encoding.UTF8.GetBytes(key.Trim());
    }

    /// <summary>
    /// The configured key, or in the embedded mode (<paramref name="generatedKeyFile"/> given) the one stored in that
    /// file, generated on first use. Null when neither exists (the production mode refuses to start then).
    /// </summary>
    public static DeliveryTokens? Load(string? configuredKey, string? generatedKeyFile)
    {
        if (!string.IsNullOrWhiteSpace(configuredKey)) return new DeliveryTokens(configuredKey);
        if (generatedKeyFile is null) return null;
        if (!File.Exists(generatedKeyFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(generatedKeyFile))!);
            try
            {
                using var stream = new FileStream(generatedKeyFile, FileMode.CreateNew, FileAccess.Write);
                stream.Write(Encoding.ASCII.GetBytes(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(generatedKeyFile))
            {
                // Another process created it first: use theirs.
            }
        }
        return new DeliveryTokens(File.ReadAllText(generatedKeyFile));
    }

    public string ForList(string digestId) => Sign("list", digestId);

    public string ForUnsubscribe(string subscriptionId) => Sign("unsubscribe", subscriptionId);

    public bool TryReadList(string? token, out string digestId) => TryRead("list", token, out digestId);

    public bool TryReadUnsubscribe(string? token, out string subscriptionId) => TryRead("unsubscribe", token, out subscriptionId);

    private string Sign(string purpose, string id) => $"{id}.{Base64Url.EncodeToString(Mac(purpose, id))}";

    private bool TryRead(string purpose, string? token, out string id)
    {
        id = "";
        if (token is null || token.Length > 200) return false;
        var dot = token.LastIndexOf('.');
        if (dot <= 0) return false;
        Span<byte> given = stackalloc byte[MacBytes + 2];
        if (!Base64Url.IsValid(token.AsSpan(dot + 1)) || Base64Url.GetMaxDecodedLength(token.Length - dot - 1) > given.Length) return false;
        if (Base64Url.DecodeFromChars(token.AsSpan(dot + 1), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != MacBytes) return false;
        var candidate = token[..dot];
        if (!CryptographicOperations.FixedTimeEquals(given[..written], Mac(purpose, candidate))) return false;
        id = candidate;
        return true;
    }

    /// <summary>A key for another purpose derived from the link key (HKDF-SHA256), so one configured secret serves both.</summary>
    public byte[] DeriveKey(string purpose, int length) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, length, info: Encoding.UTF8.GetBytes(purpose));

    private byte[] Mac(string purpose, string id) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{purpose}:{id}"))[..MacBytes];
}

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
