using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matchmaker.Api.Tests;

/// <summary>
/// A key bound to an organization cannot tell an organization it has not been shown from one that does not exist:
/// the pair endpoint, feedback's candidateId and the planner's include answer both alike, byte for byte but the trace id.
/// </summary>
public sealed partial class BoundKeyReachTests : IDisposable
{
    private const string Org = "baolong-auto";
    private const string Missing = "no-such-org-7f3a";
    private readonly MatchmakerApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    private static async Task<(HttpStatusCode Status, string? MediaType, string Body)> AnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Matches(TraceId(), body);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), TraceId().Replace(body, "\"traceId\":\"-\""));
    }

    private static object PlanBody(string include) => new
    {
        leadId = Org,
        sector = "new-energy-vehicles",
        slots = new object[] { new { role = "research" }, new { role = "finance" } },
        constraints = new { include = new[] { include } },
        alternatives = 1,
    };

    [Fact]
    public async Task An_organization_not_shown_to_a_bound_key_and_one_that_does_not_exist_get_the_same_answer()
    {
        var admin = _factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "bound", scopes = new[] { "read", "feedback", "plan" }, organizationId = Org });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bound = _factory.CreateClientWithKey((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);

        // The first start's recompute, training and the recompute after it are over: the list read below is the one
        // the endpoints check against until the end of the test.
        await StartUpWork.WaitAsync(admin);
        var list = await PublishedLists.WaitForListAsync(bound, Org, "?limit=100&includeExistingPartners=true");
        var shown = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!).ToHashSet();
        var everyone = await admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations?limit=100");
        var unseen = everyone.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).First(id => id != Org && !shown.Contains(id));
        // The unseen organization exists: an unbound key scores the pair.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/organizations/{Org}/recommendations/{unseen}")).StatusCode);

        // The pair endpoint.
        var pairUnseen = await AnswerAsync(await bound.GetAsync($"/api/v1/organizations/{Org}/recommendations/{unseen}"));
        var pairMissing = await AnswerAsync(await bound.GetAsync($"/api/v1/organizations/{Org}/recommendations/{Missing}"));
        Assert.Equal(HttpStatusCode.NotFound, pairUnseen.Status);
        Assert.Equal(pairMissing, pairUnseen);
        Assert.Equal(HttpStatusCode.OK, (await bound.GetAsync($"/api/v1/organizations/{Org}/recommendations/{shown.First()}")).StatusCode);

        // Feedback's candidateId: refused alike, nothing stored.
        var feedbackUnseen = await AnswerAsync(await bound.PostAsJsonAsync($"/api/v1/organizations/{Org}/feedback", new { candidateId = unseen, action = "accept" }));
        var feedbackMissing = await AnswerAsync(await bound.PostAsJsonAsync($"/api/v1/organizations/{Org}/feedback", new { candidateId = Missing, action = "accept" }));
        Assert.Equal(HttpStatusCode.BadRequest, feedbackUnseen.Status);
        Assert.Equal(feedbackMissing, feedbackUnseen);
        Assert.Contains("candidateId", feedbackUnseen.Body);
        var log = await bound.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{Org}/feedback");
        Assert.Empty(log.GetProperty("items").EnumerateArray());

        // The planner's include: refused alike; an exclude either way is left out, not refused.
        var planUnseen = await AnswerAsync(await bound.PostAsJsonAsync("/api/v1/consortia/plans", PlanBody(unseen)));
        var planMissing = await AnswerAsync(await bound.PostAsJsonAsync("/api/v1/consortia/plans", PlanBody(Missing)));
        Assert.Equal(HttpStatusCode.BadRequest, planUnseen.Status);
        Assert.Equal(planMissing, planUnseen);
        Assert.Contains("constraints.include[0]", planUnseen.Body);
        foreach (var excluded in new[] { unseen, Missing })
        {
            var plan = await bound.PostAsJsonAsync("/api/v1/consortia/plans", new
            {
                leadId = Org, sector = "new-energy-vehicles", slots = new object[] { new { role = "research" } }, constraints = new { exclude = new[] { excluded } },
                alternatives = 1,
            });
            Assert.Equal(HttpStatusCode.Created, plan.StatusCode);
        }

        // Shown candidates are reachable: feedback is taken, and the organization's own answers stay as before for unbound keys.
        Assert.Equal(HttpStatusCode.Created,
            (await bound.PostAsJsonAsync($"/api/v1/organizations/{Org}/feedback", new { candidateId = shown.First(), action = "accept" })).StatusCode);
        var adminMissing = await admin.PostAsJsonAsync($"/api/v1/organizations/{Org}/feedback", new { candidateId = Missing, action = "accept" });
        Assert.Contains("no organization has id", await adminMissing.Content.ReadAsStringAsync());
    }
}
