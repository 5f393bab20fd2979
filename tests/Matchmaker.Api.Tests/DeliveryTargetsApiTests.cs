using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Delivery;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>The embedded service with no delivery settings, and a DNS that answers NAT64, 6to4 and IPv4-compatible addresses.</summary>
public sealed class HostileDnsApiFactory : MatchmakerApiFactory
{
    private sealed class HostileResolver : HostResolver
    {
        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(host switch
        {
            "nat64.hooks.example.cn" => new[] { IPAddress.Parse("64:ff9b::a00:5") },
            "6to4.hooks.example.cn" => [IPAddress.Parse("2002:a00:5::1")],
            "compat.hooks.example.cn" => [IPAddress.Parse("::a00:5")],
            "mixed.hooks.example.cn" => [IPAddress.Parse("203.119.80.1"), IPAddress.Parse("10.0.0.5")],
            _ => [],
        });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<HostResolver>(new HostileResolver()));
    }
}

public sealed class DeliveryTargetsApiTests(HostileDnsApiFactory factory) : IClassFixture<HostileDnsApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    [Theory]
    [InlineData("https://10.0.0.5/hook")] // private, even in the embedded mode, unless Delivery:AllowPrivateTargets is set
    [InlineData("https://[fd00::5]/hook")]
    [InlineData("https://[64:ff9b::a00:5]/hook")]
    [InlineData("https://nat64.hooks.example.cn/hook")]
    [InlineData("https://6to4.hooks.example.cn/hook")]
    [InlineData("https://compat.hooks.example.cn/hook")]
    [InlineData("https://mixed.hooks.example.cn/hook")]
    public async Task Webhooks_to_private_targets_are_refused_by_default_in_the_embedded_mode(string target)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/organizations/tongji-auto/subscriptions", new { channel = "webhook", target });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("private", problem.GetProperty("errors").GetProperty("target")[0].GetString());
        Assert.Empty((await _admin.GetFromJsonAsync<JsonElement[]>("/api/v1/organizations/tongji-auto/subscriptions"))!);
    }

    [Fact]
    public async Task The_delivery_client_ignores_proxies_and_checks_the_address_it_connects_to()
    {
        var handlers = factory.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        HttpMessageHandler handler = handlers.CreateHandler(HttpMessageSender.ClientName);
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler!;
        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.UseProxy);
        Assert.False(sockets.AllowAutoRedirect);

        // The client the senders use, through the service's resolver: refused before any connection.
        var client = factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpMessageSender.ClientName);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://nat64.hooks.example.cn/hook"));
        Assert.IsType<ForbiddenTargetException>(refused.InnerException);
    }
}
