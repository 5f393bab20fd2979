using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// One role slot of a consortium: <see cref="Count"/> members playing <see cref="Role"/>. Without
/// <see cref="Kinds"/>, an organization can fill the slot when its kind usually plays the role
/// (<see cref="RoleKinds.Default"/>) or when it has played the role in a past project; with <see cref="Kinds"/>,
/// only organizations of those kinds can.
/// </summary>
public sealed record SlotRequest
{
    /// <summary>The most members one slot of an API request may ask for (evaluations on real consortia go beyond).</summary>
    public const int MaxCount = 10;

    public SlotRequest(ConsortiumRole role, int count = 1, IReadOnlyList<OrganizationKind>? kinds = null)
    {
        if (!Enum.IsDefined(role)) throw new ArgumentOutOfRangeException(nameof(role), role, "not a role");
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Role = role;
        Count = count;
        Kinds = kinds is { Count: > 0 } ? kinds.Distinct().ToArray() : null;
    }

    public ConsortiumRole Role { get; }
    public int Count { get; }
    public IReadOnlyList<OrganizationKind>? Kinds { get; }

    /// <summary>"研 research ×2" — how problems and reasons name the slot.</summary>
    public string Describe() => $"{Role.ToChinese()} {Role.ToCode()} ×{Count}";
}

/// <summary>
/// What shapes the proposed members (the lead is given and is not subject to them): the cities they may come
/// from (empty = any), organizations that must or must not be among them, at most <see cref="MaxPerCity"/>
/// members from one city, and at most <see cref="MaxSize"/> members in all.
/// </summary>
public sealed record PlanConstraints
{
    public IReadOnlyList<string> Cities { get; init; } = [];
    public IReadOnlyList<string> Include { get; init; } = [];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public int? MaxPerCity { get; init; }
    public int? MaxSize { get; init; }
}

/// <summary>
/// The weights of the three parts of the objective (see <see cref="PlanningProblem"/>). Only their ratios matter.
/// The default fit : cohesion ratio, 3 : 2, recovered the most actual members on the CORDIS tuning year (2018), with
/// cohesion scaled by the shape of the lead's past teams (<see cref="PlannerOptions.CohesionByShape"/>); coverage
/// cannot be judged there (no text) and keeps its earlier weight, 0.2.
/// A part that cannot be measured for a plan (cohesion of a one-member team, coverage without stated needs) drops
/// out and the others are renormalized.
/// </summary>
public sealed record ObjectiveWeights
{
    public ObjectiveWeights(double fit = 0.6, double cohesion = 0.4, double coverage = 0.2)
    {
        foreach (var (value, name) in new[] { (fit, nameof(fit)), (cohesion, nameof(cohesion)), (coverage, nameof(coverage)) })
        {
            if (!double.IsFinite(value) || value < 0 || value > 1) throw new ArgumentOutOfRangeException(name, value, "must be between 0 and 1");
        }
        if (fit + cohesion + coverage <= 0) throw new ArgumentException("at least one weight must be above 0");
        Fit = fit;
        Cohesion = cohesion;
        Coverage = coverage;
    }

    public double Fit { get; }
    public double Cohesion { get; }
    public double Coverage { get; }

    public static ObjectiveWeights Default { get; } = new();
}

/// <summary>
/// "Propose <see cref="Alternatives"/> teams for <see cref="LeadId"/> in <see cref="Sectors"/> to meet
/// <see cref="Challenge"/>, with these role slots and constraints." Sector codes are those of the snapshot
/// (the G60 sectors, or programme parts on the CORDIS data). Without <see cref="Slots"/> the sector's
/// default slots apply (<see cref="RoleKinds.DefaultSlots"/>).
/// </summary>
public sealed record PlanRequest
{
    public const int MaxAlternatives = 5;
    public const int MaxSlots = 12;
    /// <summary>The most members a plan may ask for (<see cref="PlannerOptions.MaxTeamSize"/>, the API's limit).</summary>
    public const int MaxTeamSize = 30;
    public const int MaxChallengeLength = 4000;

    public required string LeadId { get; init; }
    public required IReadOnlyList<string> Sectors { get; init; }
    public string? SubField { get; init; }
    /// <summary>The challenge's needs as free text, Chinese and/or English; without it the lead's stated needs count.</summary>
    public string? Challenge { get; init; }
    public IReadOnlyList<SlotRequest>? Slots { get; init; }
    public PlanConstraints Constraints { get; init; } = new();
    public int Alternatives { get; init; } = 3;
    public ObjectiveWeights Weights { get; init; } = ObjectiveWeights.Default;
}

/// <summary>Which kinds usually play which role, and the default slots of each G60 sector.</summary>
public static class RoleKinds
{
    public static IReadOnlyList<OrganizationKind> Default(ConsortiumRole role) => role switch
    {
        ConsortiumRole.Industry => [OrganizationKind.Enterprise],
        ConsortiumRole.Academia => [OrganizationKind.University],
        ConsortiumRole.Research => [OrganizationKind.ResearchInstitute],
        ConsortiumRole.Finance => [OrganizationKind.FinancialInstitution],
        // The first customers: companies that apply the result, or public bodies (cities, operators of airspace).
        ConsortiumRole.User => [OrganizationKind.Enterprise, OrganizationKind.PublicBody],
        ConsortiumRole.Platform => [OrganizationKind.Platform],
        _ => [],
    };

    /// <summary>
    /// Default slots per sector, for an enterprise-led consortium as the corridor funds them: one university,
    /// one institute, one bank or fund, the first users and a platform; new materials also seek a manufacturer
    /// that takes the material to production, the other two fields a second user (operators, carmakers, cities).
    /// </summary>
    public static IReadOnlyList<SlotRequest> DefaultSlots(string? sector) => sector switch
    {
        "new-materials" =>
        [
            new(ConsortiumRole.Industry), new(ConsortiumRole.Academia), new(ConsortiumRole.Research), new(ConsortiumRole.Finance),
            new(ConsortiumRole.User), new(ConsortiumRole.Platform),
        ],
        _ =>
        [
            new(ConsortiumRole.Academia), new(ConsortiumRole.Research), new(ConsortiumRole.Finance), new(ConsortiumRole.User, 2),
            new(ConsortiumRole.Platform),
        ],
    };
}
