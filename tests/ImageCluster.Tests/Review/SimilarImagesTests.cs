using ImageCluster.Review;

namespace ImageCluster.Tests;

public class SimilarImagesTests
{
    private static readonly Dictionary<string, float[]> Vectors = new()
    {
        ["a"] = [1, 0, 0],
        ["a2"] = [2, 0.2f, 0], // same direction as a, other length: cosine ignores length
        ["b"] = [0, 1, 0],
        ["ab"] = [1, 1, 0],
        ["c"] = [0, 0, -3],
    };

    [Fact]
    public void Nearest_orders_by_cosine_and_leaves_the_query_out()
    {
        var index = new SimilarImages(Vectors);
        var found = index.Nearest("a", 3);
        Assert.Equal(["a2", "ab", "b"], found.Select(f => f.Path));
        Assert.Equal(2 / MathF.Sqrt(4.04f), found[0].Similarity, 5);
        Assert.Equal(1 / MathF.Sqrt(2), found[1].Similarity, 5);
        Assert.Equal(4, index.Nearest("a", 100).Count);
        Assert.Empty(index.Nearest("a", 0));
        Assert.Throws<ImageClusterException>(() => index.Nearest("missing", 3));
    }

    [Fact]
    public void Cohesion_is_the_mean_cosine_to_the_mean_direction()
    {
        var index = new SimilarImages(Vectors);
        Assert.Equal(1, index.Cohesion(["a"])!.Value, 6);
        // a and b are orthogonal: the mean of their unit vectors has length √2 / 2, their cosine to it.
        Assert.Equal(Math.Sqrt(2) / 2, index.Cohesion(["a", "b"])!.Value, 6);
        Assert.Equal(0, index.Cohesion(["b", "c", "missing"])!.Value, 0.8); // unrelated: far below a tight cluster
        Assert.Null(index.Cohesion(["missing"]));
    }

    [Fact]
    public void Review_and_report_share_one_cohesion()
    {
        // The report computes it per cluster of a run's matrix, the review page per set of paths: the same numbers.
        var paths = Vectors.Keys.Order(StringComparer.Ordinal).ToArray();
        var matrix = FeatureMatrix.FromRows(paths.Select(p => Vectors[p]).ToList());
        int[] labels = paths.Select(p => p is "a" or "a2" or "ab" ? 0 : p == "b" ? 1 : -1).ToArray();
        var perCluster = Diagnostics.ClusterCohesion.PerCluster(matrix, labels);
        var index = new SimilarImages(Vectors);
        Assert.Equal(index.Cohesion(["a", "a2", "ab"])!.Value, perCluster[0], 6);
        Assert.Equal(1, perCluster[1], 6);
        Assert.False(perCluster.ContainsKey(-1)); // noise has no cohesion
        // Length does not matter, direction does: a and a2 point almost the same way.
        Assert.True(Diagnostics.ClusterCohesion.Of(matrix, [Array.IndexOf(paths, "a"), Array.IndexOf(paths, "a2")]) > 0.99);

        // Both pages state the same definition (the review page's tooltip is in its script).
        string app = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "src", "ImageCluster.Web", "wwwroot", "app.js"));
        Assert.Contains(Diagnostics.ClusterCohesion.Definition, app, StringComparison.Ordinal);
    }

    // 3 000 noisy blob vectors, answered by a scan and by a saved neighbour index (above 1 000 rows).
    private static (Dictionary<string, float[]> Embeddings, SimilarImages Scan, SimilarImages Indexed) ScanAndIndexed(TempFolder temp, int seed)
    {
        var x = TestData.Blobs(3_000, 32, 20, seed, out _, noise: 1.5);
        var embeddings = Enumerable.Range(0, x.Rows).ToDictionary(i => $"img{i:D4}.jpg", i => x.ReadRow(i).ToArray());
        return (embeddings, new SimilarImages(embeddings), new SimilarImages(embeddings, (unit, paths) =>
            Neighbours.SavedNeighbourIndex.Open(temp.Combine("neighbours"), unit, DistanceMetric.Cosine, paths).Index, exactUpTo: 1_000));
    }

    [Fact]
    public void Above_the_exact_limit_the_saved_neighbour_index_answers_as_the_scan_does()
    {
        using var temp = new TempFolder();
        var (embeddings, scan, indexed) = ScanAndIndexed(temp, seed: 9);
        using var _ = indexed;

        Assert.False(scan.Indexed);
        Assert.True(indexed.Indexed);
        int hits = 0, asked = 0;
        foreach (var path in embeddings.Keys.Where((_, i) => i % 15 == 0))
        {
            var truth = scan.Nearest(path, 10);
            var found = indexed.Nearest(path, 10);
            Assert.DoesNotContain(found, f => f.Path == path);
            Assert.All(found.Zip(found.Skip(1)), p => Assert.True(p.First.Similarity >= p.Second.Similarity - 1e-6f));
            var truthBy = truth.ToDictionary(t => t.Path, t => t.Similarity);
            foreach (var f in found.Where(f => truthBy.ContainsKey(f.Path))) Assert.Equal(truthBy[f.Path], f.Similarity, 5);
            hits += found.Count(f => truthBy.ContainsKey(f.Path));
            asked += truth.Count;
        }
        Assert.True(hits >= 0.99 * asked, $"{hits} of {asked}");
    }

    [Fact]
    public void The_proposals_graph_from_the_saved_index_has_the_exact_graphs_edges()
    {
        using var temp = new TempFolder();
        var (_, scan, indexed) = ScanAndIndexed(temp, seed: 11);
        using var _ = indexed;

        var exact = scan.NeighbourGraph(5);
        var fromIndex = indexed.NeighbourGraph(5);

        Assert.Equal(exact.NodeCount, fromIndex.NodeCount);
        HashSet<(int, int)> Edges(Clustering.WeightedGraph g) =>
            [.. Enumerable.Range(0, g.NodeCount).SelectMany(v => Enumerable.Range(g.Offsets[v], g.Offsets[v + 1] - g.Offsets[v]).Select(e => (v, g.Targets[e])))];
        var truth = Edges(exact);
        var found = Edges(fromIndex);
        int shared = found.Count(truth.Contains);
        Assert.True(shared >= 0.98 * truth.Count, $"{shared} of {truth.Count} exact edges");
        Assert.True(found.Count <= 1.02 * truth.Count, $"{found.Count} edges against {truth.Count}");
        // The weights of the edges both have agree: the fuzzy memberships come from the same distances.
        double Weight(Clustering.WeightedGraph g, int v, int t) => g.Weights[Array.IndexOf(g.Targets, t, g.Offsets[v], g.Offsets[v + 1] - g.Offsets[v])];
        int v0 = Enumerable.Range(0, exact.NodeCount).First(v => Enumerable.Range(exact.Offsets[v], exact.Offsets[v + 1] - exact.Offsets[v]).All(e => found.Contains((v, exact.Targets[e]))));
        for (int e = exact.Offsets[v0]; e < exact.Offsets[v0 + 1]; e++) Assert.Equal(exact.Weights[e], Weight(fromIndex, v0, exact.Targets[e]), tolerance: 1e-3); // float distances of two kernels
    }

    [Fact]
    public async Task The_review_finds_similar_images_through_the_index_the_duplicates_job_saved()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store", "store.db"), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", run, "--store", store)).ExitCode);
        await Pipeline.CurationJob.DuplicatesAsync(new Pipeline.CurationJobOptions { Input = input, Output = run, Store = store, ExactNeighboursUpTo = 0 });
        string saved = Assert.Single(Directory.GetFiles(temp.Combine("store", "neighbours"), "*.usearch"));
        var written = File.GetLastWriteTimeUtc(saved);

        using var session = ReviewSession.Open(run);
        using var scan = session.OpenSimilar();
        var notices = new List<string>();
        using var indexed = session.OpenSimilar(notices.Add, exactUpTo: 0);

        Assert.True(indexed.Indexed);
        Assert.Empty(notices); // loaded as saved: nothing rebuilt
        Assert.Equal(written, File.GetLastWriteTimeUtc(saved));
        Assert.Equal(scan.Nearest("photo_cat_01.jpg", 3).Select(s => s.Path), indexed.Nearest("photo_cat_01.jpg", 3).Select(s => s.Path));
    }
}
