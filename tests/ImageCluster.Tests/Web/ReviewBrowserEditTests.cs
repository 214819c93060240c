using ImageCluster.Review;
using ImageCluster.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>The cluster edits of the review page in Chromium: rename, merge, split, per-image verdicts by key, errors shown.</summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserEditTests
{
    [BrowserFact(Shared = true)]
    public async Task Rename_merge_split_and_image_keys_reach_the_store()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 4, k: 4);
        int a, b, merged;
        using (var before = ReviewSession.Open(run))
        {
            var bySize = before.State.Clusters.OrderByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList();
            (a, b, merged) = (bySize[0].Cluster, bySize[1].Cluster, bySize[0].Size + bySize[1].Size);
        }
        await using var review = await ReviewPage.OpenAsync(run, defaultSize: true);
        var (page, errors) = (review.Page, review.Errors);

        await page.Locator($".card[data-cluster='{a}']").ClickAsync();
        await page.FillAsync("#rename-input", "tulips");
        await page.ClickAsync("#rename");
        await Expect(page.Locator("#cluster-title")).ToHaveTextAsync($"{a} · tulips");

        await page.SelectOptionAsync("#merge-from", b.ToString());
        await page.ClickAsync("#merge");
        await Expect(page.Locator("#cluster-meta")).ToContainTextAsync($"{merged} images");

        // Keys: pick the first image with the arrow, discard it (X), then split the cluster (S).
        await page.Locator("#grid").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("x");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync("1");
        await Expect(page.Locator("#detail-verdict")).ToHaveTextAsync("discard (its own verdict)");
        await page.Keyboard.PressAsync("s");
        await Expect(page.Locator("#message")).ToContainTextAsync("split cluster");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-pending", "0");

        // M focuses the target list; Enter there moves the selected image.
        string moving = (await page.Locator("#detail-path").TextContentAsync())!;
        await page.Keyboard.PressAsync("m");
        await Expect(page.Locator("#move-to")).ToBeFocusedAsync();
        string target = await page.Locator("#move-to option").Last.GetAttributeAsync("value") ?? "";
        await page.SelectOptionAsync("#move-to", target);
        // Coming back to the window refreshes the page from the store; the chosen target and the focus stay.
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('focus'))");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-pending", "0");
        await Expect(page.Locator("#move-to")).ToBeFocusedAsync();
        await Expect(page.Locator("#move-to")).ToHaveValueAsync(target);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#message")).ToContainTextAsync($"move {moving} to cluster {target}");

        using (var s = ReviewSession.Open(run))
        {
            var history = s.Status().History.Select(h => h.Kind).ToList();
            Assert.Equal(["rename", "merge", "image-verdict", "split", "move"], history);
            Assert.Equal(int.Parse(target), s.State.Images.Single(i => i.Path == moving).Cluster);
            Assert.Equal("tulips", s.State.Clusters.Single(c => c.Cluster == a).Name);
            Assert.False(s.State.HasCluster(b));
            Assert.Equal(merged, s.State.Members(a).Count + s.State.Members(s.State.NextCluster - 1).Count + (target == a.ToString() || target == (s.State.NextCluster - 1).ToString() ? 0 : 1));
        }

        // A decision that does not fit is shown as one line, and nothing is stored.
        var response = await page.EvaluateAsync<string>("""
            () => fetch('/api/clusters/99999/verdict', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"verdict":"keep"}' }).then(r => r.text())
            """);
        Assert.Contains("there is no cluster 99999", response);
        Assert.Empty(errors);
    }
}
