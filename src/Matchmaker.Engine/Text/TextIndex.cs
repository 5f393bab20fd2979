using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>
/// BM25 text search over a snapshot, in memory: one document per organization (its profile; Lucene's BM25 on
/// postings arrays, see <see cref="ProfilePostings"/>) and one per project (a Lucene.Net index).
/// <para>
/// A profile has three fields: the organization's own text (names, description, capability and need tags), the
/// texts of its recent projects (started in the snapshot's latest project year or the year before, by default) and
/// those of its older projects. Each field is scored by BM25 on its own and the scores are summed with boosts
/// (recent 2, older 1, own 1 by default), so a recent project counts about twice an old one. A query term's
/// weight is its frequency in the query.
/// </para>
/// <para>
/// Texts are analyzed once by <see cref="TextAnalyzer"/> and kept as bags of term ids (per project, per
/// organization's own text), from which the Lucene documents, the matched-term evidence and the profile vectors are
/// made. Safe for concurrent queries; <see cref="Update"/> calls must not run concurrently with each other.
/// </para>
/// </summary>
public sealed partial class TextIndex : IDisposable
{
    private const int Own = 0, Recent = 1, Older = 2;
    private static readonly string[] FieldNames = ["own", "recent", "older"];
    private const string ProjectField = "text";
    private const string OrganizationKey = "org";
    private const string ProjectKey = "project";
    private const string IdField = "id";

    private readonly TextIndexOptions _options;
    private readonly GraphSnapshot _snapshot;
    private readonly Vocabulary _vocabulary;
    private readonly SharedParts _shared;
    private readonly int _generation;
    private readonly TermBag[] _own;
    private readonly FieldStats[] _fields;
    // Number of organizations whose profile (any field) holds the term: the idf of query selection, evidence and vectors.
    private readonly int[] _profileDocFrequency;
    // Per organization: its top profile terms (ids ascending) with log-scaled, boosted frequencies; idf is applied
    // when two vectors are compared, so the statistics of the index answering are used.
    private readonly int[][] _vectorIds;
    private readonly float[][] _vectorWeights;
    // A Lucene index of the profiles, built only when asked for: the reference the postings arrays are checked against.
    private readonly Lazy<LuceneProfiles> _luceneProfiles;
    private readonly float[] _fieldBoosts;
    private readonly float[] _idf;
    private readonly double[] _squaredNorms;
    private readonly ConditionalWeakTable<TextQuery, float[]> _projectScores = new();
    // Per organization, its recent and older projects' bags (the profile fields beside its own text).
    private readonly TermBag[] _recent;
    private readonly TermBag[] _older;
    // Built on the first profile search of this index (an update that is never searched does not pay for it).
    private readonly Lazy<ProfilePostings> _postings;
    private int _disposed;

    private TextIndex(GraphSnapshot snapshot, TextIndexOptions options, Vocabulary vocabulary, SharedParts shared, int generation,
        TermBag[] own, TermBag[] recent, TermBag[] older, FieldStats[] fields, int[] profileDocFrequency, int[][] vectorIds, float[][] vectorWeights)
    {
        _snapshot = snapshot;
        _options = options;
        _vocabulary = vocabulary;
        _shared = shared;
        _generation = generation;
        _own = own;
        _recent = recent;
        _older = older;
        _fields = fields;
        _profileDocFrequency = profileDocFrequency;
        _vectorIds = vectorIds;
        _vectorWeights = vectorWeights;
        _fieldBoosts = [options.OwnBoost, options.RecentBoost, options.OlderBoost];
        // Per term once, not per comparison: ProfileSimilarity reads it for every term of both vectors.
        _idf = new float[profileDocFrequency.Length];
        for (var id = 0; id < _idf.Length; id++) _idf[id] = SharedParts.Idf(profileDocFrequency[id], snapshot.OrganizationCount);
        _squaredNorms = new double[snapshot.OrganizationCount];
        Array.Fill(_squaredNorms, double.NaN);
        var terms = vocabulary.Count;
        _postings = new Lazy<ProfilePostings>(() => new ProfilePostings([_own, _recent, _older], terms), LazyThreadSafetyMode.ExecutionAndPublication);
        _luceneProfiles = new Lazy<LuceneProfiles>(() => new LuceneProfiles(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public GraphSnapshot Snapshot => _snapshot;
    public TextIndexOptions Options => _options;
    public int OrganizationCount => _snapshot.OrganizationCount;
    /// <summary>Distinct terms indexed.</summary>
    public int TermCount => _vocabulary.Count;

    /// <summary>Receives the build's phases with their cumulative times (the bench prints them).</summary>
    internal static Action<string>? BuildTrace { get; set; }

    public static TextIndex Build(GraphSnapshot snapshot, TextIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= new TextIndexOptions();
        options.Validate();
        var n = snapshot.OrganizationCount;
        var projectCount = snapshot.ProjectCount;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Analysis (the costly part) runs in parallel; interning is sequential, in index order, so ids are deterministic.
        var projectWords = new WordCounts[projectCount];
        Parallel.For(0, projectCount, p => projectWords[p] = WordCounts.Of(snapshot.ProjectTexts[p]?.FullText, options.Analysis));
        BuildTrace?.Invoke($"project analysis {clock.Elapsed.TotalSeconds:F1} s");
        var ownWords = new WordCounts[n];
        Parallel.For(0, n, o => ownWords[o] = WordCounts.Of(OwnText.Of(snapshot.Details[o]), options.Analysis));
        var vocabulary = new Vocabulary();
        var surfaces = new Dictionary<(int Id, string Surface), int>();
        var projectBags = new TermBag[projectCount];
        for (var p = 0; p < projectCount; p++) projectBags[p] = projectWords[p].Intern(vocabulary, surfaces);
        var own = new TermBag[n];
        for (var o = 0; o < n; o++) own[o] = ownWords[o].Intern(vocabulary, surfaces);
        WordCounts.ChooseSurfaces(vocabulary, surfaces);
        BuildTrace?.Invoke($"analysis {clock.Elapsed.TotalSeconds:F1} s");

        var latest = projectCount == 0 ? 0 : snapshot.ProjectYears.Max();
        var recent = snapshot.ProjectYears.Select(y => y > latest - options.RecentYears).ToArray();
        var shared = new SharedParts(options, projectBags, recent, vocabulary.TermList.ToArray());
        BuildTrace?.Invoke($"project index {clock.Elapsed.TotalSeconds:F1} s");
        try
        {
            var terms = vocabulary.Count;
            var fields = new[] { new FieldStats { DocFrequency = new int[terms] }, new FieldStats { DocFrequency = new int[terms] },
                new FieldStats { DocFrequency = new int[terms] } };
            var profileDocFrequency = new int[terms];
            var recentBags = new TermBag[n];
            var olderBags = new TermBag[n];
            // Counted per thread, then added up: integer sums, so the same statistics in any order.
            Parallel.For(0, n, () => new StatisticsPart(terms), (o, _, part) =>
            {
                var (r, old) = (recentBags[o], olderBags[o]) = shared.ProjectFields(snapshot, o, part.Merger);
                part.Fields[Own].Apply(own[o], +1);
                part.Fields[Recent].Apply(r, +1);
                part.Fields[Older].Apply(old, +1);
                foreach (var id in shared.ProfileWeights(snapshot, o, own[o], part.Merger).Ids) part.ProfileDocFrequency[id]++;
                return part;
            }, part =>
            {
                lock (fields)
                {
                    for (var f = 0; f < fields.Length; f++) fields[f].Add(part.Fields[f]);
                    for (var id = 0; id < terms; id++) profileDocFrequency[id] += part.ProfileDocFrequency[id];
                }
            });

            BuildTrace?.Invoke($"profile statistics {clock.Elapsed.TotalSeconds:F1} s");
            var vectorIds = new int[n][];
            var vectorWeights = new float[n][];
            Parallel.For(0, n, () => new BagMerger(terms), (o, _, m) =>
            {
                (vectorIds[o], vectorWeights[o]) = shared.Vector(snapshot, o, own[o], m, profileDocFrequency, n);
                return m;
            }, _ => { });
            BuildTrace?.Invoke($"profile vectors {clock.Elapsed.TotalSeconds:F1} s");
            return new TextIndex(snapshot, options, vocabulary, shared, shared.Generation, own, recentBags, olderBags, fields, profileDocFrequency, vectorIds, vectorWeights);
        }
        catch
        {
            shared.Release();
            throw;
        }
    }

    /// <summary>
    /// The index of <paramref name="newSnapshot"/>. When it is a patch of this index's snapshot (same projects,
    /// organizations at the same indexes, see <see cref="SnapshotPatch"/>), only the changed and the added
    /// organizations are re-indexed (added ones are taken even if not listed); otherwise, or when this index is not
    /// the latest of its line, the index is built anew. This index keeps answering for its own snapshot until disposed.
    /// </summary>
    public TextIndex Update(GraphSnapshot newSnapshot, IReadOnlyCollection<int> changedOrganizations)
    {
        ArgumentNullException.ThrowIfNull(newSnapshot);
        ArgumentNullException.ThrowIfNull(changedOrganizations);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!newSnapshot.IsPatchOf(_snapshot)) return Build(newSnapshot, _options);
        var n = newSnapshot.OrganizationCount;
        var oldN = _snapshot.OrganizationCount;
        foreach (var o in changedOrganizations)
        {
            if ((uint)o >= (uint)n) throw new ArgumentOutOfRangeException(nameof(changedOrganizations), $"organization {o} is not in the snapshot");
        }
        lock (_shared.Gate)
        {
            if (_shared.Generation != _generation) return Build(newSnapshot, _options);
            var changed = changedOrganizations.Concat(Enumerable.Range(oldN, n - oldN)).Distinct().Order().ToArray();

            var vocabulary = _vocabulary.Clone();
            var firstNewTerm = vocabulary.Count;
            var surfaces = new Dictionary<(int Id, string Surface), int>();
            var own = new TermBag[n];
            Array.Copy(_own, own, oldN);
            for (var o = oldN; o < n; o++) own[o] = TermBag.Empty;
            foreach (var o in changed) own[o] = WordCounts.Of(OwnText.Of(newSnapshot.Details[o]), _options.Analysis).Intern(vocabulary, surfaces);
            // Terms already known keep the surface chosen by the build; new terms take theirs from the changed texts.
            surfaces = surfaces.Where(s => s.Key.Id >= firstNewTerm).ToDictionary();
            WordCounts.ChooseSurfaces(vocabulary, surfaces);

            var terms = vocabulary.Count;
            var fields = _fields.Select(f => f.CopyGrown(terms)).ToArray();
            var profileDocFrequency = new int[terms];
            Array.Copy(_profileDocFrequency, profileDocFrequency, _profileDocFrequency.Length);
            var merger = new BagMerger(terms);
            var recentBags = new TermBag[n];
            var olderBags = new TermBag[n];
            Array.Copy(_recent, recentBags, oldN);
            Array.Copy(_older, olderBags, oldN);
            foreach (var o in changed)
            {
                // Projects are shared by a patch, so only the own field changes; an added organization has no projects.
                if (o < oldN)
                {
                    fields[Own].Apply(_own[o], -1);
                    foreach (var id in _shared.ProfileWeights(_snapshot, o, _own[o], merger).Ids) profileDocFrequency[id]--;
                }
                else
                {
                    var (r, old) = _shared.ProjectFields(newSnapshot, o, merger);
                    fields[Recent].Apply(r, +1);
                    fields[Older].Apply(old, +1);
                    (recentBags[o], olderBags[o]) = (r, old);
                }
                fields[Own].Apply(own[o], +1);
                foreach (var id in _shared.ProfileWeights(newSnapshot, o, own[o], merger).Ids) profileDocFrequency[id]++;
            }

            var vectorIds = new int[n][];
            var vectorWeights = new float[n][];
            Array.Copy(_vectorIds, vectorIds, oldN);
            Array.Copy(_vectorWeights, vectorWeights, oldN);
            foreach (var o in changed)
            {
                (vectorIds[o], vectorWeights[o]) = _shared.Vector(newSnapshot, o, own[o], merger, profileDocFrequency, n);
            }
            _shared.AddRef();
            var generation = ++_shared.Generation;
            return new TextIndex(newSnapshot, _options, vocabulary, _shared, generation, own, recentBags, olderBags, fields, profileDocFrequency, vectorIds, vectorWeights);
        }
    }

    /// <summary>
    /// The distinct terms of <paramref name="text"/> with their frequencies, at most <see cref="TextIndexOptions.MaxQueryTerms"/>
    /// of them: those with the highest tf × idf (idf over organization profiles). Terms found in no profile and no
    /// project are dropped.
    /// </summary>
    public TextQuery Analyze(string? text) => string.IsNullOrWhiteSpace(text) ? TextQuery.Empty : Analyze(TextAnalyzer.Shared.Analyze(text));

    /// <summary>The query of a text already analyzed by <see cref="TextAnalyzer.Shared"/> (its words in order): as <see cref="Analyze(string?)"/>.</summary>
    public TextQuery Analyze(IReadOnlyList<AnalyzedWord> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            counts[w.Term] = counts.GetValueOrDefault(w.Term) + 1;
        }
        var kept = counts
            .Select(c => (Term: c.Key, Frequency: c.Value, Id: _vocabulary.IdOf(c.Key)))
            .Where(c => c.Id >= 0 && (_profileDocFrequency[c.Id] > 0 || _shared.InProjects(c.Id)))
            .Select(c => (c.Term, c.Frequency, Weight: c.Frequency * Idf(c.Id)))
            .OrderByDescending(c => c.Weight).ThenBy(c => c.Term, StringComparer.Ordinal)
            .Take(_options.MaxQueryTerms)
            .ToArray();
        return kept.Length == 0 ? TextQuery.Empty : new TextQuery(kept.Select(k => k.Term).ToArray(), kept.Select(k => k.Frequency).ToArray());
    }

    /// <summary>
    /// Writes the BM25 score of every organization against <paramref name="query"/> into <paramref name="scores"/>
    /// (indexed by the snapshot's organization index; 0 where nothing matches).
    /// </summary>
    public void ScoreOrganizations(TextQuery query, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(query);
        var n = _snapshot.OrganizationCount;
        if (scores.Length < n) throw new ArgumentException($"needs room for {n} organizations", nameof(scores));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        scores[..n].Clear();
        var clauses = new List<ProfilePostings.Clause>();
        for (var i = 0; i < query.Count; i++)
        {
            var id = _vocabulary.IdOf(query.TermArray[i]);
            if (id < 0) continue;
            // The clauses of ProfileQuery, in its order.
            for (var f = 0; f < FieldNames.Length; f++)
            {
                var docFrequency = _fields[f].DocFrequencyOf(id);
                if (docFrequency == 0) continue;
                clauses.Add(new ProfilePostings.Clause(f, id, QueryWeight(query, i) * _fieldBoosts[f], docFrequency, _fields[f]));
            }
        }
        if (clauses.Count == 0) return;
        var sums = ArrayPool<double>.Shared.Rent(n);
        try
        {
            Array.Clear(sums, 0, n);
            _postings.Value.Score(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(clauses), n, _shared.Similarity.K1, _shared.Similarity.B,
                sums.AsSpan(0, n), scores[..n]);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>
    /// <see cref="ScoreOrganizations"/> through a Lucene search of a profile index built for it (one document per
    /// organization, its three fields): what the array walk must equal to the bit (the tests compare both).
    /// </summary>
    internal void ScoreOrganizationsWithLucene(TextQuery query, Span<float> scores)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var n = _snapshot.OrganizationCount;
        scores[..n].Clear();
        var lucene = ProfileQuery(query);
        if (lucene is null) return;
        var profiles = _luceneProfiles.Value;
        var maxDoc = profiles.Reader.MaxDoc;
        var byDoc = ArrayPool<float>.Shared.Rent(maxDoc);
        try
        {
            Array.Clear(byDoc, 0, maxDoc);
            profiles.Searcher.Search(lucene, new AllHitsCollector(byDoc));
            for (var o = 0; o < n; o++)
            {
                var d = profiles.OrganizationDocs[o];
                if (d >= 0) scores[o] = byDoc[d];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(byDoc);
        }
    }

    /// <summary>
    /// The best-scoring organizations (score above 0), best first, ties by organization index; as many as fit in both
    /// spans. Returns how many were written.
    /// </summary>
    public int TopOrganizations(TextQuery query, Span<int> organizations, Span<float> scores)
    {
        var n = _snapshot.OrganizationCount;
        var all = ArrayPool<float>.Shared.Rent(Math.Max(1, n));
        try
        {
            ScoreOrganizations(query, all.AsSpan(0, n));
            return Top(all.AsSpan(0, n), Math.Min(organizations.Length, scores.Length), organizations, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(all);
        }
    }

    /// <summary>The <paramref name="n"/> projects whose texts best match <paramref name="query"/> (BM25), best first, ties by project index.</summary>
    public IReadOnlyList<(int Project, float Score)> TopProjects(TextQuery query, int n)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var count = _snapshot.ProjectCount;
        if (n == 0 || count == 0) return [];
        var byProject = ProjectScores(query);
        var top = new int[Math.Min(n, count)];
        var topScores = new float[top.Length];
        var found = Top(byProject, top.Length, top, topScores);
        var result = new (int, float)[found];
        for (var i = 0; i < found; i++) result[i] = (top[i], topScores[i]);
        return result;
    }

    /// <summary>
    /// The BM25 score of every project against the query, computed by one search and kept as long as the query
    /// object lives: <see cref="TopProjects"/> and the <see cref="BestProjects"/> of every shown organization share it.
    /// </summary>
    private float[] ProjectScores(TextQuery query) => _projectScores.GetValue(query, q =>
    {
        var count = _snapshot.ProjectCount;
        var byProject = new float[count];
        if (q.IsEmpty || count == 0) return byProject;
        // The clauses of ProjectQuery, in its order; Lucene's statistics of the project index (all projects are documents).
        var stats = _shared.ProjectStats;
        var clauses = new ProfilePostings.Clause[q.Count];
        for (var i = 0; i < q.Count; i++)
        {
            var id = _vocabulary.IdOf(q.TermArray[i]);
            clauses[i] = new ProfilePostings.Clause(0, id < 0 ? int.MaxValue - 1 : id, QueryWeight(q, i), stats.DocFrequencyOf(id), stats);
        }
        var sums = ArrayPool<double>.Shared.Rent(count);
        try
        {
            Array.Clear(sums, 0, count);
            _shared.ProjectPostings.Score(clauses, count, _shared.Similarity.K1, _shared.Similarity.B, sums.AsSpan(0, count), byProject);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
        return byProject;
    });

    /// <summary>The project scores through a Lucene search of a project index built for it: what the array walk must equal to the bit.</summary>
    internal float[] ProjectScoresWithLucene(TextQuery query)
    {
        var count = _snapshot.ProjectCount;
        var byProject = new float[count];
        var lucene = ProjectQuery(query);
        if (lucene is null || count == 0) return byProject;
        var projects = _shared.Lucene;
        var byDoc = new float[projects.Reader.MaxDoc];
        projects.Searcher.Search(lucene, new AllHitsCollector(byDoc));
        for (var p = 0; p < count; p++) byProject[p] = byDoc[projects.Docs[p]];
        return byProject;
    }

    internal float[] ProjectScoresForTests(TextQuery query) => ProjectScores(query);

    /// <summary>
    /// The query's terms found in the organization's profile, as the words people write (most frequent surface form),
    /// best first: by query frequency × idf × the profile's saturated, boosted frequency of the term.
    /// </summary>
    public IReadOnlyList<string> MatchedTerms(TextQuery query, int organization, int max)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckOrganization(organization);
        if (max <= 0) return [];
        var projects = _snapshot.OrganizationProjects[organization];
        var matched = new List<(string Surface, float Weight)>();
        for (var i = 0; i < query.Count; i++)
        {
            var id = _vocabulary.IdOf(query.TermArray[i]);
            if (id < 0) continue;
            var tf = _options.OwnBoost * _own[organization].CountOf(id);
            foreach (var p in projects)
            {
                var c = _shared.ProjectBags[p].CountOf(id);
                if (c > 0) tf += c * (_shared.ProjectRecent[p] ? _options.RecentBoost : _options.OlderBoost);
            }
            if (tf > 0) matched.Add((_vocabulary.Surface(id), query.FrequencyArray[i] * Idf(id) * tf / (tf + _options.K1)));
        }
        return matched.OrderByDescending(m => m.Weight).ThenBy(m => m.Surface, StringComparer.Ordinal)
            .Select(m => m.Surface).Distinct().Take(max).ToArray();
    }

    /// <summary>The organization's own projects that match <paramref name="query"/> (BM25 on the project index), best first, ties by project index.</summary>
    public IReadOnlyList<(int Project, float Score)> BestProjects(TextQuery query, int organization, int max)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckOrganization(organization);
        var projects = _snapshot.OrganizationProjects[organization];
        if (query.IsEmpty || max <= 0 || projects.Length == 0) return [];
        var scores = ProjectScores(query);
        var found = new List<(int Project, float Score)>(projects.Length);
        foreach (var p in projects) found.Add((p, scores[p]));
        return found.Where(f => f.Score > 0).OrderByDescending(f => f.Score).ThenBy(f => f.Project).Take(max).ToArray();
    }

    /// <summary>
    /// Cosine of two organizations' TF-IDF profile vectors (each keeps its <see cref="TextIndexOptions.ProfileTerms"/>
    /// strongest terms; frequencies boosted by recency as in search, log-scaled); 0 when either profile is empty.
    /// </summary>
    public float ProfileSimilarity(int a, int b)
    {
        CheckOrganization(a);
        CheckOrganization(b);
        var ia = _vectorIds[a];
        var ib = _vectorIds[b];
        if (ia.Length == 0 || ib.Length == 0) return 0;
        var wa = _vectorWeights[a];
        var wb = _vectorWeights[b];
        double dot = 0, na = SquaredNorm(a), nb = SquaredNorm(b);
        var idfs = _idf;
        for (int i = 0, j = 0; i < ia.Length && j < ib.Length;)
        {
            if (ia[i] < ib[j]) i++;
            else if (ia[i] > ib[j]) j++;
            else
            {
                var idf = idfs[ia[i]];
                dot += wa[i] * wb[j] * idf * idf;
                i++;
                j++;
            }
        }
        return na == 0 || nb == 0 ? 0 : (float)Math.Min(1, dot / Math.Sqrt(na * nb));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_luceneProfiles.IsValueCreated) _luceneProfiles.Value.Dispose();
        _shared.Release();
    }

    private float Idf(int id) => _idf[id];

    /// <summary>
    /// The squared length of the organization's TF-IDF vector, computed on first use and kept: a recompute compares
    /// every organization with about a thousand candidates. Racing threads write the same value.
    /// </summary>
    private double SquaredNorm(int o)
    {
        var known = Volatile.Read(ref _squaredNorms[o]);
        if (!double.IsNaN(known)) return known;
        var ids = _vectorIds[o];
        var weights = _vectorWeights[o];
        double norm = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var x = weights[i] * _idf[ids[i]];
            norm += x * x;
        }
        Volatile.Write(ref _squaredNorms[o], norm);
        return norm;
    }

    private void CheckOrganization(int organization)
    {
        if ((uint)organization >= (uint)_snapshot.OrganizationCount) throw new ArgumentOutOfRangeException(nameof(organization));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private BooleanQuery? ProfileQuery(TextQuery query)
    {
        var lucene = new BooleanQuery(disableCoord: true);
        for (var i = 0; i < query.Count; i++)
        {
            var id = _vocabulary.IdOf(query.TermArray[i]);
            if (id < 0) continue;
            for (var f = 0; f < FieldNames.Length; f++)
            {
                if (_fields[f].DocFrequencyOf(id) == 0) continue;
                lucene.Add(new TermQuery(new Term(FieldNames[f], query.TermArray[i])) { Boost = QueryWeight(query, i) * _fieldBoosts[f] }, Occur.SHOULD);
            }
        }
        return lucene.Clauses.Count == 0 ? null : lucene;
    }

    /// <summary>A query term's weight: 1 (each distinct term once), or its frequency in the query text with <see cref="TextIndexOptions.QueryTermFrequency"/>.</summary>
    private float QueryWeight(TextQuery query, int i) => _options.QueryTermFrequency ? query.FrequencyArray[i] : 1;

    private BooleanQuery? ProjectQuery(TextQuery query)
    {
        if (query.IsEmpty) return null;
        var lucene = new BooleanQuery(disableCoord: true);
        for (var i = 0; i < query.Count; i++)
        {
            lucene.Add(new TermQuery(new Term(ProjectField, query.TermArray[i])) { Boost = QueryWeight(query, i) }, Occur.SHOULD);
        }
        return lucene;
    }

    /// <summary>The k best positive scores, best first, ties by index (a bounded min-heap over all scores).</summary>
    private static int Top(ReadOnlySpan<float> all, int k, Span<int> indexes, Span<float> scores)
    {
        if (k <= 0) return 0;
        // Worst first: lower score, then higher index.
        var heap = new PriorityQueue<int, (float Score, int Index)>(k + 1,
            Comparer<(float Score, int Index)>.Create((x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Index.CompareTo(x.Index)));
        for (var i = 0; i < all.Length; i++)
        {
            var s = all[i];
            if (!(s > 0)) continue;
            if (heap.Count < k) heap.Enqueue(i, (s, i));
            else if (heap.TryPeek(out _, out var worst) && (s > worst.Score || (s == worst.Score && i < worst.Index))) heap.EnqueueDequeue(i, (s, i));
        }
        var count = heap.Count;
        for (var at = count - 1; at >= 0; at--)
        {
            heap.TryDequeue(out var index, out var priority);
            indexes[at] = index;
            scores[at] = priority.Score;
        }
        return count;
    }

    /// <summary>One thread's share of the profile statistics of a build.</summary>
    private sealed class StatisticsPart(int terms)
    {
        public FieldStats[] Fields { get; } = [new() { DocFrequency = new int[terms] }, new() { DocFrequency = new int[terms] }, new() { DocFrequency = new int[terms] }];
        public int[] ProfileDocFrequency { get; } = new int[terms];
        public BagMerger Merger { get; } = new(terms);
    }

    /// <summary>The profiles as a Lucene index with the exact statistics of <see cref="ProfileStatistics"/> (see <see cref="ScoreOrganizationsWithLucene"/>).</summary>
    private sealed class LuceneProfiles : IDisposable
    {
        public LuceneProfiles(TextIndex index)
        {
            Directory = new RAMDirectory();
            using (var writer = new IndexWriter(Directory, index._shared.Config()))
            {
                var terms = index._vocabulary.TermList;
                for (var o = 0; o < index.OrganizationCount; o++)
                {
                    writer.AddDocument(SharedParts.ProfileDocument(o, [index._own[o], index._recent[o], index._older[o]], terms));
                }
                writer.Commit();
            }
            Reader = DirectoryReader.Open(Directory);
            var fields = index._fields;
            var statistics = new ProfileStatistics(
                new Dictionary<string, FieldStats> { [FieldNames[Own]] = fields[Own], [FieldNames[Recent]] = fields[Recent], [FieldNames[Older]] = fields[Older] },
                index._vocabulary, index.OrganizationCount);
            Searcher = new ProfileSearcher(Reader, statistics) { Similarity = index._shared.Similarity };
            OrganizationDocs = DocMaps.KeyToDoc(Reader, OrganizationKey, index.OrganizationCount);
        }

        public RAMDirectory Directory { get; }
        public DirectoryReader Reader { get; }
        public ProfileSearcher Searcher { get; }
        public int[] OrganizationDocs { get; }

        public void Dispose()
        {
            Reader.Dispose();
            Directory.Dispose();
        }
    }

    /// <summary>
    /// What an index and the indexes updated from it share: the project bags and the project index (projects do
    /// not change by a patch), the profile index's directory and writer. Released when the last index is disposed.
    /// </summary>
    private sealed class SharedParts
    {
        private int _references = 1;
        private readonly bool[] _projectTerms;

        public SharedParts(TextIndexOptions options, TermBag[] projectBags, bool[] projectRecent, string[] projectTerms)
        {
            Options = options;
            ProjectBags = projectBags;
            ProjectRecent = projectRecent;
            Similarity = new BM25Similarity(options.K1, options.B);
            _projectTerms = new bool[projectTerms.Length];
            // The statistics Lucene's own searcher reads from a project index: documents holding each term, and all tokens.
            ProjectStats = new FieldStats { DocFrequency = new int[projectTerms.Length] };
            foreach (var bag in projectBags)
            {
                foreach (var id in bag.Ids) _projectTerms[id] = true;
                ProjectStats.Apply(bag, +1);
            }
            ProjectPostings = new ProfilePostings([projectBags], projectTerms.Length);
            _luceneProjects = new Lazy<LuceneProjects>(() => new LuceneProjects(this, projectTerms), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private readonly Lazy<LuceneProjects> _luceneProjects;

        /// <summary>A Lucene index of the projects, built only when asked for: the reference the project postings are checked against.</summary>
        public LuceneProjects Lucene => _luceneProjects.Value;

        public sealed class LuceneProjects
        {
            public LuceneProjects(SharedParts shared, string[] projectTerms)
            {
                Directory = new RAMDirectory();
                using (var writer = new IndexWriter(Directory, shared.Config()))
                {
                    for (var p = 0; p < shared.ProjectBags.Length; p++)
                    {
                        var doc = new Document { new NumericDocValuesField(ProjectKey, p) };
                        var bag = shared.ProjectBags[p];
                        if (!bag.IsEmpty) doc.Add(new Field(ProjectField, new BagTokenStream(projectTerms, bag), BagTokenStream.FieldType));
                        writer.AddDocument(doc);
                    }
                    writer.Commit();
                }
                Reader = DirectoryReader.Open(Directory);
                Searcher = new IndexSearcher(Reader) { Similarity = shared.Similarity };
                Docs = DocMaps.KeyToDoc(Reader, ProjectKey, shared.ProjectBags.Length);
            }

            public RAMDirectory Directory { get; }
            public DirectoryReader Reader { get; }
            public IndexSearcher Searcher { get; }
            public int[] Docs { get; }
        }

        public TextIndexOptions Options { get; }
        public TermBag[] ProjectBags { get; }
        public bool[] ProjectRecent { get; }
        public BM25Similarity Similarity { get; }
        /// <summary>The project texts' postings (one field), scored as Lucene scores the project index.</summary>
        public ProfilePostings ProjectPostings { get; }
        public FieldStats ProjectStats { get; }
        public object Gate { get; } = new();
        /// <summary>Generation of the latest index of this line: only that one may be updated in place.</summary>
        public int Generation;

        // Texts arrive analyzed (see BagTokenStream): the writer's analyzer is never used. Segments are never merged:
        // the index lives as long as its snapshot, scores read the exact statistics of ProfileStatistics (not the
        // segments'), and merging cost a build more than the extra segments cost a search.
        public IndexWriterConfig Config() => new(LuceneVersion.LUCENE_48, new Lucene.Net.Analysis.Core.KeywordAnalyzer())
        {
            Similarity = Similarity,
            OpenMode = OpenMode.CREATE,
            RAMBufferSizeMB = 512,
            MergePolicy = NoMergePolicy.NO_COMPOUND_FILES,
            UseCompoundFile = false,
        };

        /// <summary>True when some project's text holds the term.</summary>
        public bool InProjects(int id) => id < _projectTerms.Length && _projectTerms[id];

        public static float Idf(int docFrequency, int documents) =>
            (float)Math.Log(1 + (documents - docFrequency + 0.5) / (docFrequency + 0.5));

        /// <summary>The bags of the organization's recent and older projects' texts.</summary>
        public (TermBag Recent, TermBag Older) ProjectFields(GraphSnapshot snapshot, int o, BagMerger merger)
        {
            var projects = o < snapshot.OrganizationProjects.NodeCount ? snapshot.OrganizationProjects[o] : [];
            foreach (var p in projects) if (ProjectRecent[p]) merger.Add(ProjectBags[p], 1);
            var recent = merger.TakeBag();
            foreach (var p in projects) if (!ProjectRecent[p]) merger.Add(ProjectBags[p], 1);
            return (recent, merger.TakeBag());
        }

        /// <summary>Every term of the organization's profile with its frequency weighted by the field boosts.</summary>
        public (int[] Ids, float[] Weights) ProfileWeights(GraphSnapshot snapshot, int o, TermBag own, BagMerger merger)
        {
            merger.Add(own, Options.OwnBoost);
            var projects = o < snapshot.OrganizationProjects.NodeCount ? snapshot.OrganizationProjects[o] : [];
            foreach (var p in projects) merger.Add(ProjectBags[p], ProjectRecent[p] ? Options.RecentBoost : Options.OlderBoost);
            return merger.TakeWeights();
        }

        /// <summary>The organization's profile vector: its strongest terms by log(1 + weighted tf) × idf, ids ascending.</summary>
        public (int[] Ids, float[] Weights) Vector(GraphSnapshot snapshot, int o, TermBag own, BagMerger merger, int[] profileDocFrequency, int documents)
        {
            var (ids, weights) = ProfileWeights(snapshot, o, own, merger);
            for (var i = 0; i < weights.Length; i++) weights[i] = MathF.Log(1 + weights[i]);
            if (ids.Length <= Options.ProfileTerms) return (ids, weights);
            var order = Enumerable.Range(0, ids.Length)
                .OrderByDescending(i => weights[i] * Idf(profileDocFrequency[ids[i]], documents)).ThenBy(i => ids[i])
                .Take(Options.ProfileTerms).Order().ToArray();
            return (order.Select(i => ids[i]).ToArray(), order.Select(i => weights[i]).ToArray());
        }

        /// <summary>The organization's profile document from its own, recent and older bags (in <see cref="FieldNames"/> order).</summary>
        public static Document ProfileDocument(int o, TermBag[] bags, IReadOnlyList<string> terms)
        {
            var doc = new Document
            {
                new StringField(IdField, o.ToString(CultureInfo.InvariantCulture), Field.Store.NO),
                new NumericDocValuesField(OrganizationKey, o),
            };
            for (var f = 0; f < bags.Length; f++)
            {
                if (!bags[f].IsEmpty) doc.Add(new Field(FieldNames[f], new BagTokenStream(terms, bags[f]), BagTokenStream.FieldType));
            }
            return doc;
        }

        public void AddRef() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) != 0) return;
            if (!_luceneProjects.IsValueCreated) return;
            _luceneProjects.Value.Reader.Dispose();
            _luceneProjects.Value.Directory.Dispose();
        }
    }
}
