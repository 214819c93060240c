using Microsoft.Playwright;

namespace ImageCluster.Tests;

/// <summary>Debian's Chromium driven by Playwright for .NET (no downloaded browsers: <c>.ci/run</c> installs the package).</summary>
public static class ReviewBrowser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>The xunit collection of browser tests (see <see cref="ReviewBrowserCollection"/>).</summary>
    public const string Collection = "browser";

    /// <summary>Where screenshots and timings of the browser tests go (beside the test binaries).</summary>
    public static string OutputFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "browser-tests")).FullName;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        // A browser test that cannot run must fail, not skip: a skipped acceptance test looks like a passing one.
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"], // tests run as root, where the sandbox cannot start
        });
        return (playwright, browser);
    }
}

/// <summary>Browser tests run alone, so the timings are not those of a machine busy with the rest of the suite.</summary>
[CollectionDefinition(ReviewBrowser.Collection, DisableParallelization = true)]
public sealed class ReviewBrowserCollection;
