using ImageCluster.Review;

namespace ImageCluster.Tests;

public class ReviewSessionTests
{
    [SharedFact]
    public async Task Decisions_survive_reopening_and_undo_redo_replay_the_log()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        using (var review = ReviewSession.Open(run))
        {
            Assert.Equal(new VerdictCounts(18, 0, 0, 18), review.Status().Counts);
            review.RecordAll([new ClusterVerdict([0, 1], Verdict.Keep), new ClusterVerdict([2], Verdict.Discard), new RenameCluster(0, "first")]);
        }
        using (var review = ReviewSession.Open(run)) // a reload (or a crash) loses nothing
        {
            var status = review.Status();
            Assert.Equal(0, status.Counts.Undecided);
            Assert.Equal("first", status.Clusters.Single(c => c.Cluster == 0).Name);
            Assert.Equal(3, status.History.Count);

            Assert.Equal("rename cluster 0 to 'first'", review.Undo()!.Description);
            Assert.Null(review.State.Clusters.Single(c => c.Cluster == 0).Name);
            review.Undo();
            Assert.Equal(Verdict.Undecided, review.State.Clusters.Single(c => c.Cluster == 2).Verdict);
            Assert.NotNull(review.Redo());
            Assert.Equal(Verdict.Discard, review.State.Clusters.Single(c => c.Cluster == 2).Verdict);
            Assert.True(review.Status().CanRedo);

            // A new decision ends the redo history.
            review.Record(new ClusterVerdict([2], Verdict.Keep));
            Assert.False(review.Status().CanRedo);
            Assert.Null(review.Redo());
        }
        using (var review = ReviewSession.Open(run))
        {
            Assert.Equal(["keep clusters 0,1", "discard cluster 2", "keep cluster 2"], review.Status().History.Select(h => h.Description));
            Assert.Equal(18, review.Status().Counts.Kept);
        }
    }

    [SharedFact]
    public async Task Merge_split_move_and_image_verdicts_change_membership_and_counts()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        using var review = ReviewSession.Open(run);
        var sizes = review.State.Clusters.ToDictionary(c => c.Cluster, c => c.Size);

        review.Record(new MergeClusters(0, [1]));
        Assert.False(review.State.HasCluster(1));
        review.Record(new MergeClusters(0, [2]));
        Assert.Equal(3, review.State.NextCluster); // label 2 is gone but not reused
        review.Undo();
        Assert.Equal(sizes[0] + sizes[1], review.State.Members(0).Count);

        var split = review.PlanSplit(0);
        Assert.Equal(3, split.NewCluster);
        Assert.InRange(split.Moved.Length, 1, (sizes[0] + sizes[1]) / 2);
        review.Record(split);
        Assert.Equal(split.Moved.Order(), review.State.Members(3).Order());

        string image = review.State.Members(2)[0];
        review.Record(new MoveImages([image], 0));
        Assert.Equal(0, review.State.Images.Single(i => i.Path == image).Cluster);

        review.Record(new ClusterVerdict([0], Verdict.Keep));
        review.Record(new ImageVerdict([image], Verdict.Discard));
        var counts = review.Status().Counts;
        Assert.Equal(review.State.Members(0).Count - 1, counts.Kept);
        Assert.Equal(1, counts.Discarded);

        review.Record(new ImageVerdict([image], Verdict.Undecided)); // follows its cluster again
        Assert.Equal(Verdict.Keep, review.State.Images.Single(i => i.Path == image).Verdict);
    }

    [SharedFact]
    public async Task A_decision_that_does_not_fit_changes_nothing()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        using var review = ReviewSession.Open(run);
        var e = Assert.Throws<ImageClusterException>(() => review.RecordAll([new ClusterVerdict([0], Verdict.Keep), new ClusterVerdict([7], Verdict.Keep)]));
        Assert.Contains("there is no cluster 7", e.Message);
        Assert.Throws<ImageClusterException>(() => review.Record(new MoveImages(["g01/nope.jpg"], 0)));
        Assert.Empty(review.Status().History);
        Assert.Equal(18, review.Status().Counts.Undecided);
        Assert.Contains("contains '..'", Assert.Throws<ImageClusterException>(() => review.ResolveImage("../run/run.json")).Message);
    }

    [SharedFact]
    public async Task Reclustering_keeps_the_verdicts_that_still_apply_and_says_in_one_line_what_was_dropped()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp); // 3 groups of 6, k = 3
        Dictionary<string, Verdict> expected;
        string kept, discarded;
        int fromCluster;
        using (var review = ReviewSession.Open(run))
        {
            kept = review.State.Members(2)[0];
            discarded = review.State.Members(0)[0];
            string moved = review.State.Members(1)[0];
            review.RecordAll([
                new ClusterVerdict([0], Verdict.Keep), new ClusterVerdict([1], Verdict.Discard), new RenameCluster(2, "third"),
                new ImageVerdict([kept], Verdict.Keep), new ImageVerdict([discarded], Verdict.Discard), new MoveImages([moved], 2),
            ]);
            expected = review.State.Images.ToDictionary(i => i.Path, i => i.Verdict);
            fromCluster = review.State.Images.Count(i => i.Own is null && i.Verdict != Verdict.Undecided);
            Assert.Equal(review.State.Members(0).Count - 1 + review.State.Members(1).Count, fromCluster);
        }

        var k2 = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(k2.ExitCode == 0, k2.Stderr);
        Assert.Contains("reclustered: kept the verdicts of 2 images decided one by one; " +
                        $"turned 2 cluster verdicts of the previous clustering (keep 1, discard 1) into verdicts of the {fromCluster} images they covered; " +
                        "dropped 1 rename, 1 move (they name clusters that no longer exist)\n", k2.Stderr.ReplaceLineEndings("\n"));
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
            Assert.Equal(fromCluster, json.RootElement.GetProperty("review").GetProperty("fromClusterVerdicts").GetInt32());
        using (var review = ReviewSession.Open(run))
        {
            // The same images are kept and discarded (export --what kept takes the same files), as their own verdicts:
            // the clusters of the new clustering are undecided and unnamed.
            Assert.Equal(expected, review.State.Images.ToDictionary(i => i.Path, i => i.Verdict));
            Assert.All(review.State.Clusters, c => Assert.Equal((Verdict.Undecided, (string?)null), (c.Verdict, c.Name)));
            Assert.Equal(expected.Values.Count(v => v == Verdict.Keep), review.Status().Counts.Kept);
            Assert.Equal("carry-over", Assert.Single(review.Status().History).Kind);
            review.Record(new ImageVerdict([kept], Verdict.Discard)); // a decision on the new clustering
        }

        // Back to k = 3: that clustering's own review exists; the newer verdicts replace it, and undo brings it back.
        var k3 = await CliRunner.RunAsync("cluster", input, "--k", "3", "--model", "pixels", "--out", run);
        Assert.True(k3.ExitCode == 0, k3.Stderr);
        // After a carry-over every verdict is an image's own.
        Assert.Contains($"reclustered: kept the verdicts of {expected.Values.Count(v => v != Verdict.Undecided)} images decided one by one; " +
                        "this replaces the earlier review of the same clustering (undoing the carry-over brings it back)", k3.Stderr);
        using (var review = ReviewSession.Open(run))
        {
            Assert.Equal(new Dictionary<string, Verdict>(expected) { [kept] = Verdict.Discard }, review.State.Images.ToDictionary(i => i.Path, i => i.Verdict));
            Assert.Equal(Verdict.Undecided, review.State.Clusters.Single(c => c.Cluster == 0).Verdict);
            review.Undo();
            Assert.Equal(expected, review.State.Images.ToDictionary(i => i.Path, i => i.Verdict));
            Assert.Equal("third", review.State.Clusters.Single(c => c.Cluster == 2).Name);
        }

        // An image that left the input takes its verdict with it, and the line says so.
        File.Delete(Path.Combine(input, discarded));
        var fewer = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(fewer.ExitCode == 0, fewer.Stderr);
        Assert.Contains("and the verdicts of 1 image no longer in the run", fewer.Stderr);
        using (var review = ReviewSession.Open(run))
            Assert.Equal(expected.Where(e => e.Key != discarded).ToDictionary(), review.State.Images.ToDictionary(i => i.Path, i => i.Verdict));

        // The same clustering again carries nothing and says nothing.
        var same = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.DoesNotContain("reclustered", same.Stderr);
    }

    [SharedFact]
    public async Task Reclustering_carries_the_examples_over_with_their_images()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp); // 3 groups of 6, k = 3
        string like, unlike;
        using (var review = ReviewSession.Open(run))
        {
            (like, unlike) = (review.State.Members(0)[0], review.State.Members(1)[0]);
            review.Record(new MarkExamples([like], [unlike]));
        }

        var k2 = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);

        Assert.True(k2.ExitCode == 0, k2.Stderr);
        Assert.Contains("reclustered: kept the verdicts of 2 images decided one by one (among them the examples: like 1, unlike 1)", k2.Stderr);
        using var after = ReviewSession.Open(run);
        Assert.Equal([like], after.State.LikeExamples);
        Assert.Equal([unlike], after.State.UnlikeExamples);
        Assert.Equal(Verdict.Keep, after.State.Images.Single(i => i.Path == like).Verdict);
        after.Undo(); // the carry-over, examples and all
        Assert.Empty(after.State.LikeExamples);
    }

    [SharedFact]
    public async Task An_assignments_file_edited_to_point_outside_the_input_is_refused()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 1, k: 1);
        File.AppendAllText(Path.Combine(run, "assignments.csv"), "../../etc/passwd,0,0\n");
        Assert.Contains("contains '..'", Assert.Throws<ImageClusterException>(() => ReviewSession.Open(run)).Message);
    }

    [SharedFact]
    public async Task Two_sessions_on_one_run_see_each_others_decisions()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        using var page = ReviewSession.Open(run);
        using var cli = ReviewSession.Open(run);
        cli.Record(new MergeClusters(0, [1]));
        // The page still shows cluster 1, but a decision on it is checked against the stored log.
        Assert.True(page.State.HasCluster(1));
        Assert.Contains("there is no cluster 1", Assert.Throws<ImageClusterException>(() => page.Record(new ClusterVerdict([1], Verdict.Keep))).Message);
        page.Refresh();
        Assert.False(page.State.HasCluster(1));
        Assert.Single(page.Status().History);
    }
}
