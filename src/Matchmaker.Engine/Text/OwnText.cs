using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Text;

/// <summary>What an organization says of itself, as one text: names, aliases, description, capability and need tags as words.</summary>
internal static class OwnText
{
    public static string? Of(Organization? organization)
    {
        if (organization is null) return null;
        var parts = new List<string?> { organization.NameZh, organization.NameEn };
        parts.AddRange(organization.Aliases);
        parts.Add(organization.Description);
        // Tags are lower-case words joined by '-' ("power-batteries"): read as words.
        parts.AddRange(organization.Capabilities.Select(t => t.Replace('-', ' ')));
        parts.AddRange(organization.Needs.Select(t => t.Replace('-', ' ')));
        return string.Join('\n', parts.Where(p => !string.IsNullOrWhiteSpace(p)));
    }
}
