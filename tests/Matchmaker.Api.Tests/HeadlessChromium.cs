using PuppeteerSharp;

namespace Matchmaker.Api.Tests;

/// <summary>Debian's Chromium, headless, as every browser test here starts it (scripts/setup/30-chromium.sh installs it).</summary>
internal static class HeadlessChromium
{
    private static string Executable() =>
        new[] { Environment.GetEnvironmentVariable("MATCHMAKER_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
        ?? throw new InvalidOperationException("Chromium was not found: run scripts/setup/30-chromium.sh (Debian package chromium) or set MATCHMAKER_CHROMIUM.");

    /// <param name="protocolTimeout">Milliseconds a DevTools call may take (PuppeteerSharp's default when null).</param>
    public static Task<IBrowser> LaunchAsync(int width, int height, int? protocolTimeout = null)
    {
        var options = new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Executable(),
            // Root in a container has no user namespace sandbox; the pages are our own.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN"],
            DefaultViewport = new ViewPortOptions { Width = width, Height = height },
            Timeout = 60_000,
        };
        if (protocolTimeout is { } timeout) options.ProtocolTimeout = timeout;
        return Puppeteer.LaunchAsync(options);
    }
}
