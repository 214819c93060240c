using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using ImageCluster.Neighbours;
using Xunit;

namespace ImageCluster.Tests;

/// <summary>
/// Leiden and its neighbour graph against the oracles of tools/make_graph_fixtures.py: Zachary's karate club (known
/// optimum modularity 0.4198), UMAP's fuzzy graph written out in numpy, and leidenalg 0.9.1's best partitions over 20 seeds.
/// </summary>
public class LeidenTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("graph.json"));

    [Fact]
    public void Karate_club_reaches_the_known_optimum_modularity()
    {
        var karate = Fixture.Value.GetProperty("karate");
        var edges = karate.GetProperty("edges").EnumerateArray().Select(e => (e[0].GetInt32(), e[1].GetInt32(), 1.0)).ToList();
        var graph = WeightedGraph.FromEdges(34, edges, symmetrise: true);
        double optimum = karate.GetProperty("modularity").GetDouble();
        Assert.Equal(0.4198, optimum, 4);
        var qualities = Enumerable.Range(0, 10)
            .Select(seed => LeidenPartition.Quality(graph, new LeidenPartition(1.0, 0.01, seed, default).Run(graph, -1), 1.0)).ToList();
        Assert.Equal(optimum, qualities.Max(), 6);
        Assert.All(qualities, q => Assert.True(q > 0.41, $"modularity {q}"));
    }

    [Fact]
    public void Fuzzy_neighbour_graph_matches_umaps_formulas()
    {
        foreach (var (set, k, metric, expected) in Cases())
        {
            var x = OracleData.Set(set).X;
            var graph = Graph(x, k, metric);
            var actual = Edges(graph);
            Assert.True(expected.Count == actual.Count, $"{set} k={k} {metric}: {actual.Count} edges, expected {expected.Count}");
            foreach (var (pair, weight) in expected)
                Assert.True(actual.TryGetValue(pair, out double w) && Math.Abs(w - weight) < 1e-4,
                    $"{set} k={k} {metric}: edge {pair} weight {(actual.TryGetValue(pair, out double v) ? v : double.NaN)}, expected {weight}");
        }
    }

    [Fact]
    public void Partitions_are_as_good_as_leidenalgs_best_of_twenty_seeds()
    {
        foreach (var (set, k, metric, _) in Cases())
        {
            var graph = Graph(OracleData.Set(set).X, k, metric);
            foreach (var oracle in Case(set, k, metric).GetProperty("partitions").EnumerateArray())
            {
                double resolution = oracle.GetProperty("resolution").GetDouble();
                int[] labels = new LeidenPartition(resolution, 0.01, 0, default).Run(graph, -1);
                double ours = LeidenPartition.Quality(graph, labels, resolution), theirs = oracle.GetProperty("modularity").GetDouble();
                Assert.True(ours >= theirs - 0.005, $"{set} k={k} {metric} γ={resolution}: modularity {ours:F4}, leidenalg {theirs:F4}");
                double nmi = ClusteringMetrics.NormalizedMutualInformation(OracleData.Ints(oracle.GetProperty("membership")), labels);
                Assert.True(nmi >= 0.85, $"{set} k={k} {metric} γ={resolution}: NMI {nmi:F3} with leidenalg's partition");
            }
        }
    }

    [Fact]
    public void Recovers_blobs_and_reaches_a_requested_number_of_clusters()
    {
        var x = TestData.Blobs(600, 16, 6, seed: 3, out int[] truth);
        var free = new Leiden(new LeidenOptions()).Fit(x);
        Assert.True(free.NClusters >= 6, $"{free.NClusters} clusters");
        var six = new Leiden(new LeidenOptions { NClusters = 6 }).Fit(x);
        Assert.Equal(6, six.NClusters);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, six.Labels), 6);
        // The six blobs are six separate parts of the graph: no resolution joins them, the nearest count is what comes back.
        Assert.Equal(6, new Leiden(new LeidenOptions { NClusters = 3 }).Fit(x).NClusters);

        // Blobs that touch: only a lower resolution merges them.
        x = TestData.Blobs(600, 16, 6, seed: 3, out _, noise: 12.0);
        var three = new Leiden(new LeidenOptions { NClusters = 3 }).Fit(x);
        Assert.Equal(3, three.NClusters);
        Assert.True(three.ResolutionSteps > 1 && three.Resolution < 1, $"resolution {three.Resolution} after {three.ResolutionSteps} runs");
        Assert.Equal(LeidenPartition.Quality(Graph(x, 15, DistanceMetric.Cosine), three.Labels, three.Resolution), three.Modularity, 9);
        var many = new Leiden(new LeidenOptions { NClusters = 40 }).Fit(x);
        Assert.Equal(40, many.NClusters);
        Assert.True(many.Resolution > 1, $"resolution {many.Resolution}");
    }

    [Fact]
    public void Same_seed_same_partition_whatever_the_thread_count()
    {
        // No structure to find: the partition is one of many about as good, so it shows the seed.
        var x = TestData.Random(900, 12, seed: 5);
        var options = new LeidenOptions { Seed = 4 };
        var first = new Leiden(options).Fit(x);
        Assert.Equal(first.Labels, new Leiden(options).Fit(x).Labels);
        Assert.Equal(first.Labels, new Leiden(options with { MaxDegreeOfParallelism = 1 }).Fit(x).Labels);
        Assert.NotEqual(first.Labels, new Leiden(options with { Seed = 5 }).Fit(x).Labels);
    }

    [Fact]
    public void Options_are_checked_with_messages_for_people()
    {
        var x = TestData.Random(20, 3, seed: 1);
        Assert.Equal("NNeighbors", Assert.Throws<ArgumentException>(() => new Leiden(new LeidenOptions { NNeighbors = 0 }).Fit(x)).ParamName);
        Assert.StartsWith("Resolution must be a finite number > 0",
            Assert.Throws<ArgumentException>(() => new Leiden(new LeidenOptions { Resolution = 0 }).Fit(x)).Message);
        Assert.StartsWith("k = 21 is larger than the number of images (20)",
            Assert.Throws<ArgumentException>(() => new Leiden(new LeidenOptions { NClusters = 21 }).Fit(x)).Message);
        Assert.Single(new Leiden(new LeidenOptions()).Fit(TestData.Random(1, 3, seed: 1)).Labels);
    }

    private static WeightedGraph Graph(FeatureMatrix x, int k, DistanceMetric metric) =>
        FuzzyNeighbourGraph.Of(x, k, metric, -1, null, default);

    private static IEnumerable<(string Set, int K, DistanceMetric Metric, Dictionary<(int, int), double> Edges)> Cases() =>
        Fixture.Value.GetProperty("cases").EnumerateArray().Select(c => (c.GetProperty("set").GetString()!, c.GetProperty("k").GetInt32(),
            c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean,
            c.GetProperty("edges").EnumerateArray().ToDictionary(e => (e[0].GetInt32(), e[1].GetInt32()), e => e[2].GetDouble())));

    private static JsonElement Case(string set, int k, DistanceMetric metric) => Fixture.Value.GetProperty("cases").EnumerateArray()
        .First(c => c.GetProperty("set").GetString() == set && c.GetProperty("k").GetInt32() == k &&
                    c.GetProperty("metric").GetString() == (metric == DistanceMetric.Cosine ? "cosine" : "euclidean"));

    // Each undirected edge once, as (smaller, larger).
    private static Dictionary<(int, int), double> Edges(WeightedGraph graph)
    {
        var edges = new Dictionary<(int, int), double>();
        for (int v = 0; v < graph.NodeCount; v++)
            for (int e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                if (graph.Targets[e] > v) edges[(v, graph.Targets[e])] = graph.Weights[e];
        return edges;
    }
}
