using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// An <see cref="OrganizationQuery"/> as every graph store runs it: the filters normalized once (blank means no
/// filter, text lower-cased as <see cref="Organization.SearchText"/> is), and keyset paging by id that fetches one row
/// more than the page to learn whether another page follows. The filter expressions themselves stay per store.
/// </summary>
internal sealed record OrganizationSearch(
    string? Text, string? Kind, string? City, string? Sector, string? SubField, string? After, int PageSize)
{
    public static OrganizationSearch From(OrganizationQuery query) => new(
        string.IsNullOrWhiteSpace(query.Text) ? null : query.Text.Trim().ToLowerInvariant(),
        query.Kind?.ToCode(),
        NullIfBlank(query.City),
        NullIfBlank(query.Sector),
        NullIfBlank(query.SubField),
        string.IsNullOrEmpty(query.After) ? null : query.After,
        Math.Clamp(query.Limit, 1, OrganizationQuery.MaxPageSize));

    /// <summary>The rows to ask the store for: the page and one more.</summary>
    public int FetchSize => PageSize + 1;

    /// <summary>The page from the rows fetched in id order (at most <see cref="FetchSize"/>): the extra row, if any, only says that a next page exists.</summary>
    public OrganizationPage Page(List<Organization> fetched)
    {
        string? next = null;
        if (fetched.Count > PageSize)
        {
            fetched.RemoveRange(PageSize, fetched.Count - PageSize);
            next = fetched[^1].Id;
        }
        return new OrganizationPage(fetched, next);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
