namespace Matchmaker.Engine.Domain;

/// <summary>
/// The lengths the domain constructors accept (<see cref="DomainValidationException"/> above them): public so that
/// converters of outside data can cut to fit before they build records.
/// </summary>
public static class DomainLimits
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxTextLength = 4000;
    public const int MaxListLength = 64;
}
