using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>A model trained once on the CORDIS slice (SC5 consortia), label years 2016 and 2017, tested on 2018.</summary>
public sealed class CordisSliceFixture
{
    public const int TestYear = 2018;

    public CordisSliceFixture()
    {
        Data = CordisDataset.Load(Path.Combine(AppContext.BaseDirectory, "Data", "cordis-slice"));
        Splits = new[] { 2016, 2017 }.Select(year =>
        {
            var before = Data.BuildSnapshot(year, HandGraphs.Built);
            return new TrainingSplit(new SnapshotStats(before), TimeSplit.Queries(before, Data.ProjectsOfYear(year)), $"labels {year}");
        }).ToArray();
        Options = new RankerOptions { Iterations = 40, MinimumExamplesPerLeaf = 10 };
        Rows = RankerTrainer.BuildRows(Splits, new CandidateGenerator(), new PairFeatureExtractor(), Options);
        Model = RankerTrainer.Train(Rows, Options, "slice", 1, HandGraphs.Built);
        Test = Data.BuildSnapshot(TestYear, HandGraphs.Built);
        TestQueries = TimeSplit.Queries(Test, Data.ProjectsOfYear(TestYear));
    }

    public CordisDataset Data { get; }
    public TrainingSplit[] Splits { get; }
    public RankerOptions Options { get; }
    public RankerTrainer.TrainingSet Rows { get; }
    public RankingModel Model { get; }
    public GraphSnapshot Test { get; }
    public IReadOnlyList<MatchQuery> TestQueries { get; }
}

public class CordisSliceTests(CordisSliceFixture slice) : IClassFixture<CordisSliceFixture>
{
    [Fact]
    public void The_feature_window_holds_no_project_of_a_label_year()
    {
        foreach (var split in slice.Splits)
        {
            var labelYear = split.Queries.Select(q => q.Year).Distinct().Single();
            Assert.All(split.Stats.Snapshot.ProjectYears, y => Assert.True(y < labelYear));
            Assert.True(TimeSplit.IsLeakFree(split.Stats.Snapshot, split.Queries));
        }
        // A snapshot that already contains the label year is caught.
        var leaky = slice.Data.BuildSnapshot(2018, HandGraphs.Built);
        var queries2017 = TimeSplit.Queries(slice.Splits[1].Stats.Snapshot, slice.Data.ProjectsOfYear(2017));
        Assert.False(TimeSplit.IsLeakFree(leaky, queries2017));
        Assert.Throws<InvalidOperationException>(() => RankerTrainer.BuildRows(
            [new TrainingSplit(new SnapshotStats(leaky), queries2017, "leaky")], new CandidateGenerator(), new PairFeatureExtractor(), slice.Options));
    }

    [Fact]
    public void Queries_follow_the_protocol()
    {
        var projects = slice.Data.Projects.Where(p => p.StartYear == CordisSliceFixture.TestYear).ToDictionary(p => p.Rcn);
        Assert.NotEmpty(slice.TestQueries);
        foreach (var q in slice.TestQueries)
        {
            var project = projects[q.Id];
            Assert.True(project.Members.Count >= 3);
            Assert.Equal(project.Coordinator!.Pic, slice.Test.OrganizationIds[q.Organization]);
            var expected = project.Members.Where(m => !m.IsCoordinator && slice.Test.IndexOf(m.Pic) >= 0).Select(m => slice.Test.IndexOf(m.Pic)).Order();
            Assert.Equal(expected, q.Relevant.Order());
            Assert.DoesNotContain(q.Organization, q.Relevant);
        }
    }

    [Fact]
    public void The_product_diffusion_column_is_the_two_hop_walk_on_real_consortia()
    {
        // A cap of 20 partners makes the slice's best-connected organizations hubs, so both paths skip some.
        var options = DiffusionOptions.TwoHops with { HubCap = 20 };
        var stats = new SnapshotStats(slice.Test);
        var context = new QueryContext(stats);
        var walk = new DiscoveryDiffusion(slice.Test, options);
        var extractor = new PairFeatureExtractor(discovery: options);
        List<int> candidates = [];
        List<CandidateSource> sources = [];
        int compared = 0, reversed = 0;
        foreach (var query in slice.TestQueries)
        {
            context.Prepare(query, options.HubCap);
            new CandidateGenerator(new CandidateOptions { HubCap = options.HubCap }).Generate(context, candidates, sources);
            var f = new float[candidates.Count * PairFeatureExtractor.Count];
            extractor.Compute(context, candidates.ToArray(), f);
            walk.Run(query);
            for (var i = 0; i < candidates.Count; i++)
            {
                var mass = walk.Scores[candidates[i]];
                DiscoveryDiffusionTests.AssertSameMass(mass, f[i * PairFeatureExtractor.Count + (int)PairFeature.Diffusion],
                    $"query {query.Id}, {slice.Test.OrganizationIds[candidates[i]]}");
                if (mass > 0) compared++;
            }
            // The reverse pairs of the head of the candidate list, against walks from each candidate.
            foreach (var b in candidates.Take(5))
            {
                var mass = DiscoveryDiffusionTests.AssertReverseIsTheWalk(context, options, b, $"query {query.Id}, {slice.Test.OrganizationIds[b]} asking back");
                if (mass > 0) reversed++;
            }
        }
        Assert.True(compared > 1000, $"{compared} pairs with mass compared");
        Assert.True(reversed > 100, $"{reversed} reverse pairs with mass compared");
    }

    [Fact]
    public void Compiled_tree_contributions_equal_ML_NET_feature_contributions()
    {
        var rows = slice.Rows.Rows.Take(200).SelectMany(r => r.Features).ToArray();

        var compiled = slice.Model.Contributions(rows);
        var reference = slice.Model.ContributionsWithTransform(rows);

        Assert.Equal(reference.Length, compiled.Length);
        var nonZero = 0;
        for (var i = 0; i < compiled.Length; i++)
        {
            for (var f = 0; f < PairFeatureExtractor.Count; f++)
            {
                Assert.True(Math.Abs(compiled[i][f] - reference[i][f]) < 1e-4, $"row {i} feature {PairFeatureExtractor.Names[f]}: {compiled[i][f]} vs {reference[i][f]}");
                if (compiled[i][f] != 0) nonZero++;
            }
        }
        Assert.True(nonZero > 200, "contributions should not all be zero");
    }

    [Fact]
    public void Batch_scores_equal_the_row_by_row_scores_bit_for_bit()
    {
        var trees = slice.Model.Trees;
        // Lengths that leave one to three rows after the groups of four, and one over a block of 256.
        foreach (var count in new[] { 1, 3, 6, 203, 257 })
        {
            var rows = slice.Rows.Rows.Take(count).SelectMany(r => r.Features).ToArray();
            Assert.Equal(count * PairFeatureExtractor.Count, rows.Length);
            var batch = new float[count];
            trees.Score(rows, batch);
            for (var i = 0; i < count; i++)
            {
                var single = trees.Score(rows.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count));
                Assert.Equal(BitConverter.SingleToInt32Bits(single), BitConverter.SingleToInt32Bits(batch[i]));
            }
            Assert.True(count < 6 || batch.Distinct().Count() > 2, "the rows should get different scores");
        }
    }

    [Fact]
    public void Compiled_trees_score_like_the_ML_NET_transform_and_survive_a_save_and_load()
    {
        var rows = slice.Rows.Rows.Take(500).SelectMany(r => r.Features).ToArray();
        var compiled = new float[500];
        slice.Model.Score(rows, compiled);
        var transform = slice.Model.ScoreWithTransform(rows);
        for (var i = 0; i < compiled.Length; i++) Assert.True(Math.Abs(compiled[i] - transform[i]) < 1e-4, $"row {i}: {compiled[i]} vs {transform[i]}");
        Assert.True(compiled.Distinct().Count() > 10, "the model should tell rows apart");

        var path = Path.Combine(Path.GetTempPath(), $"match-model-{Guid.NewGuid():N}.zip");
        try
        {
            slice.Model.Save(path);
            var loaded = RankingModel.Load(path);
            var again = new float[500];
            loaded.Score(rows, again);
            Assert.Equal(compiled, again);
            Assert.Equal(slice.Model.Card.TrainingRows, loaded.Card.TrainingRows);
            Assert.Equal(PairFeatureExtractor.Names, loaded.Card.FeatureNames);
            Assert.Equal(transform, loaded.ScoreWithTransform(rows));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_model_of_an_earlier_feature_list_is_refused_and_the_next_model_is_promoted_without_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"models-{Guid.NewGuid():N}");
        try
        {
            var registry = new ModelRegistry(directory);
            ValidationMetrics Validate(RankingModel m) => new("slice", 0.5, 0.5, 0.5, 1);
            Assert.True(registry.PromoteIfBetter(slice.Model, Validate).Promoted);
            Assert.Equal(1, registry.CurrentVersion);

            // Rewrite version 1 as a model of the feature list before the last features were appended.
            using (var zip = System.IO.Compression.ZipFile.Open(registry.PathOf(1), System.IO.Compression.ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("model-card.json")!;
                System.Text.Json.Nodes.JsonNode card;
                using (var read = entry.Open()) card = System.Text.Json.Nodes.JsonNode.Parse(read)!;
                card["featureNames"] = new System.Text.Json.Nodes.JsonArray(PairFeatureExtractor.Names.Take(PairFeatureExtractor.Names.Count - 1).Select(n =>
                    (System.Text.Json.Nodes.JsonNode?)n).ToArray());
                entry.Delete();
                using var write = zip.CreateEntry("model-card.json").Open();
                using var writer = new System.Text.Json.Utf8JsonWriter(write);
                card.WriteTo(writer);
            }
            var fresh = new ModelRegistry(directory);
            Assert.Equal(1, fresh.PointedVersion);
            Assert.False(fresh.Fits(1));
            Assert.Null(fresh.CurrentVersion);
            Assert.Null(fresh.LoadCurrent());
            var refused = Assert.Throws<InvalidDataException>(() => RankingModel.Load(fresh.PathOf(1)));
            Assert.Contains("other features", refused.Message, StringComparison.Ordinal);

            // A lower score than the refused model's does not matter: it is not compared.
            var promotion = fresh.PromoteIfBetter(slice.Model, m => new ValidationMetrics("slice", 0.1, 0.1, 0.1, 1));
            Assert.True(promotion.Promoted);
            Assert.Null(promotion.Current);
            Assert.Equal(2, fresh.CurrentVersion);
            Assert.Equal(PairFeatureExtractor.Count, fresh.LoadCurrent()!.Card.FeatureNames.Count);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
    [Fact]
    public void The_learned_ranker_beats_the_field_popularity_baseline_on_the_slice()
    {
        var g = slice.Test;
        var matcher = new Matcher(new SnapshotStats(g), slice.Model);
        var learned = ProtocolEvaluator.EvaluateMatcher(matcher, slice.TestQueries);
        var popular = ProtocolEvaluator.Evaluate(g.OrganizationCount, slice.TestQueries, (q, s) => Heuristics.FieldPopularity(g, q, s));
        var partners = ProtocolEvaluator.Evaluate(g.OrganizationCount, slice.TestQueries, (q, s) => Heuristics.PreviousPartners(g, q, s));
        Assert.Equal(slice.TestQueries.Count, learned.Learned.Queries);
        Assert.True(learned.Learned.Ndcg10 > popular.Ndcg10, $"learned {learned.Learned.Ndcg10:F3} vs field popularity {popular.Ndcg10:F3}");
        Assert.True(learned.Learned.Recall20 > popular.Recall20, $"learned {learned.Learned.Recall20:F3} vs field popularity {popular.Recall20:F3}");
        Assert.True(learned.Learned.Mrr > partners.Mrr * 0.8, $"learned MRR {learned.Learned.Mrr:F3} vs previous partners {partners.Mrr:F3}");
        Assert.InRange(learned.Recall.All, 0.3, 1.0);
    }

    [Fact]
    public void The_first_three_shared_partners_and_joint_projects_are_those_of_the_full_sorted_lists()
    {
        var g = slice.Test;
        var explainer = new MatchExplainer(g, slice.Model);
        Span<int> top = stackalloc int[3];
        int pairs = 0, withShared = 0, withJoint = 0;
        for (var a = 0; a < g.OrganizationCount; a += 7)
        {
            foreach (var b in g.Partners[a].ToArray().Concat(Enumerable.Range(0, g.OrganizationCount).Where(b => b % 53 == a % 53)))
            {
                if (b == a) continue;
                pairs++;
                var shared = explainer.SharedPartners(a, b);
                var count = explainer.SharedPartnersTop(a, b, top);
                Assert.Equal(shared.Count, count);
                Assert.Equal(shared.Take(3), top[..Math.Min(3, count)].ToArray());
                if (count > 3) withShared++;
                var joint = explainer.JointProjects(a, b);
                count = explainer.JointProjectsTop(a, b, top);
                Assert.Equal(joint.Count, count);
                Assert.Equal(joint.Take(3), top[..Math.Min(3, count)].ToArray());
                if (count > 3) withJoint++;
            }
        }
        // The slice has pairs with more than three of each, so the selection was put to work.
        Assert.True(withShared > 10 && withJoint > 0, $"{pairs} pairs, {withShared} with over 3 shared partners, {withJoint} with over 3 joint projects");
    }

    [Fact]
    public void Explanations_name_the_real_shared_partners()
    {
        var g = slice.Test;
        var matcher = new Matcher(new SnapshotStats(g), slice.Model);
        var explainer = new MatchExplainer(g, slice.Model);
        var checkedReasons = 0;
        var kindReasons = 0;
        foreach (var q in slice.TestQueries.Take(40))
        {
            var top = matcher.Rank(q, take: 5);
            var reasons = explainer.Explain(q, top);
            Assert.Equal(top.Count, reasons.Count);
            for (var i = 0; i < top.Count; i++)
            {
                Assert.NotEmpty(reasons[i]);
                foreach (var reason in reasons[i].Where(r => r.Kind == "shared-partners"))
                {
                    var expected = SharedByBruteForce(q.Organization, top[i].Organization);
                    Assert.All(reason.Evidence, name => Assert.Contains(name, expected));
                    Assert.Contains(reason.Evidence[0], reason.En);
                    Assert.Contains("共同合作伙伴", reason.Zh);
                    checkedReasons++;
                }
                foreach (var reason in reasons[i].Where(r => r.Kind == "complementary-kind"))
                {
                    // "an enterprise", "a university": the English reads as English.
                    var article = reason.Evidence[0] is "enterprise" or "organization" ? "an " : "a ";
                    Assert.StartsWith(article + reason.Evidence[0] + ";", reason.En, StringComparison.Ordinal);
                    kindReasons++;
                }
            }
        }
        Assert.True(checkedReasons > 0, "some top match should be explained by shared partners");
        Assert.True(kindReasons > 0, "some top match should be explained by its complementary kind");
    }

    private HashSet<string> SharedByBruteForce(int a, int b)
    {
        var ida = slice.Test.OrganizationIds[a];
        var idb = slice.Test.OrganizationIds[b];
        var before = slice.Data.Projects.Where(p => p.StartYear < CordisSliceFixture.TestYear).ToArray();
        HashSet<string> PartnersOf(string id) => before.Where(p => p.Members.Any(m => m.Pic == id)).SelectMany(p => p.Members.Select(m => m.Pic)).Where(x => x != id).ToHashSet();
        var shared = PartnersOf(ida);
        shared.IntersectWith(PartnersOf(idb));
        return shared;
    }

    [Fact]
    public void A_model_is_promoted_only_if_it_is_better_on_the_validation_split()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"match-models-{Guid.NewGuid():N}");
        try
        {
            var registry = new ModelRegistry(directory);
            var scores = new Dictionary<int, double> { [1] = 0.20, [2] = 0.18, [3] = 0.25 };
            ValidationMetrics Validate(RankingModel m) => new("labels 2017", scores[m.Card.Version], 0, 0, 10);

            var first = registry.PromoteIfBetter(slice.Model.WithCard(slice.Model.Card with { Version = 1 }), Validate);
            Assert.True(first.Promoted);
            Assert.Equal(1, registry.CurrentVersion);

            var worse = registry.PromoteIfBetter(slice.Model.WithCard(slice.Model.Card with { Version = 2 }), Validate);
            Assert.False(worse.Promoted);
            Assert.Equal(1, registry.CurrentVersion);
            Assert.True(File.Exists(worse.ModelPath));
            Assert.Equal(0.18, RankingModel.ReadCard(worse.ModelPath).Validation!.Ndcg10);

            var better = registry.PromoteIfBetter(slice.Model.WithCard(slice.Model.Card with { Version = 3 }), Validate);
            Assert.True(better.Promoted);
            Assert.Equal(3, registry.CurrentVersion);
            Assert.Equal(0.20, better.Current!.Ndcg10);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Reasons_are_written_in_Chinese_and_English_with_G60_names()
    {
        // Two organizations that never worked together but share three partners.
        var builder = new GraphSnapshotBuilder();
        Organization Org(string id, string zh, OrganizationKind kind, string[]? needs = null, string[]? caps = null) =>
            new(id, zh, null, kind, "shanghai-songjiang", sectors: ["new-energy-vehicles"], needs: needs, capabilities: caps);
        var orgs = new[]
        {
            Org("tongji-auto", "同济大学汽车学院", OrganizationKind.University, caps: ["power-batteries"]),
            Org("baolong", "上海保隆汽车科技股份有限公司", OrganizationKind.Enterprise, needs: ["power-batteries"]),
            Org("p1", "伙伴一", OrganizationKind.Enterprise), Org("p2", "伙伴二", OrganizationKind.Enterprise), Org("p3", "伙伴三", OrganizationKind.ResearchInstitute),
        };
        foreach (var o in orgs) builder.Add(o);
        var year = 2020;
        foreach (var p in new[] { "p1", "p2", "p3" })
        {
            builder.AddProject($"x-{p}", year, ["new-energy-vehicles"],
                [new("tongji-auto", ConsortiumRole.Academia, true, float.NaN), new(p, ConsortiumRole.Industry, false, float.NaN)]);
            builder.AddProject($"y-{p}", year++, ["new-energy-vehicles"],
                [new("baolong", ConsortiumRole.Industry, true, float.NaN), new(p, ConsortiumRole.Industry, false, float.NaN)]);
        }
        var g = builder.Build(HandGraphs.Built);
        var explainer = new MatchExplainer(g, slice.Model, new Engine.Text.CapabilityIndex(g));
        var shared = explainer.SharedPartners(g.IndexOf("baolong"), g.IndexOf("tongji-auto")).Select(explainer.NameOf).Order().ToArray();
        Assert.Equal(new[] { "伙伴一", "伙伴三", "伙伴二" }.Order(), shared);

        var stats = new SnapshotStats(g);
        var capabilities = new Engine.Text.CapabilityIndex(g);
        var matcher = new Matcher(stats, slice.Model, features: new PairFeatureExtractor(capabilities));
        var query = new MatchQuery(g.IndexOf("baolong"), [g.SectorIndexOf("new-energy-vehicles")], 2025);
        var top = matcher.Rank(query, take: 10);
        var tongji = top.Single(c => g.OrganizationIds[c.Organization] == "tongji-auto");
        Assert.Equal(1f, tongji.Features[(int)PairFeature.CandidateMeetsQueryNeeds]);
        Assert.Equal(0f, tongji.Features[(int)PairFeature.QueryMeetsCandidateNeeds]);
        // Reasons are only those that raised the score; on this toy graph the slice model may give none.
        var reasons = explainer.Explain(query, [tongji], maxReasons: 6).Single();
        Assert.All(reasons, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Zh));
            Assert.False(string.IsNullOrWhiteSpace(r.En));
            Assert.True(r.Contribution > 0);
        });
        var sharedReason = reasons.SingleOrDefault(r => r.Kind == "shared-partners");
        if (sharedReason is not null) Assert.Contains("3 个共同合作伙伴", sharedReason.Zh);
    }
}
