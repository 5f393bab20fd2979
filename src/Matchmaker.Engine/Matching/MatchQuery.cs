namespace Matchmaker.Engine.Matching;

/// <summary>
/// "Who should join <see cref="Organization"/> for a project in <see cref="Sectors"/> starting in <see cref="Year"/>?"
/// Indexes are those of the snapshot the query runs on. <see cref="Relevant"/> holds the known answers when the
/// query comes from an evaluation or a training split, and is empty otherwise.
/// </summary>
public sealed record MatchQuery(int Organization, int[] Sectors, int Year)
{
    public string Id { get; init; } = "";
    public int[] Relevant { get; init; } = [];
}
