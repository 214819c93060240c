using System.Security.Cryptography;
using ImageCluster.Export;
using ImageCluster.Review;
using ImageCluster.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>A whole review in real Chromium on near_duplicates (180 images, default model), checked on disk at the end.</summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserTests
{
    [BrowserFact(Shared = true)]
    public async Task A_whole_review_session_in_the_browser_survives_a_reload_and_exports_verified_copies()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeFullAsync(temp);
        string to = temp.Combine("kept");
        var members = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(r => int.Parse(r[1]), r => r[0]).ToDictionary(g => g.Key, g => g.ToList());
        // Cards are sorted by size (then label), as the page promises.
        var bySize = members.OrderByDescending(m => m.Value.Count).ThenBy(m => m.Key).Select(m => m.Key).ToList();
        int discarded = bySize[0], kept = bySize[1], target = bySize[2];

        await using var server = await ReviewServer.StartAsync(run);
        await using var browser = await BrowserPage.OpenAsync();
        var (page, errors) = (browser.Page, browser.Errors);

        await page.GotoAsync(server.Url.ToString());
        Assert.Equal(server.BaseUrl.ToString(), page.Url); // the token left the address bar for a cookie
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.Locator(".card")).ToHaveCountAsync(members.Count);
        Assert.Equal(bySize.Select(c => c.ToString()), await page.Locator(".card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.cluster)"));
        await Expect(page.Locator("#count-images")).ToHaveTextAsync("180");

        // Discard the largest cluster from the keyboard.
        await page.Locator(".card").First.FocusAsync();
        await page.Keyboard.PressAsync("d");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(members[discarded].Count.ToString());

        // Keep the second by opening it, then move its first image to the third cluster.
        await page.Locator($".card[data-cluster='{kept}']").ClickAsync();
        await Expect(page.Locator("#cluster-title")).ToContainTextAsync($"cluster {kept}");
        await page.ClickAsync("#c-keep");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync(members[kept].Count.ToString());
        await Expect(page.Locator(".tile.v-keep")).ToHaveCountAsync(members[kept].Count);
        await page.Locator(".tile").First.ClickAsync();
        await Expect(page.Locator("#detail-verdict")).ToHaveTextAsync("keep (follows the cluster)");
        string moved = (await page.Locator("#detail-path").TextContentAsync())!;
        Assert.Contains(moved, members[kept]);
        await page.ClickAsync("#similar");
        await Expect(page.Locator("#similar-list figure")).ToHaveCountAsync(12);
        await page.SelectOptionAsync("#move-to", target.ToString());
        await page.ClickAsync("#move");
        int keptAfterMove = members[kept].Count - 1;
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync(keptAfterMove.ToString());
        await Expect(page.Locator(".tile")).ToHaveCountAsync(keptAfterMove);

        // Undo from the keyboard, redo with the button.
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync(members[kept].Count.ToString());
        await page.ClickAsync("#redo");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync(keptAfterMove.ToString());
        await page.Locator(".tile").First.ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-cluster.png") });

        // A reload (or a crash) loses nothing: the page comes back from the store, in the same cluster.
        await page.ReloadAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.Locator("#cluster-title")).ToContainTextAsync($"cluster {kept}");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync(keptAfterMove.ToString());
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(members[discarded].Count.ToString());
        using (var stored = ReviewSession.Open(run))
        {
            Assert.Equal(target, stored.State.Images.Single(i => i.Path == moved).Cluster);
            Assert.Equal(Verdict.Keep, stored.State.Clusters.Single(c => c.Cluster == kept).Verdict);
            Assert.Equal(Verdict.Discard, stored.State.Clusters.Single(c => c.Cluster == discarded).Verdict);
        }

        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#cards")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-overview.png") });
        await page.ClickAsync("#export-toggle");
        await page.FillAsync("#export-to", to);
        await page.ClickAsync("#export-run");
        await Expect(page.Locator("#export-result")).ToContainTextAsync($"exported {keptAfterMove} images");
        Assert.Empty(errors);

        // On disk: exactly the kept images (not the moved one), byte-identical, with the manifest's hashes.
        var expected = members[kept].Where(p => p != moved).Order(StringComparer.Ordinal).ToList();
        var manifest = File.ReadAllLines(Path.Combine(to, Exporter.ManifestName));
        Assert.Equal("source,destination,cluster,decision,sha256", manifest[0]);
        var rows = manifest.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(expected, rows.Select(r => r[1]).Order(StringComparer.Ordinal));
        foreach (var r in rows)
        {
            string copy = Path.Combine(to, r[1]);
            Assert.Equal(Path.Combine(input, r[1]), r[0]);
            Assert.Equal(r[4], Hash(copy));
            Assert.Equal(r[4], Hash(r[0]));
            Assert.Equal("keep", r[3]);
        }
        Assert.False(File.Exists(Path.Combine(to, moved)));
        Assert.Equal(expected.Count + 1, Directory.GetFiles(to, "*", SearchOption.AllDirectories).Length);
        Assert.Single(Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl"));
    }

    private static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
