using ImageCluster.Embedding;
using ImageCluster.Neighbours;

namespace ImageCluster.Tests;

/// <summary>The nearest-neighbour index (issue 15): the exact scan is the truth, the USearch HNSW graph is held to its recall.</summary>
public class NeighbourIndexTests
{
    private static (int[] Rows, float[] Distances) Naive(FeatureMatrix x, ReadOnlySpan<float> query, int k, DistanceMetric metric)
    {
        var q = query.ToArray();
        var order = Enumerable.Range(0, x.Rows).Select(i =>
        {
            var r = x.ReadRow(i).ToArray();
            double d = metric == DistanceMetric.Euclidean
                ? Math.Sqrt(r.Zip(q).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)))
                : 1 - r.Zip(q).Sum(p => (double)p.First * p.Second) / Math.Sqrt(r.Sum(v => (double)v * v) * q.Sum(v => (double)v * v));
            return (Row: i, Distance: d);
        }).OrderBy(p => p.Distance).ThenBy(p => p.Row).Take(k).ToArray();
        return (order.Select(p => p.Row).ToArray(), order.Select(p => (float)p.Distance).ToArray());
    }

    [Theory]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Cosine)]
    public void The_exact_scan_finds_what_sorting_every_distance_finds(DistanceMetric metric)
    {
        var x = TestData.Blobs(400, 8, 4, seed: 5, out _);
        using var index = new ExactNeighbourIndex(x, metric);
        var rows = new int[7];
        var distances = new float[7];
        foreach (int q in new[] { 0, 17, 399 })
        {
            Assert.Equal(7, index.Search(x.ReadRow(q), rows, distances));
            var (truthRows, truthDistances) = Naive(x, x.ReadRow(q), 7, metric);
            Assert.Equal(truthRows, rows);
            for (int j = 0; j < 7; j++) Assert.Equal(truthDistances[j], distances[j], 4);
        }
    }

    [Fact]
    public void Ties_keep_the_lower_row_first_and_a_small_index_returns_what_it_has()
    {
        var x = new FeatureMatrix(4, 2, [1, 0, 0, 1, 1, 0, 5, 5]);
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Euclidean);
        var rows = new int[6];
        var distances = new float[6];

        Assert.Equal(4, index.Search([1, 0], rows, distances));
        Assert.Equal([0, 2, 1, 3], rows[..4]);
        Assert.Equal(0, distances[0]);
        Assert.Equal(0, distances[1]);
    }

    [Theory]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Cosine)]
    public void The_hnsw_graph_finds_at_least_99_percent_of_the_true_ten_nearest(DistanceMetric metric)
    {
        var x = TestData.Blobs(6_000, 32, 30, seed: 11, out _, noise: 2.0);
        using var exact = new ExactNeighbourIndex(x, metric);
        using var hnsw = HnswNeighbourIndex.Build(x, metric);

        var truth = AllNeighbours.Of(exact, x, 10);
        var found = AllNeighbours.Of(hnsw, x, 10);

        double recall = Recall(truth, found);
        Assert.True(recall >= 0.99, $"recall@10 {recall:F4}");
        Assert.Equal(x.Rows, hnsw.Count);
        // Its distances are the metric's own, not USearch's squared or similarity forms.
        int i0 = Array.IndexOf(found.Rows, truth.Rows[0], 0, 10);
        Assert.Equal(truth.Distances[0], found.Distances[i0], 3);
    }

    [SharedFact]
    public async Task On_real_embeddings_of_a_shared_set_the_graph_finds_99_percent_of_the_true_ten_nearest()
    {
        using var temp = new TempFolder();
        var features = await ImageFeatures.FromFolderAsync(SharedData.Dataset("oxford17_flowers"),
            new ImageFeaturesOptions { Store = temp.Combine("store.db") });
        var x = features.Matrix;
        using var exact = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        using var hnsw = HnswNeighbourIndex.Build(x, DistanceMetric.Cosine);

        double recall = Recall(AllNeighbours.Of(exact, x, 10), AllNeighbours.Of(hnsw, x, 10));

        Assert.Equal(1360, x.Rows);
        Assert.True(recall >= 0.99, $"recall@10 {recall:F4}");
    }

    private static double Recall(AllNeighbours truth, AllNeighbours found)
    {
        long hits = 0;
        for (int i = 0; i < truth.Rows.Length / truth.K; i++)
            hits += found.Rows.AsSpan(i * truth.K, truth.K).ToArray().Intersect(truth.Rows.AsSpan(i * truth.K, truth.K).ToArray()).Count();
        return (double)hits / truth.Rows.Length;
    }

    [Fact]
    public void All_neighbours_leave_each_row_out_and_come_nearest_first()
    {
        var x = TestData.Blobs(500, 6, 5, seed: 3, out _);
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Euclidean);

        var all = AllNeighbours.Of(index, x, 5);

        for (int i = 0; i < x.Rows; i++)
        {
            var rows = all.Rows.AsSpan(i * 5, 5).ToArray();
            var distances = all.Distances.AsSpan(i * 5, 5).ToArray();
            Assert.DoesNotContain(i, rows);
            Assert.Equal(distances.Order(), distances);
            Assert.Equal(Naive(x, x.ReadRow(i), 6, DistanceMetric.Euclidean).Rows.Where(r => r != i).Take(5), rows);
        }
    }

    [Fact]
    public void A_saved_graph_loads_and_answers_the_same()
    {
        using var temp = new TempFolder();
        var x = TestData.Blobs(2_000, 16, 8, seed: 9, out _);
        string path = temp.Combine("index.usearch");
        using (var built = HnswNeighbourIndex.Build(x, DistanceMetric.Cosine)) built.Save(path);
        using var built2 = HnswNeighbourIndex.Build(x, DistanceMetric.Cosine, new HnswOptions { Threads = 1 });

        using var loaded = HnswNeighbourIndex.Load(path, DistanceMetric.Cosine, 16);
        var fromLoaded = AllNeighbours.Of(loaded, x, 5);
        var fromSingleThreaded = AllNeighbours.Of(built2, x, 5);

        Assert.Equal(x.Rows, loaded.Count);
        double agreement = fromLoaded.Rows.Zip(fromSingleThreaded.Rows).Count(p => p.First == p.Second) / (double)fromLoaded.Rows.Length;
        Assert.True(agreement > 0.95, $"agreement {agreement:F3}");
        Assert.Throws<InvalidDataException>(() => HnswNeighbourIndex.Load(path, DistanceMetric.Cosine, 17));
    }

    [Fact]
    public void Non_finite_features_are_refused_before_the_graph_is_built()
    {
        var x = new FeatureMatrix(3, 2, [0, 1, float.NaN, 2, 3, 4]);

        var e = Assert.Throws<ArgumentException>(() => HnswNeighbourIndex.Build(x, DistanceMetric.Euclidean));

        Assert.Contains("NaN", e.Message);
    }
}
