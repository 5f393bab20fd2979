using Matchmaker.Engine.Graph.Neo4j;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>How a Cypher script is cut into statements, on hand-written scripts with hand-written answers.</summary>
public sealed class Neo4jScriptTests
{
    [Fact]
    public void Statements_end_at_semicolons_and_the_last_needs_none()
    {
        Assert.Equal(["RETURN 1", "RETURN 2", "RETURN 3"], Neo4jScript.Split("RETURN 1;RETURN 2;\nRETURN 3"));
    }

    [Fact]
    public void A_semicolon_inside_a_string_or_a_quoted_name_does_not_end_the_statement()
    {
        var script = "RETURN 'a;b' AS x;\nRETURN \"c;d\" AS y;\nMATCH (n:`we;ird`) RETURN n;";

        Assert.Equal(["RETURN 'a;b' AS x", "RETURN \"c;d\" AS y", "MATCH (n:`we;ird`) RETURN n"], Neo4jScript.Split(script));
    }

    [Fact]
    public void An_escaped_quote_does_not_close_the_string()
    {
        Assert.Equal([@"RETURN 'it\'s; fine' AS x", "RETURN 2"], Neo4jScript.Split(@"RETURN 'it\'s; fine' AS x; RETURN 2;"));
    }

    [Fact]
    public void Comments_are_dropped_with_the_semicolons_in_them_and_slashes_in_strings_are_kept()
    {
        var script = """
            // header; not a statement
            MATCH (o) // trailing; comment
            RETURN o;
            RETURN 'http://example.org/a;b' AS url; /* block; comment */
            """;

        Assert.Equal(["MATCH (o)\nRETURN o", "RETURN 'http://example.org/a;b' AS url"], Neo4jScript.Split(script));
    }

    [Fact]
    public void A_block_comment_between_two_words_leaves_a_space()
    {
        Assert.Equal(["MATCH (n) RETURN n", "RETURN   1"], Neo4jScript.Split("MATCH (n)/*x*/RETURN n; RETURN /* a; b */ 1"));
    }

    [Fact]
    public void Blank_and_comment_only_statements_are_dropped()
    {
        Assert.Equal(["RETURN 1"], Neo4jScript.Split(";;  ;\n;RETURN 1;;\n// only a comment;\n;\n  \n"));
        Assert.Empty(Neo4jScript.Split("// nothing here;\n/* nor; here */\n"));
        Assert.Empty(Neo4jScript.Split(""));
    }

    [Fact]
    public void Blank_lines_go_line_breaks_and_inner_indentation_stay_and_crlf_becomes_lf()
    {
        var script = "  MATCH (o)\r\n\r\n// why\r\n   \r\n    RETURN o   \r\n;\r\n";

        Assert.Equal(["MATCH (o)\n    RETURN o"], Neo4jScript.Split(script));
    }

    [Fact]
    public void An_unterminated_string_or_comment_runs_to_the_end_of_the_script()
    {
        Assert.Equal(["RETURN 1", "RETURN 'abc; def"], Neo4jScript.Split("RETURN 1; RETURN 'abc; def"));
        Assert.Equal(["RETURN 1"], Neo4jScript.Split("RETURN 1; /* open; RETURN 2"));
    }

    [Fact]
    public void Statements_are_named_after_the_constraint_or_index_they_create_else_by_position()
    {
        var named = Neo4jScript.Named(
            [
                "CREATE CONSTRAINT organization_id IF NOT EXISTS\nFOR (o:Organization) REQUIRE o.id IS UNIQUE",
                "create text index organization_search_text if not exists\nFOR (o:Organization) ON (o.searchText)",
                "RETURN 1",
            ], "schema");

        Assert.Equal(["schema.organization_id", "schema.organization_search_text", "schema[2]"], named.Select(s => s.Name));
        Assert.Equal("RETURN 1", named[2].Text);
    }
}
