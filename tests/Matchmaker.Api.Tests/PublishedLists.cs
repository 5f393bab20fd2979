using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>Waits for the service's first recompute to publish an organization's list.</summary>
internal static class PublishedLists
{
    public static async Task<JsonElement> WaitForListAsync(HttpClient client, string organization, string query = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var response = await client.GetAsync($"/api/v1/organizations/{organization}/recommendations{query}");
            if (response.StatusCode == HttpStatusCode.OK) return await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            if (DateTime.UtcNow > deadline) Assert.Fail("no recommendations were published");
            await Task.Delay(200);
        }
    }
}
