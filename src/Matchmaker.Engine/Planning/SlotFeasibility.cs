namespace Matchmaker.Engine.Planning;

/// <summary>
/// Whether the slots can be filled at all under a per-city cap, decided exactly as a maximum flow: source → slot
/// (its count) → group of organizations with the same eligible slots and city (one unit per organization) → city
/// (the cap) → sink. Grouping keeps the network small whatever the graph's size (groups ≤ slot masks × cities).
/// </summary>
internal static class SlotFeasibility
{
    /// <summary>Organizations eligible for the slots in <see cref="Mask"/> in one city, and how many.</summary>
    public readonly record struct Group(uint Mask, int City, int Count);

    /// <summary>Members each slot can get in the best joint assignment (equal to its count everywhere when feasible).</summary>
    public static int[] Fill(IReadOnlyList<int> slotCounts, IEnumerable<Group> groups, int cityCount, int? maxPerCity, IReadOnlyList<int>? cityUsed = null)
    {
        var list = groups.Where(g => g.Count > 0 && g.Mask != 0).ToList();
        var slots = slotCounts.Count;
        // Nodes: 0 source, 1..slots, then groups, then cities, then the sink.
        var groupBase = 1 + slots;
        var cityBase = groupBase + list.Count;
        var sink = cityBase + cityCount;
        var flow = new MaxFlow(sink + 1);
        var slotEdges = new int[slots];
        for (var s = 0; s < slots; s++) slotEdges[s] = flow.AddEdge(0, 1 + s, slotCounts[s]);
        for (var g = 0; g < list.Count; g++)
        {
            for (var s = 0; s < slots; s++)
            {
                if ((list[g].Mask & (1u << s)) != 0) flow.AddEdge(1 + s, groupBase + g, list[g].Count);
            }
            flow.AddEdge(groupBase + g, cityBase + list[g].City, list[g].Count);
        }
        for (var c = 0; c < cityCount; c++)
        {
            var capacity = maxPerCity is { } cap ? Math.Max(0, cap - (cityUsed?[c] ?? 0)) : int.MaxValue / 4;
            flow.AddEdge(cityBase + c, sink, capacity);
        }
        flow.Run(0, sink);
        return slotEdges.Select(flow.FlowOn).ToArray();
    }

    /// <summary>Edmonds-Karp on an adjacency list; the flows here are at most a team's size, so a few BFS passes.</summary>
    private sealed class MaxFlow(int nodes)
    {
        private readonly List<int>[] _adjacent = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
        private readonly List<(int To, int Capacity)> _edges = [];
        private readonly List<int> _flow = [];

        public int AddEdge(int from, int to, int capacity)
        {
            var id = _edges.Count;
            _edges.Add((to, capacity));
            _flow.Add(0);
            _adjacent[from].Add(id);
            _edges.Add((from, 0));
            _flow.Add(0);
            _adjacent[to].Add(id + 1);
            return id;
        }

        public int FlowOn(int edge) => _flow[edge];

        public void Run(int source, int sink)
        {
            var via = new int[nodes];
            while (true)
            {
                Array.Fill(via, -1);
                var queue = new Queue<int>();
                queue.Enqueue(source);
                var reached = false;
                while (queue.Count > 0 && !reached)
                {
                    var u = queue.Dequeue();
                    foreach (var e in _adjacent[u])
                    {
                        var (to, capacity) = _edges[e];
                        if (to == source || via[to] >= 0 || capacity - _flow[e] <= 0) continue;
                        via[to] = e;
                        if (to == sink) { reached = true; break; }
                        queue.Enqueue(to);
                    }
                }
                if (!reached) return;
                var push = int.MaxValue;
                for (var v = sink; v != source; v = _edges[via[v] ^ 1].To) push = Math.Min(push, _edges[via[v]].Capacity - _flow[via[v]]);
                for (var v = sink; v != source; v = _edges[via[v] ^ 1].To)
                {
                    _flow[via[v]] += push;
                    _flow[via[v] ^ 1] -= push;
                }
            }
        }
    }
}
