using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Delivery;

/// <summary>The roles an organization of a kind can play in a consortium (role belongs to the membership, kind to the organization).</summary>
public static class ConsortiumRoles
{
    public static IReadOnlyList<ConsortiumRole> OfKind(string kindCode) => Codes.TryParseKind(kindCode, out var kind) ? OfKind(kind) : [];

    public static IReadOnlyList<ConsortiumRole> OfKind(OrganizationKind kind) => kind switch
    {
        OrganizationKind.University => [ConsortiumRole.Academia, ConsortiumRole.Research],
        OrganizationKind.ResearchInstitute => [ConsortiumRole.Research],
        OrganizationKind.Enterprise => [ConsortiumRole.Industry, ConsortiumRole.User],
        OrganizationKind.FinancialInstitution => [ConsortiumRole.Finance],
        OrganizationKind.Platform => [ConsortiumRole.Platform],
        OrganizationKind.PublicBody => [ConsortiumRole.User],
        _ => [],
    };
}
