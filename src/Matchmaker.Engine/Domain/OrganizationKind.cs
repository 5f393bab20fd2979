namespace Matchmaker.Engine.Domain;

/// <summary>What an organization is. Kind belongs to the organization; compare <see cref="ConsortiumRole"/>.</summary>
public enum OrganizationKind : byte
{
    University = 1,
    ResearchInstitute = 2,
    Enterprise = 3,
    FinancialInstitution = 4,
    Platform = 5,
    PublicBody = 6,
}
