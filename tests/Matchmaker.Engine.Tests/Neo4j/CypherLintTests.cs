using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matchmaker.Engine.Graph.Neo4j;
using Xunit.Abstractions;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>
/// Every Cypher statement the adapter can send, and both scripts under graph/, go through Neo4j's own parser and
/// semantic analysis (@neo4j-cypher/language-support, run by tests/tools/cypher-lint on Node) for Cypher 5 and
/// Cypher 25. The linter must be installed first: <c>npm ci --prefix tests/tools/cypher-lint</c>.
/// </summary>
public sealed class CypherLintTests(ITestOutputHelper output)
{
    private const string InstallCommand = "npm ci --prefix tests/tools/cypher-lint";
    private const string Canary = "canary.undefined-variable";

    [Fact]
    public async Task Every_statement_the_adapter_sends_and_every_graph_script_passes_the_neo4j_front_end()
    {
        var root = SourceTree.Root;
        var tool = Path.Combine(root, "tests", "tools", "cypher-lint");
        if (!Directory.Exists(Path.Combine(tool, "node_modules", "@neo4j-cypher", "language-support")))
        {
            Assert.Fail($"The Cypher linter is not installed: run `{InstallCommand}` from the repository root, then run the tests again.");
        }
        var node = FindOnPath("node")
            ?? throw new Xunit.Sdk.XunitException($"Node.js (node) is not on PATH; the Cypher linter needs Node 20 or later, then `{InstallCommand}`.");

        var statements = new JsonArray();
        void Add(string name, string cypher, IEnumerable<string> parameters) => statements.Add(new JsonObject
        {
            ["name"] = name,
            ["cypher"] = cypher,
            ["parameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p, SampleValue(p)))),
        });
        foreach (var s in Neo4jStatements.All.Concat(Neo4jScript.Schema)) Add(s.Name, s.Text, s.Parameters);
        // The scripts are linted statement by statement, split as Neo4j Browser and the adapter split them (linting a
        // whole file at once costs seconds more and finds nothing more: only comments are left out).
        // graph/schema.cypher is in Neo4jScript.Schema (embedded from that file at build).
        var importFile = await File.ReadAllTextAsync(Path.Combine(root, "graph", "import-seed.cypher"));
        foreach (var s in Neo4jScript.Named(Neo4jScript.Split(importFile), "graph/import-seed.cypher")) Add(s.Name, s.Text, ["seedBase"]);
        // Proves the linter reports errors at all: this one must fail.
        Add(Canary, "MATCH (o:Organization) RETURN p", []);

        var request = new JsonObject { ["statements"] = statements, ["versions"] = new JsonArray("CYPHER 5", "CYPHER 25") };
        var report = await RunAsync(node, tool, request.ToJsonString());

        var results = report["results"]!.AsArray();
        var findings = results.SelectMany(r => r!["diagnostics"]!.AsArray().Select(d => (
            Name: r["name"]!.GetValue<string>(),
            Version: r["version"]!.GetValue<string>(),
            Severity: d!["severity"]!.GetValue<int>(),
            Text: $"{r["name"]} [{r["version"]}] {d["line"]}:{d["column"]} {d["message"]}"))).ToList();
        foreach (var f in findings.Where(f => f.Name != Canary)) output.WriteLine((f.Severity == 1 ? "error   " : "warning ") + f.Text);
        output.WriteLine($"{results.Count} lint runs in {report["elapsedMs"]} ms; slowest:");
        foreach (var r in results.OrderByDescending(r => r!["elapsedMs"]!.GetValue<int>()).Take(5))
        {
            output.WriteLine($"  {r!["elapsedMs"]} ms {r["name"]} [{r["version"]}]");
        }

        Assert.Contains(findings, f => f.Name == Canary && f.Severity == 1);
        Assert.Equal(statements.Count * 2, results.Count);
        Assert.Empty(findings.Where(f => f.Name != Canary && f.Severity == 1).Select(f => f.Text));
    }

    /// <summary>Values only need the right names: the linter reports undefined parameters, not their types.</summary>
    private static JsonNode? SampleValue(string name) => name switch
    {
        "rows" => new JsonArray(new JsonObject { ["id"] = "x" }),
        "ids" => new JsonArray("x"),
        "pageSize" or "limit" or "timeoutSeconds" => 1,
        "seedBase" => "file:///",
        _ => "x",
    };

    private static async Task<JsonNode> RunAsync(string node, string tool, string input)
    {
        var start = new ProcessStartInfo(node, [Path.Combine(tool, "lint.mjs")])
        {
            WorkingDirectory = tool,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Seconds on a quiet machine; minutes when the machine is shared with heavy builds. A hang still ends the test.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("The Cypher linter did not finish within 6 minutes.");
        }
        var text = await stdout;
        if (process.ExitCode is not (0 or 1) || string.IsNullOrWhiteSpace(text))
        {
            throw new Xunit.Sdk.XunitException($"The Cypher linter failed (exit {process.ExitCode}): {await stderr}\nIs it installed? Run `{InstallCommand}`.");
        }
        return JsonNode.Parse(text)!;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
