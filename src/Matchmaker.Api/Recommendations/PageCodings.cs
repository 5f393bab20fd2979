using System.IO.Compression;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Matchmaker.Api.Recommendations;

/// <summary>The content codings a list page is served in.</summary>
internal enum PageCoding
{
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

internal static class PageCodings
{
    /// <summary>Brotli quality 5 with a 4 MB window: a page is compressed once and served many times.</summary>
    private const int BrotliQuality = 5;
    private const int BrotliWindow = 22;

    public static byte[] Decompress(byte[] body, PageCoding coding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding == PageCoding.Brotli ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(body.Length * 8);
        decoder.CopyTo(output);
        return output.ToArray();
    }

    public static string? HeaderValue(PageCoding coding) => coding switch
    {
        PageCoding.Brotli => "br",
        PageCoding.Gzip => "gzip",
        _ => null,
    };

    public static byte[] Compress(ReadOnlySpan<byte> json, PageCoding coding)
    {
        switch (coding)
        {
            case PageCoding.Brotli:
            {
                var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
                if (!BrotliEncoder.TryCompress(json, buffer, out var written, BrotliQuality, BrotliWindow)) throw new InvalidOperationException("Brotli could not compress a page.");
                return buffer.AsSpan(0, written).ToArray();
            }
            case PageCoding.Gzip:
            {
                using var output = new MemoryStream(json.Length / 3 + 64);
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json);
                return output.ToArray();
            }
            default:
                return json.ToArray();
        }
    }

    /// <summary>
    /// The coding to answer an Accept-Encoding header with: Brotli or gzip, whichever the client weighs higher (Brotli on a
    /// tie, as it is smaller), identity when it accepts neither (q=0 refuses a coding; * stands for codings not named).
    /// The header is read by the framework's parser (<see cref="StringWithQualityHeaderValue"/>), which leaves out an
    /// item it cannot read (a q outside 0-1, say): such a coding counts as not named.
    /// </summary>
    public static PageCoding Negotiate(StringValues acceptEncoding)
    {
        if (StringValues.IsNullOrEmpty(acceptEncoding) || !StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var items)) return PageCoding.Identity;
        double brotli = -1, gzip = -1, any = -1;
        foreach (var item in items)
        {
            var quality = item.Quality ?? 1;
            var name = item.Value;
            if (name.Equals("br", StringComparison.OrdinalIgnoreCase)) brotli = quality;
            else if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) gzip = quality;
            else if (name.Equals("*", StringComparison.Ordinal)) any = quality;
        }
        if (brotli < 0) brotli = any;
        if (gzip < 0) gzip = any;
        if (brotli <= 0 && gzip <= 0) return PageCoding.Identity;
        return brotli >= gzip ? PageCoding.Brotli : PageCoding.Gzip;
    }
}
