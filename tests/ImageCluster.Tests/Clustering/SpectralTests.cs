using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using Xunit;

namespace ImageCluster.Tests;

/// <summary>
/// Spectral clustering on the fuzzy neighbour graph against tools/make_graph_fixtures.py: the Laplacian's smallest
/// eigenvalues from numpy's dense eigh, and scikit-learn 1.2.1's SpectralClustering on the same graph.
/// </summary>
public class SpectralTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("graph.json"));

    [Fact]
    public void Eigenvalues_match_a_dense_decomposition_and_labels_match_scikit_learn()
    {
        foreach (var c in Fixture.Value.GetProperty("cases").EnumerateArray())
        {
            string set = c.GetProperty("set").GetString()!;
            int k = c.GetProperty("k").GetInt32();
            var metric = c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;
            var oracle = c.GetProperty("spectral");
            int clusters = oracle.GetProperty("clusters").GetInt32();
            var x = OracleData.Set(set).X;

            var (eigenvalues, _) = Spectral.Embed(FuzzyNeighbourGraph.Of(x, k, metric, -1, null, default), clusters, 0, default);
            var expected = OracleData.Doubles(oracle.GetProperty("eigenvalues"));
            for (int i = 0; i < clusters; i++)
                Assert.True(Math.Abs(expected[i] - eigenvalues[i]) < 1e-6, $"{set} k={k} {metric}: eigenvalue {i} {eigenvalues[i]:E6}, numpy {expected[i]:E6}");

            var result = new Spectral(new SpectralOptions { NClusters = clusters, NNeighbors = k, Metric = metric }).Fit(x);
            var sklearn = OracleData.Ints(oracle.GetProperty("labels"));
            double same = ClusteringMetrics.AdjustedRandIndex(sklearn, result.Labels);
            // Where the two differ, ours must be the better partition: on blobs_8d (five separate parts of the graph,
            // eigenvalue 0 five times) scikit-learn's K-Means on the embedding ends in a worse optimum.
            var truth = OracleData.Set(set).Y;
            double ours = ClusteringMetrics.AdjustedRandIndex(truth, result.Labels), theirs = ClusteringMetrics.AdjustedRandIndex(truth, sklearn);
            Assert.True(same >= 0.95 || ours >= theirs,
                $"{set} k={k} {metric}: ARI {same:F3} with scikit-learn's labels; against the truth {ours:F3}, scikit-learn {theirs:F3}");
        }
    }

    [Fact]
    public void Lanczos_finds_the_largest_eigenpairs_of_a_dense_matrix_also_when_it_must_grow()
    {
        const int n = 150;
        var random = new Random(3);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random.NextDouble() - 0.5;
        var (expected, expectedVectors) = SymmetricEigen.Decompose((double[])a.Clone(), n);
        void Apply(double[] v, double[] y)
        {
            for (int i = 0; i < n; i++) y[i] = System.Numerics.Tensors.TensorPrimitives.Dot(a.AsSpan(i * n, n), v);
        }
        // 60 of 150 starts from a space of 140 steps, too few for a random spectrum's inner values: it has to double.
        foreach (int count in new[] { 3, 60 })
        {
            var (values, vectors) = Lanczos.Largest(n, Apply, count, seed: 1, default);
            for (int r = 0; r < count; r++)
            {
                Assert.Equal(expected[r], values[r], 9);
                double overlap = Math.Abs(System.Numerics.Tensors.TensorPrimitives.Dot(vectors[r], expectedVectors.AsSpan(r * n, n)));
                Assert.Equal(1.0, overlap, 6);
            }
        }
    }

    [Fact]
    public void Recovers_blobs_the_same_way_for_a_seed_whatever_the_thread_count()
    {
        var x = TestData.Blobs(500, 10, 5, seed: 2, out int[] truth, noise: 3.0);
        var options = new SpectralOptions { NClusters = 5, Seed = 3, Metric = DistanceMetric.Euclidean };
        var first = new Spectral(options).Fit(x);
        double ari = ClusteringMetrics.AdjustedRandIndex(truth, first.Labels);
        double kMeans = ClusteringMetrics.AdjustedRandIndex(truth, new KMeans(new KMeansOptions { NClusters = 5 }).Fit(x).Labels);
        Assert.True(ari > 0.9, $"ARI {ari:F3}, K-Means {kMeans:F3}");
        Assert.Equal(first.Labels, new Spectral(options with { MaxDegreeOfParallelism = 1 }).Fit(x).Labels);
        Assert.Equal((500, 5), (first.Embedding.Rows, first.Embedding.Columns));
        Assert.Equal("NClusters", Assert.Throws<ArgumentException>(() => new Spectral(new SpectralOptions { NClusters = 501 }).Fit(x)).ParamName);
    }
}
