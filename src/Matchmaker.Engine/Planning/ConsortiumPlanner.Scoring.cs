using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Planning;

/// <summary>Scoring the shortlists for the lead (fit), and widening them: for the city cap, and from the team.</summary>
public sealed partial class ConsortiumPlanner
{
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

    /// <summary>
    /// The best few per slot crowd into a few cities: per slot and city, the likeliest <paramref name="perCity"/>
    /// (min(cap, team size)) organizations there outside the pool, by prior. That keeps every feasible team reachable:
    /// a member of city c outside these lists can be exchanged for one of them, since at most min(cap, team size) − 1
    /// others are from c.
    /// </summary>
    private HashSet<int> WidenForCityCap(HashSet<int> pool, uint[] masks, double[] prior, int slotCount, int perCity)
    {
        var extra = new HashSet<int>();
        for (var s = 0; s < slotCount; s++)
        {
            var bit = 1u << s;
            foreach (var byCity in Enumerable.Range(0, _g.OrganizationCount).Where(o => (masks[o] & bit) != 0 && !pool.Contains(o)).GroupBy(o => _g.OrganizationCities[o]))
            {
                extra.UnionWith(byCity.OrderByDescending(o => prior[o]).ThenBy(o => o).Take(perCity));
            }
        }
        return extra;
    }
}
