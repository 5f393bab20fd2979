using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Tests.Import;

/// <summary>
/// The organizations CSV: rows are named as data records (header and blank lines not counted, as in the JSON form),
/// stray quotes are read as text, and a quote that is never closed refuses the import at the row that opened it.
/// </summary>
public sealed class OrganizationsCsvTests
{
    private static GraphImportException Refused(string csv) =>
        Assert.Throws<GraphImportException>(() => GraphImportParser.ParseOrganizationsCsv(new StringReader(csv)));

    [Fact]
    public void Blank_lines_are_not_counted_in_row_numbers()
    {
        var e = Refused("id,nameZh,kind,city,employees\n\norg-a,甲,enterprise,wuhu,1\r\n\r\norg-b,乙,enterprise,wuhu,many\n\n");

        var error = Assert.Single(e.Errors);
        Assert.Equal(("organizations", 1, "employees"), (error.Section, error.Row, error.Field));
        Assert.Equal("'many' is not a whole number", error.Reason);
    }

    [Fact]
    public void A_row_with_another_cell_count_is_named()
    {
        var e = Refused("id,kind,city\norg-a,enterprise,wuhu\norg-b,enterprise\norg-c,enterprise,wuhu,extra\n");

        Assert.Equal(
            ["organizations[1].: has 2 cells; the header has 3", "organizations[2].: has 4 cells; the header has 3"],
            e.Errors.Where(x => x.Field == "").Select(x => x.ToString()));
    }

    [Fact]
    public void A_quote_never_closed_refuses_the_import_at_its_row()
    {
        var e = Refused("id,kind,city,description\norg-a,enterprise,wuhu,fine\n\norg-b,enterprise,wuhu,\"never closed\norg-c,enterprise,wuhu,x\n");

        Assert.Equal("organizations[1].: the CSV ends inside a quoted field", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void A_quote_never_closed_in_the_header_is_row_0()
    {
        var e = Refused("id,kind,\"city\norg-a,enterprise,wuhu\n");

        Assert.Equal("organizations[0].: the CSV ends inside a quoted field", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void Quotes_inside_a_cell_and_after_a_closing_quote_are_text()
    {
        var batch = GraphImportParser.ParseOrganizationsCsv(new StringReader(
            "id,kind,city,description,nameEn,nameZh\norg-a,enterprise,wuhu,5\" pipe,\"Acme\" Ltd,\norg-b,enterprise,wuhu,\"two\nlines, \"\"quoted\"\"\",,乙\n"));

        Assert.Equal(["5\" pipe", "two\nlines, \"quoted\""], batch.Organizations.Select(o => o.Description));
        Assert.Equal(["Acme Ltd", null], batch.Organizations.Select(o => o.NameEn));
    }

    [Fact]
    public void A_lone_carriage_return_ends_a_record()
    {
        var batch = GraphImportParser.ParseOrganizationsCsv(new StringReader("id,nameZh,kind,city\rorg-a,甲,enterprise,wuhu\rorg-b,乙,enterprise,hefei"));

        Assert.Equal(["org-a", "org-b"], batch.Organizations.Select(o => o.Id));
    }
}
