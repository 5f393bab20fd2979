using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>The OpenAPI document is what integrators read first: every operation documented, with examples and error shapes.</summary>
public sealed class OpenApiDocumentTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    [Fact]
    public async Task Every_operation_has_a_summary_responses_with_examples_and_problem_shapes_for_errors()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var missing = new List<string>();
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (path.Name.StartsWith("/jobs", StringComparison.Ordinal)) continue; // Hangfire's own dashboard pages
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                if (!op.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString())) missing.Add($"{name}: summary");
                if (op.TryGetProperty("requestBody", out var body))
                {
                    foreach (var media in body.GetProperty("content").EnumerateObject().Where(m => m.Name.Contains("json", StringComparison.Ordinal)))
                    {
                        if (!media.Value.TryGetProperty("example", out _)) missing.Add($"{name}: request example ({media.Name})");
                    }
                }
                var responses = op.GetProperty("responses").EnumerateObject().ToList();
                if (!responses.Any(r => r.Name.StartsWith('2'))) missing.Add($"{name}: success response");
                if (!responses.Any(r => r.Name == "401") && op.TryGetProperty("security", out _)) missing.Add($"{name}: 401 response");
                foreach (var response in responses)
                {
                    if (!response.Value.TryGetProperty("content", out var content)) continue;
                    foreach (var media in content.EnumerateObject())
                    {
                        if (!media.Value.TryGetProperty("example", out var example)) missing.Add($"{name}: {response.Name} example");
                        else if (response.Name.StartsWith('4') || response.Name.StartsWith('5'))
                        {
                            if (!example.TryGetProperty("status", out var status) || status.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) != response.Name)
                            {
                                missing.Add($"{name}: {response.Name} example is not a problem with that status");
                            }
                        }
                    }
                }
            }
        }
        Assert.True(operations >= 15, $"only {operations} operations documented");
        Assert.True(missing.Count == 0, "missing in the OpenAPI document:\n" + string.Join("\n", missing));
        Assert.Equal("apiKey", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("type").GetString());
    }
}
