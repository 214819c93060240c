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
        var e = Assert.Throws<UsageException>(() => review.RecordAll([new ClusterVerdict([0], Verdict.Keep), new ClusterVerdict([7], Verdict.Keep)]));
        Assert.Contains("there is no cluster 7", e.Message);
        Assert.Throws<UsageException>(() => review.Record(new MoveImages(["g01/nope.jpg"], 0)));
        Assert.Empty(review.Status().History);
        Assert.Equal(18, review.Status().Counts.Undecided);
        Assert.Contains("contains '..'", Assert.Throws<UsageException>(() => review.ResolveImage("../run/run.json")).Message);
    }

    [SharedFact]
    public async Task A_new_clustering_in_the_same_run_folder_starts_a_fresh_review()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        using (var review = ReviewSession.Open(run)) review.Record(new ClusterVerdict([0], Verdict.Keep));
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run)).ExitCode);
        using (var review = ReviewSession.Open(run)) Assert.Empty(review.Status().History); // cluster 0 now means something else
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "3", "--model", "pixels", "--out", run)).ExitCode);
        using (var review = ReviewSession.Open(run)) Assert.Single(review.Status().History); // the same clustering again: its review is back
    }

    [SharedFact]
    public async Task An_assignments_file_edited_to_point_outside_the_input_is_refused()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 1, k: 1);
        File.AppendAllText(Path.Combine(run, "assignments.csv"), "../../etc/passwd,0,0\n");
        Assert.Contains("contains '..'", Assert.Throws<UsageException>(() => ReviewSession.Open(run)).Message);
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
        Assert.Contains("there is no cluster 1", Assert.Throws<UsageException>(() => page.Record(new ClusterVerdict([1], Verdict.Keep))).Message);
        page.Refresh();
        Assert.False(page.State.HasCluster(1));
        Assert.Single(page.Status().History);
    }
}
