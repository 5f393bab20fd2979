using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// Delivery's view of the saved consortium plans (<see cref="IPlanGapSource"/>): for an organization, the newest plan
/// it leads, whichever key saved it, and the roles of the 产学研金用 consortium that this plan leaves out. A
/// plan fills every slot it asks for (the planner refuses a request it cannot fill, and a refused request saves
/// nothing), so what it can lack is a role it never asked for: a role is missing when no slot of the plan asks for it
/// and the lead does not play it itself (the lead plays the first role of its kind: an enterprise 产, a university
/// 学, a research institute 研, a financial institution 金, a public body 用). Platforms are not one of the five
/// roles, so a plan without a platform slot lacks nothing. Only the newest plan counts: older ones were usually
/// drafts on the way to it, and a weekly list should not repeat the same missing role once per draft.
/// </summary>
public sealed class SavedPlanGaps(IPlanStore plans) : IPlanGapSource
{
    // Job hosts that never serve plans may not have created the plan table: the first read does (idempotent).
    private readonly Lazy<Task> _initialized = new(() => plans.InitializeAsync());

    /// <summary>The five roles of an 产学研金用 consortium.</summary>
    public static IReadOnlyList<ConsortiumRole> ConsortiumCore { get; } =
        [ConsortiumRole.Industry, ConsortiumRole.Academia, ConsortiumRole.Research, ConsortiumRole.Finance, ConsortiumRole.User];

    public async Task<IReadOnlyList<PlanGap>> GetGapsAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await _initialized.Value.WaitAsync(cancellationToken);
        var newest = (await plans.ListByLeadAsync(organizationId, 1, cancellationToken)).FirstOrDefault();
        return newest is null ? [] : GapsOf(newest);
    }

    /// <summary>The roles <paramref name="plan"/> leaves out, in the order 产学研金用.</summary>
    public static IReadOnlyList<PlanGap> GapsOf(ConsortiumPlan plan)
    {
        var covered = new HashSet<ConsortiumRole>();
        foreach (var slot in plan.Slots)
        {
            if (Codes.TryParseRole(slot.Role, out var role)) covered.Add(role);
        }
        if (ConsortiumRoles.OfKind(plan.Lead.Kind) is [var leadRole, ..]) covered.Add(leadRole);
        var name = NameOf(plan);
        return ConsortiumCore.Where(r => !covered.Contains(r)).Select(r => new PlanGap(plan.Id, name, r)).ToArray();
    }

    /// <summary>The plan as a person would name it: its field's consortium and the day it was made, e.g. 新能源汽车联合体 2026-01-05.</summary>
    public static string NameOf(ConsortiumPlan plan)
    {
        var sector = plan.Sectors.FirstOrDefault();
        var field = sector is null ? null : G60Catalog.Sectors.FirstOrDefault(s => s.Code == sector)?.NameZh ?? sector;
        var day = plan.CreatedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return field is null ? $"联合体 {day}" : $"{field}联合体 {day}";
    }
}
