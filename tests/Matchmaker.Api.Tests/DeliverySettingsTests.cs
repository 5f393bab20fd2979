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
