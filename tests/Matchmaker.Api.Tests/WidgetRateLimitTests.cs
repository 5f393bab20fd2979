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
/// <summary>Takes the client's address from <see cref="ClientAddressApiFactory.AddressHeader"/>, before the service's pipeline.</summary>
public sealed class ClientAddressFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, nextMiddleware) =>
        {
            if (IPAddress.TryParse(http.Request.Headers[ClientAddressApiFactory.AddressHeader].ToString(), out var address)) http.Connection.RemoteIpAddress = address;
            await nextMiddleware(http);
        });
        next(app);
    };
}

public sealed class ClientAddressApiFactory : MatchmakerApiFactory
{
    public const int Limit = 3;
    public const string AddressHeader = "X-Test-Client-Address";

    protected override int PermitsPerMinute => Limit;

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

/// <summary>Five requests per client address per minute before any key is looked up; keys themselves are not limited.</summary>
public sealed class AddressLimitedApiFactory : MatchmakerApiFactory
{
    public const int Limit = 5;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:AddressPermitsPerWindow", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFilter>());
    }
}

public sealed class AddressRateLimitTests(AddressLimitedApiFactory factory) : IClassFixture<AddressLimitedApiFactory>
{
    private async Task<HttpResponseMessage> FromAsync(string address, string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ClientAddressApiFactory.AddressHeader, address);
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return await factory.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Anonymous_requests_and_bad_keys_are_limited_per_address_before_any_key_is_looked_up()
    {
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await FromAsync("198.51.100.9", "/health/live")).StatusCode);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await FromAsync("198.51.100.9", "/api/v1/keys", "mm_0123456789abcdef_guess")).StatusCode);

        var refused = await FromAsync("198.51.100.9", "/health/live");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        // Even a valid key from that address waits: the address is refused before the key is read.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FromAsync("198.51.100.9", "/api/v1/keys", MatchmakerApiFactory.AdminKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await FromAsync("203.0.113.40", "/api/v1/keys", MatchmakerApiFactory.AdminKey)).StatusCode);
    }
}
