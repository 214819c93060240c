using ImageCluster.Curation;
using ImageCluster.Neighbours;

namespace ImageCluster.Tests;

/// <summary>Which issues each image gets from its measurements, neighbours, groups and labels (issue 15).</summary>
public class IssueFinderTests
{
    private static AllNeighbours Cosine(FeatureMatrix x, int k)
    {
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        return AllNeighbours.Of(index, x, k);
    }

    private static readonly ImageQuality Photo = new(400, 300, 0.02f, 0.95f, 0.05f, 7.2f, 0.2f);

    private static string[] IssuesOf(ImageQuality q, params ImageQuality[] others)
    {
        var all = others.Prepend(q).Cast<ImageQuality?>().ToList();
        return IssueFinder.Find(all.Count, all, null, null, null, new IssueThresholds()).Where(i => i.Row == 0).Select(i => i.Issue).ToArray();
    }

    [Fact]
    public void A_good_photo_has_no_issue_and_each_defect_its_own()
    {
        var crowd = Enumerable.Repeat(Photo, 20).ToArray();
        Assert.Empty(IssuesOf(Photo, crowd));
        Assert.Equal([IssueNames.Blurry], IssuesOf(Photo with { Sharpness = 0.0001f }, crowd));
        Assert.Equal([IssueNames.Dark], IssuesOf(Photo with { BrightEnd = 0.12f, DarkEnd = 0 }, crowd));
        Assert.Equal([IssueNames.Light], IssuesOf(Photo with { DarkEnd = 0.8f, BrightEnd = 1 }, crowd));
        Assert.Equal([IssueNames.LowInformation], IssuesOf(Photo with { Entropy = 0.1f, Sharpness = 0 }, crowd)); // flat: not also blurry
        Assert.Equal([IssueNames.Grayscale], IssuesOf(Photo with { Colourfulness = 0.001f }, crowd));
        Assert.Equal([IssueNames.OddAspectRatio], IssuesOf(Photo with { Width = 2000, Height = 100 }, crowd));
        Assert.Equal([IssueNames.OddSize], IssuesOf(Photo with { Width = 40, Height = 30 }, crowd));
    }

    [Fact]
    public void Size_is_odd_against_the_collection_not_in_absolute_terms()
    {
        var icons = Enumerable.Repeat(Photo with { Width = 32, Height = 32 }, 20).ToArray();
        Assert.Empty(IssuesOf(Photo with { Width = 32, Height = 32 }, icons));
        Assert.Equal([IssueNames.OddSize], IssuesOf(Photo, icons)); // a 400 × 300 photo among icons
    }

    [Fact]
    public void Scores_stay_in_0_to_1_and_grow_with_the_defect()
    {
        var crowd = Enumerable.Repeat(Photo, 20).ToArray();
        double Score(ImageQuality q) => IssueFinder.Find(21, crowd.Prepend(q).Cast<ImageQuality?>().ToList(), null, null, null, new IssueThresholds())
            .Single(i => i.Row == 0).Score;
        Assert.True(Score(Photo with { BrightEnd = 0.05f, DarkEnd = 0 }) > Score(Photo with { BrightEnd = 0.25f, DarkEnd = 0 }));
        Assert.True(Score(Photo with { Sharpness = 0 }) > Score(Photo with { Sharpness = 0.001f }));
        Assert.InRange(Score(Photo with { Width = 1, Height = 100000 }), 0, 1);
    }

    [Fact]
    public void Images_far_from_all_others_are_outliers_and_the_clusters_are_not()
    {
        var x = TestData.Blobs(300, 16, 3, seed: 4, out _, noise: 0.3);
        var rows = Enumerable.Range(0, x.Rows).Select(i => x.ReadRow(i).ToArray()).ToList();
        var random = new Random(9);
        for (int i = 0; i < 3; i++) rows.Add(Enumerable.Range(0, 16).Select(_ => (float)TestData.Gaussian(random) * 10).ToArray());
        var all = FeatureMatrix.FromRows(rows).NormalizeRowsInPlace();

        var outliers = IssueFinder.Find(all.Rows, null, Cosine(all, 10), null, null, new IssueThresholds()).Where(i => i.Issue == IssueNames.Outlier).ToList();

        Assert.Equal([300, 301, 302], outliers.Select(o => o.Row).Order());
        Assert.All(outliers, o => Assert.InRange(o.Score, 0.98, 1));
    }

    [Fact]
    public void A_label_its_neighbours_overwhelmingly_contradict_is_a_label_issue()
    {
        var x = TestData.Blobs(200, 8, 2, seed: 5, out int[] truth, noise: 0.2);
        var labels = truth.Select(t => (string?)$"class{t}").ToList();
        labels[7] = labels[7] == "class0" ? "class1" : "class0"; // one flipped label
        labels[8] = null; // one unlabelled image: never judged

        var issues = IssueFinder.Find(x.Rows, null, Cosine(x.UnitRows(), 10), null, labels, new IssueThresholds()).Where(i => i.Issue == IssueNames.LabelIssue).ToList();

        Assert.Equal([7], issues.Select(i => i.Row));
        Assert.Equal(1.0, issues[0].Score, 6);
    }
}
