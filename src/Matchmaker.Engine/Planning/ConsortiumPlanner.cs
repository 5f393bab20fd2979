using System.Collections.Concurrent;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// Proposes whole consortia for a lead organization on one snapshot with one ranking model. For a request it
/// <list type="number">
/// <item>checks it against the graph: unknown organizations and contradictions (<see cref="ResolvedRequest"/>), which
/// slots every organization may fill (<see cref="SlotEligibility"/>), and slots that no organization allowed by the
/// constraints can fill (named in the refusal), then the slots jointly under the per-city cap (an exact flow check,
/// <see cref="FeasibilityDiagnosis"/>);</item>
/// <item>scores the lead's candidates (the matching engine's candidate generation, plus for every slot the
/// organizations that most likely fill it: activity in the fields, declared fields, the challenge's terms) with
/// the ranking model on the lead's query carrying the challenge as its text, and keeps the best few per slot;</item>
/// <item>computes what the objective needs for those: fit = σ(z) of the lead's model score (z standardized over
/// the plan's shortlisted candidates, since LambdaRank scores order but are not calibrated); cohesion of two
/// candidates, the closest past work between them in the graph (<see cref="TeamCohesion"/>, <see cref="CohesionLevels"/>): 1 when the two were
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
    // Per challenge term, its holders (Holders): the same for every plan on this snapshot, and listing them from the
    // postings was a tenth of a plan's time. Only informative terms are kept, so it holds at most the index's postings.
    private readonly ConcurrentDictionary<string, int[]> _holders = new(StringComparer.Ordinal);
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
        var (resolved, invalid) = ResolvedRequest.Resolve(g, request, _options.MaxTeamSize);
        if (invalid is not null) return (null, invalid);
        var (lead, include, slots, sectors) = (resolved!.Lead, resolved.Include, resolved.Slots, resolved.Sectors);
        var constraints = request.Constraints;
        var teamSize = resolved.TeamSize;
        // The challenge is the query's text: fit reads it through the model's text columns, as an on-demand query does.
        var query = new MatchQuery(lead, sectors, _year) { Id = request.LeadId, Text = string.IsNullOrWhiteSpace(request.Challenge) ? null : request.Challenge };
        var needs = NeedsOf(request, lead);
        var notes = new List<string>();
        if (resolved.DefaultSlots) notes.Add($"Default slots: {string.Join(", ", slots.Select(s => s.Describe()))}.");

        var eligibility = SlotEligibility.Scan(g, _rolesPlayed, resolved, sectors.Select(_stats.SectorActivity).ToArray(), NeedCoverage(needs), slots.Select(PoolSize).ToArray());
        var (masks, prior) = (eligibility.Masks, eligibility.Prior);
        var (room, impossible) = FeasibilityDiagnosis.Diagnose(g, resolved, eligibility);
        if (impossible is not null) return (null, impossible);

        // Score the lead's candidates and each slot's shortlist with the model on the lead's context.
        var workspace = _workspaces.Rent();
        try
        {
            workspace.Context.Prepare(query, _generator.Options.HubCap);
            _generator.Generate(workspace.Context, workspace.Candidates, workspace.Sources);
            var scored = new List<int>(workspace.Candidates);
            var seen = scored.ToHashSet();
            foreach (var o in eligibility.ByPrior())
            {
                if (seen.Add(o)) scored.Add(o);
            }
            foreach (var o in include)
            {
                if (seen.Add(o)) scored.Add(o);
            }
            var (rows, raw) = Score(workspace.Context, scored);
            var fitOf = new Dictionary<int, (float Raw, int Row)>();
            for (var i = 0; i < scored.Count; i++) fitOf[scored[i]] = (raw[i], i);

            var pool = eligibility.Shortlists(slots, fitOf, include, PoolSize);
            if (_options.PoolFromLedTeams) eligibility.AddLedTeams(pool, lead, sectors, fitOf);
            if (constraints.MaxPerCity is { } perCity && !FeasibilityDiagnosis.PoolFeasible(g, pool, masks, room!, perCity, include))
            {
                var extra = WidenForCityCap(pool, masks, prior, slots.Count, Math.Min(perCity, teamSize));
                var unscored = extra.Where(o => !fitOf.ContainsKey(o)).Order().ToList();
                var (extraRows, extraRaw) = Score(workspace.Context, unscored);
                for (var i = 0; i < unscored.Count; i++) fitOf[unscored[i]] = (extraRaw[i], rows.Length + i);
                rows = [.. rows, .. extraRows];
                pool.UnionWith(extra);
            }

            if (_model is null) notes.Add("No ranking model has been trained yet: fit and cohesion use the heuristic pair score (joint projects, shared " +
                "partners, capabilities meeting needs, activity in the field) until one is.");
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
    }
}
