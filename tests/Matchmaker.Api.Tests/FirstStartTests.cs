using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Matchmaker.Engine.Access;

namespace Matchmaker.Api.Tests;

public sealed partial class FirstStartTests
{
    [GeneratedRegex(@"mm_[0-9a-f]+_[A-Za-z0-9_-]{43}")]
    private static partial Regex Token();

    [Fact]
    public async Task Embedded_first_start_without_a_configured_key_prints_one_admin_token_once_and_stores_only_its_hash()
    {
        var original = Console.Out;
        var console = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(console));
        string output;
        using var factory = new BootstrapKeyApiFactory(null);
        try
        {
            factory.CreateClient(); // starts the host
            await Task.Delay(500); // let the console logger drain its queue
            output = console.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }

        var tokens = Token().Matches(output).Select(m => m.Value).ToList();
        var token = Assert.Single(tokens); // printed once, and not repeated by any log line
        var keys = await factory.Services.GetRequiredService<IApiKeyStore>().ListAsync();
        var key = Assert.Single(keys);
        Assert.Equal([ApiScope.Admin], key.Scopes);
        Assert.StartsWith($"mm_{key.Id}_", token);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientWithKey(token).GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClientWithKey(MatchmakerApiFactory.AdminKey).GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public void A_short_bootstrap_key_refuses_the_start()
    {
        using var factory = new BootstrapKeyApiFactory("too-short");

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Auth:BootstrapAdminKey", error.ToString());
    }
}
