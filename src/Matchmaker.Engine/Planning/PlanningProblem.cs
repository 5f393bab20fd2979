namespace Matchmaker.Engine.Planning;

/// <summary>The objective of a team and its three parts, each in [0, 1].</summary>
public readonly record struct ObjectiveParts(double Fit, double Cohesion, double Coverage, double Total);

/// <summary>A team: <see cref="Members"/>[i] (candidate indexes of the problem) fills slot <see cref="Slots"/>[i].</summary>
public sealed record Team(int[] Members, int[] Slots, ObjectiveParts Parts)
{
    public double Objective => Parts.Total;

    /// <summary>Members of this team that are not in <paramref name="other"/>.</summary>
    public int DifferenceFrom(Team other) => Members.Count(m => Array.IndexOf(other.Members, m) < 0);
}

/// <summary>
/// The consortium planning problem over a few candidates, with everything the search needs precomputed. The
/// objective of a team T of n members (the lead is not one of them) is
/// <code>
/// J(T) = (wF·F(T) + wC·C(T) + wV·V(T)) / (wF + wC + wV)
/// F(T) = (1/n) Σ_{m∈T} fit(m)                         fit to the lead and its fields, in [0, 1]
/// C(T) = (2/(n(n−1))) Σ_{a&lt;b∈T} cohesion(a, b)       how well the members fit each other, in [0, 1]
/// V(T) = Σ_{t covered by T} w_t / Σ_t w_t              share of the challenge's need terms (weight w_t) covered
/// </code>
/// C drops out (its weight set to 0) when n &lt; 2, V when the challenge has no need term that anyone offers; J
/// is then renormalized over the remaining weights, so it always lies in [0, 1]. F and C are modular and
/// pairwise, V is a weighted coverage (submodular): that is why the search needs more than a greedy pass.
/// </summary>
/// <remarks>
/// Feasible teams fill every slot with exactly its count of distinct candidates eligible for it, contain every
/// included candidate, and hold at most <see cref="MaxPerCity"/> members per city. How fit, cohesion and term
/// coverage are derived from the graph and the ranking model is <see cref="ConsortiumPlanner"/>'s business; here
/// they are plain numbers, so that the search and the exhaustive solver can be compared on any instance.
/// </remarks>
public sealed class PlanningProblem
{
    public PlanningProblem(
        int[] slotCounts, uint[] slotMasks, int[] cities, float[] fit, float[] cohesion, int[][] terms, float[] termWeights,
        ObjectiveWeights weights, int[]? included = null, int? maxPerCity = null)
    {
        var count = fit.Length;
        if (slotCounts.Length is 0 or > 32) throw new ArgumentException("between 1 and 32 slots", nameof(slotCounts));
        if (slotCounts.Any(c => c < 1)) throw new ArgumentException("every slot needs at least one member", nameof(slotCounts));
        if (slotMasks.Length != count || cities.Length != count || terms.Length != count) throw new ArgumentException("one mask, city and term list per candidate");
        if (cohesion.Length != count * count) throw new ArgumentException("cohesion is candidates × candidates", nameof(cohesion));
        if (terms.Any(t => t.Any(i => i < 0 || i >= termWeights.Length))) throw new ArgumentException("term index out of range", nameof(terms));
        if (maxPerCity is < 1) throw new ArgumentOutOfRangeException(nameof(maxPerCity));
        SlotCounts = slotCounts;
        SlotMasks = slotMasks;
        Cities = cities;
        CityCount = cities.Length == 0 ? 0 : cities.Max() + 1;
        Fit = fit;
        Cohesion = cohesion;
        Terms = terms.Select(t => t.Distinct().ToArray()).ToArray();
        TermWeights = termWeights;
        Weights = weights;
        Included = included?.Distinct().ToArray() ?? [];
        MaxPerCity = maxPerCity;
        TeamSize = slotCounts.Sum();
        TotalTermWeight = termWeights.Sum(w => (double)w);

        var pairs = TeamSize * (TeamSize - 1) / 2.0;
        var fitWeight = weights.Fit;
        var cohesionWeight = TeamSize >= 2 ? weights.Cohesion : 0;
        var coverageWeight = TotalTermWeight > 0 ? weights.Coverage : 0;
        var total = fitWeight + cohesionWeight + coverageWeight;
        if (total <= 0)
        {
            // Only a part that cannot be measured was weighted: rank by fit alone rather than by nothing.
            fitWeight = total = 1;
        }
        EffectiveWeights = (fitWeight / total, cohesionWeight / total, coverageWeight / total);
        FitCoefficient = fitWeight / total / TeamSize;
        CohesionCoefficient = cohesionWeight > 0 ? cohesionWeight / total / pairs : 0;
        CoverageCoefficient = coverageWeight > 0 ? coverageWeight / total / TotalTermWeight : 0;
    }

    public int[] SlotCounts { get; }
    public int SlotCount => SlotCounts.Length;
    /// <summary>Per candidate: bit s is set when it may fill slot s.</summary>
    public uint[] SlotMasks { get; }
    public int[] Cities { get; }
    public int CityCount { get; }
    public float[] Fit { get; }
    /// <summary>Row-major candidates × candidates, symmetric; the diagonal is ignored.</summary>
    public float[] Cohesion { get; }
    /// <summary>Per candidate: the need terms (indexes into <see cref="TermWeights"/>) it covers.</summary>
    public int[][] Terms { get; }
    public float[] TermWeights { get; }
    public double TotalTermWeight { get; }
    public ObjectiveWeights Weights { get; }
    /// <summary>The weights actually applied (fit, cohesion, coverage), summing to 1, after unmeasurable parts dropped out.</summary>
    public (double Fit, double Cohesion, double Coverage) EffectiveWeights { get; }
    public int[] Included { get; }
    public int? MaxPerCity { get; }
    public int TeamSize { get; }
    public int CandidateCount => Fit.Length;

    internal double FitCoefficient { get; }
    internal double CohesionCoefficient { get; }
    internal double CoverageCoefficient { get; }

    public bool Eligible(int candidate, int slot) => (SlotMasks[candidate] & (1u << slot)) != 0;

    public float CohesionOf(int a, int b) => a == b ? 0 : Cohesion[a * CandidateCount + b];

    /// <summary>
    /// Alternatives must differ from every earlier one in at least this many members: a third of the team,
    /// rounded up, but never more than the members that are not fixed by inclusion.
    /// </summary>
    public int MinDifference => Math.Min((TeamSize + 2) / 3, TeamSize - Included.Length);

    /// <summary>J and its parts for a set of members (slots play no part in the objective).</summary>
    public ObjectiveParts Evaluate(IReadOnlyList<int> members)
    {
        double fit = 0, cohesion = 0, covered = 0;
        for (var i = 0; i < members.Count; i++)
        {
            fit += Fit[members[i]];
            for (var j = i + 1; j < members.Count; j++) cohesion += CohesionOf(members[i], members[j]);
        }
        var seen = new bool[TermWeights.Length];
        foreach (var m in members)
        {
            foreach (var t in Terms[m])
            {
                if (seen[t]) continue;
                seen[t] = true;
                covered += TermWeights[t];
            }
        }
        var pairs = members.Count * (members.Count - 1) / 2.0;
        return new ObjectiveParts(
            members.Count > 0 ? fit / members.Count : 0,
            pairs > 0 ? cohesion / pairs : 0,
            TotalTermWeight > 0 ? covered / TotalTermWeight : 0,
            Value(fit, cohesion, covered));
    }

    /// <summary>J from the running sums of a (possibly partial) team, normalized by the full team's size.</summary>
    internal double Value(double fitSum, double cohesionSum, double coveredWeight) =>
        FitCoefficient * fitSum + CohesionCoefficient * cohesionSum + CoverageCoefficient * coveredWeight;

    /// <summary>True when the members fill the slots as given, distinct, with the included ones, within the city cap.</summary>
    public bool IsFeasible(Team team)
    {
        if (team.Members.Length != TeamSize || team.Members.Distinct().Count() != TeamSize) return false;
        for (var s = 0; s < SlotCount; s++)
        {
            if (team.Slots.Count(x => x == s) != SlotCounts[s]) return false;
        }
        for (var i = 0; i < team.Members.Length; i++)
        {
            if (!Eligible(team.Members[i], team.Slots[i])) return false;
        }
        if (Included.Any(c => Array.IndexOf(team.Members, c) < 0)) return false;
        return MaxPerCity is not { } cap || team.Members.GroupBy(m => Cities[m]).All(g => g.Count() <= cap);
    }
}
