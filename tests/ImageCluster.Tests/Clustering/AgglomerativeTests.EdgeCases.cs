using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>Agglomerative edge cases, invariants and option checks.</summary>
public partial class AgglomerativeTests
{
    private static FeatureMatrix Rows(params float[][] rows) => FeatureMatrix.FromRows(rows);

    [Fact]
    public void One_cluster_takes_everything_and_cuts_at_infinity()
    {
        var result = new Agglomerative(new AgglomerativeOptions { NClusters = 1 }).Fit(OracleData.Set("blobs").X);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
        Assert.Equal(1, result.NClusters);
        Assert.Equal(double.PositiveInfinity, result.CutDistance);
        Assert.Equal(300, result.Counts[^1]);
    }

    [Fact]
    public void N_clusters_leaves_every_sample_alone()
    {
        var x = OracleData.Set("ties").X;
        var result = new Agglomerative(new AgglomerativeOptions { NClusters = x.Rows, Linkage = Linkage.Average }).Fit(x);
        Assert.Equal(x.Rows, result.Labels.Distinct().Count());
        Assert.Equal(x.Rows, result.NClusters);
        Assert.Equal(result.Distances[0], result.CutDistance);
    }

    [Fact]
    public void A_single_sample_is_one_cluster_or_not_reported()
    {
        var x = Rows([1f, 2f]);
        var one = new Agglomerative(new AgglomerativeOptions { NClusters = 1 }).Fit(x);
        Assert.Equal([0], one.Labels);
        Assert.Empty(one.Children);
        var sim = new Agglomerative(new AgglomerativeOptions { Sim = 0.5 }).Fit(x);
        Assert.Equal([-1], sim.Labels); // below imagecluster's default min_csize of 2
        Assert.Equal(0, sim.NClusters);
        Assert.Throws<ArgumentException>(() => new Agglomerative(new AgglomerativeOptions()).Fit(x)); // default k = 2 > 1 sample
    }

    [Theory]
    [InlineData(Linkage.Ward)]
    [InlineData(Linkage.Single)]
    public void Duplicates_merge_at_height_zero_and_stay_together_at_sim_1(Linkage linkage)
    {
        var x = Rows([1f, 1f], [1f, 1f], [1f, 1f], [5f, 1f], [5f, 1f]);
        var result = new Agglomerative(new AgglomerativeOptions { Linkage = linkage }).Fit(x);
        Assert.Equal([0.0, 0.0, 0.0], result.Distances[..3]);
        Assert.Equal([0, 0, 0, 1, 1], result.Labels);

        // Sim = 1 cuts at t = 0 and SciPy's fcluster keeps merges with height <= t: exact duplicates stay together.
        var sim = new Agglomerative(new AgglomerativeOptions { Linkage = linkage, Sim = 1 }).Fit(x);
        Assert.Equal(0.0, sim.CutDistance);
        Assert.Equal([0, 0, 0, 1, 1], sim.Labels);
    }

    [Theory]
    [InlineData(Linkage.Average)]
    [InlineData(Linkage.Complete)]
    [InlineData(Linkage.Single)]
    public void Sim_0_is_the_root_and_sim_1_the_leaves(Linkage linkage)
    {
        var x = OracleData.Set("moons").X;
        var root = new Agglomerative(new AgglomerativeOptions { Linkage = linkage, Sim = 0 }).Fit(x);
        Assert.All(root.Labels, l => Assert.Equal(0, l));
        Assert.Equal(root.MaxPairwiseDistance, root.CutDistance);

        var leaves = new Agglomerative(new AgglomerativeOptions { Linkage = linkage, Sim = 1, MinCsize = 1 }).Fit(x);
        Assert.Equal(x.Rows, leaves.NClusters);
        var none = new Agglomerative(new AgglomerativeOptions { Linkage = linkage, Sim = 1 }).Fit(x);
        Assert.All(none.Labels, l => Assert.Equal(-1, l)); // every sample alone, all below min_csize = 2
    }

    [Fact]
    public void Ward_heights_are_the_root_of_twice_the_increase_in_squared_error()
    {
        var x = TestData.Random(40, 5, seed: 2);
        var result = new Agglomerative(new AgglomerativeOptions()).Fit(x);
        var members = Enumerable.Range(0, x.Rows).Select(i => new List<int> { i }).ToList();
        for (int m = 0; m < result.Children.Length; m++)
        {
            var (a, b) = result.Children[m];
            var union = members[a].Concat(members[b]).ToList();
            double increase = Sse(x, union) - Sse(x, members[a]) - Sse(x, members[b]);
            Assert.Equal(Math.Sqrt(2 * increase), result.Distances[m], 1e-4);
            members.Add(union);
        }
    }

    private static double Sse(FeatureMatrix x, List<int> rows)
    {
        double total = 0;
        for (int f = 0; f < x.Columns; f++)
        {
            double mean = rows.Average(i => (double)x.ReadRow(i)[f]);
            total += rows.Sum(i => (x.ReadRow(i)[f] - mean) * (x.ReadRow(i)[f] - mean));
        }
        return total;
    }

    [Fact]
    public void Close_pairs_far_from_the_origin_keep_full_precision()
    {
        // |a|² + |b|² − 2a·b in float would lose every digit here; the smallest merge must still be exact.
        var random = new Random(4);
        var x = new FeatureMatrix(50, 16);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = 1000f + (float)(random.NextDouble() * 1e-2);
        double smallest = double.MaxValue;
        for (int i = 0; i < x.Rows; i++)
            for (int j = i + 1; j < x.Rows; j++) smallest = Math.Min(smallest, CondensedDistances.ExactEuclidean(x.ReadRow(i), x.ReadRow(j)));
        var result = new Agglomerative(new AgglomerativeOptions { Linkage = Linkage.Single }).Fit(x);
        Assert.Equal(smallest, result.Distances[0], smallest * 1e-9);
    }

    [Fact]
    public void An_all_zero_row_is_at_cosine_distance_1()
    {
        var x = Rows([1f, 0f], [0f, 0f], [2f, 0f]);
        var result = new Agglomerative(new AgglomerativeOptions { Linkage = Linkage.Average, Metric = DistanceMetric.Cosine }).Fit(x);
        Assert.Equal([0.0, 1.0], result.Distances);
        Assert.Equal((0, 2), result.Children[0]);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var x = OracleData.Set("blobs_8d").X;
        var one = new Agglomerative(new AgglomerativeOptions { NClusters = 5, MaxDegreeOfParallelism = 1 }).Fit(x);
        var all = new Agglomerative(new AgglomerativeOptions { NClusters = 5 }).Fit(x);
        Assert.Equal(one.Distances, all.Distances);
        Assert.Equal(one.Labels, all.Labels);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(OracleData.Set("blobs_8d").Y, all.Labels));
    }

    [Fact]
    public void A_NaN_row_is_named()
    {
        var x = Rows([0f, 1f], [2f, 3f], [float.NaN, 1f]);
        var e = Assert.Throws<ArgumentException>(() => new Agglomerative(new AgglomerativeOptions()).Fit(x));
        Assert.Contains("Feature vector 2", e.Message);
    }

    public static TheoryData<AgglomerativeOptions, string> BadOptions() => new()
    {
        { new AgglomerativeOptions { NClusters = 0 }, "NClusters must be at least 1 (got 0)" },
        { new AgglomerativeOptions { NClusters = 11 }, "NClusters = 11 is outside 1..10" },
        { new AgglomerativeOptions { NClusters = 3, Sim = 0.5 }, "takes one cut: set only one of NClusters, DistanceThreshold and Sim" },
        { new AgglomerativeOptions { DistanceThreshold = 1, Sim = 0.5 }, "takes one cut: set only one of NClusters, DistanceThreshold and Sim" },
        { new AgglomerativeOptions { DistanceThreshold = -1 }, "DistanceThreshold must be a finite number ≥ 0 (got -1)" },
        { new AgglomerativeOptions { DistanceThreshold = double.NaN }, "DistanceThreshold must be a finite number" },
        { new AgglomerativeOptions { Sim = 1.5 }, "Sim must be between 0 and 1 (got 1.5)" },
        { new AgglomerativeOptions { Sim = 0.5, MinCsize = 0 }, "MinCsize must be at least 1 (got 0)" },
        { new AgglomerativeOptions { Metric = DistanceMetric.Cosine }, "Ward linkage works only with Euclidean distances" },
        { new AgglomerativeOptions { MaxSamples = 0 }, "MaxSamples must be between 1 and 65000" },
        { new AgglomerativeOptions { MaxDegreeOfParallelism = 0 }, "MaxDegreeOfParallelism must be" },
        { new AgglomerativeOptions { MaxSamples = 9 }, "10 images needs 360 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_with_their_name(AgglomerativeOptions options, string message)
    {
        var x = TestData.Random(10, 3, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new Agglomerative(options).Fit(x));
        Assert.Contains(message, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MaxSamples_refusal_states_the_memory_it_would_need()
    {
        var e = Assert.Throws<ArgumentException>(() => new AgglomerativeOptions().Validate(20_001));
        // 20 001 · 20 000 / 2 distances of 8 bytes.
        Assert.Contains("20001 images needs 1,600,080,000 bytes (1.5 GiB) for its 200,010,000 pairwise distances", e.Message);
        Assert.Contains("MaxSamples = 20000", e.Message);
        Assert.Equal("MaxSamples", e.ParamName);
    }
}
