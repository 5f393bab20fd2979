using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Signed links that work without an API key: <c>{id}.{expires}.{mac}</c>, where expires is the Unix time in seconds
/// after which the link is refused and mac the first 128 bits of HMAC-SHA256(key, purpose:id:expires). A list link
/// opens one weekly list; an unsubscribe link stops one subscription. Links expire after <c>Delivery:LinkLifetimeDays</c>.
/// A link also carries its subscription's link version (<c>{id}.v{n}.{expires}.{mac}</c>; version 0 is the form
/// without it); the pages refuse a link whose version is not the subscription's current one, so one subscription's
/// links can be revoked without changing the key.
/// </summary>
/// <remarks>
/// A key ring: the current key signs; the current and the previous keys (<c>Delivery:PreviousTokenKeys</c>) verify
/// links and open sealed secrets, so the key can be rotated without breaking the links already sent or the stored
/// webhook and robot secrets. ASP.NET Core Data Protection has such a ring but keeps it in a key store of its own
/// (a shared directory or database table every API replica and worker must reach) and rotates its keys every 90
/// days by itself; here one configured secret, as before, is the whole state. Unsubscribe links made before links
/// expired (<c>{id}.{mac}</c>) are still honoured, so old mails can still unsubscribe; old list links are not.
/// </remarks>
public sealed class DeliveryTokens
{
    public const int MinKeyLength = 32;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(120);
    private const int MacBytes = 16;
    private readonly byte[] _key;
    private readonly byte[][] _ring;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public DeliveryTokens(string key, IEnumerable<string>? previousKeys = null, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        _key = KeyBytes(key, nameof(key));
        _ring = [_key, .. (previousKeys ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => KeyBytes(k, nameof(previousKeys)))];
        _time = time ?? TimeProvider.System;
        _lifetime = lifetime ?? DefaultLifetime;
        if (_lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), "A link lifetime must be positive.");
    }

    private static byte[] KeyBytes(string key, string parameter)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Trim().Length < MinKeyLength) throw new ArgumentException($"The token key needs at least {MinKeyLength} characters.", parameter);
        return Encoding.UTF8.GetBytes(key.Trim());
    }

    /// <summary>
    /// The configured key, or in the embedded mode (<paramref name="generatedKeyFile"/> given) the one stored in that
    /// file, generated on first use. Null when neither exists (the production mode refuses to start then).
    /// </summary>
    public static DeliveryTokens? Load(string? configuredKey, string? generatedKeyFile, IEnumerable<string>? previousKeys = null, TimeProvider? time = null,
        TimeSpan? lifetime = null)
    {
        if (!string.IsNullOrWhiteSpace(configuredKey)) return new DeliveryTokens(configuredKey, previousKeys, time, lifetime);
        if (generatedKeyFile is null) return null;
        if (!File.Exists(generatedKeyFile))
        {
            SqliteFile.EnsurePrivateDirectory(Path.GetDirectoryName(Path.GetFullPath(generatedKeyFile))!);
            try
            {
                // Readable by the service's user only: the key signs every link and seals the webhook secrets.
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var stream = new FileStream(generatedKeyFile, options);
                stream.Write(Encoding.ASCII.GetBytes(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(generatedKeyFile))
            {
                // Another process created it first: use theirs.
            }
        }
        return new DeliveryTokens(File.ReadAllText(generatedKeyFile), previousKeys, time, lifetime);
    }

    /// <summary>A link to a weekly list, under its subscription's link version (see <see cref="TryReadList(string?, out string, out int)"/>).</summary>
    public string ForList(string digestId, int linkVersion = 0) => Sign("list", digestId, linkVersion);

    public string ForUnsubscribe(string subscriptionId, int linkVersion = 0) => Sign("unsubscribe", subscriptionId, linkVersion);

    /// <summary>The digest id of a genuine, unexpired list link; its link version is not looked at.</summary>
    public bool TryReadList(string? token, out string digestId) => TryReadList(token, out digestId, out _);

    /// <summary>
    /// The digest id and the link version of a genuine, unexpired list link. The page serves it only while the version
    /// is its subscription's current one: revoking a subscription's links raises that.
    /// </summary>
    public bool TryReadList(string? token, out string digestId, out int linkVersion) => TryRead("list", token, legacy: false, out digestId, out linkVersion);

    public bool TryReadUnsubscribe(string? token, out string subscriptionId) => TryReadUnsubscribe(token, out subscriptionId, out _);

    public bool TryReadUnsubscribe(string? token, out string subscriptionId, out int linkVersion) =>
        TryRead("unsubscribe", token, legacy: true, out subscriptionId, out linkVersion);

    // Version 0 links keep the form links had before versions ({id}.{expires}.{mac}), so the links already sent read
    // as version 0: valid until they expire or their subscription's links are revoked. Later versions are signed in:
    // {id}.v{n}.{expires}.{mac} over purpose:id:v{n}:expires.
    private string Sign(string purpose, string id, int linkVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(linkVersion);
        var expires = (_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var versioned = linkVersion == 0 ? id : $"{id}.v{linkVersion.ToString(CultureInfo.InvariantCulture)}";
        return $"{versioned}.{expires}.{Base64Url.EncodeToString(Mac(_key, $"{purpose}:{Message(id, linkVersion)}:{expires}"))}";
    }

    private static string Message(string id, int linkVersion) => linkVersion == 0 ? id : $"{id}:v{linkVersion.ToString(CultureInfo.InvariantCulture)}";

    private bool TryRead(string purpose, string? token, bool legacy, out string id, out int linkVersion)
    {
        id = "";
        linkVersion = 0;
        if (token is null || token.Length > 200) return false;
        var dot = token.LastIndexOf('.');
        if (dot <= 0) return false;
        Span<byte> given = stackalloc byte[MacBytes + 2];
        if (!Base64Url.IsValid(token.AsSpan(dot + 1)) || Base64Url.GetMaxDecodedLength(token.Length - dot - 1) > given.Length) return false;
        if (Base64Url.DecodeFromChars(token.AsSpan(dot + 1), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != MacBytes) return false;
        var signed = token[..dot];
        var expiresDot = signed.LastIndexOf('.');
        string candidate, message;
        var version = 0;
        if (expiresDot > 0 && long.TryParse(signed.AsSpan(expiresDot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            candidate = signed[..expiresDot];
            // Ids never contain a dot: a last segment v{n} is the link version (canonical digits only, n > 0).
            var versionDot = candidate.LastIndexOf('.');
            if (versionDot > 0)
            {
                var text = candidate.AsSpan(versionDot + 1);
                if (text.Length < 2 || text[0] != 'v' || text[1] == '0'
                    || !int.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out version)) return false;
                candidate = candidate[..versionDot];
            }
            message = $"{purpose}:{Message(candidate, version)}:{signed[(expiresDot + 1)..]}";
            if (_time.GetUtcNow().ToUnixTimeSeconds() > expires) return false;
        }
        else if (legacy)
        {
            candidate = signed;
            message = $"{purpose}:{candidate}";
        }
        else return false;
        var matched = false;
        foreach (var key in _ring) matched |= CryptographicOperations.FixedTimeEquals(given[..written], Mac(key, message));
        if (!matched) return false;
        id = candidate;
        linkVersion = version;
        return true;
    }

    /// <summary>A key for another purpose derived from the link key (HKDF-SHA256), so one configured secret serves both.</summary>
    public byte[] DeriveKey(string purpose, int length) => DeriveKeys(purpose, length)[0];

    /// <summary>The derived key of every key in the ring, the current one first: older ones only open what they sealed.</summary>
    public IReadOnlyList<byte[]> DeriveKeys(string purpose, int length) =>
        _ring.Select(k => HKDF.DeriveKey(HashAlgorithmName.SHA256, k, length, info: Encoding.UTF8.GetBytes(purpose))).ToList();

    private static byte[] Mac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message))[..MacBytes];
}
