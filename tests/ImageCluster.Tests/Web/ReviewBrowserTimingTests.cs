using System.Diagnostics;
using System.Globalization;
using System.Text;
using ImageCluster.Web;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>
/// Time for a person (issue #7): how long the page takes to show 200 cluster cards, and to open a cluster of 10 000
/// images and scroll through it. Written to browser-tests/timings.txt beside the test binaries; docs/benchmarks.md has
/// the figures of this machine. The bounds asserted are loose: they catch a page that renders every tile, not a slow VM.
/// </summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserTimingTests
{
    private const int BigCluster = 10_000, SmallClusters = 199, SmallSize = 2;

    [BrowserFact]
    public async Task Two_hundred_cards_and_a_ten_thousand_image_cluster_show_quickly()
    {
        using var temp = new TempFolder();
        string input = temp.Combine("in"), run = temp.Combine("run");
        var paths = MakeImages(input, BigCluster + SmallClusters * SmallSize);
        var cluster = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        // The clustering itself is beside the point: give the run one cluster of 10 000 and 199 of two.
        var csv = new StringBuilder("path,cluster,distance\n");
        for (int i = 0; i < paths.Count; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{paths[i]},{(i < BigCluster ? 0 : 1 + (i - BigCluster) / SmallSize)},0\n");
        File.WriteAllText(Path.Combine(run, "assignments.csv"), csv.ToString());

        await using var server = await ReviewServer.StartAsync(run);
        var (playwright, browser) = await ReviewBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        var report = new StringBuilder();
        var failures = new List<string>();
        page.Response += (_, r) => { if (r.Status >= 400) failures.Add($"{r.Status} {r.Url}"); };
        page.Console += (_, m) => failures.Add("console: " + m.Text);

        var clock = Stopwatch.StartNew();
        await page.GotoAsync(server.Url.ToString());
        await Expect(page.Locator(".card")).ToHaveCountAsync(SmallClusters + 1, new() { Timeout = 60_000 });
        double cards = clock.Elapsed.TotalMilliseconds;
        await WaitForVisibleImages(page, "#cards img", failures);
        double cardsWithThumbs = clock.Elapsed.TotalMilliseconds;
        report.AppendLine(CultureInfo.InvariantCulture, $"overview: 200 cards in the DOM {cards:F0} ms; with the thumbnails in view loaded {cardsWithThumbs:F0} ms (first start, thumbnails made on request)");

        // Again with the server warm (index of embeddings built, thumbnails made): what every later visit costs.
        clock.Restart();
        await page.ReloadAsync();
        await Expect(page.Locator(".card")).ToHaveCountAsync(SmallClusters + 1, new() { Timeout = 60_000 });
        await WaitForVisibleImages(page, "#cards img", failures);
        report.AppendLine(CultureInfo.InvariantCulture, $"overview reloaded (warm): 200 cards with the thumbnails in view {clock.Elapsed.TotalMilliseconds:F0} ms");

        clock.Restart();
        await page.Locator(".card[data-cluster='0']").ClickAsync();
        await Expect(page.Locator("#cluster-meta")).ToContainTextAsync($"{BigCluster} images");
        await WaitForVisibleImages(page, ".tile img", failures);
        double open = clock.Elapsed.TotalMilliseconds;
        int tilesInDom = await page.Locator(".tile").CountAsync();
        report.AppendLine(CultureInfo.InvariantCulture, $"open the 10 000-image cluster: {open:F0} ms to the first screen of thumbnails; {tilesInDom} tiles in the DOM");

        // Scroll the whole cluster, one step per animation frame, and record how long each frame took.
        var frames = await page.EvaluateAsync<double[]>("""
            () => new Promise(done => {
              const grid = document.getElementById('grid'), times = [];
              let last = performance.now();
              const step = () => {
                const now = performance.now(); times.push(now - last); last = now;
                if (grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1) { done(times); return; }
                grid.scrollTop += 600; requestAnimationFrame(step);
              };
              requestAnimationFrame(step);
            })
            """);
        int tilesAtEnd = await page.Locator(".tile").CountAsync();
        clock.Restart();
        await WaitForVisibleImages(page, ".tile img", failures);
        double endThumbs = clock.Elapsed.TotalMilliseconds;
        Array.Sort(frames);
        double median = frames[frames.Length / 2], p95 = frames[(int)(frames.Length * 0.95)], worst = frames[^1];
        report.AppendLine(CultureInfo.InvariantCulture,
            $"scroll to the end, 600 px per frame: {frames.Length} frames, median {median:F1} ms, 95th percentile {p95:F1} ms, worst {worst:F1} ms; {tilesAtEnd} tiles in the DOM; last screen's thumbnails {endThumbs:F0} ms after");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-10000.png") });

        File.WriteAllText(Path.Combine(ReviewBrowser.OutputFolder, "timings.txt"), report.ToString());
        TestContext.Current.SendDiagnosticMessage(report.ToString());
        Assert.True(tilesInDom < 400 && tilesAtEnd < 400, $"the grid is not virtualised: {tilesInDom} / {tilesAtEnd} tiles in the DOM\n{report}");
        Assert.True(cards < 30_000 && open < 30_000, report.ToString());
    }

    /// <summary>Waits until every image of <paramref name="selector"/> inside the viewport has loaded.</summary>
    private static async Task WaitForVisibleImages(IPage page, string selector, List<string> failures)
    {
        try
        {
            await WaitForVisibleImages(page, selector);
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-timeout.png") });
            Assert.Fail($"the thumbnails of {selector} did not load; failed requests: {string.Join("; ", failures.Take(10))}");
        }
    }

    private static Task WaitForVisibleImages(IPage page, string selector) =>
        page.WaitForFunctionAsync("""
            selector => {
              const images = [...document.querySelectorAll(selector)].filter(img => {
                const r = img.getBoundingClientRect();
                return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
              });
              return images.length > 0 && images.every(img => img.complete && img.naturalWidth > 0);
            }
            """, selector, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 10 });

    /// <summary>Tiny distinct PNGs (a colour per image), 100 per folder.</summary>
    private static List<string> MakeImages(string root, int count)
    {
        var paths = new List<string>(count);
        using var bitmap = new SKBitmap(24, 24);
        for (int i = 0; i < count; i++)
        {
            string relative = $"f{i / 100:D3}/img{i:D5}.png";
            string full = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            bitmap.Erase(SKColor.FromHsv(i * 137.5f % 360, 40 + i % 60, 50 + i % 50));
            using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(full, data.ToArray());
            paths.Add(relative);
        }
        return paths;
    }
}
