using ImageCluster.Clustering;
using ImageCluster.Review;
using ImageCluster.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>The review page's map in real Chromium: every image a dot, a click opens its cluster, decisions recolour it.</summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserMapTests
{
    [BrowserFact(Shared = true)]
    public async Task The_map_shows_every_image_opens_the_clicked_images_cluster_and_follows_the_decisions()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeFullAsync(temp);
        await using var review = await ReviewPage.OpenAsync(run);
        var (page, errors) = (review.Page, review.Errors);

        await page.ClickAsync("#map-toggle");
        await Expect(page.Locator("#map-canvas")).ToHaveAttributeAsync("data-points", "180");
        await Expect(page.Locator("#map-note")).ToContainTextAsync("t-SNE: exact t-SNE"); // 180 images: below the UMAP size
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-map.png") });

        // Click the dot of the 7th point: its cluster opens with that image selected.
        var (image, cluster, x, y) = await Point(page, 6);
        await page.Mouse.ClickAsync(x, y);
        await Expect(page.Locator("#cluster")).ToBeVisibleAsync();
        await Expect(page.Locator("#cluster-title")).ToContainTextAsync(cluster.ToString());
        string path = (await page.EvaluateAsync<string[]>("() => paths"))[image];
        await Expect(page.Locator("#detail-path")).ToHaveTextAsync(path);

        // Discard that cluster; on the map its dots say so, and undo takes it back.
        await page.Keyboard.PressAsync("d");
        await Expect(page.Locator("#count-discarded")).Not.ToHaveTextAsync("0");
        await page.Keyboard.PressAsync("p");
        await Expect(page.Locator("#map-canvas")).ToHaveAttributeAsync("data-points", "180");
        Assert.True(await Verdicts(page, cluster, 2), "every dot of the discarded cluster is drawn discarded");
        await page.ClickAsync("#undo");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync("0");
        Assert.True(await Verdicts(page, cluster, 0), "after undo the cluster's dots are undecided again");
        using (var stored = ReviewSession.Open(run))
            Assert.Empty(stored.LiveDecisions());
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#overview")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    /// <summary>Image number, cluster and page coordinates of map point <paramref name="i"/>.</summary>
    private static async Task<(int Image, int Cluster, float X, float Y)> Point(IPage page, int i)
    {
        var p = await page.EvaluateAsync<float[]>($$"""
            () => { const c = document.getElementById('map-canvas').getBoundingClientRect(), canvas = document.getElementById('map-canvas');
                    const [x, y] = map.screen[{{i}}];
                    return [map.images[{{i}}], map.clusters[{{i}}], c.left + x * c.width / canvas.width, c.top + y * c.height / canvas.height]; }
            """);
        return ((int)p[0], (int)p[1], p[2], p[3]);
    }

    private static async Task<bool> Verdicts(IPage page, int cluster, int verdict)
    {
        // The page redraws after the server's answer: wait for it to settle, then read what the dots were drawn from.
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-pending", "0");
        return await page.EvaluateAsync<bool>($"() => map.clusters.every((c, i) => c !== {cluster} || map.verdicts[i] === {verdict})");
    }

    [Fact]
    public void Above_the_t_SNE_size_the_map_is_UMAP_of_every_image_and_the_same_for_a_seed()
    {
        var x = TestData.Blobs(120, 8, 3, seed: 2, out var truth, noise: 0.3);
        var tsne = new TsneOptions { MaxSamples = 100 };

        var map = Reports.RunMaps.Neighbourhood(x, 3, tsne, new UmapOptions(), CancellationToken.None);
        var again = Reports.RunMaps.Neighbourhood(x, 3, tsne, new UmapOptions(), CancellationToken.None);

        Assert.Equal("UMAP", map.Name);
        Assert.Equal(Enumerable.Range(0, 120), map.Samples);
        Assert.Equal(map.X, again.X);
        Assert.Contains("exact t-SNE above 100 would show a random 100", map.Note);
        Assert.Equal("t-SNE", Reports.RunMaps.Neighbourhood(x, 3, new TsneOptions(), new UmapOptions(), CancellationToken.None).Name);
    }
}
