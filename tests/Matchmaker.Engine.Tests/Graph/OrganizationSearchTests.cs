using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Tests.Graph;

/// <summary>The search normalization and keyset paging both graph stores share.</summary>
public sealed class OrganizationSearchTests
{
    [Fact]
    public void Filters_are_normalized_once_and_blank_means_no_filter()
    {
        var search = OrganizationSearch.From(new OrganizationQuery
        {
            Text = "  O'Brien 材料 ", Kind = OrganizationKind.University, City = " ", Sector = "new-materials", SubField = "", After = "", Limit = 20,
        });

        Assert.Equal(new OrganizationSearch("o'brien 材料", "university", null, "new-materials", null, null, 20), search);
    }

    [Fact]
    public void A_query_without_filters_searches_everything()
    {
        Assert.Equal(new OrganizationSearch(null, null, null, null, null, null, 20), OrganizationSearch.From(new OrganizationQuery()));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(1, 1)]
    [InlineData(200, 200)]
    [InlineData(201, 200)]
    public void The_page_size_stays_between_1_and_200_and_one_row_more_is_fetched(int limit, int pageSize)
    {
        var search = OrganizationSearch.From(new OrganizationQuery { Limit = limit });

        Assert.Equal(pageSize, search.PageSize);
        Assert.Equal(pageSize + 1, search.FetchSize);
    }

    [Fact]
    public void The_extra_row_is_dropped_and_the_last_id_of_the_page_is_the_cursor()
    {
        var search = OrganizationSearch.From(new OrganizationQuery { Limit = 2 });

        var page = search.Page([TestData.Org("org-1"), TestData.Org("org-2"), TestData.Org("org-3")]);

        Assert.Equal(["org-1", "org-2"], page.Items.Select(o => o.Id));
        Assert.Equal("org-2", page.NextCursor);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_page_that_is_not_overfull_is_the_last(int rows)
    {
        var search = OrganizationSearch.From(new OrganizationQuery { Limit = 2 });

        var page = search.Page(Enumerable.Range(1, rows).Select(i => TestData.Org($"org-{i}")).ToList());

        Assert.Equal(rows, page.Items.Count);
        Assert.Null(page.NextCursor);
    }
}
