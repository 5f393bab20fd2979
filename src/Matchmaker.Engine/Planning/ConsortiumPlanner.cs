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
    }

    private int PoolSize(SlotRequest slot) => Math.Max(_options.PoolPerSlot, _options.PoolPerMember * slot.Count);

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
}
