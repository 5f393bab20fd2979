namespace Matchmaker.Engine.Domain;

/// <summary>Typed organization-to-organization ties. Project membership is modelled by <see cref="Project"/>.</summary>
public enum TieType : byte
{
    /// <summary>From an enterprise or start-up to the park or platform that hosts it.</summary>
    HostedBy = 1,
    /// <summary>From a borrower to the bank that finances it.</summary>
    FinancedBy = 2,
    /// <summary>From an investor to the company it invested in.</summary>
    InvestedIn = 3,
}
