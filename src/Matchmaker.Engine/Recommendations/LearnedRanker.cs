using System.Diagnostics;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The product's ranker: the promoted LightGBM ranking model of the <see cref="ModelRegistry"/> with explanations
/// from its feature contributions. Until a model has been trained and promoted it falls back to the
/// <see cref="HeuristicRankerFactory"/>, so a fresh install still serves lists.
/// </summary>
public sealed class LearnedRankerFactory : IPartnerRankerFactory
{
    private readonly ModelRegistry _registry;
    private readonly TextMatchers _texts;
    private readonly HeuristicRankerFactory _fallback;
    private readonly Lock _lock = new();
    private (int Version, RankingModel Model)? _model;
    // The last ranker's per-snapshot parts: a snapshot patched from its snapshot (an attribute edit) derives its
    // statistics and capability index from them instead of recomputing both over every organization.
    private (GraphSnapshot Snapshot, SnapshotStats Stats, CapabilityIndex? Capabilities)? _last;

    public LearnedRankerFactory(ModelRegistry registry) : this(registry, new TextMatchers()) { }

    /// <param name="texts">The text indexes per snapshot, shared with whatever else ranks on the same snapshots.</param>
    public LearnedRankerFactory(ModelRegistry registry, TextMatchers texts)
    {
        _registry = registry;
        _texts = texts;
        _fallback = new HeuristicRankerFactory(texts);
    }

    public IPartnerRanker Create(GraphSnapshot snapshot)
    {
        var model = CurrentModel();
        if (model is null) return _fallback.Create(snapshot);
        var (stats, capabilities) = PartsFor(snapshot);
        return new LearnedRanker(snapshot, model, stats, capabilities, _texts.For(snapshot));
    }
    private (SnapshotStats Stats, CapabilityIndex? Capabilities) PartsFor(GraphSnapshot snapshot)
    {
        (GraphSnapshot Snapshot, SnapshotStats Stats, CapabilityIndex? Capabilities)? last;
        lock (_lock) last = _last;
        SnapshotStats stats;
        CapabilityIndex? capabilities;
        if (last is { } same && ReferenceEquals(same.Snapshot, snapshot)) return (same.Stats, same.Capabilities);
        if (last is { } previous && snapshot.IsPatchOf(previous.Snapshot))
        {
            stats = SnapshotStats.Patch(previous.Stats, snapshot);
            capabilities = previous.Capabilities?.Patch(previous.Snapshot, snapshot) ?? new CapabilityIndex(snapshot);
            if (!capabilities.HasAny) capabilities = null;
        }
        else
        {
            stats = new SnapshotStats(snapshot);
            // Capabilities and needs (tags and Chinese/English text) feed candidates, features and reasons alike.
            capabilities = ModelTrainingService.CapabilitiesOf(snapshot);
        }
        lock (_lock) _last = (snapshot, stats, capabilities);
        return (stats, capabilities);
    }

    private RankingModel? CurrentModel()
    {
        var version = _registry.CurrentVersion;
        if (version is null) return null;
        lock (_lock)
        {
            if (_model is { } cached && cached.Version == version) return cached.Model;
            var model = RankingModel.Load(_registry.PathOf(version.Value));
            _model = (version.Value, model);
            return model;
        }
    }
}

internal sealed class LearnedRanker : IPartnerRanker
{
    /// <summary>How many candidates are ranked before the list is cut: enough to keep topK new organizations after existing partners are set apart.</summary>
    private const int Depth = 200;

    private readonly GraphSnapshot _snapshot;
    private readonly RankingModel _model;
    private readonly Matcher _matcher;
    private readonly MatchExplainer _explainer;
    private readonly int _queryYear;

    public LearnedRanker(GraphSnapshot snapshot, RankingModel model, SnapshotStats stats, CapabilityIndex? capabilities, TextMatcher? text = null)
    {
        _snapshot = snapshot;
        _model = model;
        _matcher = new Matcher(stats, model, new CandidateGenerator(null, capabilities, text), new PairFeatureExtractor(capabilities, text: text));
        _explainer = new MatchExplainer(snapshot, model, capabilities, text);
        _queryYear = snapshot.ProjectYears.Length == 0 ? snapshot.BuiltAt.Year : snapshot.ProjectYears.Max() + 1;
    }

    public string ModelVersion => $"lambdarank-v{_model.Card.Version}";

    private MatchQuery QueryOf(int organization) =>
        new(organization, _snapshot.OrganizationSectors[organization].ToArray(), _queryYear);

    public RankedPartners Recommend(int organization, int topK) => Rank(QueryOf(organization), topK, accept: null);

    public RankedPartners Query(PartnerQuery query)
    {
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : query.Text;
        return Rank(QueryOf(query.Organization) with { Text = text, Topics = [.. query.Topics] }, query.TopK, query.Accept);
    }

    private RankedPartners Rank(MatchQuery query, int topK, Func<int, bool>? accept)
    {
        var organization = query.Organization;
        var chosen = new List<ScoredCandidate>(2 * topK);
        int scored;
        (long Candidates, long Features, long Trees) ticks;
        var started = Stopwatch.GetTimestamp();
        var w = _matcher.Pool.Rent();
        try
        {
            var order = _matcher.RankAll(query, w);
            ticks = w.LastTicks;
            scored = order.Length;
            // Discovery first: within the best Depth (all candidates when a filter drops some), topK new organizations
            // and, labelled, up to topK existing partners.
            var depth = accept is null ? Math.Min(Depth, order.Length) : order.Length;
            int fresh = 0, existing = 0;
            for (var r = 0; r < depth && (fresh < topK || existing < topK); r++)
            {
                var i = order[r];
                if (accept is not null && !accept(w.Candidates[i])) continue;
                var partner = w.Context.IsPartner(w.Candidates[i]);
                if (partner ? existing++ >= topK : fresh++ >= topK) continue;
                chosen.Add(new ScoredCandidate(w.Candidates[i], w.Scores[i], w.Sources[i],
                    w.Features.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray()));
            }
        }
        finally
        {
            _matcher.Pool.Return(w);
        }
        chosen.Sort((x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : x.Organization.CompareTo(y.Organization));
        var explaining = Stopwatch.GetTimestamp();
        var reasons = _explainer.Explain(query, chosen);
        var items = new List<RecommendedPartner>(chosen.Count);
        for (var i = 0; i < chosen.Count; i++)
        {
            var c = chosen[i];
            var why = new List<Reason>(reasons[i].Count);
            foreach (var r in reasons[i]) why.Add(new Reason(r.Kind, r.Zh, r.En, r.Evidence));
            items.Add(new RecommendedPartner(_snapshot.OrganizationIds[c.Organization], i + 1, Math.Round(c.Score, 6), why,
                _snapshot.Partners.EdgeIndex(organization, c.Organization) >= 0, CandidateSummary.Of(_snapshot, c.Organization)));
        }
        var done = Stopwatch.GetTimestamp();
        return new RankedPartners(items, scored)
        {
            Phases = new RankerPhases(ticks.Candidates, ticks.Features, ticks.Trees,
                explaining - started - ticks.Candidates - ticks.Features - ticks.Trees, done - explaining),
        };
    }

    public RecommendedPartner ExplainPair(int organization, int candidate)
    {
        var query = QueryOf(organization);
        var scored = _matcher.Score(query, [candidate]);
        var reasons = _explainer.Explain(query, scored)[0];
        return new RecommendedPartner(_snapshot.OrganizationIds[candidate], 0, Math.Round(scored[0].Score, 6),
            reasons.Select(r => new Reason(r.Kind, r.Zh, r.En, r.Evidence)).ToList(),
            _snapshot.Partners.EdgeIndex(organization, candidate) >= 0, CandidateSummary.Of(_snapshot, candidate));
    }
}
