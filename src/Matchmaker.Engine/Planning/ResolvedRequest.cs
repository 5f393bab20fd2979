using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// A plan request resolved against one snapshot: organizations and cities as the snapshot's compact ids, the slots
/// to fill (the request's, or the default slots of its first sector cut to the size cap) and the call's sectors.
/// </summary>
internal sealed record ResolvedRequest(
    PlanRequest Request, int Lead, int[] Include, int[] Exclude, HashSet<int>? AllowedCities, IReadOnlyList<SlotRequest> Slots, int[] Sectors)
{
    public int TeamSize => Slots.Sum(s => s.Count);

    /// <summary>True when the request named no slots (the plan then notes the default ones).</summary>
    public bool DefaultSlots => Request.Slots is not { Count: > 0 };

    /// <summary>
    /// Resolves the request, or refuses it as <see cref="PlanRefusalKind.Invalid"/> with every problem by field:
    /// unknown organizations, an included organization that is the lead, excluded too or outside the allowed cities,
    /// the lead excluded, more members than <paramref name="maxTeamSize"/> or the request's own size cap.
    /// </summary>
    public static (ResolvedRequest? Resolved, PlanRefusal? Refusal) Resolve(GraphSnapshot g, PlanRequest request, int maxTeamSize)
    {
        var invalid = new Dictionary<string, string[]>();
        var lead = g.IndexOf(request.LeadId);
        if (lead < 0) invalid["leadId"] = [$"no organization has id '{request.LeadId}'"];
        var constraints = request.Constraints;
        var include = Ids(g, constraints.Include, "constraints.include", invalid);
        var exclude = Ids(g, constraints.Exclude, "constraints.exclude", invalid);
        var allowedCities = constraints.Cities.Count == 0 ? null : constraints.Cities.Select(g.CityIndexOf).Where(c => c >= 0).ToHashSet();
        for (var i = 0; i < include.Length; i++)
        {
            if (include[i] < 0) continue;
            if (include[i] == lead) invalid[$"constraints.include[{i}]"] = ["is the lead, which is in every team already"];
            else if (exclude.Contains(include[i])) invalid[$"constraints.include[{i}]"] = ["is also excluded"];
            else if (allowedCities is not null && !allowedCities.Contains(g.OrganizationCities[include[i]]))
                invalid[$"constraints.include[{i}]"] = [$"is in {g.CityCodes[g.OrganizationCities[include[i]]]}, which constraints.cities does not allow"];
        }
        for (var i = 0; i < exclude.Length; i++)
        {
            if (exclude[i] >= 0 && exclude[i] == lead) invalid[$"constraints.exclude[{i}]"] = ["is the lead"];
        }
        var slots = request.Slots is { Count: > 0 } given ? given : Trim(RoleKinds.DefaultSlots(request.Sectors.FirstOrDefault()), constraints.MaxSize);
        var teamSize = slots.Sum(s => s.Count);
        if (teamSize > maxTeamSize) invalid["slots"] = [$"ask for {teamSize} members; at most {maxTeamSize} are allowed"];
        if (constraints.MaxSize is { } maxSize && teamSize > maxSize) invalid["constraints.maxSize"] = [$"is {maxSize}, but the slots ask for {teamSize} members"];
        if (invalid.Count > 0) return (null, new PlanRefusal(PlanRefusalKind.Invalid, "The request does not fit the graph.", invalid));

        // Sectors the snapshot does not know are left out; none left means the lead's own.
        var sectors = request.Sectors.Select(g.SectorIndexOf).Where(s => s >= 0).Distinct().ToArray();
        if (sectors.Length == 0) sectors = g.OrganizationSectors[lead].ToArray();
        return (new ResolvedRequest(request, lead, include, exclude, allowedCities, slots, sectors), null);
    }

    private static int[] Ids(GraphSnapshot g, IReadOnlyList<string> ids, string field, Dictionary<string, string[]> invalid)
    {
        var result = new int[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            result[i] = g.IndexOf(ids[i]);
            if (result[i] < 0) invalid[$"{field}[{i}]"] = [$"no organization has id '{ids[i]}'"];
        }
        return result;
    }

    /// <summary>Default slots cut to <paramref name="maxSize"/> members, dropping from the end.</summary>
    private static IReadOnlyList<SlotRequest> Trim(IReadOnlyList<SlotRequest> slots, int? maxSize)
    {
        if (maxSize is not { } max) return slots;
        var result = new List<SlotRequest>();
        var left = max;
        foreach (var slot in slots)
        {
            if (left <= 0) break;
            result.Add(new SlotRequest(slot.Role, Math.Min(slot.Count, left), slot.Kinds));
            left -= result[^1].Count;
        }
        return result;
    }
}
