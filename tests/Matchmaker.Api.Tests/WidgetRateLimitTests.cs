using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>
/// Three requests per key per minute, and clients at different addresses: the test server has no sockets, so the
/// client's address is taken from a test-only header before the service's pipeline runs.
/// </summary>
public sealed class ClientAddressApiFactory : MatchmakerApiFactory
{
    public const int Limit = 3;
    public const string AddressHeader = "X-Test-Client-Address";

    protected override int PermitsPerMinute => Limit;

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, nextMiddleware) =>
            {
                if (IPAddress.TryParse(http.Request.Headers[AddressHeader].ToString(), out var address)) http.Connection.RemoteIpAddress = address;
                await nextMiddleware(http);
            });
            next(app);
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFilter>());
    }
}

public sealed class WidgetRateLimitTests(ClientAddressApiFactory factory) : IClassFixture<ClientAddressApiFactory>
{
    [Fact]
    public async Task A_widget_keys_visitors_each_get_their_own_window()
    {
        var created = await factory.CreateAdminClient().PostAsJsonAsync("/api/v1/keys",
            new { name = "page widget", scopes = new[] { "widget" }, organizationId = "tongji-auto", allowedOrigins = new[] { "https://limits-park.example.cn" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        async Task<HttpStatusCode> FromAsync(string address)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/organizations/tongji-auto/matches");
            request.Headers.Add("X-Api-Key", token);
            request.Headers.Add(ClientAddressApiFactory.AddressHeader, address);
            return (await factory.CreateClient().SendAsync(request)).StatusCode;
        }

        for (var i = 0; i < ClientAddressApiFactory.Limit; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, await FromAsync("198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await FromAsync("198.51.100.7"));
        // Another visitor of the same page is not held back by the first.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await FromAsync("203.0.113.20"));
    }
}
