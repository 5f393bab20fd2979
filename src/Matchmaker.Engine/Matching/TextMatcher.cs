using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Matching;

/// <summary>How much of the text index a query reads.</summary>
public sealed record TextMatchOptions
{
    /// <summary>Past projects most similar to the query text whose members are credited (the "similar consortia" signal).</summary>
    public int SimilarProjects { get; init; } = 100;
    /// <summary>Organizations proposed as candidates by their profile's BM25 score against the query text.</summary>
    public int MaxProfileCandidates { get; init; } = 150;
    /// <summary>Organizations proposed as candidates from the members of the most similar past projects, best credited first.</summary>
    public int MaxProjectCandidates { get; init; } = 150;
}

/// <summary>
/// Text matching on one snapshot: the query's text against every organization's profile (BM25 through the
/// <see cref="TextIndex"/>), against past projects (members of the most similar ones are credited by similarity),
/// and the query's call topics against the topics of each organization's projects (the same topic, or the same
/// call destination). Per-query results live in the workspace's <see cref="TextSignals"/>, so the candidate
/// generator and the pair features share one pass over the index. Thread-safe.
/// </summary>
public sealed class TextMatcher : IDisposable
{
    private readonly Dictionary<string, int[]> _projectsByTopic;
    private readonly Dictionary<string, int[]> _projectsByDestination;

    public TextMatcher(GraphSnapshot snapshot, TextIndex index, TextMatchOptions? options = null)
    {
        Snapshot = snapshot;
        Index = index;
        Options = options ?? new TextMatchOptions();
        var byTopic = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byDestination = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var p = 0; p < snapshot.ProjectCount; p++)
        {
            if (snapshot.ProjectTexts[p] is not { } text) continue;
            foreach (var code in text.TopicCodes)
            {
                Bucket(byTopic, WithoutYear(code)).Add(p);
                if (DestinationOf(code) is { } destination) Bucket(byDestination, WithoutYear(destination)).Add(p);
            }
        }
        _projectsByTopic = byTopic.ToDictionary(kv => kv.Key, kv => kv.Value.Distinct().ToArray(), StringComparer.Ordinal);
        _projectsByDestination = byDestination.ToDictionary(kv => kv.Key, kv => kv.Value.Distinct().ToArray(), StringComparer.Ordinal);

        static List<int> Bucket(Dictionary<string, List<int>> map, string key)
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            return list;
        }
    }

    public GraphSnapshot Snapshot { get; }
    public TextIndex Index { get; }
    public TextMatchOptions Options { get; }

    /// <summary>
    /// Text matching over a snapshot's own texts (a new index), or null when the snapshot holds no text at all
    /// (no project text, no organization description, capability or need): then every text column stays 0.
    /// </summary>
    public static TextMatcher? Build(GraphSnapshot snapshot, TextMatchOptions? options = null, TextIndexOptions? indexOptions = null)
    {
        var any = snapshot.ProjectTexts.Any(t => t is not null)
            || snapshot.Details.Any(d => d is not null && (d.Description is not null || d.Capabilities.Count > 0 || d.Needs.Count > 0));
        return any ? new TextMatcher(snapshot, TextIndex.Build(snapshot, indexOptions), options) : null;
    }

    /// <summary>
    /// Text matching for <paramref name="patched"/>, a snapshot patched from this one's (organizations edited or
    /// added, projects unchanged): the index re-reads only the changed organizations.
    /// </summary>
    public TextMatcher Patch(GraphSnapshot patched, IReadOnlyCollection<int> changedOrganizations) =>
        new(patched, Index.Update(patched, changedOrganizations), Options);

    public void Dispose() => Index.Dispose();

    /// <summary>
    /// The call destination of a topic code: the code cut after the segment that follows its year
    /// (<c>HORIZON-CL5-2021-D2-01-11</c> → <c>HORIZON-CL5-2021-D2</c>); without a year segment, the code without
    /// its last segment; null when that leaves nothing.
    /// </summary>
    public static string? DestinationOf(string topic)
    {
        var parts = topic.Split('-');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parts[i].Length == 4 && parts[i].All(char.IsAsciiDigit) && i > 0) return string.Join('-', parts, 0, i + 2);
        }
        return parts.Length > 1 ? string.Join('-', parts, 0, parts.Length - 1) : null;
    }

    /// <summary>
    /// What a candidate's profile shares with a query's text, as people read it: its two past projects best matching
    /// the text (title and year) and up to six matched words; null when nothing matches. Chinese, English and the
    /// evidence (titles, then words).
    /// </summary>
    public (string Zh, string En, IReadOnlyList<string> Evidence)? Evidence(TextQuery query, int candidate)
    {
        var projects = Index.BestProjects(query, candidate, 2)
            .Select(p => $"{Snapshot.ProjectTexts[p.Project]?.Title ?? Snapshot.ProjectIds[p.Project]} ({Snapshot.ProjectYears[p.Project]})").ToArray();
        var terms = Index.MatchedTerms(query, candidate, 6);
        if (projects.Length == 0 && terms.Count == 0) return null;
        var zh = new List<string>();
        var en = new List<string>();
        if (projects.Length > 0)
        {
            zh.Add($"其项目与你的描述相符：{string.Join("；", projects.Select(t => $"《{t}》"))}");
            en.Add($"its projects match your text: {string.Join("; ", projects.Select(t => $"\"{t}\""))}");
        }
        if (terms.Count > 0)
        {
            zh.Add($"匹配词：{string.Join("、", terms)}");
            en.Add($"matched terms: {string.Join(", ", terms)}");
        }
        return (string.Join("；", zh), string.Join("; ", en), [.. projects, .. terms]);
    }

    /// <summary>A topic code without its year segments (<c>HORIZON-CL5-2021-D2-01-11</c> → <c>HORIZON-CL5-D2-01-11</c>).</summary>
    public static string WithoutYear(string code) =>
        string.Join('-', code.Split('-').Where(part => !(part.Length == 4 && part.All(char.IsAsciiDigit))));

    /// <summary>Fills <paramref name="signals"/> for the context's current query (cleared first).</summary>
    internal void Prepare(QueryContext context, TextSignals signals)
    {
        var g = context.Snapshot;
        var q = context.Query;
        signals.Reset(g.OrganizationCount);
        if (!string.IsNullOrWhiteSpace(q.Text))
        {
            var query = Index.Analyze(q.Text);
            if (query.Terms.Count > 0)
            {
                signals.Query = query;
                signals.HasText = true;
                Index.ScoreOrganizations(query, signals.Profile);
                var best = 0f;
                foreach (var s in signals.Profile) if (s > best) best = s;
                signals.BestProfile = best;
                signals.RankProfiles();

                var similar = Index.TopProjects(query, Options.SimilarProjects);
                var top = similar.Count > 0 ? similar[0].Score : 0;
                foreach (var (p, score) in similar)
                {
                    if (!(score > 0) || !(top > 0)) continue;
                    var weight = score / top;
                    foreach (var m in g.ProjectMembers[p])
                    {
                        signals.Touch(m);
                        signals.Projects[m] += weight;
                        signals.ProjectCount[m]++;
                        if (weight > signals.BestProject[m]) signals.BestProject[m] = weight;
                    }
                }
            }
        }
        // Topics and destinations are matched without their year: a work programme's calls come back year after year
        // under the same numbers (HORIZON-CL5-2024-D2-01-11 continues HORIZON-CL5-2023-D2-01-11), and a query's
        // own year is never in the past projects.
        foreach (var code in q.Topics.Select(WithoutYear).Distinct(StringComparer.Ordinal))
        {
            signals.HasTopics = true;
            Credit(signals, g, _projectsByTopic.GetValueOrDefault(code), signals.Topic);
        }
        // One destination counted once even when several query topics share it.
        foreach (var destination in q.Topics.Select(DestinationOf).OfType<string>().Select(WithoutYear).Distinct(StringComparer.Ordinal))
        {
            Credit(signals, g, _projectsByDestination.GetValueOrDefault(destination), signals.Destination);
        }
    }

    private static void Credit(TextSignals signals, GraphSnapshot g, int[]? projects, float[] into)
    {
        if (projects is null) return;
        foreach (var p in projects)
        {
            foreach (var m in g.ProjectMembers[p])
            {
                signals.Touch(m);
                into[m]++;
            }
        }
    }

    /// <summary>The <paramref name="k"/> organizations with the best profile score (above 0), best first, ties by lower index.</summary>
    internal static void TopByProfile(TextSignals signals, int k, List<int> into)
    {
        // The profile ranking is already sorted (RankProfiles): its head, instead of a heap over every organization.
        into.Clear();
        if (k <= 0) return;
        into.AddRange(signals.RankedProfiles[..Math.Min(k, signals.RankedProfiles.Length)]);
    }

    /// <summary>The <paramref name="k"/> touched organizations with the most similar-project credit, best first.</summary>
    internal static void TopByProjects(TextSignals signals, int k, List<int> into) => Top(signals.Projects, signals.TouchedList, k, into);

    private static void Top(float[] scores, List<int>? among, int k, List<int> into)
    {
        into.Clear();
        if (k <= 0) return;
        var heap = new PriorityQueue<int, (float Score, int Negated)>(k + 1);
        void Offer(int o)
        {
            if (!(scores[o] > 0)) return;
            heap.Enqueue(o, (scores[o], -o));
            if (heap.Count > k) heap.Dequeue();
        }
        if (among is null)
        {
            for (var o = 0; o < scores.Length; o++) Offer(o);
        }
        else
        {
            foreach (var o in among) Offer(o);
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        into.AddRange(result);
    }
}

/// <summary>One query's text signals per organization (dense arrays, reused between queries by a workspace).</summary>
public sealed class TextSignals
{
    private bool[] _touched = [];

    internal TextQuery? Query { get; set; }
    /// <summary>True when the query had text with at least one indexed term.</summary>
    public bool HasText { get; internal set; }
    public bool HasTopics { get; internal set; }
    /// <summary>BM25 of the query text against each organization's profile.</summary>
    public float[] Profile { get; private set; } = [];
    public float BestProfile { get; internal set; }
    /// <summary>Sum over the most similar past projects an organization was a member of, of their similarity relative to the best.</summary>
    public float[] Projects { get; private set; } = [];
    /// <summary>How many of the most similar past projects an organization was a member of.</summary>
    public float[] ProjectCount { get; private set; } = [];
    /// <summary>The similarity of the most similar past project an organization was a member of, relative to the best.</summary>
    public float[] BestProject { get; private set; } = [];
    // Organizations with a profile score above 0, best first (ties by lower index), and each one's position in it.
    private int[] _ranked = [];
    private int _rankedCount;
    private int[] _rank = [];
    private long[] _keys = [];
    /// <summary>Projects of each organization on one of the query's call topics.</summary>
    public float[] Topic { get; private set; } = [];
    /// <summary>Projects of each organization in one of the query's call destinations.</summary>
    public float[] Destination { get; private set; } = [];
    internal List<int> TouchedList { get; } = [];

    internal void Reset(int organizations)
    {
        if (Profile.Length != organizations)
        {
            Profile = new float[organizations];
            Projects = new float[organizations];
            ProjectCount = new float[organizations];
            BestProject = new float[organizations];
            _rank = new int[organizations];
            _ranked = new int[organizations];
            _keys = new long[organizations];
            _rankedCount = 0;
            Topic = new float[organizations];
            Destination = new float[organizations];
            _touched = new bool[organizations];
            TouchedList.Clear();
        }
        else
        {
            if (HasText) Array.Clear(Profile);
            for (var i = 0; i < _rankedCount; i++) _rank[_ranked[i]] = 0;
            _rankedCount = 0;
            foreach (var o in TouchedList)
            {
                Projects[o] = ProjectCount[o] = BestProject[o] = Topic[o] = Destination[o] = 0;
                _touched[o] = false;
            }
            TouchedList.Clear();
        }
        Query = null;
        HasText = HasTopics = false;
        BestProfile = 0;
    }

    /// <summary>1 + how many organizations' profiles match the text better (ties by lower index); 0 without a match.</summary>
    public int RankOf(int organization) => _rank[organization];

    /// <summary>The organizations with a profile score above 0, best first, ties by lower index.</summary>
    internal ReadOnlySpan<int> RankedProfiles => _ranked.AsSpan(0, _rankedCount);

    /// <summary>Orders the organizations with a profile score: one sort of those only, per query.</summary>
    internal void RankProfiles()
    {
        _rankedCount = 0;
        for (var o = 0; o < Profile.Length; o++)
        {
            if (!(Profile[o] > 0)) continue;
            _keys[_rankedCount] = Matcher.SortKey(Profile[o], o);
            _ranked[_rankedCount++] = o;
        }
        // Higher score first, ties by lower index, as one primitive sort (the matcher's key).
        Array.Sort(_keys, _ranked, 0, _rankedCount);
        for (var i = 0; i < _rankedCount; i++) _rank[_ranked[i]] = i + 1;
    }

    internal void Touch(int organization)
    {
        if (_touched[organization]) return;
        _touched[organization] = true;
        TouchedList.Add(organization);
    }
}
