namespace Matchmaker.Engine.Domain;

/// <summary>
/// A project as a person reads it: its title, not its id. Titles written "中文 / English" (the demo graph's) give each
/// language its half; a one-language title (CORDIS's English ones) serves both; a project without a title falls back
/// to its id.
/// </summary>
public static class ProjectTitles
{
    public static (string Zh, string En) Of(string? title, string id)
    {
        if (string.IsNullOrWhiteSpace(title)) return (id, id);
        var split = title.IndexOf(" / ", StringComparison.Ordinal);
        if (split <= 0 || split + 3 >= title.Length) return (title.Trim(), title.Trim());
        return (title[..split].Trim(), title[(split + 3)..].Trim());
    }
}
