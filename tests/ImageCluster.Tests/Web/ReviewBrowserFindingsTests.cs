using ImageCluster.Export;
using ImageCluster.Review;
using ImageCluster.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>
/// The review page's duplicates view in real Chromium on near_duplicates (180 images, default model): every duplicate
/// but the kept one discarded in one action, undone, redone and exported, checked in the store and on disk (issue 15).
/// </summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserFindingsTests
{
    [BrowserFact(Shared = true)]
    public async Task The_duplicates_view_discards_all_but_the_kept_image_in_one_action_that_undo_takes_back_and_export_honours()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeFullAsync(temp);
        foreach (var command in new[] { "duplicates", "issues" })
        {
            var found = await CliRunner.RunAsync(command, input, "--out", run);
            Assert.True(found.ExitCode == 0, found.Stderr);
        }
        var rows = File.ReadAllLines(Path.Combine(run, "duplicates.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var goes = rows.Where(r => r[3] == "false").Select(r => r[0]).Order(StringComparer.Ordinal).ToList();
        var kept = rows.Where(r => r[3] == "true").Select(r => r[0]).ToList();
        int groups = rows.Select(r => r[1]).Distinct().Count();
        Assert.True(groups >= 25 && goes.Count >= 100, $"near_duplicates should give about 30 groups of 6; got {groups} groups, {goes.Count} to discard");

        await using var review = await ReviewPage.OpenAsync(run);
        var (page, errors) = (review.Page, review.Errors);

        await page.ClickAsync("#findings-toggle");
        await Expect(page.Locator(".dup-group")).ToHaveCountAsync(groups);
        await Expect(page.Locator("#dup-summary")).ToContainTextAsync($"{groups} groups; {goes.Count} images can go");
        // Each group shows its kept image first, marked.
        Assert.All(await page.Locator(".dup-group").EvaluateAllAsync<bool[]>("gs => gs.map(g => g.firstChild.classList.contains('kept') && g.querySelectorAll('.kept').length === 1)"), Assert.True);
        await Expect(page.Locator(".issue[data-issue='near_duplicate'] h4")).ToHaveTextAsync($"near_duplicate · {goes.Count}");

        await page.ClickAsync("#dup-discard");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(goes.Count.ToString());
        await Expect(page.Locator("#dup-groups figure.v-discard")).ToHaveCountAsync(goes.Count);
        await Expect(page.Locator("#dup-groups figure.kept.v-discard")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-duplicates.png") });
        using (var stored = ReviewSession.Open(run))
        {
            Assert.Equal(goes, stored.State.Images.Where(i => i.Verdict == Verdict.Discard).Select(i => i.Path).Order(StringComparer.Ordinal));
            Assert.Single(stored.LiveDecisions());
        }

        await page.ClickAsync("#undo");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync("0");
        await Expect(page.Locator("#dup-groups figure.v-discard")).ToHaveCountAsync(0);
        using (var stored = ReviewSession.Open(run))
            Assert.Empty(stored.LiveDecisions());
        await page.Keyboard.PressAsync("Control+Shift+z");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(goes.Count.ToString());

        string to = temp.Combine("discarded");
        await page.ClickAsync("#export-toggle");
        await page.FillAsync("#export-to", to);
        await page.SelectOptionAsync("#export-what", "discarded");
        await page.ClickAsync("#export-run");
        await Expect(page.Locator("#export-result")).ToContainTextAsync($"exported {goes.Count} images");
        Assert.Empty(errors);

        // On disk: exactly the images the rule lets go, none of the kept ones, the originals untouched.
        var manifest = File.ReadAllLines(Path.Combine(to, Exporter.ManifestName)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(goes, manifest.Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.All(manifest, r => Assert.Equal("discard", r[3]));
        Assert.All(goes, p => Assert.True(File.Exists(Path.Combine(to, p)) && File.Exists(Path.Combine(input, p)), p));
        Assert.All(kept, p => Assert.False(File.Exists(Path.Combine(to, p)), p));
    }
}
