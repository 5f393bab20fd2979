using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The product's ranker: the promoted LightGBM ranking model of the <see cref="ModelRegistry"/> with explanations
/// from its feature contributions. Until a model has been trained and promoted it falls back to the
/// <see cref="HeuristicRankerFactory"/>, so a fresh install still serves lists.
/// </summary>
public sealed class LearnedRankerFactory(ModelRegistry registry) : IPartnerRankerFactory
{
    private readonly HeuristicRankerFactory _fallback = new();
    private readonly Lock _lock = new();
    private (int Version, RankingModel Model)? _model;

    public IPartnerRanker Create(GraphSnapshot snapshot)
    {
        var model = CurrentModel();
        return model is null ? _fallback.Create(snapshot) : new LearnedRanker(snapshot, model);
    }

    private RankingModel? CurrentModel()
    {
        var version = registry.CurrentVersion;
        if (version is null) return null;
        lock (_lock)
        {
            if (_model is { } cached && cached.Version == version) return cached.Model;
            var model = RankingModel.Load(registry.PathOf(version.Value));
            _model = (version.Value, model);
            return model;
        }
    }
}

internal sealed class LearnedRanker : IPartnerRanker
{
    /// <summary>How many candidates are ranked before the list is cut: enough to keep topK new organizations after existing partners are set apart.</summary>
    private const int Depth = 200;

    private readonly GraphSnapshot snapshot;
    private readonly RankingModel model;
    private readonly Matcher _matcher;
    private readonly MatchExplainer _explainer;
    private readonly int _queryYear;

    public LearnedRanker(GraphSnapshot snapshot, RankingModel model)
    {
        this.snapshot = snapshot;
        this.model = model;
        // Capabilities and needs (tags and Chinese/English text) feed candidates, features and reasons alike.
        var capabilities = ModelTrainingService.CapabilitiesOf(snapshot);
        _matcher = new Matcher(new SnapshotStats(snapshot), model, new CandidateGenerator(null, capabilities), new PairFeatureExtractor(capabilities));
        _explainer = new MatchExplainer(snapshot, model, capabilities);
        _queryYear = snapshot.ProjectYears.Length == 0 ? snapshot.BuiltAt.Year : snapshot.ProjectYears.Max() + 1;
    }

    public string ModelVersion => $"lambdarank-v{model.Card.Version}";

    public RankedPartners Recommend(int organization, int topK)
    {
        var query = new MatchQuery(organization, snapshot.OrganizationSectors[organization].ToArray(), _queryYear);
        var ranked = _matcher.Rank(query, Depth, reciprocalTop: 0, out var scored);
        // Discovery first: topK new organizations and, labelled, up to topK existing partners.
        var chosen = ranked.Where(c => snapshot.Partners.EdgeIndex(organization, c.Organization) < 0).Take(topK)
            .Concat(ranked.Where(c => snapshot.Partners.EdgeIndex(organization, c.Organization) >= 0).Take(topK))
            .OrderByDescending(c => c.Score).ThenBy(c => c.Organization).ToList();
        var reasons = _explainer.Explain(query, chosen);
        var items = chosen.Select((c, i) => new RecommendedPartner(
            snapshot.OrganizationIds[c.Organization], i + 1, Math.Round(c.Score, 6),
            reasons[i].Select(r => new Reason(r.Kind, r.Zh, r.En, r.Evidence)).ToList(),
            snapshot.Partners.EdgeIndex(organization, c.Organization) >= 0,
            CandidateSummary.Of(snapshot, c.Organization))).ToList();
        return new RankedPartners(items, scored);
    }

    public RecommendedPartner ExplainPair(int organization, int candidate)
    {
        var query = new MatchQuery(organization, snapshot.OrganizationSectors[organization].ToArray(), _queryYear);
        var scored = _matcher.Score(query, [candidate]);
        var reasons = _explainer.Explain(query, scored)[0];
        return new RecommendedPartner(snapshot.OrganizationIds[candidate], 0, Math.Round(scored[0].Score, 6),
            reasons.Select(r => new Reason(r.Kind, r.Zh, r.En, r.Evidence)).ToList(),
            snapshot.Partners.EdgeIndex(organization, candidate) >= 0, CandidateSummary.Of(snapshot, candidate));
    }
}
