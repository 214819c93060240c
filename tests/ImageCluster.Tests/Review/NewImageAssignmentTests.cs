using ImageCluster.Review;

namespace ImageCluster.Tests;

/// <summary>Images added to a reviewed dump (issue 18): placed in the cluster they are near, else in a new group.</summary>
public class NewImageAssignmentTests
{
    [Fact]
    public void A_new_image_joins_the_cluster_whose_own_reach_it_is_within_and_a_far_one_joins_none()
    {
        var x = TestData.Blobs(150, 8, 3, seed: 5, out var truth, noise: 0.2);
        x.NormalizeRowsInPlace();
        var oldRows = Enumerable.Range(0, 120).ToArray();
        var old = Diagnostics.Sampling.Rows(x, oldRows);
        var clusters = oldRows.Select(r => truth[r] == 2 ? -1 : truth[r] * 10).ToArray(); // blob 2 is noise: it takes no one
        var added = Diagnostics.Sampling.Rows(x, [.. Enumerable.Range(120, 30)]);

        var places = NewImageAssignment.Assign(old, clusters, added, new AssignmentOptions());

        for (int i = 0; i < 30; i++)
        {
            int blob = truth[120 + i];
            if (blob == 2) Assert.Null(places[i].Cluster); // nearest is a blob of another kind, out of its reach
            else Assert.True(places[i].Cluster == blob * 10 || places[i].Cluster is null, $"row {120 + i} of blob {blob} went to {places[i].Cluster}");
        }
        Assert.True(places.Count(p => p.Cluster is not null) >= 15, "most new rows of blobs 0 and 1 are within their cluster's reach");
        Assert.All(places.Where(p => p.Cluster is not null), p => Assert.True(p.Distance <= p.Reach));
    }

    [Fact]
    public void Added_images_follow_their_clusters_verdict_as_inherited_and_the_new_group_is_named()
    {
        var state = new ReviewState(["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"], [0, 1, 0, 1, 0]);
        state.Apply(new ClusterVerdict([0], Verdict.Keep));
        state.Apply(new AddImages(["c.jpg", "d.jpg", "e.jpg"], [0, 2, 2], NewGroup: 2));

        Assert.Equal(["c.jpg", "d.jpg", "e.jpg"], state.AddedImages.Order());
        Assert.Equal(["c.jpg"], state.InheritedImages);
        Assert.Equal("new", state.Clusters.Single(c => c.Cluster == 2).Name);
        Assert.Equal(Verdict.Keep, state.Images[2].Verdict);
        Assert.Equal(Verdict.Undecided, state.Images[3].Verdict);
        var twice = Assert.Throws<ImageClusterException>(() => state.Apply(new AddImages(["c.jpg"], [0], 2)));
        Assert.Equal("c.jpg was added before", twice.Message);
        Assert.Throws<ImageClusterException>(() => state.Clone().Apply(new AddImages(["a.jpg"], [7], 2)));
    }
}
