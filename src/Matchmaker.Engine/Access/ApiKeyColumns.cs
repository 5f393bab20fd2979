namespace Matchmaker.Engine.Access;

/// <summary>Scopes are stored as a space-separated list of lower-case names, the same in both adapters.</summary>
internal static class ApiKeyColumns
{
    public static string Scopes(IEnumerable<ApiScope> scopes) => string.Join(' ', scopes.Select(ApiScopes.Name));

    public static List<ApiScope> ParseScopes(string value) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => ApiScopes.TryParse(s, out var scope) ? scope : throw new InvalidDataException($"Unknown scope '{s}' in api_keys.")).ToList();
}
