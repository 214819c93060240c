using Microsoft.Playwright;

namespace ImageCluster.Tests;

/// <summary>
/// The system Chromium (Debian package <c>chromium</c>, installed by <c>.ci/run</c>) driven by Playwright. Browsers are
/// never downloaded. Where Chromium is absent, [BrowserFact] reports the tests skipped with what to install; .ci/run
/// installs it and fails on any skipped test.
/// </summary>
public static class ChromiumBrowser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run does it)");
        var playwright = await Playwright.CreateAsync();
        // Tests run as root in CI, where Chromium refuses its sandbox.
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        return (playwright, browser);
    }
}
