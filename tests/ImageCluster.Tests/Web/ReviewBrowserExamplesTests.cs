using ImageCluster.Export;
using ImageCluster.Review;
using ImageCluster.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageCluster.Tests;

/// <summary>
/// Issue 18 in real Chromium on near_duplicates (180 images, default model, k = 30): search, examples, accepted proposals,
/// multi-select and bulk discard, "discard all undecided", the map's lasso — each checked in the store, undone, and the
/// result exported and checked on disk.
/// </summary>
[Collection(ReviewBrowser.Collection)]
public class ReviewBrowserExamplesTests
{
    [BrowserFact(Shared = true)]
    public async Task Examples_marked_on_picked_images_propose_the_rest_and_accepting_them_is_one_undoable_decision_that_export_honours()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeFullAsync(temp);
        await using var review = await ReviewPage.OpenAsync(run);
        var (page, errors) = (review.Page, review.Errors);
        await Expect(page.Locator("#accept-proposals")).ToBeHiddenAsync();

        // Search by path, open the hit: its cluster with the image selected.
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("g01/orig");
        await Expect(page.Locator("#search-hits")).ToHaveAttributeAsync("data-count", "1");
        await page.ClickAsync("#search-hits figure");
        await Expect(page.Locator("#detail-path")).ToHaveTextAsync("g01/orig.jpg");

        // Ctrl+click a second image of the cluster and the first one, mark both as like examples (L).
        string first = (await page.Locator("#grid .tile.selected").GetAttributeAsync("data-pos"))!;
        var second = page.Locator("#grid .tile:not(.selected)").First;
        await second.ClickAsync(new LocatorClickOptions { Modifiers = [KeyboardModifier.Control] });
        await Expect(page.Locator("#grid-picked")).ToHaveAttributeAsync("data-count", "1");
        await page.Locator($"#grid .tile[data-pos='{first}']").ClickAsync(new LocatorClickOptions { Modifiers = [KeyboardModifier.Control] });
        await Expect(page.Locator("#grid-picked")).ToHaveAttributeAsync("data-count", "2");
        await page.Keyboard.PressAsync("l");
        await Expect(page.Locator("#grid .tile.like")).ToHaveCountAsync(2);
        string[] examples;
        using (var stored = ReviewSession.Open(run))
        {
            examples = [.. stored.State.LikeExamples.Order(StringComparer.Ordinal)];
            Assert.Equal(2, examples.Length);
            Assert.Contains("g01/orig.jpg", examples);
            Assert.Equal(2, stored.Status().Counts.Kept);
        }

        // Marking examples is a decision like any other: undone and redone.
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator("#grid .tile.like")).ToHaveCountAsync(0);
        using (var stored = ReviewSession.Open(run))
            Assert.Empty(stored.State.LikeExamples);
        await page.Keyboard.PressAsync("Control+Shift+z");
        await Expect(page.Locator("#grid .tile.like")).ToHaveCountAsync(2);

        // The overview now orders the clusters as a queue and offers the sure proposals.
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#accept-proposals")).ToBeVisibleAsync();
        await Expect(page.Locator("#queue-note")).ToContainTextAsync("queue: most to gain first · from 2 like");
        await Expect(page.Locator("#cards .card").First.Locator(".proposal")).ToContainTextAsync("proposal keep");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ReviewBrowser.OutputFolder, "review-queue.png") });
        await page.ClickAsync("#accept-proposals");
        await Expect(page.Locator("#accept-proposals")).ToBeHiddenAsync();
        string[] accepted;
        using (var stored = ReviewSession.Open(run))
        {
            var decision = Assert.IsType<AcceptProposals>(stored.LiveDecisions()[^1]);
            accepted = decision.Kept;
            Assert.NotEmpty(accepted);
            Assert.All(accepted, p => Assert.StartsWith("g01/", p)); // near duplicates of the examples, nothing else
            Assert.Equal(accepted.Order(StringComparer.Ordinal), stored.State.AcceptedProposals.Order(StringComparer.Ordinal));
        }
        await Expect(page.Locator("#effort")).ToHaveAttributeAsync("data-decisions", "2");
        await page.ClickAsync("#undo");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync("2");
        using (var stored = ReviewSession.Open(run))
            Assert.Empty(stored.State.AcceptedProposals);
        await page.ClickAsync("#redo");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync((2 + accepted.Length).ToString());

        // Multi-select: A picks a whole other cluster, X discards the picks in one decision; undo takes it back.
        await page.Locator("#cards .card[data-cluster]").Last.ClickAsync();
        await Expect(page.Locator("#cluster")).ToBeVisibleAsync();
        await page.Locator("#grid .tile").First.ClickAsync();
        await page.Keyboard.PressAsync("a");
        string size = (await page.Locator("#grid .tile").CountAsync()).ToString();
        await Expect(page.Locator("#grid-picked")).ToHaveAttributeAsync("data-count", size);
        await page.Keyboard.PressAsync("x");
        await Expect(page.Locator("#grid .tile.v-discard")).ToHaveCountAsync(int.Parse(size));
        await Expect(page.Locator("#grid-picked")).ToBeHiddenAsync();
        using (var stored = ReviewSession.Open(run))
            Assert.Equal(int.Parse(size), Assert.IsType<ImageVerdict>(stored.LiveDecisions()[^1]).Paths.Length);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator("#grid .tile.v-discard")).ToHaveCountAsync(0);

        // Discard all undecided: one decision; undone, then done again for the export.
        await page.Keyboard.PressAsync("Escape");
        await page.ClickAsync("#discard-undecided");
        await Expect(page.Locator("#count-undecided")).ToHaveTextAsync("0");
        await page.ClickAsync("#undo");
        await Expect(page.Locator("#count-undecided")).Not.ToHaveTextAsync("0");
        await page.ClickAsync("#redo");
        await Expect(page.Locator("#count-undecided")).ToHaveTextAsync("0");
        using (var stored = ReviewSession.Open(run))
            Assert.Equal("all undecided", Assert.IsType<ImageVerdict>(stored.LiveDecisions()[^1]).Reason);

        string to = temp.Combine("kept");
        await page.ClickAsync("#export-toggle");
        await page.FillAsync("#export-to", to);
        await page.ClickAsync("#export-run");
        await Expect(page.Locator("#export-result")).ToContainTextAsync($"exported {2 + accepted.Length} images");
        var manifest = File.ReadAllLines(Path.Combine(to, Exporter.ManifestName)).Skip(1).Select(l => l.Split(',')[1]).Order(StringComparer.Ordinal);
        Assert.Equal(examples.Concat(accepted).Order(StringComparer.Ordinal), manifest);
        Assert.All(manifest, p => Assert.True(File.Exists(Path.Combine(to, p)) && File.Exists(Path.Combine(input, p)), p));
        Assert.Empty(errors);
    }

    [BrowserFact(Shared = true)]
    public async Task Picked_images_follow_their_images_when_a_split_redraws_the_grid()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeFullAsync(temp);
        await using var review = await ReviewPage.OpenAsync(run);
        var (page, errors) = (review.Page, review.Errors);
        await page.Locator(".card").First.ClickAsync();
        await Expect(page.Locator("#grid .tile").First).ToBeVisibleAsync();
        int size = await page.EvaluateAsync<int>("() => current.images.length");
        Assert.True(size >= 4, $"the largest cluster has {size} images");
        foreach (int pos in new[] { size - 1, size - 2 })
            await page.Locator($"#grid .tile[data-pos='{pos}']").ClickAsync(new LocatorClickOptions { Modifiers = [KeyboardModifier.Control] });
        await Expect(page.Locator("#grid-picked")).ToHaveAttributeAsync("data-count", "2");
        const string pickedPaths = "() => [...picked].map(i => paths[current.images[i]]).sort()";
        var before = await page.EvaluateAsync<string[]>(pickedPaths);

        await page.Locator("#grid").FocusAsync();
        await page.Keyboard.PressAsync("s");
        await Expect(page.Locator("#message")).ToContainTextAsync("split cluster");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-pending", "0");
        var members = await page.EvaluateAsync<string[]>("() => current.images.map(i => paths[i])");
        Assert.True(members.Length < size, "the split took images out of the open cluster");
        var after = await page.EvaluateAsync<string[]>(pickedPaths);
        // What stayed picked is what was picked and is still here, wherever the grid put it now.
        Assert.Equal(before.Where(members.Contains).Order(StringComparer.Ordinal), after);

        if (after.Length > 0)
        {
            await page.Keyboard.PressAsync("x");
            await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(after.Length.ToString());
            using var stored = ReviewSession.Open(run);
            var decision = Assert.IsType<ImageVerdict>(stored.LiveDecisions().Last());
            Assert.Equal(after, decision.Paths.Order(StringComparer.Ordinal));
        }
        Assert.Empty(errors);
    }

    [BrowserFact(Shared = true)]
    public async Task A_lasso_on_the_map_picks_the_points_inside_for_one_bulk_decision()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeFullAsync(temp);
        await using var review = await ReviewPage.OpenAsync(run);
        var (page, errors) = (review.Page, review.Errors);
        await page.Keyboard.PressAsync("p");
        await Expect(page.Locator("#map-canvas")).ToHaveAttributeAsync("data-points", "180");

        // A loop around the left half of the canvas: the points left of the middle are inside.
        var box = (await page.Locator("#map-canvas").BoundingBoxAsync())!;
        float left = box.X + 2, right = box.X + box.Width / 2, top = box.Y + 2, bottom = box.Y + box.Height - 2;
        await page.Mouse.MoveAsync(left, top);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in new[] { (right, top), (right, bottom), (left, bottom), (left, top + 1) })
            await page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
        int expected = await page.EvaluateAsync<int>("() => map.screen.filter(([x]) => x < document.getElementById('map-canvas').width / 2).length");
        Assert.InRange(expected, 1, 179);
        await Expect(page.Locator("#map-picked")).ToHaveAttributeAsync("data-count", expected.ToString());
        await Expect(page.Locator("#map")).ToBeVisibleAsync(); // the drag's mouseup is no click on a dot
        var picked = (await page.EvaluateAsync<int[]>("() => [...mapPicked].map(i => map.images[i])")).Order().ToArray();

        await page.ClickAsync("#map-picked [data-act=discard]");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync(expected.ToString());
        await Expect(page.Locator("#map-picked")).ToBeHiddenAsync();
        var names = await page.EvaluateAsync<string[]>("() => paths");
        using (var stored = ReviewSession.Open(run))
        {
            var decision = Assert.IsType<ImageVerdict>(Assert.Single(stored.LiveDecisions()));
            Assert.Equal(picked.Select(i => names[i]).Order(StringComparer.Ordinal), decision.Paths.Order(StringComparer.Ordinal));
        }
        await page.ClickAsync("#undo");
        await Expect(page.Locator("#count-discarded")).ToHaveTextAsync("0");
        using (var stored = ReviewSession.Open(run))
            Assert.Empty(stored.LiveDecisions());
        Assert.Empty(errors);
    }
}
