using System.Text.Json;
using Matchmaker.Engine.Import;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// Reads request bodies with an explicit size limit, independent of the server in front (Kestrel enforces its
/// own limit, test servers and some proxies do not), and parses JSON with the project's strict options.
/// </summary>
internal static class RequestBodies
{
    public static async Task<MemoryStream> ReadLimitedAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    public static T ParseJson<T>(Stream body) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, WireJson.Options)
                ?? throw new BadHttpRequestException("The request body is empty or null.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException($"The request body is not valid JSON for this endpoint: {e.Message}", e);
        }
    }

    internal static BadHttpRequestException TooLarge(long maxBytes) =>
        new($"The request body exceeds the limit of {maxBytes:N0} bytes.", StatusCodes.Status413PayloadTooLarge);
}
