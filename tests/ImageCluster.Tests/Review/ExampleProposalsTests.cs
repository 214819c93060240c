using ImageCluster.Review;

namespace ImageCluster.Tests;

/// <summary>Query by example (issue 18): proposals from examples over the neighbour graph, and the decisions they become.</summary>
public class ExampleProposalsTests
{
    // Three well-separated blobs of 40; the clusters are the blobs except that blob 2 is split in two clusters.
    private static (ReviewState State, string[] Paths, Clustering.WeightedGraph Graph, int[] Truth) Setting()
    {
        var x = TestData.Blobs(120, 16, 3, seed: 4, out var truth, noise: 0.3);
        x.NormalizeRowsInPlace();
        var paths = Enumerable.Range(0, x.Rows).Select(i => $"img{i:D3}.png").ToArray();
        var clusters = truth.Select((t, i) => t == 2 && i % 2 == 0 ? 3 : t).ToArray();
        return (new ReviewState(paths, clusters), paths, ExampleProposals.Graph(x, new ProposalOptions()), truth);
    }

    [Fact]
    public void Three_examples_propose_their_blob_to_keep_and_the_others_to_discard()
    {
        var (state, paths, graph, truth) = Setting();
        var like = Enumerable.Range(0, paths.Length).Where(i => truth[i] == 1).Take(3).Select(i => paths[i]).ToArray();
        state.Apply(new MarkExamples(like, []));
        var proposals = ExampleProposals.Of(state, paths, graph, new ProposalOptions());

        Assert.Equal(paths.Length, proposals.Images.Count);
        foreach (var (p, i) in proposals.Images.Select((p, i) => (p, i)))
            Assert.True(p.Verdict == (truth[i] == 1 ? Verdict.Keep : Verdict.Discard) && (truth[i] == 1 || p.Confidence >= 0.9),
                $"{p.Path} (blob {truth[i]}): {p.Verdict} {p.Confidence:F3}");
        Assert.All(like, l => Assert.Equal(1.0, proposals.Images.Single(p => p.Path == l).Confidence));
        // The examples' blob is the one with wanted images left undecided: first in the queue.
        Assert.Equal(1, proposals.Clusters[0].Cluster);
        Assert.Equal(37, proposals.Clusters[0].Undecided);
        Assert.True(proposals.Clusters[0].Value > 30, $"{proposals.Clusters[0].Value}");
        Assert.All(proposals.Clusters, c => Assert.True(c.Impurity < ProposalSet.ImpureFrom));

        var accept = proposals.Accept(state, 0.9)!;
        Assert.All(accept.Kept, p => Assert.Equal(1, truth[Array.IndexOf(paths, p)]));
        Assert.Empty(accept.Discarded); // discards only when asked for
        Assert.Equal(80, proposals.Accept(state, 0.9, discards: true)!.Discarded.Length);
        state.Apply(accept);
        Assert.Equal(3 + accept.Kept.Length, state.Images.Count(i => i.Verdict == Verdict.Keep));
        Assert.Equal(accept.Kept.Length, state.AcceptedProposals.Count);
        // The prior that an undecided image is something else keeps the blob's edge below 0.9 at first; the accepted
        // images seed the next round, so accepting again grows the kept set over the blob, and never past it.
        for (int round = 0; round < 10 && ExampleProposals.Of(state, paths, graph, new ProposalOptions()).Accept(state, 0.9) is { } more; round++)
            state.Apply(more);
        Assert.Equal(Enumerable.Range(0, paths.Length).Where(i => truth[i] == 1), Enumerable.Range(0, paths.Length).Where(i => state.Images[i].Verdict == Verdict.Keep));
    }

    [Fact]
    public void Unlike_examples_and_kept_clusters_seed_the_proposals_too()
    {
        var (state, paths, graph, truth) = Setting();
        int Row(int blob) => Array.FindIndex(truth, t => t == blob);
        // Kept cluster 3 (half of blob 2) makes the other half like it; an unlike example in blob 0 keeps blob 0 away.
        state.Apply(new ClusterVerdict([3], Verdict.Keep));
        state.Apply(new MarkExamples([paths[Array.FindIndex(truth.Select((t, i) => (t, i)).ToArray(), x => x.t == 2 && x.i % 2 == 0)]], [paths[Row(0)]]));
        var proposals = ExampleProposals.Of(state, paths, graph, new ProposalOptions());
        double Like(int i) => proposals.Images[i].Verdict == Verdict.Keep ? proposals.Images[i].Confidence : 1 - proposals.Images[i].Confidence;
        var rows = Enumerable.Range(0, paths.Length).ToList();
        Assert.All(rows.Where(i => truth[i] == 2 && i % 2 == 0), i => Assert.True(Like(i) >= 0.9, $"{paths[i]}: {Like(i):F3}"));
        Assert.All(rows.Where(i => truth[i] != 2), i => Assert.True(Like(i) <= 0.1, $"{paths[i]}: {Like(i):F3}"));
        // Cluster 2 is "something else" by the clustering, but the graph ties it to the kept half: no sure discard there.
        Assert.All(rows.Where(i => truth[i] == 2 && i % 2 == 1), i => Assert.True(Like(i) > 0.1, $"{paths[i]}: {Like(i):F3}"));
        Assert.Equal(0.0, 1 - proposals.Images[Row(0)].Confidence); // the unlike example is what the reviewer said
        Assert.Equal(Verdict.Discard, state.Images[Row(0)].Verdict);
    }

    [Fact]
    public void Proposals_need_a_like_example_and_something_unlike()
    {
        var (state, paths, graph, _) = Setting();
        var none = Assert.Throws<ImageClusterException>(() => ExampleProposals.Of(state, paths, graph, new ProposalOptions()));
        Assert.Equal("no image is marked as an example: mark at least one image the others should be like", none.Message);

        var one = new ReviewState(paths, new int[paths.Length]);
        one.Apply(new MarkExamples([paths[0]], []));
        var all = Assert.Throws<ImageClusterException>(() => ExampleProposals.Of(one, paths, graph, new ProposalOptions()));
        Assert.Contains("the like examples lie in every cluster", all.Message);
    }

    [Fact]
    public void Marking_examples_sets_verdicts_and_a_later_verdict_clears_the_accepted_mark()
    {
        var (state, paths, _, _) = Setting();
        var both = Assert.Throws<ImageClusterException>(() => state.Apply(new MarkExamples([paths[0]], [paths[0]])));
        Assert.Equal($"{paths[0]} cannot be a like and an unlike example at once", both.Message);
        Assert.Throws<ImageClusterException>(() => state.Apply(new MarkExamples(["nope.png"], [])));
        Assert.Throws<ImageClusterException>(() => state.Apply(new MarkExamples([], [])));
        Assert.Throws<ImageClusterException>(() => state.Apply(new AcceptProposals([], [], 0.9)));
        Assert.Empty(state.LikeExamples);

        state.Apply(new MarkExamples([paths[0], paths[1]], [paths[2]]));
        Assert.Equal([Verdict.Keep, Verdict.Keep, Verdict.Discard], state.Images.Take(3).Select(i => i.Verdict));
        state.Apply(new MarkExamples([paths[2]], [], Unmark: [paths[1]])); // an unlike example turned like; another unmarked
        Assert.Equal([paths[0], paths[2]], state.LikeExamples.Order());
        Assert.Empty(state.UnlikeExamples);
        Assert.Equal(Verdict.Keep, state.Images[1].Verdict); // unmarking keeps the verdict

        state.Apply(new AcceptProposals([paths[5]], [paths[6]], 0.9));
        Assert.Equal(2, state.AcceptedProposals.Count);
        state.Apply(new ImageVerdict([paths[5]], Verdict.Discard));
        Assert.Equal([paths[6]], state.AcceptedProposals);
    }
}
