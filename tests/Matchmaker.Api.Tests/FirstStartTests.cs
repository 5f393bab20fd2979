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
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Embedded_first_start_without_a_configured_key_writes_one_admin_token_to_a_private_file_when_output_is_not_a_terminal()
    {
        var original = Console.Out;
        var console = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(console));
        string output;
        using var factory = new BootstrapKeyApiFactory(null);
        try
        {
            factory.CreateClient(); // starts the host
            // The console logger writes from a queue of its own: wait for the warning that names the file, which
            // comes after anything the first start could have printed.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!console.ToString().Contains("first-admin-key.txt", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the console never showed the first-key warning: {console}");
                await Task.Delay(50);
            }
            output = console.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }

        // The test runner's output is redirected, as a service manager's is: the token goes to a file, not the console.
        Assert.True(Console.IsOutputRedirected);
        Assert.Empty(Token().Matches(output));
        var file = Path.Combine(Path.GetDirectoryName(factory.DatabasePath)!, "first-admin-key.txt");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var token = Assert.Single(Token().Matches(await File.ReadAllTextAsync(file)).Select(m => m.Value));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Message.Contains(token, StringComparison.Ordinal));
        Assert.Contains(factory.Logs.Lines, l => l.Message.Contains(file, StringComparison.Ordinal));
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
