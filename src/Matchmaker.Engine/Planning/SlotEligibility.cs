using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// Which slots of a resolved request every organization may fill, and the shortlists the plan is searched in: per
/// slot the likeliest organizations by a prior (before scoring), then the best by fit to the lead (after).
/// </summary>
internal sealed class SlotEligibility
{
    private readonly GraphSnapshot _g;
    private readonly PriorityQueue<int, (double, int)>[] _byPrior;

    /// <summary>Per organization, bit s set when it may fill slot s under the constraints; 0 for the lead, the excluded and those outside the allowed cities.</summary>
    public uint[] Masks { get; }

    /// <summary>Per slot, how many organizations may fill it.</summary>
    public int[] Counts { get; }

    /// <summary>Per organization that may fill a slot, its prior (<see cref="PriorOf"/>); 0 for the others.</summary>
    public double[] Prior { get; }

    /// <summary>Per slot, the organization kinds that fill it.</summary>
    public OrganizationKind[][] SlotKinds { get; }

    private SlotEligibility(GraphSnapshot g, uint[] masks, int[] counts, double[] prior, OrganizationKind[][] slotKinds, PriorityQueue<int, (double, int)>[] byPrior)
    {
        _g = g;
        Masks = masks;
        Counts = counts;
        Prior = prior;
        SlotKinds = slotKinds;
        _byPrior = byPrior;
    }

    public static OrganizationKind[] Kinds(SlotRequest slot) => (slot.Kinds ?? RoleKinds.Default(slot.Role)).ToArray();

    /// <summary>
    /// One pass over every organization: which slots it may fill under the constraints (one of the slot's kinds, or,
    /// without explicit kinds, having played the slot's role before), and per slot the <paramref name="shortlistSize"/>
    /// best by prior. It runs on every plan over the whole graph, so it reads arrays only.
    /// </summary>
    /// <param name="rolesPlayed">Per organization, bit r set when it played role r in a project.</param>
    /// <param name="activity">Per call sector, every organization's projects in it.</param>
    /// <param name="coverage">Per organization, the weighted share of the need items it covers; null without needs.</param>
    public static SlotEligibility Scan(GraphSnapshot g, byte[] rolesPlayed, ResolvedRequest request, int[][] activity, float[]? coverage, int[] shortlistSize)
    {
        var n = g.OrganizationCount;
        var slots = request.Slots;
        var excluded = new bool[n];
        foreach (var o in request.Exclude) excluded[o] = true;
        excluded[request.Lead] = true;
        var cityAllowed = new bool[g.CityCodes.Length];
        for (var c = 0; c < cityAllowed.Length; c++) cityAllowed[c] = request.AllowedCities is null || request.AllowedCities.Contains(c);
        var slotKinds = slots.Select(s => Kinds(s)).ToArray();
        var kindFills = slotKinds.Select(kinds =>
        {
            var fills = new bool[8];
            foreach (var k in kinds) fills[(int)k] = true;
            return fills;
        }).ToArray();
        // Without explicit kinds, having played the role before also qualifies.
        var roleBits = slots.Select(s => s.Kinds is null ? (byte)(1 << (int)s.Role) : (byte)0).ToArray();
        var masks = new uint[n];
        var counts = new int[slots.Count];
        var shortlist = slots.Select(s => new PriorityQueue<int, (double, int)>()).ToArray();
        var prior = new double[n];
        var subField = request.Request.SubField;
        for (var o = 0; o < n; o++)
        {
            if (excluded[o] || !cityAllowed[g.OrganizationCities[o]]) continue;
            uint mask = 0;
            var kind = (int)g.Kinds[o];
            for (var s = 0; s < slots.Count; s++)
            {
                if (kindFills[s][kind] || (rolesPlayed[o] & roleBits[s]) != 0) mask |= 1u << s;
            }
            if (mask == 0) continue;
            masks[o] = mask;
            var key = (prior[o] = PriorOf(g, o, request.Sectors, activity, coverage, subField), -o);
            for (var s = 0; s < slots.Count; s++)
            {
                if ((mask & (1u << s)) == 0) continue;
                counts[s]++;
                var list = shortlist[s];
                if (list.Count < shortlistSize[s]) list.Enqueue(o, key);
                else if (list.TryPeek(out _, out var weakest) && key.CompareTo(weakest) > 0) list.EnqueueDequeue(o, key);
            }
        }
        return new SlotEligibility(g, masks, counts, prior, slotKinds, shortlist);
    }

    /// <summary>
    /// The shortlist prior: 3 × the needs covered + ln(1 + projects in the call's sectors) + ½ if it declares one of
    /// them + 1 if it declares the sub-field.
    /// </summary>
    public static double PriorOf(GraphSnapshot g, int o, int[] sectors, int[][] activity, float[]? coverage, string? subField)
    {
        double inFields = 0;
        foreach (var a in activity) inFields += a[o];
        var declared = 0;
        foreach (var s in g.OrganizationSectors[o]) declared += Array.IndexOf(sectors, s) >= 0 ? 1 : 0;
        var sub = subField is not null && g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true ? 1 : 0;
        return (coverage is null ? 0 : 3 * coverage[o]) + Math.Log(1 + inFields) + 0.5 * Math.Min(declared, 1) + sub;
    }

    /// <summary>Every slot's best organizations by prior, slot after slot (an organization may come more than once).</summary>
    public IEnumerable<int> ByPrior()
    {
        foreach (var list in _byPrior)
        {
            foreach (var (o, _) in list.UnorderedItems) yield return o;
        }
    }

    /// <summary>Per slot the best <paramref name="poolSize"/> candidates by fit to the lead, plus the included ones.</summary>
    public HashSet<int> Shortlists(IReadOnlyList<SlotRequest> slots, Dictionary<int, (float Raw, int Row)> fitOf, int[] include, Func<SlotRequest, int> poolSize)
    {
        var pool = include.ToHashSet();
        for (var s = 0; s < slots.Count; s++)
        {
            var bit = 1u << s;
            foreach (var o in fitOf.Where(x => (Masks[x.Key] & bit) != 0).OrderByDescending(x => x.Value.Raw).ThenBy(x => x.Key).Take(poolSize(slots[s])))
            {
                pool.Add(o.Key);
            }
        }
        return pool;
    }

    /// <summary>
    /// Adds the members of the lead's past projects in the call's fields that the lead led, when they were scored and
    /// may fill a slot: teams that already worked as one under this lead re-form, whatever their fit alone.
    /// </summary>
    public void AddLedTeams(HashSet<int> pool, int lead, int[] sectors, Dictionary<int, (float Raw, int Row)> fitOf)
    {
        var members = _g.ProjectMembers;
        foreach (var p in _g.OrganizationProjects[lead])
        {
            if (!LedInFields(p, lead, sectors)) continue;
            foreach (var m in members[p])
            {
                if (Masks[m] != 0 && fitOf.ContainsKey(m)) pool.Add(m);
            }
        }
    }

    private bool LedInFields(int project, int lead, int[] sectors)
    {
        var members = _g.ProjectMembers;
        var at = Array.BinarySearch(members.Targets, members.Offsets[project], members.Offsets[project + 1] - members.Offsets[project], lead);
        if (at < 0 || !_g.MemberIsLead[at]) return false;
        foreach (var s in _g.ProjectSectors[project])
        {
            if (Array.IndexOf(sectors, s) >= 0) return true;
        }
        return false;
    }
}
