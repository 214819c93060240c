using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>Birch against scikit-learn 1.2.1 (fixture made by tools/make_hierarchy_fixtures.py), edge cases and memory.</summary>
[Collection(nameof(AllocationMeasurement))]
public class BirchTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("hierarchy.json"));

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.Value.GetProperty("birch").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_scikit_learn(string name)
    {
        var c = Fixture.Value.GetProperty("birch").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var options = new BirchOptions
        {
            Threshold = c.GetProperty("threshold").GetDouble(),
            BranchingFactor = c.GetProperty("branching_factor").GetInt32(),
            NClusters = c.GetProperty("n_clusters").ValueKind == JsonValueKind.Null ? null : c.GetProperty("n_clusters").GetInt32(),
        };

        var result = new Birch(options).Fit(OracleData.Set(c.GetProperty("set").GetString()!).X);

        // Same CF-tree: the same subclusters. Their order can differ: when a node splits, the farthest pair (a, b) is
        // scikit-learn's first maximum of a distance matrix whose (a, b) and (b, a) entries differ only in the last bit
        // (BLAS summation order), and which of the two comes first decides which half precedes the other in the leaf
        // chain. So centres are matched as a set. They are reported as float32, hence 1e-6.
        var centres = c.GetProperty("subcluster_centers").EnumerateArray().Select(OracleData.Doubles).ToArray();
        Assert.Equal(centres.Length, result.SubclusterCenters.Rows);
        var match = MatchCentres(centres, result.SubclusterCenters);
        Assert.Equal(c.GetProperty("skipped").GetBoolean(), result.GlobalClusteringSkipped);
        var subclusterLabels = OracleData.Ints(c.GetProperty("subcluster_labels"));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(subclusterLabels, match.Select(j => result.SubclusterLabels[j]).ToArray()));
        Assert.Equal(subclusterLabels.Distinct().Count(), result.NClusters);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(OracleData.Ints(c.GetProperty("labels")), result.Labels));
    }

    /// <summary>For each expected centre, the index of the equal actual centre; fails unless that is a bijection.</summary>
    private static int[] MatchCentres(double[][] expected, FeatureMatrix actual)
    {
        var match = new int[expected.Length];
        for (int e = 0; e < expected.Length; e++)
        {
            match[e] = Enumerable.Range(0, actual.Rows).MinBy(j => Distance(expected[e], actual.ReadRow(j)));
            double scale = 1 + Math.Sqrt(expected[e].Sum(v => v * v));
            Assert.True(Distance(expected[e], actual.ReadRow(match[e])) <= 1e-6 * scale, $"no centre equals scikit-learn's centre {e}");
        }
        Assert.Equal(expected.Length, match.Distinct().Count());
        return match;
    }

    private static double Distance(double[] a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int f = 0; f < a.Length; f++) sum += (a[f] - b[f]) * (a[f] - b[f]);
        return Math.Sqrt(sum);
    }

    [Fact]
    public void Labels_and_subcluster_labels_share_the_size_order()
    {
        var result = new Birch(new BirchOptions { NClusters = 4, Threshold = 0.3 }).Fit(OracleData.Set("blobs").X);
        var sizes = Enumerable.Range(0, result.NClusters).Select(k => result.Labels.Count(l => l == k)).ToArray();
        Assert.Equal(sizes.OrderDescending(), sizes);
        // Each sample's cluster is the cluster of its nearest subcluster centre.
        var x = OracleData.Set("blobs").X;
        for (int i = 0; i < x.Rows; i++)
        {
            int nearest = Enumerable.Range(0, result.SubclusterCenters.Rows)
                .MinBy(j => CondensedDistances.ExactEuclidean(x.ReadRow(i), result.SubclusterCenters.ReadRow(j)));
            Assert.Equal(result.SubclusterLabels[nearest], result.Labels[i]);
        }
    }

    [Fact]
    public void Without_labels_the_subclusters_are_still_clustered()
    {
        var x = OracleData.Set("blobs").X;
        var withLabels = new Birch(new BirchOptions { NClusters = 4 }).Fit(x);
        var without = new Birch(new BirchOptions { NClusters = 4, ComputeLabels = false }).Fit(x);
        Assert.Empty(without.Labels);
        Assert.Equal(4, without.NClusters);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(withLabels.SubclusterLabels, without.SubclusterLabels));
    }

    [Fact]
    public void Identical_samples_make_one_subcluster_and_skip_the_global_step()
    {
        var x = FeatureMatrix.FromRows(Enumerable.Repeat(new[] { 3f, -1f, 2f }, 120).ToList());
        var result = new Birch(new BirchOptions { BranchingFactor = 3 }).Fit(x);
        Assert.Equal(1, result.SubclusterCenters.Rows);
        Assert.True(result.GlobalClusteringSkipped); // 1 subcluster < NClusters = 3, as scikit-learn's warning
        Assert.Equal(1, result.NClusters);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
    }

    [Fact]
    public void A_single_sample_is_one_cluster()
    {
        var result = new Birch(new BirchOptions { NClusters = 1 }).Fit(FeatureMatrix.FromRows([[1f, 2f]]));
        Assert.Equal([0], result.Labels);
        Assert.False(result.GlobalClusteringSkipped);
    }

    [Fact]
    public void Radius_bookkeeping_survives_data_far_from_the_origin()
    {
        // SS/n − |c|² subtracts numbers near 4·10⁸ to find a radius² near 10⁻⁴: hopeless in float, fine in double.
        var random = new Random(8);
        var x = new FeatureMatrix(500, 4);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = 10_000f + (float)(0.005 * TestData.Gaussian(random));
        var result = new Birch(new BirchOptions { Threshold = 0.05, NClusters = null }).Fit(x);
        Assert.Equal(1, result.SubclusterCenters.Rows);
    }

    [Fact]
    public void Memory_stays_far_below_a_pairwise_matrix()
    {
        var x = TestData.Blobs(20_000, 16, 8, seed: 6, out int[] truth, noise: 0.3);
        var options = new BirchOptions { Threshold = 1.5, NClusters = 8 };
        new Birch(options).Fit(TestData.Blobs(500, 16, 8, seed: 6, out _)); // JIT and thread pool warm-up
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = new Birch(options).Fit(x);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        long pairwiseFloats = (long)x.Rows * x.Rows * sizeof(float);
        Assert.True(allocated < pairwiseFloats / 50, $"allocated {allocated:N0} bytes; an N×N float matrix is {pairwiseFloats:N0}");
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, result.Labels));
    }

    [Fact]
    public void Too_many_subclusters_for_the_global_step_are_refused()
    {
        var x = TestData.Random(60, 3, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new Birch(new BirchOptions { Threshold = 1e-6, MaxSubclusters = 50 }).Fit(x));
        Assert.Contains("BIRCH found 60 subclusters, more than MaxSubclusters = 50", e.Message);
        Assert.Equal(60, new Birch(new BirchOptions { Threshold = 1e-6, MaxSubclusters = 50, NClusters = null }).Fit(x).NClusters);
    }

    [Fact]
    public void A_NaN_row_is_named()
    {
        var x = FeatureMatrix.FromRows([[0f, 1f], [float.PositiveInfinity, 3f]]);
        var e = Assert.Throws<ArgumentException>(() => new Birch(new BirchOptions()).Fit(x));
        Assert.Contains("Feature vector 1", e.Message);
    }

    [Theory]
    [InlineData(0.0, 50, 3, "Threshold must be a finite number > 0 (got 0)")]
    [InlineData(double.NaN, 50, 3, "Threshold must be a finite number > 0")]
    [InlineData(0.5, 1, 3, "BranchingFactor must be at least 2 (got 1)")]
    [InlineData(0.5, 50, 0, "NClusters must be at least 1")]
    public void Bad_options_are_refused_with_their_name(double threshold, int branching, int k, string message)
    {
        var options = new BirchOptions { Threshold = threshold, BranchingFactor = branching, NClusters = k };
        var e = Assert.Throws<ArgumentException>(() => new Birch(options).Fit(TestData.Random(10, 2, seed: 1)));
        Assert.Contains(message, e.Message);
    }
}
