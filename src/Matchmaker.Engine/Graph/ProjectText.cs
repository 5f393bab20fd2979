using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// What a snapshot keeps of a project's texts for matching: title, summary, keywords and call topics (codes and
/// titles, aligned). Shared by reference with the domain object's lists; nothing in it changes.
/// </summary>
public sealed record ProjectText(string? Title, string? Summary, IReadOnlyList<string> Keywords, IReadOnlyList<string> TopicCodes, IReadOnlyList<string?> TopicTitles)
{
    public static ProjectText? Of(Project project) =>
        project.Title is null && project.Summary is null && project.Keywords.Count == 0 && project.Topics.Count == 0
            ? null
            : new ProjectText(project.Title, project.Summary, project.Keywords,
                project.Topics.Select(t => t.Code).ToArray(), project.Topics.Select(t => t.Title).ToArray());

    /// <summary>Every text of the project in one string (topic titles, title, summary, keywords), for analysis.</summary>
    public string FullText =>
        string.Join('\n', TopicTitles.Where(t => t is not null).Append(Title).Append(Summary).Concat(Keywords).Where(t => !string.IsNullOrEmpty(t)));
}
