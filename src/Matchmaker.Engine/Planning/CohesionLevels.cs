namespace Matchmaker.Engine.Planning;

/// <summary>
/// Cohesion of two candidates, by the closest past work between them in the graph: the highest level that any
/// project (or tie) they share reaches. "In the fields" means a project in one of the call's sectors; "the lead's"
/// a project the lead was a member of; "led by the lead" one it coordinated. The defaults were chosen on the CORDIS
/// tuning year (2018): given one actual member of a consortium, another who had been in a past project of the lead in
/// the call's fields that the lead coordinated was an actual member far more often than one who had only worked with
/// it elsewhere, and sharing a partner said next to nothing (docs/planner.md, "Judged on real consortia"). With
/// <see cref="PlannerOptions.CohesionByShape"/> (the default) the level of a past project of the lead is scaled by how
/// well that project's team matches the requested slots.
/// </summary>
public sealed record CohesionLevels
{
    /// <summary>Together in a past project of the lead in the call's fields that the lead led: a team that already worked as one, for this kind of call.</summary>
    public float LedTeamInFields { get; init; } = 1f;
    /// <summary>Together in a past project of the lead in the call's fields, led by someone else.</summary>
    public float TeamInFields { get; init; } = 0.4f;
    /// <summary>Together in a past project of the lead in other fields.</summary>
    public float TeamElsewhere { get; init; } = 0.4f;
    /// <summary>A joint project in the call's fields without the lead.</summary>
    public float JointInFields { get; init; } = 0.15f;
    /// <summary>A joint project in other fields without the lead.</summary>
    public float JointElsewhere { get; init; } = 0.05f;
    /// <summary>A typed tie (hosted-by, financed-by, invested-in) in either direction.</summary>
    public float TypedTie { get; init; } = 0.5f;
    /// <summary>No joint project or tie, but at least one shared partner (two steps apart).</summary>
    public float SharedPartner { get; init; }

    public static CohesionLevels Default { get; } = new();

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{LedTeamInFields}/{TeamInFields}/{TeamElsewhere}/{JointInFields}/{JointElsewhere}/{TypedTie}/{SharedPartner}");

    public bool Valid => new[] { LedTeamInFields, TeamInFields, TeamElsewhere, JointInFields, JointElsewhere, TypedTie, SharedPartner }.All(x => x is >= 0 and <= 1);
}
