using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// Whether any team can fill a resolved request's slots, and if not, why, by field: a slot too few organizations may
/// fill, an included organization that fills none, included organizations that need more places of their roles than
/// the request has, and slots that cannot be filled jointly under the per-city cap (an exact flow check,
/// <see cref="SlotFeasibility"/>).
/// </summary>
internal static class FeasibilityDiagnosis
{
    /// <summary>What is left to fill once the included organizations took their places.</summary>
    /// <param name="Residual">Per slot, the places left.</param>
    /// <param name="CityUsed">Per city, the included organizations there.</param>
    public sealed record Room(int[] Residual, int[] CityUsed);

    public static (Room? Room, PlanRefusal? Refusal) Diagnose(GraphSnapshot g, ResolvedRequest request, SlotEligibility eligibility)
    {
        var (slots, include, masks, counts) = (request.Slots, request.Include, eligibility.Masks, eligibility.Counts);
        var constraints = request.Request.Constraints;
        var impossible = new Dictionary<string, string[]>();
        for (var s = 0; s < slots.Count; s++)
        {
            if (counts[s] >= slots[s].Count) continue;
            var where = request.AllowedCities is null ? "in the graph" : $"in the allowed cities ({string.Join(", ", constraints.Cities)})";
            var who = counts[s] == 0 ? $"no organization {where} can fill it"
                : $"only {counts[s]} organization{(counts[s] == 1 ? "" : "s")} {where} can fill it, {slots[s].Count} are asked for";
            impossible[$"slots[{s}]"] = [$"{slots[s].Describe()}: {who} (kinds {string.Join(", ", eligibility.SlotKinds[s].Select(k => k.ToCode()))}"
                + (slots[s].Kinds is null ? $", or having played {slots[s].Role.ToCode()} before" : "")
                + (request.Exclude.Length > 0 ? ", excluded organizations left out" : "") + ")"];
        }
        for (var i = 0; i < include.Length; i++)
        {
            if (masks[include[i]] == 0) impossible[$"constraints.include[{i}]"] = [$"'{constraints.Include[i]}' ({g.Kinds[include[i]].ToCode()}) can fill none " +
                "of the requested slots"];
        }
        if (impossible.Count > 0) return (null, new PlanRefusal(PlanRefusalKind.Impossible, "No team can fill the requested slots.", impossible));

        // Included organizations take slots first; what is left must be fillable jointly under the city cap.
        var residual = slots.Select(s => s.Count).ToArray();
        if (AssignIncluded(include, masks, residual) is null)
        {
            return (null, new PlanRefusal(PlanRefusalKind.Impossible, "No team can fill the requested slots.", new Dictionary<string, string[]>
            {
                ["constraints.include"] = ["the included organizations need more slots of their roles than the request has"],
            }));
        }
        var cityUsed = new int[g.CityCodes.Length];
        foreach (var o in include) cityUsed[g.OrganizationCities[o]]++;
        if (constraints.MaxPerCity is { } cap)
        {
            var over = Enumerable.Range(0, cityUsed.Length).Where(c => cityUsed[c] > cap).Select(c => g.CityCodes[c]).ToArray();
            if (over.Length > 0) return (null, Capped($"the included organizations alone exceed it in {string.Join(", ", over)}"));
            var groups = new Dictionary<(uint Mask, int City), int>();
            for (var o = 0; o < g.OrganizationCount; o++)
            {
                if (masks[o] == 0 || Array.IndexOf(include, o) >= 0) continue;
                var key = (masks[o], g.OrganizationCities[o]);
                groups[key] = groups.GetValueOrDefault(key) + 1;
            }
            var filled = SlotFeasibility.Fill(residual, groups.Select(x => new SlotFeasibility.Group(x.Key.Mask, x.Key.City, x.Value)), g.CityCodes.Length, cap, cityUsed);
            var unfilled = Enumerable.Range(0, slots.Count).Where(s => filled[s] < residual[s]).ToArray();
            if (unfilled.Length > 0)
            {
                return (null, Capped($"with at most {cap} members per city, {string.Join(" and ", unfilled.Select(s => $"slots[{s}] ({slots[s].Describe()})"))} cannot be filled"));
            }
        }
        return (new Room(residual, cityUsed), null);

        static PlanRefusal Capped(string why) => new(PlanRefusalKind.Impossible, "No team can fill the requested slots.",
            new Dictionary<string, string[]> { ["constraints.maxPerCity"] = [why] });
    }

    /// <summary>Whether the organizations of <paramref name="pool"/> (the included aside) can fill what is left under the city cap.</summary>
    public static bool PoolFeasible(GraphSnapshot g, HashSet<int> pool, uint[] masks, Room room, int cap, int[] include)
    {
        var groups = pool.Where(o => !include.Contains(o)).GroupBy(o => (masks[o], g.OrganizationCities[o]))
            .Select(x => new SlotFeasibility.Group(x.Key.Item1, x.Key.Item2, x.Count()));
        var filled = SlotFeasibility.Fill(room.Residual, groups, g.CityCodes.Length, cap, room.CityUsed);
        return filled.SequenceEqual(room.Residual);
    }

    /// <summary>Bipartite matching of the included organizations to slot places; null when they do not fit. Lowers <paramref name="residual"/>.</summary>
    private static int[]? AssignIncluded(int[] include, uint[] masks, int[] residual)
    {
        var places = residual.SelectMany((count, s) => Enumerable.Repeat(s, count)).ToArray();
        var owner = Enumerable.Repeat(-1, places.Length).ToArray();
        bool Augment(int i, bool[] visited)
        {
            for (var p = 0; p < places.Length; p++)
            {
                if (visited[p] || (masks[include[i]] & (1u << places[p])) == 0) continue;
                visited[p] = true;
                if (owner[p] < 0 || Augment(owner[p], visited))
                {
                    owner[p] = i;
                    return true;
                }
            }
            return false;
        }
        for (var i = 0; i < include.Length; i++)
        {
            if (!Augment(i, new bool[places.Length])) return null;
        }
        var slotOf = new int[include.Length];
        for (var p = 0; p < places.Length; p++)
        {
            if (owner[p] < 0) continue;
            slotOf[owner[p]] = places[p];
            residual[places[p]]--;
        }
        return slotOf;
    }
}
