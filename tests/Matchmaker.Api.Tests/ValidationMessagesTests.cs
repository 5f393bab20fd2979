using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The messages several endpoints share read the same everywhere (one validator writes them): a page size out of
/// range, a cursor not made by the API, a code not in its list (the bad value quoted, at most 40 characters of it).
/// </summary>
public sealed class ValidationMessagesTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private const string Kinds = "university, research-institute, enterprise, financial-institution, platform, public-body";
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    private static string Message(JsonElement errors, string field) => Assert.Single(errors.GetProperty(field).EnumerateArray()).GetString()!;

    [Fact]
    public async Task Page_sizes_cursors_and_codes_are_refused_with_the_same_words_on_every_endpoint()
    {
        var search = await ErrorsAsync(await _admin.GetAsync("/api/v1/organizations?limit=0&cursor=%40%40&kind=castle&city=atlantis"));
        Assert.Equal("must be between 1 and 200", Message(search, "limit"));
        Assert.Equal("is not a cursor returned by this endpoint", Message(search, "cursor"));
        Assert.Equal($"'castle' is not a kind; expected one of {Kinds}", Message(search, "kind"));
        Assert.StartsWith("'atlantis' is not a city; expected one of shanghai-songjiang, ", Message(search, "city"));

        var feedback = await ErrorsAsync(await _admin.GetAsync("/api/v1/organizations/donghua-mse/feedback?limit=101&cursor=%40%40"));
        Assert.Equal("must be between 1 and 100", Message(feedback, "limit"));
        Assert.Equal("is not a cursor returned by this endpoint", Message(feedback, "cursor"));

        var recommendations = await ErrorsAsync(await _admin.GetAsync("/api/v1/organizations/donghua-mse/recommendations?kind=castle&city=atlantis&limit=0"));
        Assert.Equal($"'castle' is not a kind; expected one of {Kinds}", Message(recommendations, "kind"));
        Assert.Equal(Message(search, "city"), Message(recommendations, "city"));
        Assert.Equal("must be between 1 and 100", Message(recommendations, "limit"));

        Assert.Equal("must be between 1 and 100", Message(await ErrorsAsync(await _admin.GetAsync("/api/v1/recompute/runs?limit=0")), "limit"));

        var plan = await ErrorsAsync(await _admin.PostAsJsonAsync("/api/v1/consortia/plans",
            new { leadId = "donghua-mse", sector = "new-materials", slots = new[] { new { role = "academia", kinds = new[] { new string('x', 50) } } }, alternatives = 9 }));
        Assert.Equal($"'{new string('x', 40)}…' is not a kind; expected one of {Kinds}", Message(plan, "slots[0].kinds[0]"));
        Assert.Equal("must be between 1 and 5", Message(plan, "alternatives"));
    }
}
