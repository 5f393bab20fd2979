using System.Text.Json.Serialization;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Import;

public sealed record TieRecord
{
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Type { get; init; }
    public int? Year { get; init; }

    public Tie ToDomain() => new(From!, To!, Codes.ParseTieType(Type), Year);

    public static TieRecord FromDomain(Tie t) => new() { From = t.From, To = t.To, Type = t.Type.ToCode(), Year = t.Year };
}
