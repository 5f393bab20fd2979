namespace Matchmaker.Engine.Domain;

/// <summary>
/// A domain invariant was violated. <see cref="Field"/> names the offending field in the public (camelCase)
/// vocabulary of the API and the import formats, so that callers can report it without translation.
/// </summary>
public sealed class DomainValidationException(string field, string reason)
    : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;
    public string Reason { get; } = reason;
}
