using System.Text.Json.Serialization;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Import;

/// <summary>A whole graph (or part of one) in wire form: the JSON body of a bulk import.</summary>
public sealed record GraphRecords
{
    public IReadOnlyList<OrganizationRecord?>? Organizations { get; init; }
    public IReadOnlyList<ProjectRecord?>? Projects { get; init; }
    public IReadOnlyList<TieRecord?>? Ties { get; init; }
}
