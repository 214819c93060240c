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

/// <summary>Chromium with one page open, and the script errors that page raised; disposing closes both.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserPage(IPlaywright playwright, IBrowser browser, IPage page) => (_playwright, _browser, Page) = (playwright, browser, page);

    public IPage Page { get; }

    /// <summary>Every uncaught script error of the page so far (a test ends asserting there were none).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Launches Chromium and opens a page of 1280 × 860 (or the browser's default size).</summary>
    public static async Task<BrowserPage> OpenAsync(bool defaultSize = false)
    {
        var (playwright, browser) = await ReviewBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(defaultSize ? null : new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        var opened = new BrowserPage(playwright, browser, page);
        page.PageError += (_, e) => opened.Errors.Add(e);
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>The review page of a run, served and open in Chromium and ready; disposing closes the browser, then the server.</summary>
public sealed class ReviewPage : IAsyncDisposable
{
    private readonly ImageCluster.Web.ReviewServer _server;
    private readonly BrowserPage _browser;

    private ReviewPage(ImageCluster.Web.ReviewServer server, BrowserPage browser) => (_server, _browser) = (server, browser);

    public IPage Page => _browser.Page;

    /// <summary>Every uncaught script error of the page so far.</summary>
    public List<string> Errors => _browser.Errors;

    /// <summary>Serves <paramref name="run"/>, opens its page (1280 × 860, or the browser's default size) and waits for it.</summary>
    public static async Task<ReviewPage> OpenAsync(string run, bool defaultSize = false)
    {
        var server = await ImageCluster.Web.ReviewServer.StartAsync(run);
        BrowserPage? browser = null;
        try
        {
            browser = await BrowserPage.OpenAsync(defaultSize);
            await browser.Page.GotoAsync(server.Url.ToString());
            await Assertions.Expect(browser.Page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
            return new ReviewPage(server, browser);
        }
        catch
        {
            if (browser is not null) await browser.DisposeAsync();
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _server.DisposeAsync();
    }
}

/// <summary>Browser tests run alone, so the timings are not those of a machine busy with the rest of the suite.</summary>
[CollectionDefinition(ReviewBrowser.Collection, DisableParallelization = true)]
public sealed class ReviewBrowserCollection;
