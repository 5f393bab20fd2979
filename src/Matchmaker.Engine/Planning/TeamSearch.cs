namespace Matchmaker.Engine.Planning;

public sealed record SearchOptions
{
    /// <summary>Partial teams kept per step of the beam search.</summary>
    public int BeamWidth { get; init; } = 8;
    /// <summary>Improve the beam's complete teams by swaps until no swap helps.</summary>
    public bool LocalSearch { get; init; } = true;
    /// <summary>Also try replacing two members at once, for teams up to this size (the move costs n² · pool²).</summary>
    public int PairSwapMaxTeam { get; init; } = 12;

    public static SearchOptions Default { get; } = new();
}

/// <summary>
/// Finds good teams for a <see cref="PlanningProblem"/>: a beam search fills the slots (the most constrained slot
/// first) keeping the <see cref="SearchOptions.BeamWidth"/> best partial teams by objective, then a local search
/// improves every complete team of the beam by the best of all single swaps (a member out, a candidate in, with
/// one member moving to another slot when that makes room) and, for small teams, of all double swaps, until no
/// swap improves the objective. Alternatives are found one after another, each required to differ from every
/// earlier one in at least <see cref="PlanningProblem.MinDifference"/> members (a hard constraint of the search,
/// not a penalty), so that the k teams are different teams, not one team with one swap each.
/// Deterministic: ties break by candidate index.
/// </summary>
public static class TeamSearch
{
    private const double Epsilon = 1e-12;
    private const double Slack = 1e-9;

    /// <summary>Up to <paramref name="k"/> alternatives, best first; fewer when no further team differs enough.</summary>
    public static IReadOnlyList<Team> Alternatives(PlanningProblem problem, int k, SearchOptions? options = null)
    {
        var teams = new List<Team>();
        var difference = problem.MinDifference;
        for (var i = 0; i < k; i++)
        {
            if (i > 0 && difference <= 0) break;
            var team = Solve(problem, teams, difference, options);
            if (team is null) break;
            teams.Add(team);
        }
        return teams;
    }

    /// <summary>
    /// The best team found that differs from each of <paramref name="previous"/> in at least
    /// <paramref name="minDifference"/> members; null when the search finds no feasible team.
    /// </summary>
    public static Team? Solve(PlanningProblem problem, IReadOnlyList<Team> previous, int minDifference, SearchOptions? options = null)
    {
        options ??= SearchOptions.Default;
        var context = new Context(problem, previous, minDifference);
        if (!context.PlaceIncluded()) return null;
        var finals = Beam(context, options.BeamWidth);
        if (finals.Count == 0 && options.BeamWidth < 64)
        {
            // Caps and the difference rule can starve a narrow beam; a wider one still finds a team when one exists nearby.
            finals = Beam(context, 64);
        }
        Team? best = null;
        foreach (var state in finals)
        {
            if (options.LocalSearch) Improve(context, state, options);
            var team = context.ToTeam(state);
            if (best is null || team.Objective > best.Objective + Epsilon) best = team;
        }
        return best;
    }

    /// <summary>The search's view of one solve: positions (one per member), their order, fixed ones, earlier teams.</summary>
    private sealed class Context
    {
        public Context(PlanningProblem problem, IReadOnlyList<Team> previous, int minDifference)
        {
            Problem = problem;
            // The slot with the fewest candidates is filled first: it is the one a greedy choice elsewhere could starve.
            var eligible = Enumerable.Range(0, problem.SlotCount)
                .Select(s => Enumerable.Range(0, problem.CandidateCount).Where(c => problem.Eligible(c, s)).ToArray()).ToArray();
            Candidates = eligible;
            var order = Enumerable.Range(0, problem.SlotCount).OrderBy(s => eligible[s].Length).ThenBy(s => s).ToArray();
            PositionSlots = order.SelectMany(s => Enumerable.Repeat(s, problem.SlotCounts[s])).ToArray();
            Fixed = new bool[PositionSlots.Length];
            Previous = previous.Select(t =>
            {
                var mark = new bool[problem.CandidateCount];
                foreach (var m in t.Members) mark[m] = true;
                return mark;
            }).ToArray();
            MaxOverlap = problem.TeamSize - minDifference;
        }

        public PlanningProblem Problem { get; }
        public int[][] Candidates { get; }
        public int[] PositionSlots { get; }
        public bool[] Fixed { get; }
        public bool[][] Previous { get; }
        public int MaxOverlap { get; }
        public int[] Start { get; private set; } = [];

        /// <summary>Assigns the included candidates to positions (a bipartite matching); false when they cannot all be placed.</summary>
        public bool PlaceIncluded()
        {
            var owner = Enumerable.Repeat(-1, PositionSlots.Length).ToArray();
            foreach (var c in Problem.Included)
            {
                if (!Augment(c, owner, new bool[PositionSlots.Length])) return false;
            }
            Start = owner;
            for (var p = 0; p < owner.Length; p++) Fixed[p] = owner[p] >= 0;
            return true;
        }

        private bool Augment(int candidate, int[] owner, bool[] visited)
        {
            for (var p = 0; p < PositionSlots.Length; p++)
            {
                if (visited[p] || !Problem.Eligible(candidate, PositionSlots[p])) continue;
                visited[p] = true;
                if (owner[p] < 0 || Augment(owner[p], owner, visited))
                {
                    owner[p] = candidate;
                    return true;
                }
            }
            return false;
        }

        public Team ToTeam(State state)
        {
            var order = Enumerable.Range(0, state.Members.Length).OrderBy(p => PositionSlots[p]).ThenBy(p => state.Members[p]).ToArray();
            var members = order.Select(p => state.Members[p]).ToArray();
            return new Team(members, order.Select(p => PositionSlots[p]).ToArray(), Problem.Evaluate(members));
        }
    }

    /// <summary>A (partial) team with its running sums, so that moves are scored in constant time per candidate.</summary>
    private sealed class State
    {
        public required int[] Members { get; init; }
        public required int[] TermCount { get; init; }
        public required int[] CityCount { get; init; }
        public required int[] Overlap { get; init; }
        public double FitSum { get; set; }
        public double CohesionSum { get; set; }
        public double Covered { get; set; }
        public ulong Key { get; set; }

        public State Copy() => new()
        {
            Members = (int[])Members.Clone(), TermCount = (int[])TermCount.Clone(), CityCount = (int[])CityCount.Clone(),
            Overlap = (int[])Overlap.Clone(), FitSum = FitSum, CohesionSum = CohesionSum, Covered = Covered, Key = Key,
        };
    }

    private static State Empty(Context context)
    {
        var p = context.Problem;
        var state = new State
        {
            Members = Enumerable.Repeat(-1, context.PositionSlots.Length).ToArray(),
            TermCount = new int[p.TermWeights.Length],
            CityCount = new int[p.CityCount],
            Overlap = new int[context.Previous.Length],
        };
        for (var position = 0; position < context.Start.Length; position++)
        {
            if (context.Start[position] >= 0) Add(context, state, position, context.Start[position]);
        }
        return state;
    }

    private static void Add(Context context, State state, int position, int c)
    {
        var p = context.Problem;
        state.FitSum += p.Fit[c];
        foreach (var m in state.Members)
        {
            if (m >= 0) state.CohesionSum += p.CohesionOf(c, m);
        }
        foreach (var t in p.Terms[c])
        {
            if (state.TermCount[t]++ == 0) state.Covered += p.TermWeights[t];
        }
        state.CityCount[p.Cities[c]]++;
        for (var j = 0; j < context.Previous.Length; j++)
        {
            if (context.Previous[j][c]) state.Overlap[j]++;
        }
        state.Members[position] = c;
        state.Key ^= KeyOf(c);
    }

    private static void Remove(Context context, State state, int position)
    {
        var p = context.Problem;
        var c = state.Members[position];
        state.Members[position] = -1;
        state.FitSum -= p.Fit[c];
        foreach (var m in state.Members)
        {
            if (m >= 0) state.CohesionSum -= p.CohesionOf(c, m);
        }
        foreach (var t in p.Terms[c])
        {
            if (--state.TermCount[t] == 0) state.Covered -= p.TermWeights[t];
        }
        state.CityCount[p.Cities[c]]--;
        for (var j = 0; j < context.Previous.Length; j++)
        {
            if (context.Previous[j][c]) state.Overlap[j]--;
        }
        state.Key ^= KeyOf(c);
    }

    /// <summary>A fixed pseudo-random key per candidate; a team's key is the XOR of its members' (duplicates in the beam are dropped).</summary>
    private static ulong KeyOf(int candidate)
    {
        var x = (ulong)candidate + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private static bool CanAdd(Context context, State state, int c)
    {
        var p = context.Problem;
        if (Array.IndexOf(state.Members, c) >= 0) return false;
        if (p.MaxPerCity is { } cap && state.CityCount[p.Cities[c]] >= cap) return false;
        for (var j = 0; j < context.Previous.Length; j++)
        {
            if (context.Previous[j][c] && state.Overlap[j] >= context.MaxOverlap) return false;
        }
        return true;
    }

    private static double Gain(Context context, State state, int c)
    {
        var p = context.Problem;
        double cohesion = 0, covered = 0;
        foreach (var m in state.Members)
        {
            if (m >= 0) cohesion += p.CohesionOf(c, m);
        }
        foreach (var t in p.Terms[c])
        {
            if (state.TermCount[t] == 0) covered += p.TermWeights[t];
        }
        return p.FitCoefficient * p.Fit[c] + p.CohesionCoefficient * cohesion + p.CoverageCoefficient * covered;
    }

    private static double Value(PlanningProblem p, State s) => p.Value(s.FitSum, s.CohesionSum, s.Covered);

    private static List<State> Beam(Context context, int width)
    {
        var beam = new List<State> { Empty(context) };
        var positions = context.PositionSlots;
        for (var position = 0; position < positions.Length; position++)
        {
            if (context.Fixed[position]) continue;
            var slot = positions[position];
            var children = new List<(int Parent, int Candidate, double Value)>();
            for (var b = 0; b < beam.Count; b++)
            {
                var state = beam[b];
                var baseValue = Value(context.Problem, state);
                foreach (var c in context.Candidates[slot])
                {
                    if (!CanAdd(context, state, c)) continue;
                    children.Add((b, c, baseValue + Gain(context, state, c)));
                }
            }
            children.Sort((x, y) => y.Value != x.Value ? y.Value.CompareTo(x.Value) : x.Parent != y.Parent ? x.Parent.CompareTo(y.Parent) : x.Candidate.CompareTo(y.Candidate));
            // The same set reached in another order (or through another slot) is kept once.
            var next = new List<State>(width);
            var seen = new HashSet<ulong>();
            foreach (var (parent, candidate, _) in children)
            {
                if (!seen.Add(beam[parent].Key ^ KeyOf(candidate))) continue;
                var child = beam[parent].Copy();
                Add(context, child, position, candidate);
                next.Add(child);
                if (next.Count == width) break;
            }
            if (next.Count == 0) return [];
            beam = next;
        }
        return beam;
    }

    /// <summary>Best-improvement local search over single swaps (with one slot exchange) and, for small teams, double swaps.</summary>
    private static void Improve(Context context, State state, SearchOptions options)
    {
        var p = context.Problem;
        var n = state.Members.Length;
        // Cohesion of every candidate with the current team, kept up to date as members change.
        var toTeam = new double[p.CandidateCount];
        for (var c = 0; c < p.CandidateCount; c++)
        {
            foreach (var m in state.Members) toTeam[c] += p.CohesionOf(c, m);
        }
        var inTeam = new bool[p.CandidateCount];
        foreach (var m in state.Members) inTeam[m] = true;

        void Apply(int position, int candidate)
        {
            var old = state.Members[position];
            Remove(context, state, position);
            Add(context, state, position, candidate);
            inTeam[old] = false;
            inTeam[candidate] = true;
            for (var c = 0; c < p.CandidateCount; c++) toTeam[c] += p.CohesionOf(c, candidate) - p.CohesionOf(c, old);
        }

        var termDelta = new int[p.TermWeights.Length];
        var touched = new List<int>();
        double CoverageChange(ReadOnlySpan<int> outs, ReadOnlySpan<int> ins)
        {
            // A term's weight is lost when its last covering member leaves, gained when its first one arrives.
            foreach (var x in outs)
            {
                foreach (var t in p.Terms[x])
                {
                    if (termDelta[t]-- == 0) touched.Add(t);
                }
            }
            foreach (var y in ins)
            {
                foreach (var t in p.Terms[y])
                {
                    if (termDelta[t]++ == 0) touched.Add(t);
                }
            }
            double change = 0;
            foreach (var t in touched)
            {
                var before = state.TermCount[t] > 0;
                var after = state.TermCount[t] + termDelta[t] > 0;
                if (before != after) change += after ? p.TermWeights[t] : -p.TermWeights[t];
                termDelta[t] = 0;
            }
            touched.Clear();
            return change;
        }

        bool Allowed(ReadOnlySpan<int> outs, ReadOnlySpan<int> ins)
        {
            if (p.MaxPerCity is { } cap)
            {
                foreach (var y in ins)
                {
                    var city = p.Cities[y];
                    var count = state.CityCount[city];
                    foreach (var x in outs) count -= p.Cities[x] == city ? 1 : 0;
                    foreach (var z in ins) count += p.Cities[z] == city ? 1 : 0;
                    if (count > cap) return false;
                }
            }
            for (var j = 0; j < context.Previous.Length; j++)
            {
                var overlap = state.Overlap[j];
                foreach (var x in outs) overlap -= context.Previous[j][x] ? 1 : 0;
                foreach (var y in ins) overlap += context.Previous[j][y] ? 1 : 0;
                if (overlap > context.MaxOverlap) return false;
            }
            return true;
        }

        // The most coverage a candidate can bring: the weights of its terms the team lacks (weights are positive). A move
        // whose delta without coverage plus these bounds cannot beat the best so far skips the exact coverage change,
        // the costly part; Slack absorbs rounding, so a move is skipped only when the exact delta could not win either.
        var gainBound = new double[p.CandidateCount];
        void Bounds()
        {
            for (var c = 0; c < p.CandidateCount; c++)
            {
                double bound = 0;
                foreach (var t in p.Terms[c])
                {
                    if (state.TermCount[t] == 0) bound += p.TermWeights[t];
                }
                gainBound[c] = p.CoverageCoefficient * bound;
            }
        }

        int[] one = new int[1], other = new int[1], outs = new int[2], ins = new int[2];
        while (true)
        {
            if (p.CoverageCoefficient > 0) Bounds();
            // Single swaps: member at position out, candidate y in, either into the same slot or, when y cannot
            // fill it, into the slot of another member q who moves over to the freed one.
            var best = Epsilon;
            (int Position, int Candidate, int Exchange) move = (-1, -1, -1);
            for (var position = 0; position < n; position++)
            {
                if (context.Fixed[position]) continue;
                var x = state.Members[position];
                one[0] = x;
                for (var y = 0; y < p.CandidateCount; y++)
                {
                    if (inTeam[y] || p.SlotMasks[y] == 0) continue;
                    var exchange = -1;
                    if (!p.Eligible(y, context.PositionSlots[position]))
                    {
                        for (var q = 0; q < n && exchange < 0; q++)
                        {
                            if (q != position && !context.Fixed[q] && p.Eligible(state.Members[q], context.PositionSlots[position])
                                && p.Eligible(y, context.PositionSlots[q])) exchange = q;
                        }
                        if (exchange < 0) continue;
                    }
                    other[0] = y;
                    var delta = p.FitCoefficient * (p.Fit[y] - p.Fit[x])
                        + p.CohesionCoefficient * (toTeam[y] - p.CohesionOf(y, x) - toTeam[x]);
                    if (p.CoverageCoefficient > 0)
                    {
                        if (delta + gainBound[y] + Slack <= best) continue;
                        delta += p.CoverageCoefficient * CoverageChange(one, other);
                    }
                    if (delta <= best || !Allowed(one, other)) continue;
                    best = delta;
                    move = (position, y, exchange);
                }
            }
            if (move.Position >= 0)
            {
                if (move.Exchange < 0)
                {
                    Apply(move.Position, move.Candidate);
                }
                else
                {
                    // The exchanged member takes the freed position; the newcomer takes the exchanged member's.
                    var leaving = state.Members[move.Position];
                    var moving = state.Members[move.Exchange];
                    Remove(context, state, move.Exchange);
                    Remove(context, state, move.Position);
                    Add(context, state, move.Position, moving);
                    Add(context, state, move.Exchange, move.Candidate);
                    inTeam[leaving] = false;
                    inTeam[move.Candidate] = true;
                    for (var c = 0; c < p.CandidateCount; c++) toTeam[c] += p.CohesionOf(c, move.Candidate) - p.CohesionOf(c, leaving);
                }
                continue;
            }

            if (n > options.PairSwapMaxTeam || n < 2) return;
            // Double swaps, same slots: two members out, two candidates in (finds pairs that only pay off together).
            var bestPair = Epsilon;
            (int P1, int Y1, int P2, int Y2) pairMove = (-1, -1, -1, -1);
            for (var p1 = 0; p1 < n; p1++)
            {
                if (context.Fixed[p1]) continue;
                for (var p2 = p1 + 1; p2 < n; p2++)
                {
                    if (context.Fixed[p2]) continue;
                    int x1 = state.Members[p1], x2 = state.Members[p2];
                    outs[0] = x1;
                    outs[1] = x2;
                    var removed = p.FitCoefficient * (p.Fit[x1] + p.Fit[x2]) + p.CohesionCoefficient * (toTeam[x1] + toTeam[x2] - p.CohesionOf(x1, x2));
                    foreach (var y1 in context.Candidates[context.PositionSlots[p1]])
                    {
                        if (inTeam[y1]) continue;
                        var add1 = p.FitCoefficient * p.Fit[y1] + p.CohesionCoefficient * (toTeam[y1] - p.CohesionOf(y1, x1) - p.CohesionOf(y1, x2));
                        foreach (var y2 in context.Candidates[context.PositionSlots[p2]])
                        {
                            if (inTeam[y2] || y2 == y1) continue;
                            var delta = add1 + p.FitCoefficient * p.Fit[y2]
                                + p.CohesionCoefficient * (toTeam[y2] - p.CohesionOf(y2, x1) - p.CohesionOf(y2, x2) + p.CohesionOf(y1, y2)) - removed;
                            ins[0] = y1;
                            ins[1] = y2;
                            if (p.CoverageCoefficient > 0)
                            {
                                if (delta + gainBound[y1] + gainBound[y2] + Slack <= bestPair) continue;
                                delta += p.CoverageCoefficient * CoverageChange(outs, ins);
                            }
                            if (delta <= bestPair || !Allowed(outs, ins)) continue;
                            bestPair = delta;
                            pairMove = (p1, y1, p2, y2);
                        }
                    }
                }
            }
            if (pairMove.P1 < 0) return;
            Apply(pairMove.P1, pairMove.Y1);
            Apply(pairMove.P2, pairMove.Y2);
        }
    }
}
