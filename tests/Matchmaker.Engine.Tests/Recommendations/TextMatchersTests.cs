using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Tests.Recommendations;

public class TextMatchersTests
{
    private static GraphSnapshot Snapshot(string description)
    {
        var builder = new GraphSnapshotBuilder();
        builder.Add(new Organization("a", null, "Alpha Hydrogen", OrganizationKind.Enterprise, "hangzhou", description: description));
        builder.Add(new Organization("b", null, "Beta Batteries", OrganizationKind.Enterprise, "hangzhou", description: "lithium batteries"));
        return builder.Build(DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public void Concurrent_callers_of_a_new_snapshot_share_one_build()
    {
        var matchers = new TextMatchers();
        var snapshot = Snapshot("hydrogen electrolysers");
        var found = new Engine.Matching.TextMatcher?[16];
        Parallel.For(0, found.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => found[i] = matchers.For(snapshot));

        Assert.Equal(1, matchers.Builds);
        Assert.NotNull(found[0]);
        Assert.All(found, m => Assert.Same(found[0], m));
    }

    [Fact]
    public void The_snapshot_before_the_latest_keeps_its_matcher_and_is_not_rebuilt()
    {
        var matchers = new TextMatchers();
        var first = Snapshot("hydrogen electrolysers");
        var second = Snapshot("solid oxide fuel cells");
        var firstMatcher = matchers.For(first);
        var secondMatcher = matchers.For(second);

        // A ranker made just before the rebuild still asks for the first snapshot's matcher.
        Assert.Same(firstMatcher, matchers.For(first));
        Assert.Same(secondMatcher, matchers.For(second));
        Assert.Equal(2, matchers.Builds);
        Assert.Same(second, secondMatcher!.Snapshot);
        Assert.True(secondMatcher.Index.ProfileFrequency("fuel") > 0);
        Assert.Equal(0, firstMatcher!.Index.ProfileFrequency("fuel"));
    }

    [Fact]
    public void A_patched_snapshot_updates_the_latest_index()
    {
        var matchers = new TextMatchers();
        var before = Snapshot("hydrogen electrolysers");
        var patched = before.WithOrganizations(
            [new Organization("b", null, "Beta Batteries", OrganizationKind.Enterprise, "hangzhou", description: "sodium batteries")], DateTimeOffset.UnixEpoch);
        var original = matchers.For(before)!;
        var updated = matchers.For(patched)!;

        Assert.Equal(2, matchers.Builds);
        Assert.Equal(0, original.Index.ProfileFrequency("sodium"));
        Assert.Equal(1, updated.Index.ProfileFrequency("sodium"));
        Assert.Equal(0, updated.Index.ProfileFrequency("lithium"));
    }
}
