using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Planning;

/// <summary>Teams as the plan shows them: members per slot, needs covered, ties inside the team, reasons.</summary>
public sealed partial class ConsortiumPlanner
{
    private ConsortiumPlan Describe(Prepared prepared, IReadOnlyList<Team> teams, string id, DateTimeOffset createdAt)
    {
        var g = _g;
        var problem = prepared.Problem;
        var request = prepared.Request;
        var orgs = prepared.Organizations;
        var fitReasons = FitReasons(prepared, teams.SelectMany(t => t.Members).Distinct().ToArray());
        var alternatives = new List<TeamAlternative>();
        for (var r = 0; r < teams.Count; r++)
        {
            var team = teams[r];
            var members = new List<TeamMember>();
            for (var i = 0; i < team.Members.Length; i++)
            {
                var c = team.Members[i];
                var others = team.Members.Where(m => m != c).ToArray();
                var cohesion = others.Length == 0 ? 0 : others.Average(m => problem.CohesionOf(c, m));
                var covered = problem.Terms[c].Select(t => prepared.Needs[t].Display).ToArray();
                var reasons = new List<Reason>(fitReasons[c]);
                if (covered.Length > 0)
                {
                    reasons.Add(new Reason("covers-needs", $"满足挑战需求：{string.Join("、", covered)}", $"covers the challenge's needs: {string.Join(", ", covered)}", covered));
                }
                if (TeamTieReason(prepared.Lead, orgs[c], others.Select(m => orgs[m]).ToArray()) is { } tieReason) reasons.Add(tieReason);
                members.Add(new TeamMember(team.Slots[i], prepared.Slots[team.Slots[i]].Role.ToCode(), g.OrganizationIds[orgs[c]], CandidateSummary.Of(g, orgs[c]),
                    Math.Round(problem.Fit[c], 4), Math.Round(cohesion, 4), covered, reasons));
            }
            var coveredItems = team.Members.SelectMany(m => problem.Terms[m]).Distinct().Order().ToArray();
            alternatives.Add(new TeamAlternative(r + 1, Math.Round(team.Objective, 4),
                new ScoreParts(Math.Round(team.Parts.Fit, 4), Math.Round(team.Parts.Cohesion, 4), Math.Round(team.Parts.Coverage, 4)),
                members, coveredItems.Select(t => prepared.Needs[t].Display).ToArray(),
                Enumerable.Range(0, prepared.Needs.Length).Except(coveredItems).Select(t => prepared.Needs[t].Display).ToArray(),
                Ties(prepared.Lead, team.Members.Select(m => orgs[m]).ToArray()),
                r == 0 ? null : Enumerable.Range(0, r).Min(j => team.DifferenceFrom(teams[j]))));
        }
        var notes = new List<string>(prepared.Notes);
        if (teams.Count < request.Alternatives)
        {
            notes.Add(problem.MinDifference <= 0
                ? $"Only {teams.Count} of {request.Alternatives} alternatives: the included organizations fix the whole team."
                : $"Only {teams.Count} of {request.Alternatives} alternatives: no further team differs from the earlier ones in at least {problem.MinDifference} members.");
        }
        var weights = problem.EffectiveWeights;
        var constraints = request.Constraints;
        return new ConsortiumPlan(id, createdAt, request.LeadId, CandidateSummary.Of(g, prepared.Lead),
            prepared.Query.Sectors.Select(s => g.SectorCodes[s]).ToArray(), request.SubField, request.Challenge,
            prepared.Slots.Select((s, i) => new PlannedSlot(i, s.Role.ToCode(), s.Role.ToChinese(), s.Count, SlotEligibility.Kinds(s).Select(k => k.ToCode()).ToArray(),
                s.Kinds is null)).ToArray(),
            new PlannedConstraints(constraints.Cities, constraints.Include, constraints.Exclude, constraints.MaxPerCity, constraints.MaxSize),
            new PlanObjective(Math.Round(weights.Fit, 4), Math.Round(weights.Cohesion, 4), Math.Round(weights.Coverage, 4), problem.MinDifference,
                prepared.Needs.Select(x => x.Display).ToArray()),
            ModelVersion, request.Alternatives, alternatives, notes);
    }

    /// <summary>Reasons for each member's fit to the lead: the model's feature contributions, or the heuristic's evidence.</summary>
    private Dictionary<int, IReadOnlyList<Reason>> FitReasons(Prepared prepared, int[] candidates)
    {
        var result = new Dictionary<int, IReadOnlyList<Reason>>();
        if (_explainer is not null)
        {
            var scored = candidates.Select(c => new ScoredCandidate(prepared.Organizations[c], prepared.RawFit[c], CandidateSource.None, prepared.LeadFeatures[c])).ToArray();
            var explained = _explainer.Explain(prepared.Query, scored, maxReasons: 2);
            for (var i = 0; i < candidates.Length; i++) result[candidates[i]] = explained[i].Select(r => new Reason(r.Kind, r.Zh, r.En, r.Evidence)).ToArray();
            return result;
        }
        foreach (var c in candidates)
        {
            var o = prepared.Organizations[c];
            var reasons = new List<Reason>();
            var edge = _g.Partners.EdgeIndex(prepared.Lead, o);
            if (edge >= 0)
            {
                var joint = _g.PartnerJointProjects[edge];
                reasons.Add(new Reason("prior-work", $"此前与你方合作过 {joint} 个项目", $"{joint} joint project{(joint == 1 ? "" : "s")} with you",
                    [joint.ToString(CultureInfo.InvariantCulture)]));
            }
            var shared = _cohesion.SharedPartners(prepared.Lead, o);
            if (shared.Count > 0)
            {
                var names = shared.Take(3).Select(NameOf).ToArray();
                reasons.Add(new Reason("shared-partners", $"{shared.Count} 个共同合作伙伴：{string.Join("、", names)}",
                    $"{shared.Count} shared partner{(shared.Count == 1 ? "" : "s")}: {string.Join(", ", names)}", names));
            }
            result[c] = reasons;
        }
        return result;
    }

    private Reason? TeamTieReason(int lead, int member, int[] others)
    {
        var zh = new List<string>();
        var en = new List<string>();
        var evidence = new List<string>();
        foreach (var other in others)
        {
            var name = NameOf(other);
            var edge = _g.Partners.EdgeIndex(member, other);
            var withLead = ProjectsWithLead(lead, member, other);
            if (withLead.Count > 0)
            {
                var project = $"{_g.ProjectIds[withLead[0]]} ({_g.ProjectYears[withLead[0]]})";
                zh.Add($"与{name}同在你方的 {withLead.Count} 个项目中，最近为 {project}");
                en.Add($"with {name} in {withLead.Count} of your projects, latest {project}");
                evidence.Add(name);
            }
            else if (edge >= 0)
            {
                var joint = _g.PartnerJointProjects[edge];
                zh.Add($"与{name}合作过 {joint} 个项目");
                en.Add($"{joint} joint project{(joint == 1 ? "" : "s")} with {name}");
                evidence.Add(name);
            }
            else if (_cohesion.TypedTie(member, other) is { } type)
            {
                zh.Add($"与{name}有{type}关系");
                en.Add($"{type} tie with {name}");
                evidence.Add(name);
            }
            else if (_cohesion.SharedPartners(member, other).Count is > 0 and var shared)
            {
                zh.Add($"与{name}有 {shared} 个共同合作伙伴");
                en.Add($"{shared} shared partner{(shared == 1 ? "" : "s")} with {name}");
                evidence.Add(name);
            }
        }
        return evidence.Count == 0 ? null : new Reason("team-ties", $"团队内已有联系：{string.Join("；", zh)}", $"already linked inside the team: {string.Join("; ", en)}", evidence);
    }

    private IReadOnlyList<TeamTie> Ties(int lead, int[] members)
    {
        var ties = new List<TeamTie>();
        for (var i = 0; i < members.Length; i++)
        {
            for (var j = i + 1; j < members.Length; j++)
            {
                int a = members[i], b = members[j];
                var (ida, idb) = (_g.OrganizationIds[a], _g.OrganizationIds[b]);
                var edge = _g.Partners.EdgeIndex(a, b);
                if (ProjectsWithLead(lead, a, b).Count is > 0 and var together) ties.Add(new TeamTie(ida, idb, "projects-with-lead", together));
                else if (edge >= 0) ties.Add(new TeamTie(ida, idb, "joint-projects", _g.PartnerJointProjects[edge]));
                else if (_cohesion.TypedTie(a, b) is { } type) ties.Add(new TeamTie(ida, idb, type, 1));
                else if (_cohesion.SharedPartners(a, b).Count is > 0 and var shared) ties.Add(new TeamTie(ida, idb, "shared-partners", shared));
            }
        }
        return ties;
    }

    /// <summary>The lead's projects that had both <paramref name="a"/> and <paramref name="b"/> as members, latest first.</summary>
    private List<int> ProjectsWithLead(int lead, int a, int b)
    {
        var members = _g.ProjectMembers;
        bool Has(int p, int o) => Array.BinarySearch(members.Targets, members.Offsets[p], members.Offsets[p + 1] - members.Offsets[p], o) >= 0;
        var result = new List<int>();
        foreach (var p in _g.OrganizationProjects[lead])
        {
            if (Has(p, a) && Has(p, b)) result.Add(p);
        }
        return result.OrderByDescending(p => _g.ProjectYears[p]).ThenBy(p => p).ToList();
    }

    private string NameOf(int o) => _g.Details[o]?.DisplayName ?? _g.OrganizationIds[o];
}
