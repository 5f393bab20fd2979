using System.Text.RegularExpressions;

namespace Matchmaker.Engine.Tests.Docs;

/// <summary>The README's Layout table against the tree: a newcomer reads it first, so it names every project and nothing that is gone.</summary>
public sealed partial class ReadmeLayoutTests
{
    [Fact]
    public void The_layout_table_names_every_project_of_the_solution_and_only_paths_that_exist()
    {
        var rows = LayoutPaths(File.ReadAllText(SourceTree.Path("README.md")));
        Assert.NotEmpty(rows);

        foreach (var row in rows)
        {
            Assert.True(Directory.Exists(SourceTree.Path(row)) || File.Exists(SourceTree.Path(row)), $"the README's Layout table names `{row}`, which is not in the repository");
        }

        // Every project of Matchmaker.sln sits in a folder the table names: its own row, or a row of a folder above it
        // (the test projects are described together under `tests/`).
        var projects = SolutionProject().Matches(File.ReadAllText(SourceTree.Path("Matchmaker.sln")))
            .Select(m => Path.GetDirectoryName(m.Groups["path"].Value.Replace('\\', '/'))!.Replace('\\', '/'))
            .ToList();
        Assert.Contains("src/Matchmaker.Api", projects);
        foreach (var project in projects)
        {
            Assert.True(rows.Any(r => project == r.TrimEnd('/') || project.StartsWith(r.TrimEnd('/') + "/", StringComparison.Ordinal)),
                $"the solution's project folder `{project}` has no row in the README's Layout table");
        }
    }

    [Fact]
    public void The_layout_reader_takes_the_first_cell_of_each_row_of_the_layout_section_only()
    {
        const string readme = """
            # Title
            | path | what |
            | --- | --- |
            | `not/this` | a table of another section |

            ## Layout

            | path | what |
            | --- | --- |
            | `src/A` | one |
            | `tests/` | two, with `code/in/text` |

            ## Data
            | `nor/this` | x |
            """;
        Assert.Equal(["src/A", "tests/"], LayoutPaths(readme));
    }

    /// <summary>The first cell of every row of the table under "## Layout", without its backticks.</summary>
    private static List<string> LayoutPaths(string readme)
    {
        var section = Regex.Match(readme, @"^## Layout\s*$(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        if (!section.Success) return [];
        return [.. LayoutRow().Matches(section.Groups["body"].Value).Select(m => m.Groups["path"].Value)];
    }

    [GeneratedRegex(@"^\|\s*`(?<path>[^`]+)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex LayoutRow();

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\)\s*=\s*""[^""]+"",\s*""(?<path>[^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProject();
}
