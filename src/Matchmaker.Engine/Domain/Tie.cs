namespace Matchmaker.Engine.Domain;

/// <summary>A typed tie between two organizations; (From, To, Type) is its identity.</summary>
public sealed record Tie
{
    public Tie(string from, string to, TieType type, int? year = null)
    {
        From = Guard.Id(from, "from");
        To = Guard.Id(to, "to");
        if (From == To) throw new DomainValidationException("to", "a tie needs two different organizations");
        if (!Enum.IsDefined(type)) throw new DomainValidationException("type", $"{(int)type} is not a tie type");
        if (year is < Project.MinYear or > Project.MaxYear) throw new DomainValidationException("year", $"{year} is outside {Project.MinYear}-{Project.MaxYear}");
        Type = type;
        Year = year;
    }

    public string From { get; }
    public string To { get; }
    public TieType Type { get; }
    public int? Year { get; }
}
