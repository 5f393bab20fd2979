using System.Globalization;
using System.Text.RegularExpressions;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Planning;

public sealed record PlannerOptions
{
    /// <summary>Candidates kept per slot for the search, at least (the best by fit to the lead).</summary>
    public int PoolPerSlot { get; init; } = 12;
    /// <summary>... and at least this many per member the slot asks for.</summary>
    public int PoolPerMember { get; init; } = 4;
    /// <summary>Need terms offered by more than this share of organizations tell nobody apart and are left out.</summary>
    public double MaxTermShare { get; init; } = 0.25;
    /// <summary>The most members a plan may ask for.</summary>
    public int MaxTeamSize { get; init; } = PlanRequest.MaxTeamSize;
    /// <summary>Threads for the pairwise scores of one plan; null = all cores. One when plans run in parallel already.</summary>
    public int? Threads { get; init; }
    public SearchOptions Search { get; init; } = SearchOptions.Default;
}

/// <summary>
/// Proposes whole consortia for a lead organization on one snapshot with one ranking model. For a request it
/// <list type="number">
/// <item>checks it against the graph: unknown organizations, contradictions, and slots that no organization
/// allowed by the constraints can fill (named in the refusal), then the slots jointly under the per-city cap
/// (an exact flow check, <see cref="SlotFeasibility"/>);</item>
/// <item>scores the lead's candidates (the matching engine's candidate generation, plus for every slot the
/// organizations that most likely fill it: activity in the fields, declared fields, the challenge's terms) with
/// the ranking model, and keeps the best few per slot;</item>
/// <item>computes what the objective needs for those: fit = σ(z) of the lead's model score (z standardized over
/// the plan's shortlisted candidates, since LambdaRank scores order but are not calibrated); cohesion of two
/// candidates = ½·tie + ½·harmonic mean of σ(z) of the model's scores in both directions (z over the
/// shortlist's pairs), where tie, the shorter the line of communication the higher, is 1 when the two were members
/// of one of the lead's past projects together, ½ for other joint projects or a typed tie, ¼ for at least one
/// shared partner (two steps apart in the graph) and 0 otherwise; and which need items (terms of the challenge,
/// or the lead's need tags, and the sub-field) each candidate's capabilities cover, weighted by inverse document
/// frequency;</item>
/// <item>runs <see cref="TeamSearch"/> on that <see cref="PlanningProblem"/> and explains every member.</item>
/// </list>
/// Without a trained model a transparent heuristic score stands in for the model's (see <see cref="HeuristicScore"/>).
/// Thread-safe; builds its statistics once per snapshot.
/// </summary>
/// <summary>A team as compact organization ids of the snapshot, with the slot each fills.</summary>
public sealed record PlannedTeam(int[] Members, int[] Slots);

/// <summary>The planner's teams, the pairwise baseline and the shortlisted organizations for one request, or the refusal.</summary>
public sealed record PlannedTeams(IReadOnlyList<PlannedTeam> Teams, PlannedTeam? Pairwise, IReadOnlyList<int> Shortlisted, PlanRefusal? Refusal);

public sealed partial class ConsortiumPlanner
{
    public const string HeuristicVersion = "heuristic-1";

    private readonly GraphSnapshot _g;
    private readonly RankingModel? _model;
    private readonly PlannerOptions _options;
    private readonly SnapshotStats _stats;
    private readonly CapabilityIndex _terms;
    private readonly CandidateGenerator _generator;
    private readonly PairFeatureExtractor _features;
    private readonly WorkspacePool _workspaces;
    private readonly MatchExplainer? _explainer;
    private readonly byte[] _rolesPlayed;
    private readonly int _year;

    public ConsortiumPlanner(GraphSnapshot snapshot, RankingModel? model, PlannerOptions? options = null, SnapshotStats? stats = null)
    {
        _g = snapshot;
        _model = model;
        _options = options ?? new PlannerOptions();
        _stats = stats ?? new SnapshotStats(snapshot);
        if (!ReferenceEquals(_stats.Snapshot, snapshot)) throw new ArgumentException("the statistics are of another snapshot", nameof(stats));
        _terms = new CapabilityIndex(snapshot);
        // Candidates and features see capabilities exactly as the model was trained with them (none when no one states a need).
        var capabilities = _terms.HasAny ? _terms : null;
        _generator = new CandidateGenerator(null, capabilities);
        _features = new PairFeatureExtractor(capabilities);
        _workspaces = new WorkspacePool(_stats);
        _explainer = model is null ? null : new MatchExplainer(snapshot, model, capabilities);
        _year = snapshot.ProjectCount == 0 ? snapshot.BuiltAt.Year : snapshot.ProjectYears.Max() + 1;
        _rolesPlayed = new byte[snapshot.OrganizationCount];
        var members = snapshot.ProjectMembers;
        for (var e = 0; e < members.EdgeCount; e++)
        {
            if (snapshot.MemberRoles[e] != 0) _rolesPlayed[members.Targets[e]] |= (byte)(1 << snapshot.MemberRoles[e]);
        }
    }

    public GraphSnapshot Snapshot => _g;
    public string ModelVersion => _model is null ? HeuristicVersion : $"lambdarank-v{_model.Card.Version}";

    /// <summary>Plans and explains <see cref="PlanRequest.Alternatives"/> teams, or says why it cannot.</summary>
    public PlanOutcome Plan(PlanRequest request, string id, DateTimeOffset createdAt)
    {
        var searched = Search(request);
        return searched.Refusal is { } refusal ? new PlanOutcome(null, refusal) : PlanOutcome.Of(Describe(searched.Prepared!, searched.Teams, id, createdAt));
    }

    /// <summary>
    /// For evaluations: the teams as compact organization ids with their slots, without explanations, and the
    /// pairwise baseline on the same shortlists: each slot filled, in order, by the lead's best-scored organizations
    /// that can fill it and are not taken yet (the same model's pair scores; no cohesion, no coverage, no search).
    /// </summary>
    public PlannedTeams PlanTeams(PlanRequest request)
    {
        var searched = Search(request);
        if (searched.Refusal is { } refusal) return new PlannedTeams([], null, [], refusal);
        var prepared = searched.Prepared!;
        var orgs = prepared.Organizations;
        return new PlannedTeams(searched.Teams.Select(t => new PlannedTeam(t.Members.Select(m => orgs[m]).ToArray(), t.Slots)).ToArray(), Pairwise(prepared), orgs, null);
    }

    private static PlannedTeam Pairwise(Prepared prepared)
    {
        var problem = prepared.Problem;
        var order = Enumerable.Range(0, problem.CandidateCount).OrderByDescending(c => prepared.RawFit[c]).ThenBy(c => prepared.Organizations[c]).ToArray();
        var used = new bool[problem.CandidateCount];
        var members = new List<int>();
        var slots = new List<int>();
        for (var s = 0; s < problem.SlotCount; s++)
        {
            var taken = 0;
            foreach (var c in order)
            {
                if (taken == problem.SlotCounts[s]) break;
                if (used[c] || !problem.Eligible(c, s)) continue;
                used[c] = true;
                members.Add(prepared.Organizations[c]);
                slots.Add(s);
                taken++;
            }
        }
        return new PlannedTeam(members.ToArray(), slots.ToArray());
    }

    /// <summary>The planning problem the search runs on for a request (null when refused): lets tests compare with the exact optimum.</summary>
    internal PlanningProblem? ProblemOf(PlanRequest request) => Prepare(request).Prepared?.Problem;

    private (Prepared? Prepared, IReadOnlyList<Team> Teams, PlanRefusal? Refusal) Search(PlanRequest request)
    {
        var (prepared, refusal) = Prepare(request);
        if (refusal is not null) return (null, [], refusal);
        var teams = TeamSearch.Alternatives(prepared!.Problem, Math.Clamp(request.Alternatives, 1, PlanRequest.MaxAlternatives), _options.Search);
        if (teams.Count == 0)
        {
            return (null, [], new PlanRefusal(PlanRefusalKind.Impossible, "No team satisfies the constraints.", new Dictionary<string, string[]>
            {
                ["constraints"] = ["the search found no team that fills every slot within the constraints; relax maxPerCity, cities or include"],
            }));
        }
        return (prepared, teams, null);
    }

    /// <summary>Everything one plan's search and description need, indexed by the problem's candidate numbers.</summary>
    private sealed class Prepared
    {
        public required int Lead { get; init; }
        public required MatchQuery Query { get; init; }
        public required IReadOnlyList<SlotRequest> Slots { get; init; }
        public required PlanningProblem Problem { get; init; }
        public required int[] Organizations { get; init; }
        public required float[] RawFit { get; init; }
        public required float[][] LeadFeatures { get; init; }
        public required NeedItem[] Needs { get; init; }
        public required List<string> Notes { get; init; }
        public required PlanRequest Request { get; init; }
    }

    /// <summary>A need the coverage part counts: a challenge term, a need tag of the lead, or the sub-field.</summary>
    private sealed record NeedItem(string Display, string[] Terms, string? SubField, float Weight);

    private (Prepared? Prepared, PlanRefusal? Refusal) Prepare(PlanRequest request)
    {
        var g = _g;
        var n = g.OrganizationCount;
        var invalid = new Dictionary<string, string[]>();
        var lead = g.IndexOf(request.LeadId);
        if (lead < 0) invalid["leadId"] = [$"no organization has id '{request.LeadId}'"];
        var constraints = request.Constraints;
        var include = Resolve(constraints.Include, "constraints.include", invalid);
        var exclude = Resolve(constraints.Exclude, "constraints.exclude", invalid);
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
        if (teamSize > _options.MaxTeamSize) invalid["slots"] = [$"ask for {teamSize} members; at most {_options.MaxTeamSize} are allowed"];
        if (constraints.MaxSize is { } maxSize && teamSize > maxSize) invalid["constraints.maxSize"] = [$"is {maxSize}, but the slots ask for {teamSize} members"];
        if (invalid.Count > 0) return (null, new PlanRefusal(PlanRefusalKind.Invalid, "The request does not fit the graph.", invalid));

        var sectors = request.Sectors.Select(g.SectorIndexOf).Where(s => s >= 0).Distinct().ToArray();
        if (sectors.Length == 0) sectors = g.OrganizationSectors[lead].ToArray();
        var query = new MatchQuery(lead, sectors, _year) { Id = request.LeadId };
        var needs = NeedsOf(request, lead);
        var notes = new List<string>();
        if (request.Slots is not { Count: > 0 }) notes.Add($"Default slots: {string.Join(", ", slots.Select(s => s.Describe()))}.");

        // One pass over every organization: which slots it may fill under the constraints, and a prior for each
        // slot's shortlist (activity in the fields, declared fields and sub-field, the needs it covers).
        var excluded = exclude.ToHashSet();
        var slotKinds = slots.Select(s => Kinds(s)).ToArray();
        var masks = new uint[n];
        var counts = new int[slots.Count];
        var coverage = NeedCoverage(needs);
        var activity = sectors.Select(_stats.SectorActivity).ToArray();
        var shortlist = slots.Select(s => new PriorityQueue<int, (double, int)>()).ToArray();
        var shortlistSize = slots.Select(PoolSize).ToArray();
        var prior = new double[n];
        for (var o = 0; o < n; o++)
        {
            if (o == lead || excluded.Contains(o)) continue;
            if (allowedCities is not null && !allowedCities.Contains(g.OrganizationCities[o])) continue;
            uint mask = 0;
            for (var s = 0; s < slots.Count; s++)
            {
                if (CanFill(o, slots[s], slotKinds[s])) mask |= 1u << s;
            }
            if (mask == 0) continue;
            masks[o] = mask;
            prior[o] = Prior(o, sectors, activity, coverage, request.SubField);
            for (var s = 0; s < slots.Count; s++)
            {
                if ((mask & (1u << s)) == 0) continue;
                counts[s]++;
                shortlist[s].Enqueue(o, (prior[o], -o));
                if (shortlist[s].Count > shortlistSize[s]) shortlist[s].Dequeue();
            }
        }

        var impossible = new Dictionary<string, string[]>();
        for (var s = 0; s < slots.Count; s++)
        {
            if (counts[s] >= slots[s].Count) continue;
            var where = allowedCities is null ? "in the graph" : $"in the allowed cities ({string.Join(", ", constraints.Cities)})";
            var who = counts[s] == 0 ? $"no organization {where} can fill it" : $"only {counts[s]} organization{(counts[s] == 1 ? "" : "s")} {where} can fill it, {slots[s].Count} are asked for";
            impossible[$"slots[{s}]"] = [$"{slots[s].Describe()}: {who} (kinds {string.Join(", ", slotKinds[s].Select(k => k.ToCode()))}{(slots[s].Kinds is null ? $", or having played {slots[s].Role.ToCode()} before" : "")}{(excluded.Count > 0 ? ", excluded organizations left out" : "")})"];
        }
        for (var i = 0; i < include.Length; i++)
        {
            if (masks[include[i]] == 0) impossible[$"constraints.include[{i}]"] = [$"'{constraints.Include[i]}' ({g.Kinds[include[i]].ToCode()}) can fill none of the requested slots"];
        }
        if (impossible.Count > 0) return (null, new PlanRefusal(PlanRefusalKind.Impossible, "No team can fill the requested slots.", impossible));

        // Included organizations take slots first; what is left must be fillable jointly under the city cap.
        var residual = slots.Select(s => s.Count).ToArray();
        var includeSlot = AssignIncluded(include, masks, residual);
        if (includeSlot is null)
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
            var groups = masks.Select((m, o) => (m, o)).Where(x => x.m != 0 && !include.Contains(x.o))
                .GroupBy(x => (x.m, g.OrganizationCities[x.o])).Select(x => new SlotFeasibility.Group(x.Key.m, x.Key.Item2, x.Count()));
            var filled = SlotFeasibility.Fill(residual, groups, g.CityCodes.Length, cap, cityUsed);
            var unfilled = Enumerable.Range(0, slots.Count).Where(s => filled[s] < residual[s]).ToArray();
            if (unfilled.Length > 0)
            {
                return (null, Capped($"with at most {cap} members per city, {string.Join(" and ", unfilled.Select(s => $"slots[{s}] ({slots[s].Describe()})"))} cannot be filled"));
            }
        }

        // Score the lead's candidates and each slot's shortlist with the model on the lead's context.
        var workspace = _workspaces.Rent();
        try
        {
            workspace.Context.Prepare(query, _generator.Options.HubCap);
            _generator.Generate(workspace.Context, workspace.Candidates, workspace.Sources);
            var scored = new List<int>(workspace.Candidates);
            var seen = scored.ToHashSet();
            foreach (var list in shortlist)
            {
                foreach (var (o, _) in list.UnorderedItems)
                {
                    if (seen.Add(o)) scored.Add(o);
                }
            }
            foreach (var o in include)
            {
                if (seen.Add(o)) scored.Add(o);
            }
            var (rows, raw) = Score(workspace.Context, scored);
            var fitOf = new Dictionary<int, (float Raw, int Row)>();
            for (var i = 0; i < scored.Count; i++) fitOf[scored[i]] = (raw[i], i);

            var pool = Shortlists(slots, masks, fitOf, include);
            if (constraints.MaxPerCity is { } perCity && !PoolFeasible(pool, slots, masks, residual, perCity, cityUsed, include))
            {
                // The best few per slot crowd into a few cities: add, per slot and city, the likeliest min(cap, team size)
                // organizations there. That keeps every feasible team reachable: a member of city c outside these
                // lists can be exchanged for one of them, since at most min(cap, team size) − 1 others are from c.
                var extra = new HashSet<int>();
                for (var s = 0; s < slots.Count; s++)
                {
                    var bit = 1u << s;
                    foreach (var byCity in Enumerable.Range(0, n).Where(o => (masks[o] & bit) != 0 && !pool.Contains(o)).GroupBy(o => g.OrganizationCities[o]))
                    {
                        extra.UnionWith(byCity.OrderByDescending(o => prior[o]).ThenBy(o => o).Take(Math.Min(perCity, teamSize)));
                    }
                }
                var unscored = extra.Where(o => !fitOf.ContainsKey(o)).Order().ToList();
                var (extraRows, extraRaw) = Score(workspace.Context, unscored);
                for (var i = 0; i < unscored.Count; i++) fitOf[unscored[i]] = (extraRaw[i], rows.Length + i);
                rows = [.. rows, .. extraRows];
                pool.UnionWith(extra);
            }

            var organizations = pool.Order().ToArray();
            var rawFit = organizations.Select(o => fitOf[o].Raw).ToArray();
            var leadFeatures = organizations.Select(o => rows[fitOf[o].Row]).ToArray();
            var (mean, deviation) = MeanAndDeviation(rawFit);
            var fit = rawFit.Select(s => Logistic(s, mean, deviation)).ToArray();
            var cohesion = Cohesion(organizations, sectors, lead);
            var candidateTerms = organizations.Select(o => Covered(o, needs)).ToArray();
            var index = organizations.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => x.i);
            var problem = new PlanningProblem(slots.Select(s => s.Count).ToArray(), organizations.Select(o => masks[o]).ToArray(),
                organizations.Select(o => g.OrganizationCities[o]).ToArray(), fit, cohesion, candidateTerms, needs.Select(x => x.Weight).ToArray(),
                request.Weights, include.Select(o => index[o]).ToArray(), constraints.MaxPerCity);
            if (_model is null) notes.Add("No ranking model has been trained yet: fit and cohesion use the heuristic pair score (joint projects, shared partners, capabilities meeting needs, activity in the field) until one is.");
            return (new Prepared
            {
                Lead = lead, Query = query, Slots = slots, Problem = problem, Organizations = organizations, RawFit = rawFit,
                LeadFeatures = leadFeatures, Needs = needs, Notes = notes, Request = request,
            }, null);
        }
        finally
        {
            _workspaces.Return(workspace);
        }

        PlanRefusal Capped(string why) => new(PlanRefusalKind.Impossible, "No team can fill the requested slots.",
            new Dictionary<string, string[]> { ["constraints.maxPerCity"] = [why] });
    }

    private int[] Resolve(IReadOnlyList<string> ids, string field, Dictionary<string, string[]> invalid)
    {
        var result = new int[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            result[i] = _g.IndexOf(ids[i]);
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

    private int PoolSize(SlotRequest slot) => Math.Max(_options.PoolPerSlot, _options.PoolPerMember * slot.Count);

    private static OrganizationKind[] Kinds(SlotRequest slot) => (slot.Kinds ?? RoleKinds.Default(slot.Role)).ToArray();

    private bool CanFill(int o, SlotRequest slot, OrganizationKind[] kinds) =>
        Array.IndexOf(kinds, _g.Kinds[o]) >= 0 || (slot.Kinds is null && (_rolesPlayed[o] & (1 << (int)slot.Role)) != 0);

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

    /// <summary>Per slot the best candidates by fit to the lead, plus the included ones.</summary>
    private HashSet<int> Shortlists(IReadOnlyList<SlotRequest> slots, uint[] masks, Dictionary<int, (float Raw, int Row)> fitOf, int[] include)
    {
        var pool = include.ToHashSet();
        for (var s = 0; s < slots.Count; s++)
        {
            var bit = 1u << s;
            foreach (var o in fitOf.Where(x => (masks[x.Key] & bit) != 0).OrderByDescending(x => x.Value.Raw).ThenBy(x => x.Key).Take(PoolSize(slots[s])))
            {
                pool.Add(o.Key);
            }
        }
        return pool;
    }

    private bool PoolFeasible(HashSet<int> pool, IReadOnlyList<SlotRequest> slots, uint[] masks, int[] residual, int cap, int[] cityUsed, int[] include)
    {
        var groups = pool.Where(o => !include.Contains(o)).GroupBy(o => (masks[o], _g.OrganizationCities[o]))
            .Select(x => new SlotFeasibility.Group(x.Key.Item1, x.Key.Item2, x.Count()));
        var filled = SlotFeasibility.Fill(residual, groups, _g.CityCodes.Length, cap, cityUsed);
        return filled.SequenceEqual(residual);
    }

    /// <summary>Feature rows and model (or heuristic) scores of the context's query organization against <paramref name="candidates"/>.</summary>
    private (float[][] Rows, float[] Scores) Score(QueryContext context, IReadOnlyList<int> candidates)
    {
        var count = candidates.Count;
        var buffer = new float[count * PairFeatureExtractor.Count];
        var scores = new float[count];
        _features.Compute(context, candidates.ToArray(), buffer);
        ScoreRows(buffer, scores);
        var rows = new float[count][];
        for (var i = 0; i < count; i++) rows[i] = buffer.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray();
        return (rows, scores);
    }

    private void ScoreRows(ReadOnlySpan<float> rows, Span<float> scores)
    {
        if (_model is not null)
        {
            _model.Score(rows, scores);
            return;
        }
        for (var i = 0; i < scores.Length; i++) scores[i] = HeuristicScore(rows.Slice(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count));
    }

    /// <summary>
    /// The stand-in for the model before one is trained: ln(1 + joint projects) + Adamic-Adar + 2 × (candidate meets
    /// the asker's needs) + (asker meets the candidate's) + ½ ln(1 + candidate's projects in the fields) + 0.2 if in
    /// the same city.
    /// </summary>
    public static float HeuristicScore(ReadOnlySpan<float> f) =>
        MathF.Log(1 + f[(int)PairFeature.JointProjects]) + f[(int)PairFeature.AdamicAdar]
        + 2 * f[(int)PairFeature.CandidateMeetsQueryNeeds] + f[(int)PairFeature.QueryMeetsCandidateNeeds]
        + 0.5f * MathF.Log(1 + f[(int)PairFeature.CandidateProjectsInSectors]) + 0.2f * f[(int)PairFeature.SameCity];

    private static (float Mean, float Deviation) MeanAndDeviation(float[] values)
    {
        if (values.Length == 0) return (0, 1);
        double mean = values.Average(v => (double)v);
        var variance = values.Average(v => (v - mean) * (v - mean));
        var deviation = Math.Sqrt(variance);
        return ((float)mean, deviation > 1e-6 ? (float)deviation : 1f);
    }

    private static float Logistic(float score, float mean, float deviation) => 1f / (1f + MathF.Exp(-(score - mean) / deviation));

    /// <summary>Pairwise cohesion of the shortlisted organizations (see the class summary), one model pass per organization.</summary>
    private float[] Cohesion(int[] organizations, int[] sectors, int lead)
    {
        var count = organizations.Length;
        var raw = new float[count * count];
        var twoSteps = new bool[count * count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Threads ?? Environment.ProcessorCount };
        Parallel.For(0, count, parallel, () => (Workspace: _workspaces.Rent(), Buffer: new float[count * PairFeatureExtractor.Count]), (a, _, local) =>
        {
            var context = local.Workspace.Context;
            context.Prepare(new MatchQuery(organizations[a], sectors, _year), _generator.Options.HubCap);
            _features.Compute(context, organizations, local.Buffer);
            ScoreRows(local.Buffer, raw.AsSpan(a * count, count));
            for (var b = 0; b < count; b++) twoSteps[a * count + b] = context.CommonPartners[organizations[b]] > 0;
            return local;
        }, local => _workspaces.Return(local.Workspace));

        // Member-to-member scores have their own spread: standardized over this plan's pairs.
        var pairs = new List<float>(count * (count - 1));
        for (var a = 0; a < count; a++)
        {
            for (var b = 0; b < count; b++)
            {
                if (a != b) pairs.Add(raw[a * count + b]);
            }
        }
        var (mean, deviation) = MeanAndDeviation(pairs.ToArray());
        // Pairs that were in one of the lead's past projects together: with the lead, a team that already worked as one.
        var withLead = new bool[count * count];
        {
            var position = new Dictionary<int, int>();
            for (var i = 0; i < count; i++) position[organizations[i]] = i;
            var present = new List<int>();
            foreach (var p in _g.OrganizationProjects[lead])
            {
                present.Clear();
                foreach (var m in _g.ProjectMembers[p])
                {
                    if (position.TryGetValue(m, out var at)) present.Add(at);
                }
                foreach (var x in present)
                {
                    foreach (var y in present) withLead[x * count + y] = true;
                }
            }
        }
        var cohesion = new float[count * count];
        for (var a = 0; a < count; a++)
        {
            for (var b = a + 1; b < count; b++)
            {
                var tie = withLead[a * count + b] ? 1f : Linked(organizations[a], organizations[b]) ? 0.5f : twoSteps[a * count + b] ? 0.25f : 0f;
                var forward = Logistic(raw[a * count + b], mean, deviation);
                var backward = Logistic(raw[b * count + a], mean, deviation);
                var mutual = 2 * forward * backward / (forward + backward);
                cohesion[a * count + b] = cohesion[b * count + a] = 0.5f * tie + 0.5f * mutual;
            }
        }
        return cohesion;
    }

    /// <summary>Joint projects or a typed tie in either direction.</summary>
    private bool Linked(int a, int b)
    {
        if (_g.Partners.EdgeIndex(a, b) >= 0) return true;
        for (var t = 1; t < _g.TiesOut.Length; t++)
        {
            if (_g.TiesOut[t].EdgeIndex(a, b) >= 0 || _g.TiesOut[t].EdgeIndex(b, a) >= 0) return true;
        }
        return false;
    }

    private double Prior(int o, int[] sectors, int[][] activity, Dictionary<int, double> coverage, string? subField)
    {
        double inFields = 0;
        foreach (var a in activity) inFields += a[o];
        var declared = 0;
        foreach (var s in _g.OrganizationSectors[o]) declared += Array.IndexOf(sectors, s) >= 0 ? 1 : 0;
        var sub = subField is not null && _g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true ? 1 : 0;
        return 3 * coverage.GetValueOrDefault(o) + Math.Log(1 + inFields) + 0.5 * Math.Min(declared, 1) + sub;
    }

    // ---- needs ----

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9]*", RegexOptions.CultureInvariant)]
    private static partial Regex LatinWord();

    /// <summary>
    /// The need items of a plan: every informative term of the challenge text (or, without one, each need tag of
    /// the lead), plus the sub-field. Terms nobody offers, or that over <see cref="PlannerOptions.MaxTermShare"/>
    /// of organizations offer, are left out. Weight: ln(1 + organizations / organizations offering).
    /// </summary>
    private NeedItem[] NeedsOf(PlanRequest request, int lead)
    {
        var n = _g.OrganizationCount;
        var limit = Math.Max(5, _options.MaxTermShare * n);
        float Idf(int offering) => MathF.Log(1 + (float)n / offering);
        bool Informative(string term) => _terms.OfferedBy(term).Count is > 0 and var df && df <= limit;
        var items = new List<NeedItem>();
        if (!string.IsNullOrWhiteSpace(request.Challenge))
        {
            // Surface forms for stemmed English terms ("batteri" is shown as "batteries").
            var surface = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match word in LatinWord().Matches(request.Challenge))
            {
                foreach (var term in TextAnalysis.Terms(word.Value)) surface.TryAdd(term, word.Value.ToLowerInvariant());
            }
            foreach (var term in TextAnalysis.Terms(request.Challenge).Distinct(StringComparer.Ordinal).Where(Informative))
            {
                items.Add(new NeedItem(surface.GetValueOrDefault(term, term), [term], null, Idf(_terms.OfferedBy(term).Count)));
            }
        }
        else
        {
            foreach (var (tag, terms) in _terms.Needs(lead))
            {
                var useful = terms.Where(Informative).ToArray();
                if (useful.Length > 0) items.Add(new NeedItem(tag, useful, null, useful.Average(t => Idf(_terms.OfferedBy(t).Count))));
            }
        }
        if (request.SubField is { } subField)
        {
            var declaring = _g.Details.Count(d => d?.SubFields.Contains(subField, StringComparer.Ordinal) == true);
            if (declaring > 0)
            {
                var name = G60Catalog.Sectors.SelectMany(s => s.SubFields).FirstOrDefault(f => f.Code == subField);
                items.Add(new NeedItem(name is null ? subField : $"{name.NameZh} ({subField})", [], subField, Idf(declaring)));
            }
        }
        return items.ToArray();
    }

    /// <summary>Per organization holding any need item, the weighted share of the items it covers (for the shortlist prior).</summary>
    private Dictionary<int, double> NeedCoverage(NeedItem[] needs)
    {
        var result = new Dictionary<int, double>();
        var total = needs.Sum(x => (double)x.Weight);
        if (total <= 0) return result;
        foreach (var item in needs)
        {
            var holders = new HashSet<int>();
            foreach (var term in item.Terms) holders.UnionWith(_terms.OfferedBy(term));
            if (item.SubField is { } subField)
            {
                for (var o = 0; o < _g.OrganizationCount; o++)
                {
                    if (_g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true) holders.Add(o);
                }
            }
            foreach (var o in holders) result[o] = result.GetValueOrDefault(o) + item.Weight / total;
        }
        return result;
    }

    private int[] Covered(int o, NeedItem[] needs)
    {
        var offers = _terms.Offers(o);
        var result = new List<int>();
        for (var i = 0; i < needs.Length; i++)
        {
            var item = needs[i];
            var covered = item.SubField is { } subField
                ? _g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true
                : item.Terms.Any(offers.Contains);
            if (covered) result.Add(i);
        }
        return result.ToArray();
    }

    // ---- the plan as shown ----

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
            prepared.Slots.Select((s, i) => new PlannedSlot(i, s.Role.ToCode(), s.Role.ToChinese(), s.Count, Kinds(s).Select(k => k.ToCode()).ToArray(), s.Kinds is null)).ToArray(),
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
                reasons.Add(new Reason("prior-work", $"此前与你方合作过 {joint} 个项目", $"{joint} joint project{(joint == 1 ? "" : "s")} with you", [joint.ToString(CultureInfo.InvariantCulture)]));
            }
            var shared = SharedPartners(prepared.Lead, o);
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
            else if (TypedTie(member, other) is { } type)
            {
                zh.Add($"与{name}有{type}关系");
                en.Add($"{type} tie with {name}");
                evidence.Add(name);
            }
            else if (SharedPartners(member, other).Count is > 0 and var shared)
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
                else if (TypedTie(a, b) is { } type) ties.Add(new TeamTie(ida, idb, type, 1));
                else if (SharedPartners(a, b).Count is > 0 and var shared) ties.Add(new TeamTie(ida, idb, "shared-partners", shared));
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

    private string? TypedTie(int a, int b)
    {
        for (var t = 1; t < _g.TiesOut.Length; t++)
        {
            if (_g.TiesOut[t].EdgeIndex(a, b) >= 0 || _g.TiesOut[t].EdgeIndex(b, a) >= 0) return ((TieType)t).ToCode();
        }
        return null;
    }

    /// <summary>Partners of both (sorted rows: one merge).</summary>
    private List<int> SharedPartners(int a, int b)
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

    private string NameOf(int o) => _g.Details[o]?.DisplayName ?? _g.OrganizationIds[o];
}
