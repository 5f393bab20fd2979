using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using PuppeteerSharp;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The README's first hour in a real browser: the API's own build started with its default configuration (no port
/// given, as <c>dotnet run --project src/Matchmaker.Api</c> starts it) and the README's addresses opened in headless
/// Chromium, which refuses ports on the browsers' blocked list (ERR_UNSAFE_PORT). Screenshots go to TestResults/first-hour/.
/// </summary>
public sealed partial class DefaultPortBrowserTests
{
    /// <summary>The README's address.</summary>
    private const int DefaultPort = 5180;
    private static readonly string Base = $"http://localhost:{DefaultPort}";

    [GeneratedRegex(@"mm_[0-9a-f]+_[A-Za-z0-9_-]{43}")]
    private static partial Regex Token();

    // Not attached to a terminal, the first start writes its generated token to a file readable by the user only and logs where.
    [GeneratedRegex(@"written to (\S+first-admin-key\.txt)")]
    private static partial Regex TokenFile();

    [GeneratedRegex(@"https?://[^\s)\]]+/lists/[A-Za-z0-9_.\-]+")]
    private static partial Regex ListLink();

    [Fact]
    public async Task The_readme_addresses_open_in_chromium_on_the_default_port()
    {
        var root = SourceTree.Root;
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        Assert.Contains($"<{Base}/swagger>", readme);
        Assert.Contains($"<{Base}/>", readme);
        Assert.Contains($"<{Base}/jobs>", readme);
        Assert.Contains("dotnet run --project src/Matchmaker.Api", readme);
        // dotnet run takes the address from launchSettings.json, the built app from appsettings.json: both say the README's.
        var launch = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "src", "Matchmaker.Api", "Properties", "launchSettings.json")));
        Assert.Equal(Base, launch.RootElement.GetProperty("profiles").GetProperty("Matchmaker.Api").GetProperty("applicationUrl").GetString());
        var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "src", "Matchmaker.Api", "appsettings.json")));
        Assert.Equal(Base, settings.RootElement.GetProperty("Urls").GetString());

        EnsurePortFree();
        var data = Directory.CreateTempSubdirectory("mm-first-hour-");
        await using var site = await IntegratorSite.StartAsync();
        var api = await DefaultApi.StartAsync(data.FullName);
        try
        {
            using var admin = new HttpClient { BaseAddress = new Uri(Base), Timeout = TimeSpan.FromSeconds(60) };
            admin.DefaultRequestHeaders.Add("X-Api-Key", api.AdminToken);
            await WaitForListAsync(admin, "tongji-auto");
            var wecomKey = Guid.NewGuid().ToString("N");
            var subscribed = await admin.PostAsJsonAsync("/api/v1/organizations/tongji-auto/subscriptions",
                new { channel = "wecom", target = $"{site.Origin}/cgi-bin/webhook/send?key={wecomKey}", language = "zh" });
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
            var widgetKey = (await (await admin.PostAsJsonAsync("/api/v1/keys",
                    new { name = "partner page widget", scopes = new[] { "widget" }, organizationId = "tongji-auto", allowedOrigins = new[] { site.Origin } }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            var document = await admin.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
            // HEAD through the real server: the GET's headers, no body.
            var head = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/organizations/tongji-auto/recommendations?limit=5"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.NotNull(head.Headers.ETag);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            var operations = document.GetProperty("paths").EnumerateObject().Sum(p =>
                p.Value.EnumerateObject().Count(o => o.Name is "get" or "post" or "put" or "delete" or "patch" or "head"));

            var artifacts = Artifacts();
            await using var browser = await LaunchAsync();

            // Swagger UI renders one block per operation of the served document.
            await using (var page = await browser.NewPageAsync())
            {
                var response = await page.GoToAsync($"{Base}/swagger", WaitUntilNavigation.Load);
                Assert.Equal(HttpStatusCode.OK, response.Status);
                await page.WaitForSelectorAsync(".opblock", new WaitForSelectorOptions { Timeout = 30_000 });
                var blocks = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('.opblock').length");
                var title = await page.EvaluateExpressionAsync<string>("document.querySelector('.info .title').innerText");
                await page.ScreenshotAsync(Path.Combine(artifacts, "swagger.png"), new ScreenshotOptions { FullPage = false });
                Assert.Contains("Matchmaker API", title);
                Assert.Equal(operations, blocks);
            }

            // The console at / loads without a key and takes the admin token pasted into it.
            await using (var page = await browser.NewPageAsync())
            {
                var response = await page.GoToAsync($"{Base}/", WaitUntilNavigation.Load);
                Assert.Equal(HttpStatusCode.OK, response.Status);
                await page.TypeAsync("#key", api.AdminToken);
                await page.ClickAsync("#key-form button[type=submit]");
                await page.WaitForSelectorAsync("body[data-ready=true]", new WaitForSelectorOptions { Timeout = 30_000 });
                Assert.False(await page.EvaluateExpressionAsync<bool>("document.querySelector('#search-box').hidden"));
            }

            // The dashboard asks for credentials, then lets the admin key in and triggers the weekly lists.
            await using (var page = await browser.NewPageAsync())
            {
                // Headless Chromium cannot show the prompt: a Basic challenge without credentials fails the navigation.
                var refused = await Assert.ThrowsAsync<NavigationException>(() => page.GoToAsync($"{Base}/jobs", WaitUntilNavigation.Load));
                Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", refused.Message);
                using var anonymous = new HttpClient { BaseAddress = new Uri(Base) };
                var challenge = await anonymous.GetAsync("/jobs");
                Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
                Assert.Contains(challenge.Headers.WwwAuthenticate, h => h.Scheme == "Basic");

                // The browser's answer to the prompt: Basic credentials, any user name and the key as password (sent as a
                // header, without request interception).
                var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{api.AdminToken}"));
                await page.SetExtraHttpHeadersAsync(new Dictionary<string, string> { ["Authorization"] = $"Basic {basic}" });
                var recurring = await page.GoToAsync($"{Base}/jobs/recurring", WaitUntilNavigation.Load);
                Assert.Equal(HttpStatusCode.OK, recurring.Status);
                // Before the trigger: the dashboard reloads itself after it, and a screenshot taken then may never finish.
                await page.ScreenshotAsync(Path.Combine(artifacts, "jobs.png"), new ScreenshotOptions { FullPage = false });
                await page.ClickAsync("input.js-jobs-list-checkbox[value='weekly-digest']");
                // The click posts the command from the page: wait for its answer before the page is closed, or the
                // request is aborted on its way (the server logs 499) and no job is triggered.
                var triggered = page.WaitForResponseAsync(r => r.Url.EndsWith("/recurring/trigger", StringComparison.Ordinal) && r.Request.Method == HttpMethod.Post);
                await page.ClickAsync("button.js-jobs-list-command[data-url$='/recurring/trigger']");
                Assert.True((await triggered).Ok, "the dashboard refused the trigger");
            }

            // The robot message carries the list page's link on the default address; the page lists the candidates.
            var message = await WaitForAsync(() => site.At("/cgi-bin/webhook/send").FirstOrDefault(d => d.Query.Contains(wecomKey, StringComparison.Ordinal)), api);
            var markdown = JsonDocument.Parse(message.Body).RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
            var link = ListLink().Match(markdown).Value;
            Assert.StartsWith($"{Base}/lists/", link);
            await using (var page = await browser.NewPageAsync())
            {
                var response = await page.GoToAsync(link, WaitUntilNavigation.Load);
                Assert.Equal(HttpStatusCode.OK, response.Status);
                var shown = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('li.candidate > strong')].map(e => e.innerText)");
                await page.ScreenshotAsync(Path.Combine(artifacts, "list-page.png"), new ScreenshotOptions { FullPage = true });
                Assert.NotEmpty(shown);
                // Capability and need tags read as words (TagCatalog), not slugs.
                Assert.DoesNotMatch(@"[a-z]+-[a-z]+",
                    await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('li.candidate')].map(e => e.innerText).join('\\n')"));
                Assert.Contains("同济大学汽车学院", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').innerText"));
            }

            // The widget on a partner page loads its script and data from the default address.
            var pageName = Guid.NewGuid().ToString("N");
            site.Pages[pageName] = $$"""
                <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>松江科创园</title></head>
                <body><div data-matchmaker-widget data-organization="tongji-auto" data-key="{{widgetKey}}" data-lang="zh" data-limit="3"></div>
                <script src="{{Base}}/widget/v1.js" async></script></body></html>
                """;
            await using (var page = await browser.NewPageAsync())
            {
                await page.GoToAsync($"{site.Origin}/pages/{pageName}", WaitUntilNavigation.Load);
                await page.WaitForSelectorAsync("[data-matchmaker-widget][data-state=ready]", new WaitForSelectorOptions { Timeout = 30_000 });
                var names = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('.mm-widget .mm-name')].map(e => e.innerText)");
                await page.ScreenshotAsync(Path.Combine(artifacts, "widget.png"), new ScreenshotOptions { FullPage = true });
                Assert.Equal(3, names.Length);
                Assert.DoesNotMatch(@"[a-z]+-[a-z]+",
                    string.Join('\n', await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('.mm-widget .mm-reason')].map(e => e.innerText)")));
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nservice output:\n{api.Output}", e);
        }
        finally
        {
            await api.DisposeAsync();
            try { data.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A service left running on the README's port would answer in place of the build under test: refuse clearly.</summary>
    private static void EnsurePortFree()
    {
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && !Socket.OSSupportsIPv6) continue;
            using var listener = new TcpListener(address, DefaultPort);
            try
            {
                listener.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                Assert.Fail($"Port {DefaultPort} ({address}) is in use by another process, probably a running `dotnet run --project src/Matchmaker.Api`: stop " +
                    "it and run this test again.");
            }
            catch (SocketException)
            {
                // No IPv6 loopback on this host: Kestrel skips it too.
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    private static async Task WaitForListAsync(HttpClient admin, string organization)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var response = await admin.GetAsync($"/api/v1/organizations/{organization}/recommendations?limit=5");
            if (response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength() > 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no list for {organization} after 120 s: {(int)response.StatusCode}");
            await Task.Delay(250);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, DefaultApi api) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (probe() is { } found) return found;
            if (api.HasExited || DateTime.UtcNow > deadline) throw new TimeoutException("the weekly list did not reach the robot in 60 s");
            await Task.Delay(200);
        }
    }

    private static Task<IBrowser> LaunchAsync() => HeadlessChromium.LaunchAsync(1100, 1000, protocolTimeout: 90_000);

    private static string Artifacts()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults", "first-hour");
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// The API's build of this test's configuration, started as <c>dotnet run</c> starts it: the Development
    /// environment, no address given (the inherited ones removed), its data in a directory of its own.
    /// </summary>
    private sealed class DefaultApi : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private DefaultApi(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string AdminToken { get; private set; } = "";
        public bool HasExited => _process.HasExited;
        public string Output => string.Join('\n', _output);

        public static async Task<DefaultApi> StartAsync(string dataDirectory)
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(SourceTree.Root, "src", "Matchmaker.Api", "bin", output.Parent!.Name, output.Name, "Matchmaker.Api.dll");
            if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found: build the solution first");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(dll)!,
            };
            start.ArgumentList.Add(dll);
            Matchmaker.Tests.Shared.ServiceEnvironment.ClearInherited(start);
            foreach (var inherited in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "Urls" }) start.Environment.Remove(inherited);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["Storage__SqlitePath"] = Path.Combine(dataDirectory, "matchmaker.db");
            start.Environment["Models__Directory"] = Path.Combine(dataDirectory, "models");
            // The robot stands in for WeCom on plain http on loopback.
            start.Environment["Delivery__AllowLoopbackTargets"] = "true";
            var api = new DefaultApi(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
            var deadline = DateTime.UtcNow.AddSeconds(120);
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                if (api.HasExited)
                {
                    await api._process.WaitForExitAsync();
                    throw new InvalidOperationException($"the API exited with {api._process.ExitCode} while starting:\n{api.Output}");
                }
                try
                {
                    if ((await probe.GetAsync($"{Base}/health/live")).StatusCode == HttpStatusCode.OK)
                    {
                        // The first start prints its generated admin key once, as the README says (before it listens;
                        // the line may still be on its way through the pipe).
                        for (var i = 0; i < 100 && api.AdminToken.Length == 0; i++)
                        {
                            api.AdminToken = Token().Match(api.Output).Value;
                            if (api.AdminToken.Length == 0 && TokenFile().Match(api.Output) is { Success: true } file && File.Exists(file.Groups[1].Value))
                            {
                                api.AdminToken = Token().Match(await File.ReadAllTextAsync(file.Groups[1].Value)).Value;
                            }
                            if (api.AdminToken.Length == 0) await Task.Delay(100);
                        }
                        if (api.AdminToken.Length > 0) return api;
                        await api.DisposeAsync();
                        throw new InvalidOperationException($"no admin token printed:\n{api.Output}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                if (DateTime.UtcNow > deadline)
                {
                    await api.DisposeAsync();
                    throw new TimeoutException($"the API did not listen on {Base} in time:\n{api.Output}");
                }
                await Task.Delay(100);
            }
        }

        private void Keep(string? line)
        {
            if (line is null) return;
            _output.Enqueue(line);
            while (_output.Count > 2000) _output.TryDequeue(out _);
        }

        public async ValueTask DisposeAsync()
        {
            if (_process.HasExited) return;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }
}
