using Microsoft.AspNetCore.Hosting;

namespace Matchmaker.Api.Tests;

/// <summary>The service as the Production environment runs it.</summary>
public sealed class ProductionEnvironmentApiFactory : MatchmakerApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class SecurityHeadersTests(ProductionEnvironmentApiFactory factory) : IClassFixture<ProductionEnvironmentApiFactory>
{
    [Fact]
    public async Task Production_answers_carry_nosniff_and_hsts_and_serve_no_swagger_ui()
    {
        // HSTS leaves localhost out.
        var https = factory.CreateClient(
            new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://matchmaker.example.cn") });
        https.DefaultRequestHeaders.Add("X-Api-Key", MatchmakerApiFactory.AdminKey);

        var error = await https.GetAsync("/api/v1/organizations/no-such-org");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("nosniff", Assert.Single(error.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("max-age=", Assert.Single(error.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal("nosniff", Assert.Single((await https.GetAsync("/health/live")).Headers.GetValues("X-Content-Type-Options")));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await https.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await https.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }
}
