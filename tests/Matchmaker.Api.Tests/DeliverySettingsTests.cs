using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Matchmaker.Engine.Delivery;

namespace Matchmaker.Api.Tests;

/// <summary>The service with extra settings, for start-up checks.</summary>
public sealed class ConfiguredApiFactory(params (string Key, string Value)[] settings) : MatchmakerApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}

public sealed class DeliverySettingsTests
{
    [Fact]
    public void Smtp_requires_tls_unless_told_otherwise_and_an_unknown_security_value_stops_the_start()
    {
        using (var plain = new ConfiguredApiFactory(("Delivery:Smtp:Host", "smtp.example.cn")))
        {
            plain.CreateClient();
            Assert.Equal("StartTls", plain.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Smtp.Security);
        }
        using var typo = new ConfiguredApiFactory(("Delivery:Smtp:Host", "smtp.example.cn"), ("Delivery:Smtp:Security", "STARTTLS-please"));
        var refused = Assert.ThrowsAny<Exception>(() => typo.CreateClient());
        Assert.Contains("Delivery:Smtp:Security", refused.ToString());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_generated_link_key_is_readable_by_the_service_user_only()
    {
        using var factory = new MatchmakerApiFactory();
        factory.CreateClient();
        _ = factory.Services.GetRequiredService<DeliveryTokens>();

        var key = Path.Combine(Path.GetDirectoryName(factory.DatabasePath)!, "delivery-token.key");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }
}

public sealed class SubscriptionQuotaTests
{
    [Fact]
    public async Task An_organization_gets_at_most_its_quota_of_subscriptions_then_409_and_deleting_one_frees_a_place()
    {
        using var factory = new ConfiguredApiFactory(("Delivery:MaxSubscriptionsPerOrganization", "2"), ("Delivery:AllowLoopbackTargets", "true"));
        var admin = factory.CreateAdminClient();
        const string path = "/api/v1/organizations/sues-air/subscriptions";
        object Webhook(int i) => new { channel = "webhook", target = $"http://127.0.0.1:9/quota-{i}" };

        var first = await admin.PostAsJsonAsync(path, Webhook(1));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(path, Webhook(2))).StatusCode);

        var refused = await admin.PostAsJsonAsync(path, Webhook(3));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Delivery:MaxSubscriptionsPerOrganization", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement[]>(path))!.Length);
        // Another organization has its own quota.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/organizations/czbank/subscriptions", Webhook(4))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(first.Headers.Location)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(path, Webhook(5))).StatusCode);
    }
}
