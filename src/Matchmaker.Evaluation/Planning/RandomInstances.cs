namespace Matchmaker.Engine.Planning;

/// <summary>
/// Random planning problems small enough for <see cref="ExhaustiveSearch"/>, shaped like real ones: candidates
/// mostly eligible for one slot (some for two, as an enterprise is for 产 and 用), fit spread over (0, 1),
/// cohesion in clusters (members of one network fit each other, strangers barely), need terms covered unevenly,
/// sometimes a city cap and an included member. Used to judge <see cref="TeamSearch"/> against the optimum.
/// </summary>
public static class RandomInstances
{
    public static PlanningProblem Create(int seed)
    {
        var random = new Random(seed);
        var slots = random.Next(2, 5);
        var counts = Enumerable.Range(0, slots).Select(_ => random.NextDouble() < 0.3 ? 2 : 1).ToArray();
        var teamSize = counts.Sum();
        var candidates = random.Next(12, 21);
        var masks = new uint[candidates];
        for (var c = 0; c < candidates; c++)
        {
            masks[c] = 1u << (c % slots); // every slot gets its share of candidates
            if (random.NextDouble() < 0.2) masks[c] |= 1u << random.Next(slots);
        }
        var cities = Enumerable.Range(0, candidates).Select(_ => random.Next(3)).ToArray();
        var fit = Enumerable.Range(0, candidates).Select(_ => (float)(0.15 + 0.8 * random.NextDouble())).ToArray();
        var clusters = Enumerable.Range(0, candidates).Select(_ => random.Next(3)).ToArray();
        var cohesion = new float[candidates * candidates];
        for (var a = 0; a < candidates; a++)
        {
            for (var b = a + 1; b < candidates; b++)
            {
                var value = clusters[a] == clusters[b] && random.NextDouble() < 0.7 ? 0.6 + 0.4 * random.NextDouble() : 0.3 * random.NextDouble();
                cohesion[a * candidates + b] = cohesion[b * candidates + a] = (float)value;
            }
        }
        var termCount = random.Next(0, 8);
        var termWeights = Enumerable.Range(0, termCount).Select(_ => (float)(0.5 + 1.5 * random.NextDouble())).ToArray();
        var terms = Enumerable.Range(0, candidates)
            .Select(_ => Enumerable.Range(0, termCount).Where(_ => random.NextDouble() < 0.25).ToArray()).ToArray();
        var weights = random.Next(3) switch
        {
            0 => ObjectiveWeights.Default,
            1 => new ObjectiveWeights(0.3, 0.5, 0.2),
            _ => new ObjectiveWeights(random.NextDouble(), random.NextDouble(), random.NextDouble()),
        };
        int? cap = random.NextDouble() < 0.3 ? Math.Max(1, (teamSize + 1) / 3) : null;
        int[] included = random.NextDouble() < 0.2 ? [random.Next(candidates)] : [];
        return new PlanningProblem(counts, masks, cities, fit, cohesion, terms, termWeights, weights, included, cap);
    }
}
