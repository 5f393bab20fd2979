using System.Buffers.Text;
using System.Text;

namespace Matchmaker.Api.Infrastructure;

/// <summary>Opaque keyset cursors: base64url of the last key, so clients do not build them by hand.</summary>
internal static class Cursor
{
    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    public static bool TryDecode(string cursor, out string? key)
    {
        key = null;
        if (cursor.Length is 0 or > 512) return false;
        try
        {
            key = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return key.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
