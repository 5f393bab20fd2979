namespace Matchmaker.Engine.Matching;

/// <summary>
/// "Who should join <see cref="Organization"/> for a project in <see cref="Sectors"/> starting in <see cref="Year"/>?"
/// Indexes are those of the snapshot the query runs on. <see cref="Relevant"/> holds the known answers when the
/// query comes from an evaluation or a training split, and is empty otherwise. <see cref="Text"/> and
/// <see cref="Topics"/> carry what the asker wrote (a call topic, a challenge, a draft abstract), when any.
/// </summary>
public sealed record MatchQuery(int Organization, int[] Sectors, int Year)
{
    public string Id { get; init; } = "";
    public int[] Relevant { get; init; } = [];
    /// <summary>Free text of the query (Chinese and/or English), or null for a text-free query.</summary>
    public string? Text { get; init; }
    /// <summary>Call topic codes of the query (e.g. <c>HORIZON-CL5-2021-D2-01-11</c>), or empty.</summary>
    public string[] Topics { get; init; } = [];
}
