using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// How closely organizations of one snapshot have worked together, for one plan's lead and fields: the level of
/// <see cref="CohesionLevels"/> the closest past work between two of them reaches, and the ties behind it.
/// A plan's slots enter as <c>masks</c> (per organization of the snapshot, bit s set when it may fill slot s) and
/// <c>slotCounts</c> (places per slot): they give a past team of the lead its shape match with the requested team.
/// Thread-safe (reads the snapshot only).
/// </summary>
public sealed class TeamCohesion(GraphSnapshot graph, CohesionLevels levels, bool byShape)
{
    private readonly GraphSnapshot _g = graph;

    public CohesionLevels Levels { get; } = levels;

    /// <summary>Whether the lead's past projects count at their shape match (<see cref="PlannerOptions.CohesionByShape"/>).</summary>
    public bool ByShape { get; } = byShape;

    /// <summary>The level one project reaches: with the lead (led by it, in the fields or not), or without it.</summary>
    public float Level(bool withLead, bool ledByLead, bool inFields) => withLead
        ? inFields ? ledByLead ? Levels.LedTeamInFields : Levels.TeamInFields : Levels.TeamElsewhere
        : inFields ? Levels.JointInFields : Levels.JointElsewhere;

    /// <summary>
    /// Pairwise cohesion of <paramref name="organizations"/>, row-major (count × count, 0 on the diagonal): the closest
    /// past work between two of them. One pass over their projects marks, for every pair found together in a project,
    /// the level that project reaches; typed ties and shared partners fill in the rest.
    /// </summary>
    public float[] Pairwise(int[] organizations, int lead, int[] sectors, uint[] masks, int[] slotCounts)
    {
        var count = organizations.Length;
        var cohesion = new float[count * count];
        var position = new Dictionary<int, int>(count);
        for (var i = 0; i < count; i++) position[organizations[i]] = i;
        var members = _g.ProjectMembers;
        var visited = new HashSet<int>();
        var present = new List<int>();
        foreach (var o in organizations)
        {
            foreach (var p in _g.OrganizationProjects[o])
            {
                if (!visited.Add(p)) continue;
                present.Clear();
                var withLead = false;
                var ledByLead = false;
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    var m = members.Targets[e];
                    if (m == lead)
                    {
                        withLead = true;
                        ledByLead = _g.MemberIsLead[e];
                    }
                    else if (position.TryGetValue(m, out var at)) present.Add(at);
                }
                if (present.Count < 2) continue;
                var level = Level(withLead, ledByLead, InFields(p, sectors));
                if (withLead && ByShape) level *= Shape(p, lead, masks, slotCounts);
                foreach (var x in present)
                {
                    foreach (var y in present)
                    {
                        if (x != y && cohesion[x * count + y] < level) cohesion[x * count + y] = level;
                    }
                }
            }
        }
        if (Levels.TypedTie > 0 || Levels.SharedPartner > 0)
        {
            for (var a = 0; a < count; a++)
            {
                for (var b = a + 1; b < count; b++)
                {
                    var current = cohesion[a * count + b];
                    var tie = Levels.TypedTie > current && TypedTie(organizations[a], organizations[b]) is not null ? Levels.TypedTie
                        : Levels.SharedPartner > current && _g.Partners.EdgeIndex(organizations[a], organizations[b]) < 0
                            && ShareAPartner(organizations[a], organizations[b]) ? Levels.SharedPartner
                        : current;
                    cohesion[a * count + b] = cohesion[b * count + a] = tie;
                }
            }
        }
        return cohesion;
    }

    /// <summary>
    /// Each organization's best past team with the lead: over the lead's projects it was in, the highest level (in the
    /// fields and led by the lead, in the fields, elsewhere) times the project's shape match with the requested team
    /// (always, whatever <see cref="ByShape"/>); 0 for none.
    /// </summary>
    public float[] LeadTies(int[] organizations, int lead, int[] sectors, uint[] masks, int[] slotCounts)
    {
        var position = new Dictionary<int, int>(organizations.Length);
        for (var i = 0; i < organizations.Length; i++) position[organizations[i]] = i;
        var tie = new float[organizations.Length];
        var members = _g.ProjectMembers;
        foreach (var p in _g.OrganizationProjects[lead])
        {
            var led = false;
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++) led |= members.Targets[e] == lead && _g.MemberIsLead[e];
            var level = Level(withLead: true, led, InFields(p, sectors));
            level *= Shape(p, lead, masks, slotCounts);
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                if (position.TryGetValue(members.Targets[e], out var at) && tie[at] < level) tie[at] = level;
            }
        }
        return tie;
    }

    /// <summary>
    /// How well a past project's team matches the requested one: its members (the lead aside) placed greedily, in
    /// member order, into the first slot they may fill that has room, over the larger of the two team sizes; 1 for the
    /// same shape, 0 for an empty team.
    /// </summary>
    public float Shape(int project, int lead, uint[] masks, int[] slotCounts)
    {
        var members = _g.ProjectMembers;
        Span<int> room = stackalloc int[slotCounts.Length];
        slotCounts.CopyTo(room);
        int others = 0, placed = 0;
        for (var e = members.Offsets[project]; e < members.Offsets[project + 1]; e++)
        {
            var m = members.Targets[e];
            if (m == lead) continue;
            others++;
            for (var s = 0; s < room.Length; s++)
            {
                if ((masks[m] & (1u << s)) == 0 || room[s] == 0) continue;
                room[s]--;
                placed++;
                break;
            }
        }
        var size = Math.Max(others, slotCounts.Sum());
        return size == 0 ? 0 : (float)placed / size;
    }

    /// <summary>A project in one of <paramref name="sectors"/> (the call's fields).</summary>
    public bool InFields(int project, int[] sectors)
    {
        var inFields = false;
        foreach (var s in _g.ProjectSectors[project]) inFields |= Array.IndexOf(sectors, s) >= 0;
        return inFields;
    }

    /// <summary>The code of a typed tie between the two, in either direction, or null.</summary>
    public string? TypedTie(int a, int b)
    {
        for (var t = 1; t < _g.TiesOut.Length; t++)
        {
            if (_g.TiesOut[t].EdgeIndex(a, b) >= 0 || _g.TiesOut[t].EdgeIndex(b, a) >= 0) return ((TieType)t).ToCode();
        }
        return null;
    }

    /// <summary>Partners of both, ascending (sorted rows: one merge).</summary>
    public List<int> SharedPartners(int a, int b)
    {
        var x = _g.Partners[a];
        var y = _g.Partners[b];
        var shared = new List<int>();
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j]) { shared.Add(x[i]); i++; j++; }
            else if (x[i] < y[j]) i++;
            else j++;
        }
        return shared;
    }

    /// <summary>At least one common partner (a merge that stops at the first).</summary>
    public bool ShareAPartner(int a, int b)
    {
        var x = _g.Partners[a];
        var y = _g.Partners[b];
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j]) return true;
            if (x[i] < y[j]) i++;
            else j++;
        }
        return false;
    }
}
