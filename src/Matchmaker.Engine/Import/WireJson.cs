using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matchmaker.Engine.Import;

public static class WireJson
{
    /// <summary>camelCase, nulls left out, strict about numbers: the one JSON dialect of the project.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowDuplicateProperties = false,
    };
}
