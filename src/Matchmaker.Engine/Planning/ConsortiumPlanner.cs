using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// Proposes whole consortia for a lead organization on one snapshot with one ranking model. For a request it
/// <list type="number">
/// <item>checks it against the graph: unknown organizations, contradictions, and slots that no organization
/// allowed by the constraints can fill (named in the refusal), then the slots jointly under the per-city cap
/// (an exact flow check, <see cref="SlotFeasibility"/>);</item>
/// <item>scores the lead's candidates (the matching engine's candidate generation, plus for every slot the
/// organizations that most likely fill it: activity in the fields, declared fields, the challenge's terms) with
/// the ranking model on the lead's query carrying the challenge as its text, and keeps the best few per slot;</item>
/// <item>computes what the objective needs for those: fit = σ(z) of the lead's model score (z standardized over
/// the plan's shortlisted candidates, since LambdaRank scores order but are not calibrated); cohesion of two
/// candidates, the closest past work between them in the graph (<see cref="CohesionLevels"/>): 1 when the two were
/// members together of a past project of the lead in the call's fields that the lead led, 0.4 of another past project
/// of the lead (each past project of the lead times its shape match with the requested team), 0.15 of a joint project
/// in the fields without the lead, 0.05 of one elsewhere, 0.5 for a typed tie, 0 otherwise; and which need items each
/// candidate covers, weighted by inverse document frequency: the challenge's informative terms held by its text
/// profile (own text and projects' texts, through the <see cref="TextIndex"/>), or without a challenge the lead's
/// need tags its capabilities hold, and the sub-field;</item>
/// <item>runs <see cref="TeamSearch"/> on that <see cref="PlanningProblem"/> and explains every member.</item>
/// </list>
/// Without a trained model a transparent heuristic score stands in for the model's (see <see cref="HeuristicScore"/>).
/// Thread-safe; builds its statistics once per snapshot.
/// </summary>
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
    private readonly TextMatcher? _text;
    private readonly TeamCohesion _cohesion;
    // Per term of the text index: the organizations whose text profile holds it only through their own need tags,
    // ascending. A profile holds its organization's need tags too, but needing a term is not covering it.
    private readonly Dictionary<string, int[]> _needOnly = new(StringComparer.Ordinal);
    private readonly byte[] _rolesPlayed;
    private readonly int _year;

    /// <param name="text">
    /// The snapshot's text matching (the service passes the one its rankers share, <see cref="TextMatchers"/>); when
    /// null the planner builds its own from the snapshot, which stays null for a snapshot without any text.
    /// </param>
    public ConsortiumPlanner(GraphSnapshot snapshot, RankingModel? model, PlannerOptions? options = null, SnapshotStats? stats = null, TextMatcher? text = null)
    {
        _g = snapshot;
        _model = model;
        _options = options ?? new PlannerOptions();
        _stats = stats ?? new SnapshotStats(snapshot);
        if (!ReferenceEquals(_stats.Snapshot, snapshot)) throw new ArgumentException("the statistics are of another snapshot", nameof(stats));
        if (!_options.Cohesion.Valid) throw new ArgumentException("cohesion levels lie in [0, 1]", nameof(options));
        if (text is not null && !ReferenceEquals(text.Snapshot, snapshot)) throw new ArgumentException("the text matcher is of another snapshot", nameof(text));
        _text = text ?? TextMatcher.Build(snapshot);
        _terms = new CapabilityIndex(snapshot);
        _cohesion = new TeamCohesion(snapshot, _options.Cohesion, _options.CohesionByShape);
        // Candidates, features and reasons see capabilities and text exactly as the product's ranker does (none when
        // no one states a need; text columns 0 when the snapshot has no text), so fit is that model's score.
        var capabilities = _terms.HasAny ? _terms : null;
        _generator = new CandidateGenerator(null, capabilities, _text);
        _features = new PairFeatureExtractor(capabilities, text: _text);
        _workspaces = new WorkspacePool(_stats);
        _explainer = model is null ? null : new MatchExplainer(snapshot, model, capabilities, _text);
        if (_text is { } textMatcher)
        {
            var needOnly = new List<string>?[snapshot.OrganizationCount];
            Parallel.For(0, snapshot.OrganizationCount, o =>
            {
                if (snapshot.Details[o] is not { Needs.Count: > 0 } details) return;
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                // Tags read as words, as the profile's own text reads them ("venture-funding": "venture funding").
                foreach (var word in TextAnalyzer.Shared.Analyze(string.Join('\n', details.Needs.Select(t => t.Replace('-', ' ')))))
                {
                    counts[word.Term] = counts.GetValueOrDefault(word.Term) + 1;
                }
                foreach (var (term, count) in counts)
                {
                    // Held elsewhere: by a project's text, or more often in its own text than its need tags say.
                    var (own, projects) = textMatcher.Index.Occurrences(o, term);
                    if (own > 0 && own <= count && projects == 0) (needOnly[o] ??= []).Add(term);
                }
            });
            var byTerm = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var o = 0; o < needOnly.Length; o++)
            {
                foreach (var term in needOnly[o] ?? [])
                {
                    if (!byTerm.TryGetValue(term, out var list)) byTerm[term] = list = [];
                    list.Add(o);
                }
            }
            foreach (var (term, list) in byTerm) _needOnly[term] = list.ToArray();
        }
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
    /// The search's teams for a request, before explanations, with the shortlists they were searched in: the seam
    /// evaluations compare the planner through (baselines on the same shortlists, the exact optimum of the same
    /// problem). <see cref="Plan"/> explains the same teams.
    /// </summary>
    public PlanSearch SearchTeams(PlanRequest request)
    {
        var searched = Search(request);
        return new PlanSearch(searched.Prepared is { } prepared ? ShortlistsOf(prepared) : null, searched.Teams, searched.Refusal);
    }

    private static PlanShortlists ShortlistsOf(Prepared prepared) =>
        new(prepared.Problem, prepared.Organizations, prepared.RawFit) { Ungrown = prepared.Ungrown is { } ungrown ? ShortlistsOf(ungrown) : null };

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
        /// <summary>The same plan before the shortlists grew from the team (null when they did not).</summary>
        public Prepared? Ungrown { get; init; }
    }

    /// <summary>
    /// A need the coverage part counts: a challenge term (<c>InText</c>: terms of the text index, held by
    /// text profiles), a need tag of the lead (terms of the capability index), or the sub-field.
    /// </summary>
    private sealed record NeedItem(string Display, string[] Terms, string? SubField, float Weight, bool InText)
    {
        /// <summary>For a challenge term, the organizations that cover it, ascending.</summary>
        public int[] Holders { get; init; } = [];
    }

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
        // The challenge is the query's text: fit reads it through the model's text columns, as an on-demand query does.
        var query = new MatchQuery(lead, sectors, _year) { Id = request.LeadId, Text = string.IsNullOrWhiteSpace(request.Challenge) ? null : request.Challenge };
        var needs = NeedsOf(request, lead);
        var notes = new List<string>();
        if (request.Slots is not { Count: > 0 }) notes.Add($"Default slots: {string.Join(", ", slots.Select(s => s.Describe()))}.");

        // One pass over every organization: which slots it may fill under the constraints, and a prior for each
        // slot's shortlist (activity in the fields, declared fields and sub-field, the needs it covers). It runs on
        // every plan over the whole graph, so it reads arrays only.
        var excluded = new bool[n];
        foreach (var o in exclude) excluded[o] = true;
        excluded[lead] = true;
        var cityAllowed = new bool[g.CityCodes.Length];
        for (var c = 0; c < cityAllowed.Length; c++) cityAllowed[c] = allowedCities is null || allowedCities.Contains(c);
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
        var coverage = NeedCoverage(needs);
        var activity = sectors.Select(_stats.SectorActivity).ToArray();
        var shortlist = slots.Select(s => new PriorityQueue<int, (double, int)>()).ToArray();
        var shortlistSize = slots.Select(PoolSize).ToArray();
        var prior = new double[n];
        for (var o = 0; o < n; o++)
        {
            if (excluded[o] || !cityAllowed[g.OrganizationCities[o]]) continue;
            uint mask = 0;
            var kind = (int)g.Kinds[o];
            for (var s = 0; s < slots.Count; s++)
            {
                if (kindFills[s][kind] || (_rolesPlayed[o] & roleBits[s]) != 0) mask |= 1u << s;
            }
            if (mask == 0) continue;
            masks[o] = mask;
            var key = (prior[o] = Prior(o, sectors, activity, coverage, request.SubField), -o);
            for (var s = 0; s < slots.Count; s++)
            {
                if ((mask & (1u << s)) == 0) continue;
                counts[s]++;
                var list = shortlist[s];
                if (list.Count < shortlistSize[s]) list.Enqueue(o, key);
                else if (list.TryPeek(out _, out var weakest) && key.CompareTo(weakest) > 0) list.EnqueueDequeue(o, key);
            }
        }

        var impossible = new Dictionary<string, string[]>();
        for (var s = 0; s < slots.Count; s++)
        {
            if (counts[s] >= slots[s].Count) continue;
            var where = allowedCities is null ? "in the graph" : $"in the allowed cities ({string.Join(", ", constraints.Cities)})";
            var who = counts[s] == 0 ? $"no organization {where} can fill it" : $"only {counts[s]} organization{(counts[s] == 1 ? "" : "s")} {where} can fill it, {slots[s].Count} are asked for";
            impossible[$"slots[{s}]"] = [$"{slots[s].Describe()}: {who} (kinds {string.Join(", ", slotKinds[s].Select(k => k.ToCode()))}{(slots[s].Kinds is null ? $", or having played {slots[s].Role.ToCode()} before" : "")}{(exclude.Length > 0 ? ", excluded organizations left out" : "")})"];
        }
        for (var i = 0; i < include.Length; i++)
        {
            if (masks[include[i]] == 0) impossible[$"constraints.include[{i}]"] = [$"'{constraints.Include[i]}' ({g.Kinds[include[i]].ToCode()}) can fill none of the requested slots"];
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
            for (var o = 0; o < n; o++)
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
            if (_options.PoolFromLedTeams) AddLedTeams(pool, lead, sectors, masks, fitOf);
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

            if (_model is null) notes.Add("No ranking model has been trained yet: fit and cohesion use the heuristic pair score (joint projects, shared partners, capabilities meeting needs, activity in the field) until one is.");
            var prepared = Build(pool, rows, null);
            if (_options.GrowFromTeam > 0 && TeamSearch.Alternatives(prepared.Problem, 1, _options.Search) is [var first, ..])
            {
                var placed = first.Members.Select(m => prepared.Organizations[m]).ToArray();
                var grown = Grow(placed, lead, sectors, masks, pool, slots.Count, prior);
                if (grown.Count > 0)
                {
                    var unscored = grown.Where(o => !fitOf.ContainsKey(o)).Order().ToList();
                    var (grownRows, grownRaw) = Score(workspace.Context, unscored);
                    for (var i = 0; i < unscored.Count; i++) fitOf[unscored[i]] = (grownRaw[i], rows.Length + i);
                    rows = [.. rows, .. grownRows];
                    prepared = Build([.. pool, .. grown], rows, prepared);
                }
            }
            return (prepared, null);

            Prepared Build(HashSet<int> shortlisted, float[][] featureRows, Prepared? ungrown)
            {
                var organizations = shortlisted.Order().ToArray();
                var rawFit = organizations.Select(o => fitOf[o].Raw).ToArray();
                var leadFeatures = organizations.Select(o => featureRows[fitOf[o].Row]).ToArray();
                var slotCounts = slots.Select(s => s.Count).ToArray();
                var fit = Fit(organizations, rawFit, fitOf, lead, sectors, masks, slotCounts);
                var cohesion = _cohesion.Pairwise(organizations, lead, sectors, masks, slotCounts);
                var candidateTerms = organizations.Select(o => Covered(o, needs)).ToArray();
                var index = organizations.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => x.i);
                var problem = new PlanningProblem(slots.Select(s => s.Count).ToArray(), organizations.Select(o => masks[o]).ToArray(),
                    organizations.Select(o => g.OrganizationCities[o]).ToArray(), fit, cohesion, candidateTerms, needs.Select(x => x.Weight).ToArray(),
                    request.Weights, include.Select(o => index[o]).ToArray(), constraints.MaxPerCity);
                return new Prepared
                {
                    Lead = lead, Query = query, Slots = slots, Problem = problem, Organizations = organizations, RawFit = rawFit,
                    LeadFeatures = leadFeatures, Needs = needs, Notes = notes, Request = request, Ungrown = ungrown,
                };
            }
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

    /// <summary>
    /// Adds the members of the lead's past projects in the call's fields that the lead led, when they were scored and
    /// may fill a slot: teams that already worked as one under this lead re-form, whatever their fit alone.
    /// </summary>
    private void AddLedTeams(HashSet<int> pool, int lead, int[] sectors, uint[] masks, Dictionary<int, (float Raw, int Row)> fitOf)
    {
        var members = _g.ProjectMembers;
        foreach (var p in _g.OrganizationProjects[lead])
        {
            if (!LedInFields(p, lead, sectors)) continue;
            foreach (var m in members[p])
            {
                if (masks[m] != 0 && fitOf.ContainsKey(m)) pool.Add(m);
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
    /// the same city + 2 × the profile's BM25 match with the challenge relative to the best (as the heuristic ranker
    /// adds for a query with text; 0 without a challenge).
    /// </summary>
    public static float HeuristicScore(ReadOnlySpan<float> f) =>
        MathF.Log(1 + f[(int)PairFeature.JointProjects]) + f[(int)PairFeature.AdamicAdar]
        + 2 * f[(int)PairFeature.CandidateMeetsQueryNeeds] + f[(int)PairFeature.QueryMeetsCandidateNeeds]
        + 0.5f * MathF.Log(1 + f[(int)PairFeature.CandidateProjectsInSectors]) + 0.2f * f[(int)PairFeature.SameCity]
        + 2 * f[(int)PairFeature.TextProfileRelative];

    /// <summary>
    /// fit(m) = σ(z) of the lead's model score, z standardized over the shortlisted candidates (or every scored one),
    /// over all kinds at once or per organization kind; with <see cref="PlannerOptions.PastTeamInFit"/> λ, mixed with
    /// the best-shaped past team of the lead the member was in: (1 − λ)·σ(z) + λ·level·shape.
    /// </summary>
    private float[] Fit(int[] organizations, float[] rawFit, Dictionary<int, (float Raw, int Row)> fitOf, int lead, int[] sectors, uint[] masks, int[] slotCounts)
    {
        var basis = _options.FitOverAllScored ? fitOf.Select(x => (x.Key, x.Value.Raw)).ToArray() : organizations.Select((o, i) => (o, rawFit[i])).ToArray();
        var all = MeanAndDeviation(basis.Select(x => x.Item2).ToArray());
        var byKind = new Dictionary<OrganizationKind, (float Mean, float Deviation)>();
        if (_options.FitByKind)
        {
            foreach (var group in basis.GroupBy(x => _g.Kinds[x.Item1]))
            {
                var values = group.Select(x => x.Item2).ToArray();
                byKind[group.Key] = values.Length >= 2 ? MeanAndDeviation(values) : all;
            }
        }
        var fit = new float[organizations.Length];
        for (var i = 0; i < fit.Length; i++)
        {
            var (mean, deviation) = byKind.TryGetValue(_g.Kinds[organizations[i]], out var stats) ? stats : all;
            fit[i] = Logistic(rawFit[i], mean, deviation);
        }
        var past = _options.PastTeamInFit;
        if (past > 0)
        {
            var tie = _cohesion.LeadTies(organizations, lead, sectors, masks, slotCounts);
            for (var i = 0; i < fit.Length; i++) fit[i] = (1 - past) * fit[i] + past * tie[i];
        }
        return fit;
    }

    /// <summary>
    /// Organizations outside the shortlists that worked with the placed members: each scored by the sum, over the
    /// placed members, of the closest past work with it (the cohesion levels: a past team of the lead counts most);
    /// per slot the best <see cref="PlannerOptions.GrowFromTeam"/> that may fill it, ties broken by the prior.
    /// </summary>
    private List<int> Grow(int[] placed, int lead, int[] sectors, uint[] masks, HashSet<int> pool, int slotCount, double[] prior)
    {
        var members = _g.ProjectMembers;
        var score = new Dictionary<int, double>();
        var closest = new Dictionary<int, float>();
        foreach (var m in placed)
        {
            closest.Clear();
            foreach (var p in _g.OrganizationProjects[m])
            {
                var withLead = false;
                var ledByLead = false;
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    if (members.Targets[e] != lead) continue;
                    withLead = true;
                    ledByLead = _g.MemberIsLead[e];
                }
                var level = _cohesion.Level(withLead, ledByLead, _cohesion.InFields(p, sectors));
                if (level <= 0) continue;
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    var o = members.Targets[e];
                    if (o == lead || masks[o] == 0 || pool.Contains(o)) continue;
                    if (!closest.TryGetValue(o, out var current) || current < level) closest[o] = level;
                }
            }
            foreach (var (o, level) in closest) score[o] = score.GetValueOrDefault(o) + level;
        }
        var grown = new HashSet<int>();
        for (var s = 0; s < slotCount; s++)
        {
            var bit = 1u << s;
            grown.UnionWith(score.Where(x => (masks[x.Key] & bit) != 0).OrderByDescending(x => x.Value).ThenByDescending(x => prior[x.Key]).ThenBy(x => x.Key)
                .Take(_options.GrowFromTeam).Select(x => x.Key));
        }
        return grown.Order().ToList();
    }

    private static (float Mean, float Deviation) MeanAndDeviation(float[] values)
    {
        if (values.Length == 0) return (0, 1);
        double mean = values.Average(v => (double)v);
        var variance = values.Average(v => (v - mean) * (v - mean));
        var deviation = Math.Sqrt(variance);
        return ((float)mean, deviation > 1e-6 ? (float)deviation : 1f);
    }

    private static float Logistic(float score, float mean, float deviation) => 1f / (1f + MathF.Exp(-(score - mean) / deviation));

    private double Prior(int o, int[] sectors, int[][] activity, float[]? coverage, string? subField)
    {
        double inFields = 0;
        foreach (var a in activity) inFields += a[o];
        var declared = 0;
        foreach (var s in _g.OrganizationSectors[o]) declared += Array.IndexOf(sectors, s) >= 0 ? 1 : 0;
        var sub = subField is not null && _g.Details[o]?.SubFields.Contains(subField, StringComparer.Ordinal) == true ? 1 : 0;
        return (coverage is null ? 0 : 3 * coverage[o]) + Math.Log(1 + inFields) + 0.5 * Math.Min(declared, 1) + sub;
    }
}
