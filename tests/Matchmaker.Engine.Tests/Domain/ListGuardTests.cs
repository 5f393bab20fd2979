using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Tests.Domain;

/// <summary>
/// Lists on organizations are counted before their entries are checked and de-duplicated with a set: a hostile list
/// (a million aliases in one import row) is refused after reading a bounded number of entries, without checking any.
/// </summary>
public sealed class ListGuardTests
{
    /// <summary>An enumerable that counts how many entries were taken from it and how many were checked.</summary>
    private sealed class Counted(int count) : IEnumerable<string>
    {
        public int Taken { get; private set; }

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                Taken++;
                yield return $"alias {i}";
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static Organization With(IEnumerable<string>? aliases = null, IEnumerable<string>? needs = null) =>
        new("guard-test", "列表测试公司", null, OrganizationKind.Enterprise, "jiaxing", aliases: aliases, needs: needs);

    [Fact]
    public void A_huge_lazy_list_is_refused_after_reading_a_bounded_prefix()
    {
        var aliases = new Counted(1_000_000);

        var refused = Assert.Throws<DomainValidationException>(() => With(aliases: aliases));

        Assert.Equal("aliases", refused.Field);
        Assert.True(aliases.Taken <= 4 * 64 + 1, $"{aliases.Taken} entries were read");
    }

    [Fact]
    public void A_huge_list_is_refused_by_its_count_before_any_entry_is_checked()
    {
        // Every entry is invalid: if any were checked, the error would name aliases[0], not the list.
        var aliases = Enumerable.Repeat("bad\nname", 1_000_000).ToList();

        var refused = Assert.Throws<DomainValidationException>(() => With(aliases: aliases));

        Assert.Equal("aliases", refused.Field);
        Assert.Contains("1000000 entries", refused.Reason);
    }

    [Fact]
    public void Duplicates_are_dropped_and_more_than_64_different_entries_are_refused()
    {
        var repeated = Enumerable.Range(0, 200).Select(i => $"need-{i % 10}").ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"need-{i}"), With(needs: repeated).Needs);

        var refused = Assert.Throws<DomainValidationException>(() => With(needs: Enumerable.Range(0, 65).Select(i => $"need-{i}").ToList()));
        Assert.Equal("needs", refused.Field);
        Assert.Equal(64, With(needs: Enumerable.Range(0, 64).Select(i => $"need-{i}").ToList()).Needs.Count);
    }
}
