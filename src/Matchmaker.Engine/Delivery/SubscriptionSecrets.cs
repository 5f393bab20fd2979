using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Seals subscription signing secrets (webhook secrets, DingTalk robot secrets) and robot URLs (whose query holds the
/// robot's key) for storage: AES-256-GCM under a key
/// derived (HKDF-SHA256) from the link key <c>Delivery:TokenKey</c>, with the subscription id as associated data, so a
/// copy of the database alone does not give away the secrets, and a sealed value moved to another row does not open.
/// Stored form: <c>v1.{base64url(nonce | ciphertext | tag)}</c>. Values stored before sealing existed (no prefix) are
/// read as they are; the delivery store seals them when it starts (and any write seals them too).
/// </summary>
/// <remarks>
/// The secrets must be readable again (the service signs with them), so they are encrypted, not hashed. A new
/// <c>Delivery:TokenKey</c> seals from then on; values sealed under a key still listed in
/// <c>Delivery:PreviousTokenKeys</c> open and are sealed again under the new key on their next write. A key dropped
/// from the ring makes what it sealed unreadable: <see cref="Open"/> then gives <see cref="Unreadable"/>, and
/// deliveries of those subscriptions fail permanently with a message saying to create them again.
/// </remarks>
public sealed class SubscriptionSecrets
{
    /// <summary>What <see cref="Open"/> returns for a sealed value this key cannot open.</summary>
    public const string Unreadable = "";

    private const string Prefix = "v1.";
    private const int NonceBytes = 12, TagBytes = 16;
    private readonly byte[] _key;
    private readonly IReadOnlyList<byte[]> _ring;

    public SubscriptionSecrets(DeliveryTokens tokens)
    {
        _ring = tokens.DeriveKeys("matchmaker subscription secrets v1", 32);
        _key = _ring[0];
    }

    public string Seal(string subscriptionId, string secret) => SealBound(subscriptionId, secret);

    /// <summary>The secret, a legacy unsealed value as it is, or <see cref="Unreadable"/> when this key cannot open it.</summary>
    public string Open(string subscriptionId, string stored) => OpenBound(subscriptionId, stored);

    /// <summary>
    /// Seals a robot URL (WeCom and DingTalk URLs carry the robot's key in their query). Bound to the row and to the
    /// target column, so a sealed URL copied into the secret column, or into another row, does not open.
    /// </summary>
    public string SealTarget(string subscriptionId, string target) => SealBound(subscriptionId + TargetContext, target);

    /// <summary>The robot URL, a legacy plain URL as it is, or <see cref="Unreadable"/>.</summary>
    public string OpenTarget(string subscriptionId, string stored) => OpenBound(subscriptionId + TargetContext, stored);

    /// <summary>Whether a stored value is sealed (values stored before sealing are not).</summary>
    public static bool IsSealed(string? stored) => stored is not null && stored.StartsWith(Prefix, StringComparison.Ordinal);

    private const string TargetContext = "\ntarget";

    private string SealBound(string subscriptionId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Encoding.UTF8.GetBytes(subscriptionId));
        return Prefix + Base64Url.EncodeToString(sealedBytes);
    }

    private string OpenBound(string subscriptionId, string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal)) return stored;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(stored.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return Unreadable;
        }
        if (sealedBytes.Length < NonceBytes + TagBytes) return Unreadable;
        var plainLength = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[plainLength];
        foreach (var key in _ring)
        {
            try
            {
                using var aes = new AesGcm(key, TagBytes);
                aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plainLength), sealedBytes.AsSpan(NonceBytes + plainLength), plain,
                    Encoding.UTF8.GetBytes(subscriptionId));
                return Encoding.UTF8.GetString(plain);
            }
            catch (AuthenticationTagMismatchException)
            {
                // Not sealed under this key: try the next one in the ring.
            }
        }
        return Unreadable;
    }
}
