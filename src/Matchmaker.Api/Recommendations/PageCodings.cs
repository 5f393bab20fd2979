using System.IO.Compression;

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
                if (!BrotliEncoder.TryCompress(json, buffer, out var written, BrotliQuality, BrotliWindow))
                    throw new InvalidOperationException("Brotli could not compress a page.");
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
    /// Read by hand over the header's characters rather than by the framework's parser
    /// (<c>Microsoft.Net.Http.Headers.StringWithQualityHeaderValue.TryParseList</c>), which makes a list and an object
    /// per coding on every request: with it the page cache's hits served fewer requests per second in all of seven
    /// alternating api-load pairs (docs/benchmarks.md, "The page cache on MemoryCache").
    /// </summary>
    public static PageCoding Negotiate(ReadOnlySpan<char> acceptEncoding)
    {
        if (acceptEncoding.IsEmpty) return PageCoding.Identity;
        double brotli = -1, gzip = -1, any = -1;
        foreach (var range in acceptEncoding.Split(','))
        {
            var item = acceptEncoding[range].Trim();
            if (item.IsEmpty) continue;
            var name = item;
            var quality = 1.0;
            var semicolon = item.IndexOf(';');
            if (semicolon >= 0)
            {
                name = item[..semicolon].TrimEnd();
                quality = Quality(item[(semicolon + 1)..]);
            }
            if (name.Equals("br", StringComparison.OrdinalIgnoreCase)) brotli = quality;
            else if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) gzip = quality;
            else if (name is "*") any = quality;
        }
        if (brotli < 0) brotli = any;
        if (gzip < 0) gzip = any;
        if (brotli <= 0 && gzip <= 0) return PageCoding.Identity;
        return brotli >= gzip ? PageCoding.Brotli : PageCoding.Gzip;
    }

    /// <summary>The q parameter among the parameters (1 when absent, 0 when unreadable: a coding we cannot read is not accepted).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            if (parameter.Length < 2 || (parameter[0] is not ('q' or 'Q')) || parameter[1] != '=') continue;
            return double.TryParse(parameter[2..], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q)
                && q is >= 0 and <= 1 ? q : 0;
        }
        return 1;
    }
}
