using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Matchmaker.Api.Tests;

/// <summary>The service on a real Kestrel port, so that Node programs and browsers can call it.</summary>
public sealed class KestrelApiFixture : IAsyncLifetime
{
    public MatchmakerApiFactory Factory { get; } = new();
    public string ApiBase { get; private set; } = "";

    public Task InitializeAsync()
    {
        var port = DeliveryFixture.FreePort();
        ApiBase = $"http://127.0.0.1:{port}";
        Factory.UseKestrel(port);
        Factory.StartServer();
        return Task.CompletedTask;
    }

    public HttpClient Client(string? key = MatchmakerApiFactory.AdminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(ApiBase), Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>
    /// The first start computes every list, trains a model and recomputes with it; wait for all of that, so that the
    /// list a test reads through the API is the one a page shows.
    /// </summary>
    public async Task WaitForStartUpWorkAsync()
    {
        using var admin = Client();
        await StartUpWork.WaitAsync(admin);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>
/// The OpenAPI document as integrators' tools take it: Redocly CLI's recommended rules on the served document, and a
/// typed client generated from it (openapi-typescript) that compiles (TypeScript, strict) and calls the running
/// service through openapi-fetch. The tools are npm packages pinned in tests/tools/openapi
/// (scripts/setup/40-openapi-tools.sh installs them).
/// </summary>
public sealed class OpenApiToolsTests(KestrelApiFixture api, ITestOutputHelper output) : IClassFixture<KestrelApiFixture>
{
    private const string InstallCommand = "npm ci --prefix tests/tools/openapi";

    [Fact]
    public async Task The_served_document_passes_redocly_recommended_rules_without_a_warning()
    {
        var tool = Tool();
        using var client = api.Client(key: null);
        var document = await client.GetStringAsync("/swagger/v1/swagger.json");
        var directory = Directory.CreateTempSubdirectory("mm-openapi-lint-");
        try
        {
            var served = Path.Combine(directory.FullName, "served.json");
            await File.WriteAllTextAsync(served, document);
            // Proves the linter reports at all: the same document without its servers has an error.
            var broken = JsonNode.Parse(document)!.AsObject();
            broken.Remove("servers");
            var canary = Path.Combine(directory.FullName, "canary.json");
            await File.WriteAllTextAsync(canary, broken.ToJsonString());

            var report = await LintAsync(tool, served, directory.FullName);
            var canaryReport = await LintAsync(tool, canary, directory.FullName);

            var problems = report.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}").ToList();
            foreach (var p in problems) output.WriteLine(p);
            Assert.Contains(canaryReport.GetProperty("problems").EnumerateArray(), p => p.GetProperty("ruleId").GetString() == "no-empty-servers");
            Assert.Empty(problems);
            Assert.Equal(0, report.GetProperty("totals").GetProperty("errors").GetInt32());
            Assert.Equal(0, report.GetProperty("totals").GetProperty("warnings").GetInt32());

            // Every operation has its own id, and the document names its server, licence and every tag.
            var parsed = JsonDocument.Parse(document).RootElement;
            var ids = parsed.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value.GetProperty("operationId").GetString()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Contains("SearchOrganizations", ids);
            Assert.Contains("ListRecommendations", ids);
            Assert.Equal(api.ApiBase, parsed.GetProperty("servers")[0].GetProperty("url").GetString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_typescript_client_generated_from_the_document_compiles_and_calls_the_service()
    {
        var tool = Tool();
        using var admin = api.Client();
        await WaitForListAsync(admin, "tongji-auto");
        var document = await admin.GetStringAsync("/swagger/v1/swagger.json");
        var generated = Path.Combine(tool, "generated");
        if (Directory.Exists(generated)) Directory.Delete(generated, recursive: true);
        Directory.CreateDirectory(generated);
        var served = Path.Combine(generated, "served.json");
        await File.WriteAllTextAsync(served, document);

        await RunAsync(tool, Node(), [Path.Combine(tool, "node_modules", "openapi-typescript", "bin", "cli.js"), served, "-o", Path.Combine(generated, "schema.d.ts")],
            expectSuccess: true);
        var typescript = Path.Combine(tool, "node_modules", "typescript", "bin", "tsc");
        await RunAsync(tool, Node(), [typescript, "-p", "tsconfig.json"], expectSuccess: true);
        // The types check calls: an unknown path and a query value of the wrong type do not compile.
        var wrong = await RunAsync(tool, Node(), [typescript, "-p", "tsconfig.wrong.json"], expectSuccess: false);
        Assert.Contains("wrong.ts(6,", wrong);
        Assert.Contains("wrong.ts(7,", wrong);

        var printed = await RunAsync(tool, Node(), [Path.Combine(generated, "out", "client.js")], expectSuccess: true,
            environment: new() { ["MM_BASE"] = api.ApiBase, ["MM_KEY"] = MatchmakerApiFactory.AdminKey });
        var result = JsonDocument.Parse(printed.Trim().Split('\n')[^1]).RootElement;

        // What the client got is what the service serves to the same key.
        var search = await admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations?q=Tongji&kind=university&limit=5");
        var first = search.GetProperty("items")[0];
        Assert.Equal(first.GetProperty("id").GetString(), result.GetProperty("organization").GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("nameZh").GetString(), result.GetProperty("organization").GetProperty("nameZh").GetString());
        var items = result.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], items.Select(i => i.GetProperty("rank").GetInt32()));
        Assert.All(items, i => Assert.InRange(i.GetProperty("strength").GetInt32(), 0, 100));
        Assert.Equal((int)HttpStatusCode.Unauthorized, result.GetProperty("refusedStatus").GetInt32());
    }

    private static async Task WaitForListAsync(HttpClient admin, string organization)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await admin.GetAsync($"/api/v1/organizations/{organization}/recommendations")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"no recommendations were published for {organization}");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> LintAsync(string tool, string file, string workingDirectory)
    {
        // Exit code 1 means problems were found; the JSON report says which.
        var stdout = await RunAsync(workingDirectory, Node(),
            [Path.Combine(tool, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", file, "--format=json"], expectSuccess: null,
            environment: new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
        var start = stdout.IndexOf('{');
        Assert.True(start >= 0, $"redocly printed no report:\n{stdout}");
        return JsonDocument.Parse(stdout[start..]).RootElement;
    }

    /// <param name="expectSuccess">true: exit 0 required; false: non-zero required; null: either.</param>
    private async Task<string> RunAsync(string workingDirectory, string file, IReadOnlyList<string> arguments, bool? expectSuccess,
        Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        var errors = await stderr;
        var shown = $"{Path.GetFileName(arguments[0])} {string.Join(' ', arguments.Skip(1).Select(Path.GetFileName))} exited {process.ExitCode}\n{text}\n{errors}";
        if (expectSuccess == true) Assert.True(process.ExitCode == 0, shown);
        if (expectSuccess == false) Assert.True(process.ExitCode != 0, shown);
        if (expectSuccess != true) output.WriteLine(shown.Length > 4000 ? shown[..4000] : shown);
        return text;
    }

    private static string Tool()
    {
        var tool = SourceTree.Path("tests", "tools", "openapi");
        if (!Directory.Exists(Path.Combine(tool, "node_modules", "@redocly", "cli")) || !Directory.Exists(Path.Combine(tool, "node_modules", "openapi-typescript")))
        {
            Assert.Fail($"The OpenAPI tools are not installed: run `{InstallCommand}` (or scripts/setup/40-openapi-tools.sh) from the repository root, then run the tests again.");
        }
        return tool;
    }

    private static string Node() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "node")).FirstOrDefault(File.Exists)
        ?? throw new Xunit.Sdk.XunitException($"Node.js (node) is not on PATH; the OpenAPI tools need Node 20 or later, then `{InstallCommand}`.");
}
