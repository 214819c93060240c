using ImageCluster.Review;

namespace ImageCluster.Tests;

/// <summary>Decisions are checked against the run before they are stored (issue 14, item 9).</summary>
public class ReviewValidationTests
{
    [SharedFact]
    public async Task Unknown_verdicts_and_endless_names_are_refused_and_repeats_are_stored_once()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        using var review = ReviewSession.Open(run);
        string image = review.State.Images[0].Path;
        int images = review.State.Images.Count;

        var verdict = Assert.Throws<ImageClusterException>(() => review.Record(new ImageVerdict([image], (Verdict)99)));
        Assert.Equal("verdict 99 is not keep, discard or undecided", verdict.Message);
        Assert.Throws<ImageClusterException>(() => review.Record(new ClusterVerdict([0], (Verdict)99)));
        var name = Assert.Throws<ImageClusterException>(() => review.Record(new RenameCluster(0, new string('x', 1_000_000))));
        Assert.Equal("a cluster name is at most 200 characters (got 1000000)", name.Message);
        Assert.Empty(review.Status().History);

        review.Record(new ImageVerdict([.. Enumerable.Repeat(image, 100_000)], Verdict.Keep));
        Assert.Equal(1, review.Status().Counts.Kept);
        Assert.Equal(images, review.Status().Counts.Kept + review.Status().Counts.Discarded + review.Status().Counts.Undecided);
        Assert.Single(review.Status().History);
        using var reopened = ReviewSession.Open(run); // what was stored is the one image
        Assert.Equal(1, reopened.Status().Counts.Kept);
    }
}
