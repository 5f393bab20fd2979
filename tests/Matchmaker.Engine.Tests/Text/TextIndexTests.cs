using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Text;

public class TextIndexTests
{
    /// <summary>A hand graph: organizations without details (as the benchmark's) or with, projects with a title only.</summary>
    private sealed class TextGraph
    {
        private readonly GraphSnapshotBuilder _builder = new();

        public int Org(string id) => _builder.AddOrganization(id, OrganizationKind.Enterprise, "hangzhou", []);
        public int Org(Organization organization) => _builder.Add(organization);

        public void Project(string id, int year, string title, params string[] members) =>
            _builder.AddProject(id, year, [], members.Select((m, i) => new GraphSnapshotBuilder.Membership(m, ConsortiumRole.Industry, i == 0, float.NaN)),
                new ProjectText(title, null, [], [], []));

        public GraphSnapshot Build() => _builder.Build(DateTimeOffset.UnixEpoch);
    }

    private static int[] Ranking(TextIndex index, string text)
    {
        var organizations = new int[index.OrganizationCount];
        var scores = new float[index.OrganizationCount];
        var count = index.TopOrganizations(index.Analyze(text), organizations, scores);
        return organizations[..count];
    }

    private static float[] Scores(TextIndex index, string text)
    {
        var scores = new float[index.OrganizationCount];
        index.ScoreOrganizations(index.Analyze(text), scores);
        return scores;
    }

    [Fact]
    public void Bm25_ranks_a_hand_corpus_as_the_formula_says()
    {
        // One project per organization, all in the same (latest) year: every profile is one "recent" field.
        var g = new TextGraph();
        string[] texts =
        [
            "solar catalyst",                        // o0: dl 2
            "hydrogen catalyst",                     // o1: dl 2
            "hydrogen",                              // o2: dl 1
            "hydrogen membrane membrane membrane",   // o3: dl 4
            "wind turbine",                          // o4: dl 2
            "hydrogen hydrogen hydrogen hydrogen",   // o5: dl 4
        ];
        for (var o = 0; o < texts.Length; o++)
        {
            g.Org($"o{o}");
            g.Project($"p{o}", 2024, texts[o], $"o{o}");
        }
        using var index = TextIndex.Build(g.Build());

        // BM25 (k1 1.2, b 0.75), N 6, avgdl 15/6 = 2.5; Lucene stores lengths coarsely: 1 and 4 exactly, 2 as 2.56.
        // idf(hydrogen, df 4) = ln(1 + 2.5/4.5) = 0.442; idf(catalyst, df 2) = ln(1 + 4.5/2.5) = 1.030.
        // tf part (k1+1)·tf/(tf + k1·(0.25 + 0.75·dl/2.5)): dl 1, tf 1: 1.325; dl 2.56, tf 1: 0.989; dl 4, tf 1: 0.803; dl 4, tf 4: 1.533.
        // o1 = (0.442 + 1.030)·0.989 = 1.457; o0 = 1.030·0.989 = 1.020 (one rare term beats a common one, even 4 times);
        // o5 = 0.442·1.533 = 0.677 (frequency); o2 = 0.442·1.325 = 0.586; o3 = 0.442·0.803 = 0.355 (length); o4 = 0.
        Assert.Equal([1, 0, 5, 2, 3], Ranking(index, "hydrogen catalyst"));
        var scores = Scores(index, "hydrogen catalyst");
        Assert.Equal(0f, scores[4]);
        // The recent field's boost (2) doubles every score here.
        Assert.Equal(2 * 0.5856, scores[2], 0.001);
        Assert.Equal(2 * 1.4571, scores[1], 0.001);
    }

    [Fact]
    public void Recent_projects_weigh_more_than_old_ones()
    {
        var g = new TextGraph();
        foreach (var id in new[] { "old", "new", "f1", "f2" }) g.Org(id);
        g.Project("p-old", 2018, "hydrogen hydrogen catalyst", "old");
        g.Project("p-new", 2024, "hydrogen solar wind", "new");
        g.Project("p-f1", 2024, "wind turbine blade", "f1");
        g.Project("p-f2", 2017, "solar panel glass", "f2");
        var snapshot = g.Build();

        // Each field has N 4 (every organization), 2 documents of length 3 (stored as 4), avgdl 1.5, df(hydrogen) 1:
        // idf = ln(1 + 3.5/1.5) = 1.204; older "hydrogen" twice: 2.2·2/(2 + 2.7) = 0.936 → 1.127;
        // recent once: 2.2/(1 + 2.7) = 0.595 → 0.716. Without the boost the old project's organization leads...
        using (var flat = TextIndex.Build(snapshot, new TextIndexOptions { RecentBoost = 1, OlderBoost = 1 }))
        {
            Assert.Equal([0, 1], Ranking(flat, "hydrogen"));
        }
        // ...with the default boost (recent 2) the recent one does: 1.432 against 1.127.
        using var index = TextIndex.Build(snapshot);
        Assert.Equal([1, 0], Ranking(index, "hydrogen"));
    }

    [Fact]
    public void A_query_keeps_its_most_informative_terms_and_drops_unknown_ones()
    {
        using var index = HydrogenIndex();

        // hydrogen: tf 3, df 3, idf ln(1 + 1.5/3.5) = 0.357 → 1.07; catalyst: tf 1, df 1, idf 1.204;
        // solar: tf 1, df 2, idf 0.693; "zeppelin" is in no profile.
        var query = index.Analyze("Hydrogen, hydrogen and hydrogen: a catalyst for solar zeppelins");

        Assert.Equal(["catalyst", "hydrogen"], query.Terms);
        Assert.Equal([1, 3], query.Frequencies);
        Assert.True(index.Analyze("zeppelin").IsEmpty);
        Assert.Equal(0, index.TopOrganizations(index.Analyze("zeppelin"), new int[4], new float[4]));
    }

    [Fact]
    public void A_query_of_words_analyzed_before_keeps_the_same_terms()
    {
        using var index = HydrogenIndex();

        // The planner analyzes a challenge once and builds its query from those words: the same two terms as above.
        var query = index.Analyze(TextAnalyzer.Shared.Analyze("Hydrogen, hydrogen and hydrogen: a catalyst for solar zeppelins"));

        Assert.Equal(["catalyst", "hydrogen"], query.Terms);
        Assert.Equal([1, 3], query.Frequencies);
        Assert.True(index.Analyze(TextAnalyzer.Shared.Analyze("zeppelin")).IsEmpty);
        Assert.True(index.Analyze([]).IsEmpty);
    }

    /// <summary>Four profiles (hydrogen in three, catalyst in one, solar and wind in two) and queries of two terms at most.</summary>
    private static TextIndex HydrogenIndex()
    {
        var g = new TextGraph();
        for (var o = 0; o < 4; o++) g.Org($"o{o}");
        g.Project("p0", 2024, "hydrogen catalyst membrane", "o0");
        g.Project("p1", 2024, "hydrogen solar", "o1");
        g.Project("p2", 2024, "hydrogen wind", "o2");
        g.Project("p3", 2024, "solar wind", "o3");
        return TextIndex.Build(g.Build(), new TextIndexOptions { MaxQueryTerms = 2 });
    }

    private static (GraphSnapshot Snapshot, int Lab, int X1, int X2) EvidenceGraph()
    {
        var g = new TextGraph();
        var lab = g.Org("lab");
        var x1 = g.Org("x1");
        var x2 = g.Org("x2");
        g.Project("p1", 2024, "Recycling of lithium batteries", "lab");
        g.Project("p2", 2024, "Hydrogen storage tanks", "lab");
        g.Project("p3", 2023, "Battery cathode materials", "lab", "x2");
        g.Project("p4", 2024, "Batteries pack design", "x1");
        g.Project("p5", 2022, "Thermal management of batteries", "x2");
        return (g.Build(), lab, x1, x2);
    }

    [Fact]
    public void Matched_terms_are_the_query_terms_in_the_profile_best_first_as_written()
    {
        var (snapshot, lab, x1, _) = EvidenceGraph();
        using var index = TextIndex.Build(snapshot);
        var query = index.Analyze("recycling lithium-ion batteries");

        // recycle and lithium are only in lab's profile (idf ln(1 + 2.5/1.5) = 0.98), battery in all three (idf 0.13):
        // the rare terms come first (equal weights: by word). "batteries" is written three times, "battery" once.
        Assert.Equal(["lithium", "recycling", "batteries"], index.MatchedTerms(query, lab, 5));
        Assert.Equal(["lithium", "recycling"], index.MatchedTerms(query, lab, 2));
        Assert.Equal(["batteries"], index.MatchedTerms(query, x1, 5));
        Assert.Empty(index.MatchedTerms(index.Analyze("hydrogen"), x1, 5));
    }

    [Fact]
    public void Best_projects_are_the_organizations_own_projects_that_match()
    {
        var (snapshot, lab, _, x2) = EvidenceGraph();
        using var index = TextIndex.Build(snapshot);
        var query = index.Analyze("recycling lithium-ion batteries");

        // p1 holds all three terms, p3 only "battery"; p2 none. x1's p4 matches but is not lab's.
        var best = index.BestProjects(query, lab, 5);
        Assert.Equal([snapshot.ProjectIndexOf("p1"), snapshot.ProjectIndexOf("p3")], best.Select(b => b.Project));
        Assert.True(best[0].Score > best[1].Score);
        Assert.Single(index.BestProjects(query, lab, 1));
        // x2's projects: p3 (length 3) and p5 (length 3 after "of" is dropped) both hold "battery" once: equal scores, by index.
        Assert.Equal([snapshot.ProjectIndexOf("p3"), snapshot.ProjectIndexOf("p5")], index.BestProjects(query, x2, 5).Select(b => b.Project));

        // The same scores as the project index's own ranking.
        var top = index.TopProjects(query, 10);
        Assert.Equal(snapshot.ProjectIndexOf("p1"), top[0].Project);
        Assert.Equal(best[0].Score, top[0].Score, 5);
        Assert.Equal(best[1].Score, top.Single(t => t.Project == best[1].Project).Score, 5);
        Assert.DoesNotContain(top, t => t.Project == snapshot.ProjectIndexOf("p2"));
    }

    [Fact]
    public void Profile_similarity_orders_by_shared_informative_terms()
    {
        var g = new TextGraph();
        foreach (var id in new[] { "a", "b", "c", "d", "e" }) g.Org(id);
        g.Project("pa", 2024, "hydrogen electrolyser catalyst", "a");
        g.Project("pb", 2024, "hydrogen electrolyser membrane", "b");
        g.Project("pc", 2024, "hydrogen solar panel", "c");
        g.Project("pd", 2024, "wind turbine blade", "d");
        using var index = TextIndex.Build(g.Build());

        // N 5; every term once in a recent project, so the weights are equal and idf decides: hydrogen (df 3) 0.539,
        // electrolyser (df 2) 0.875, the others (df 1) 1.386. a and b share hydrogen and electrolyser:
        // cosine (0.539² + 0.875²)/(0.539² + 0.875² + 1.386²) = 1.056/2.977 = 0.355; a and c share only hydrogen:
        // 0.539²/√(2.977·4.133) = 0.083; a and d share nothing; e has no profile.
        var ab = index.ProfileSimilarity(0, 1);
        var ac = index.ProfileSimilarity(0, 2);
        Assert.Equal(0.355, ab, 0.002);
        Assert.Equal(0.083, ac, 0.002);
        Assert.Equal(0f, index.ProfileSimilarity(0, 3));
        Assert.Equal(0f, index.ProfileSimilarity(0, 4));
        Assert.Equal(1f, index.ProfileSimilarity(2, 2), 5);
        Assert.Equal(ab, index.ProfileSimilarity(1, 0));
    }

    [Fact]
    public void Score_organizations_agrees_with_top_organizations()
    {
        string[] words = ["hydrogen", "catalyst", "membrane", "solar", "wind", "turbine", "battery", "电池", "储能", "recycling", "sensor", "robot"];
        var random = new Random(19);
        var g = new TextGraph();
        for (var o = 0; o < 120; o++) g.Org($"o{o}");
        for (var p = 0; p < 200; p++)
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => words[random.Next(words.Length)]));
            var members = Enumerable.Range(0, random.Next(1, 4)).Select(_ => $"o{random.Next(120)}").Distinct().ToArray();
            g.Project($"p{p}", random.Next(2018, 2025), text, members);
        }
        using var index = TextIndex.Build(g.Build());
        var query = index.Analyze("储能电池 battery recycling with hydrogen");

        var scores = new float[120];
        index.ScoreOrganizations(query, scores);
        var expected = Enumerable.Range(0, 120).Where(o => scores[o] > 0).OrderByDescending(o => scores[o]).ThenBy(o => o).ToArray();
        Assert.True(expected.Length > 20);
        var top = new int[10];
        var topScores = new float[10];
        Assert.Equal(10, index.TopOrganizations(query, top, topScores));
        Assert.Equal(expected[..10], top);
        Assert.Equal(expected[..10].Select(o => scores[o]), topScores);

        // Concurrent queries give the same answers.
        var results = new float[8][];
        Parallel.For(0, 8, i =>
        {
            results[i] = new float[120];
            index.ScoreOrganizations(query, results[i]);
        });
        Assert.All(results, r => Assert.Equal(scores, r));
    }

    private static Organization Organization(string id, string nameEn, string description, string[] capabilities, string[] needs) =>
        new(id, null, nameEn, OrganizationKind.Enterprise, "hangzhou", capabilities: capabilities, needs: needs, description: description);

    [Fact]
    public void An_update_answers_as_a_full_build_of_the_patched_snapshot()
    {
        var builder = new GraphSnapshotBuilder();
        builder.Add(Organization("a", "Alpha Hydrogen", "氢能 electrolyser systems", ["electrolysers"], ["venture-funding"]));
        builder.Add(Organization("b", "Beta Batteries", "lithium batteries and 储能", ["battery-packs"], []));
        builder.Add(Organization("c", "Gamma Labs", "sensors for wind turbines", ["sensors"], ["fuel-cells"]));
        builder.AddProject("p1", 2024, [], [new("a", ConsortiumRole.Industry, true, float.NaN), new("b", ConsortiumRole.Industry, false, float.NaN)],
            new ProjectText("Hydrogen storage with batteries", "A demonstrator of hydrogen and battery storage.", ["storage"], ["T1"], ["Energy storage"]));
        builder.AddProject("p2", 2019, [], [new("c", ConsortiumRole.Research, true, float.NaN)],
            new ProjectText("Turbine blade sensors", null, ["wind"], [], []));
        var before = builder.Build(DateTimeOffset.UnixEpoch);
        var patched = before.WithOrganizations(
        [
            Organization("a", "Alpha Fuel Cells", "solid oxide fuel cells and 氢能", ["fuel-cells"], []),
            Organization("d", "Delta Power", "fuel cells for ships", ["fuel-cells", "ship-power"], []),
        ], DateTimeOffset.UnixEpoch);
        string[] queries = ["fuel cells", "hydrogen electrolyser", "氢能 储能", "wind turbine sensors", "lithium batteries storage"];

        using var original = TextIndex.Build(before);
        var originalScores = queries.Select(q => Scores(original, q)).ToArray();
        using var updated = original.Update(patched, [before.IndexOf("a")]);
        using var rebuilt = TextIndex.Build(patched);

        Assert.Equal(4, updated.OrganizationCount);
        foreach (var text in queries)
        {
            Assert.Equal(rebuilt.Analyze(text).Terms, updated.Analyze(text).Terms);
            var query = rebuilt.Analyze(text);
            var expected = Scores(rebuilt, text);
            var actual = Scores(updated, text);
            for (var o = 0; o < 4; o++) Assert.Equal(expected[o], actual[o], 5);
            // The updated index's postings arrays score as its Lucene index does.
            var lucene = new float[4];
            updated.ScoreOrganizationsWithLucene(updated.Analyze(text), lucene);
            Assert.Equal(lucene, actual);
            Assert.Equal(rebuilt.TopProjects(query, 5), updated.TopProjects(query, 5));
            for (var o = 0; o < 4; o++)
            {
                Assert.Equal(rebuilt.MatchedTerms(query, o, 10), updated.MatchedTerms(query, o, 10));
                Assert.Equal(rebuilt.BestProjects(query, o, 10), updated.BestProjects(query, o, 10));
            }
        }
        for (var a = 0; a < 4; a++)
        {
            for (var b = 0; b < 4; b++) Assert.Equal(rebuilt.ProfileSimilarity(a, b), updated.ProfileSimilarity(a, b), 5);
        }
        // The change is visible: "fuel cells" now finds a (and the new d), which it did not before.
        Assert.Equal(0f, originalScores[0][0]);
        Assert.True(Scores(updated, "fuel cells")[0] > 0);
        Assert.True(Scores(updated, "fuel cells")[3] > 0);
        // The old index still answers for its own snapshot.
        for (var i = 0; i < queries.Length; i++) Assert.Equal(originalScores[i], Scores(original, queries[i]));
    }

    [Fact]
    public void Updating_an_index_that_is_not_the_latest_builds_anew()
    {
        var builder = new GraphSnapshotBuilder();
        builder.Add(Organization("a", "Alpha", "hydrogen", [], []));
        var s0 = builder.Build(DateTimeOffset.UnixEpoch);
        var s1 = s0.WithOrganizations([Organization("a", "Alpha", "solar panels", [], [])], DateTimeOffset.UnixEpoch);
        var s2 = s0.WithOrganizations([Organization("a", "Alpha", "wind turbines", [], [])], DateTimeOffset.UnixEpoch);

        using var i0 = TextIndex.Build(s0);
        using var i1 = i0.Update(s1, [0]);
        // i0 is no longer the latest of its line: its update must not see i1's change.
        using var i2 = i0.Update(s2, [0]);

        Assert.True(Scores(i1, "solar")[0] > 0);
        Assert.Equal(0f, Scores(i2, "solar")[0]);
        Assert.True(Scores(i2, "wind")[0] > 0);
        Assert.True(Scores(i0, "hydrogen")[0] > 0);
    }

    [Fact]
    public void An_empty_snapshot_or_an_empty_query_finds_nothing()
    {
        using (var empty = TextIndex.Build(new GraphSnapshotBuilder().Build(DateTimeOffset.UnixEpoch)))
        {
            Assert.True(empty.Analyze("hydrogen").IsEmpty);
            Assert.Empty(empty.TopProjects(empty.Analyze("hydrogen"), 10));
            Assert.Equal(0, empty.TopOrganizations(empty.Analyze("hydrogen"), new int[5], new float[5]));
        }

        var g = new TextGraph();
        g.Org("a");
        g.Org("b");
        g.Project("p", 2024, "hydrogen", "a");
        using var index = TextIndex.Build(g.Build());
        var scores = new[] { 7f, 7f };
        index.ScoreOrganizations(index.Analyze("  "), scores);
        Assert.Equal([0f, 0f], scores);
        Assert.Empty(index.MatchedTerms(index.Analyze(""), 0, 5));
        Assert.Empty(index.BestProjects(index.Analyze("the of"), 0, 5));
        Assert.Throws<ArgumentException>(() => index.ScoreOrganizations(index.Analyze("hydrogen"), new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.MatchedTerms(index.Analyze("hydrogen"), 2, 5));
    }
}
