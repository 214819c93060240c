using ImageCluster.Clustering;
using ImageCluster.Pipeline;
using ImageCluster.Reports;
using Microsoft.Playwright;

namespace ImageCluster.Tests;

/// <summary>
/// Opens the report of a real run (near_duplicates of ../shared, 180 images, ward agglomerative with 30 clusters) in
/// real Chromium: no console errors, every section there, every image decoded, hover on the map shows the thumbnail.
/// </summary>
public class ReportBrowserTests
{
    [BrowserFact(Shared = true)]
    public async Task Report_of_an_agglomerative_run_opens_cleanly_in_chromium()
    {
        using var temp = new TempFolder();
        string run = temp.Combine("run");
        await ClusterJob.RunAsync(new ClusterJobOptions
        {
            Input = Path.Combine(SharedData.Dataset("near_duplicates"), "images"), Output = run, ModelFolders = [SharedData.Models],
            Clustering = new AgglomerativeOptions { NClusters = 30 },
        });
        string labels = Path.Combine(SharedData.Dataset("near_duplicates"), "labels.csv");
        var cli = await CliRunner.RunAsync("report", run, "--labels", labels, "--positive", "g01");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        string html = Path.Combine(run, "report.html");
        Assert.True(File.Exists(html));
        foreach (var png in new[] { "map-pca.png", "map-tsne.png", "map-tsne-labels.png", "dendrogram.png", "silhouette.png", "elbow.png", "contingency.png", "sizes.png" })
            Assert.True(File.Exists(Path.Combine(run, "plots", png)), $"plots/{png} missing");

        var (playwright, browser) = await ChromiumBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => problems.Add($"page error: {e}");
        page.RequestFailed += (_, r) => problems.Add($"request failed: {r.Url}");
        page.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) problems.Add($"network request: {r.Url}"); };

        await page.GotoAsync(new Uri(html).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        foreach (var id in ReportHtml.SectionIds)
            Assert.True(await page.Locator($"section#{id}").CountAsync() == 1, $"section #{id} missing");
        Assert.Contains("Quality Metric", await page.Locator("#evaluation").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#dendrogram img.plot").CountAsync());
        Assert.Contains("Hopkins statistic H = ", await page.Locator("#diagnostics #hopkins").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#diagnostics th", new PageLocatorOptions { HasTextString = "gap" }).CountAsync());
        Assert.Contains("This run used agglomerative;", await page.Locator("#auto").InnerTextAsync());

        // Hover on a map point shows its thumbnail.
        await page.Locator("#map-1").ScrollIntoViewIfNeededAsync();
        var point = await page.EvaluateAsync<double[]>("() => { const p = window.imageclusterReport.pointOnPage(1, 0); return [p.x, p.y]; }");
        await page.Mouse.MoveAsync((float)point[0], (float)point[1]);
        var tip = page.Locator("#map-tip");
        await tip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 5000 });
        Assert.True(await page.EvaluateAsync<bool>("() => { const i = document.querySelector('#map-tip img'); return i.complete && i.naturalWidth > 0; }"));
        Assert.Contains("cluster", await tip.InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("report-map-hover.png") });
        await page.SelectOptionAsync("#colour-by", "label"); // redraws both maps by label
        await page.Mouse.MoveAsync((float)point[0], (float)point[1] + 1);
        Assert.Contains("label g", await tip.InnerTextAsync());

        // Scroll through the page so every contact sheet fills, then open one "show all".
        int height = await page.EvaluateAsync<int>("() => document.body.scrollHeight");
        for (int y = 0; y <= height; y += 600)
        {
            await page.EvaluateAsync($"() => window.scrollTo(0, {y})");
            await page.WaitForTimeoutAsync(30);
        }
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        int sheetImages = await page.Locator(".sheet img").CountAsync();
        Assert.Equal(180, sheetImages); // 30 clusters of 6, each under the sheet limit
        // Every <img> decoded: wait for the ones still loading, then check their pixels arrived.
        var undecoded = await page.EvaluateAsync<string[]>(@"async () => {
            const imgs = [...document.images];
            await Promise.all(imgs.map(i => i.decode().catch(() => {})));
            return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 60));
        }");
        Assert.True(undecoded.Length == 0, "not decoded: " + string.Join("; ", undecoded));

        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("report.png") });
        await page.EvaluateAsync("() => document.querySelector('.cluster').scrollIntoView()");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("report-clusters.png") });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [BrowserFact(Shared = true)]
    public async Task Report_of_an_optics_run_has_reachability_k_distance_and_noise()
    {
        using var temp = new TempFolder();
        string run = temp.Combine("run");
        var summary = await ClusterJob.RunAsync(new ClusterJobOptions
        {
            Input = Path.Combine(SharedData.Dataset("near_duplicates"), "images"), Output = run, ModelFolders = [SharedData.Models],
            Clustering = new OpticsOptions { MinSamples = 4 },
        });
        var written = ReportJob.Run(new ReportJobOptions { RunFolder = run });
        Assert.Contains(written.Plots, p => p.EndsWith("reachability.png", StringComparison.Ordinal));
        Assert.Contains(written.Plots, p => p.EndsWith("kdistance.png", StringComparison.Ordinal));
        Assert.Equal(summary.Clustering!.Noise, written.Noise);

        var (playwright, browser) = await ChromiumBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => problems.Add($"page error: {e}");
        await page.GotoAsync(new Uri(written.Html).AbsoluteUri);
        Assert.Equal(1, await page.Locator("#reachability img.plot").CountAsync());
        Assert.Equal(1, await page.Locator("#kdistance img.plot").CountAsync());
        Assert.Equal(0, await page.Locator("#dendrogram img.plot").CountAsync());
        Assert.Contains("No labels given", await page.Locator("#evaluation").InnerTextAsync());
        await page.Locator("#noise").ScrollIntoViewIfNeededAsync();
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        if (written.Noise > 0) Assert.True(await page.Locator("#noise .sheet img").CountAsync() > 0);
        var undecoded = await page.EvaluateAsync<int>("async () => { const imgs = [...document.images]; await Promise.all(imgs.map(i => i.decode().catch(() => {}))); return imgs.filter(i => !(i.naturalWidth > 0)).length; }");
        Assert.Equal(0, undecoded);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Screenshots go to TestResults/artifacts under the test output folder, where CI collects them.</summary>
    internal static string ArtifactPath(string name)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
