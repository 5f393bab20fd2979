using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Engine.Synthetic;
using Matchmaker.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Reliability.Tests.Contention;

/// <summary>
/// Recompute:MaxDegreeOfParallelism bounds the threads computing lists in the whole process: two shards computed at
/// once (two job workers) share it rather than taking it each.
/// </summary>
public sealed class RecomputeParallelismTests
{
    [Fact]
    public async Task Two_shards_computed_at_once_use_no_more_threads_together_than_the_option_allows()
    {
        // Threads on hand at once: on a busy two-core machine the pool otherwise adds them one per half second, and a
        // shard could finish before a second thread joined it, which would fail the control below for the wrong reason.
        // The pool's minimum is the process's: it is put back afterwards, for the other tests of this process.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 8), io);
        try
        {
            Assert.Equal(1, await MostConcurrentListsAsync(maxDegreeOfParallelism: 1));
            // The control: with room for more the same two shards do compute side by side.
            Assert.True(await MostConcurrentListsAsync(maxDegreeOfParallelism: 4) >= 2);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    private static async Task<int> MostConcurrentListsAsync(int? maxDegreeOfParallelism)
    {
        using var directory = new TempDirectory("matchmaker-parallel-");
        var graph = new SqliteGraphStore(directory.File("graph.db"));
        await graph.InitializeAsync();
        await graph.ImportAsync(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = 300 }));
        var store = new SqliteRecommendationStore(directory.File("lists.db"), directory.File("app.db"));
        await store.InitializeAsync();
        var rankers = new CountingRankerFactory(new HeuristicRankerFactory());
        var service = new RecomputeService(store, graph, new SnapshotSource(graph, TimeProvider.System, NullLogger<SnapshotSource>.Instance), rankers,
            Options.Create(new RecomputeOptions { ShardSize = 150, TopK = 10, MaxDegreeOfParallelism = maxDegreeOfParallelism }),
            TimeProvider.System, NullLogger<RecomputeService>.Instance);

        var plan = await service.PlanFullRunAsync();
        Assert.Equal(2, plan.Shards.Count);
        await Task.WhenAll(plan.Shards.Select(shard => Task.Run(() => service.RunShardAsync(plan.RunId, shard))));

        Assert.Equal(RunStatus.Published, (await store.GetRunAsync(plan.RunId))!.Status);
        return rankers.MostConcurrent;
    }

    /// <summary>Counts the lists being computed at the same moment; each takes a few milliseconds so that overlaps show.</summary>
    private sealed class CountingRankerFactory(IPartnerRankerFactory inner) : IPartnerRankerFactory
    {
        private int _current;
        private int _most;

        public int MostConcurrent => Volatile.Read(ref _most);

        public IPartnerRanker Create(GraphSnapshot snapshot) => new Counting(inner.Create(snapshot), this);

        private sealed class Counting(IPartnerRanker inner, CountingRankerFactory counts) : IPartnerRanker
        {
            public string ModelVersion => inner.ModelVersion;

            public RankedPartners Recommend(int organization, int topK)
            {
                var now = Interlocked.Increment(ref counts._current);
                int most;
                while (now > (most = Volatile.Read(ref counts._most)) && Interlocked.CompareExchange(ref counts._most, now, most) != most)
                {
                }
                try
                {
                    Thread.Sleep(3);
                    return inner.Recommend(organization, topK);
                }
                finally
                {
                    Interlocked.Decrement(ref counts._current);
                }
            }

            public RecommendedPartner ExplainPair(int organization, int candidate) => inner.ExplainPair(organization, candidate);
            public RankedPartners Query(PartnerQuery query) => inner.Query(query);
        }
    }
}
