using System.Diagnostics;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>HDBSCAN's edge cases, bad input, the options R cannot check, and its memory bound.</summary>
[Collection(nameof(AllocationMeasurement))]
public partial class HdbscanTests
{
    private static FeatureMatrix Rows(params float[][] rows) => FeatureMatrix.FromRows(rows);

    private static FeatureMatrix Repeated(int count, params float[] row) => Rows(Enumerable.Repeat(row, count).ToArray());

    [Fact]
    public void Fewer_samples_than_MinClusterSize_are_all_noise()
    {
        var result = new Hdbscan(new HdbscanOptions { MinSamples = 2 }).Fit(Rows([0, 0], [1, 0], [0, 1], [5, 5]));
        Assert.All(result.Labels, label => Assert.Equal(-1, label));
        Assert.Equal(0, result.NClusters);
        Assert.All(result.Probabilities, p => Assert.Equal(0, p));
        Assert.All(result.OutlierScores, s => Assert.True(double.IsFinite(s)));
        Assert.Equal(3, result.SingleLinkageTree.Length);

        var single = new Hdbscan(new HdbscanOptions { MinSamples = 2, AllowSingleCluster = true }).Fit(Rows([0, 0], [1, 0], [0, 1], [5, 5]));
        Assert.All(single.Labels, label => Assert.Equal(-1, label));
    }

    [Fact]
    public void Default_MinSamples_above_the_number_of_samples_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Hdbscan(new HdbscanOptions()).Fit(Rows([0, 0], [1, 0], [0, 1])));
        Assert.Equal("MinSamples", e.ParamName);
        Assert.Contains("MinSamples = 5 (from MinClusterSize)", e.Message);
        Assert.Contains("(3)", e.Message);
    }

    [Fact]
    public void A_single_sample_is_noise()
    {
        var result = new Hdbscan(new HdbscanOptions { MinClusterSize = 2, MinSamples = 1 }).Fit(Rows([1, 2, 3]));
        Assert.Equal([-1], result.Labels);
        Assert.Equal(0, result.NClusters);
        Assert.Equal([0.0], result.CoreDistances);
        Assert.Equal([0.0], result.OutlierScores);
        Assert.Empty(result.SingleLinkageTree);
        Assert.Empty(result.CondensedTree);
    }

    [Fact]
    public void All_duplicates_are_noise_and_nothing_is_NaN()
    {
        var x = Repeated(20, 3, 1, 4);
        var result = new Hdbscan(new HdbscanOptions()).Fit(x);
        Assert.All(result.Labels, label => Assert.Equal(-1, label));
        Assert.All(result.SingleLinkageTree, m => Assert.Equal(0, m.Distance));
        Assert.All(result.OutlierScores, s => Assert.Equal(0, s));
        Assert.All(result.CondensedTree, r => Assert.Equal(double.PositiveInfinity, r.Lambda));

        var single = new Hdbscan(new HdbscanOptions { AllowSingleCluster = true }).Fit(x);
        Assert.All(single.Labels, label => Assert.Equal(0, label));
        Assert.All(single.Probabilities, p => Assert.Equal(1, p));
    }

    [Fact]
    public void Groups_of_duplicates_are_clusters()
    {
        var x = Rows([.. Enumerable.Repeat(new float[] { 0, 0 }, 10), .. Enumerable.Repeat(new float[] { 10, 0 }, 12), [5, 40]]);
        var result = new Hdbscan(new HdbscanOptions()).Fit(x);
        Assert.Equal(2, result.NClusters);
        Assert.Equal([.. Enumerable.Repeat(1, 10), .. Enumerable.Repeat(0, 12), -1], result.Labels);
        Assert.All(result.Probabilities.Take(22), p => Assert.Equal(1, p));
        Assert.All(result.OutlierScores, s => Assert.True(double.IsFinite(s)));
    }

    [Fact]
    public void An_all_zero_row_is_at_cosine_distance_one_from_everything()
    {
        var random = new Random(4);
        float Jitter() => (float)(random.NextDouble() * 0.05);
        var rows = Enumerable.Range(0, 20).Select(i => i < 10 ? new[] { 1f, Jitter() } : new[] { Jitter(), 2f }).ToList();
        rows.Add([0, 0]);
        var result = new Hdbscan(new HdbscanOptions { Metric = DistanceMetric.Cosine }).Fit(FeatureMatrix.FromRows(rows));
        Assert.Equal(2, result.NClusters);
        Assert.Equal(-1, result.Labels[20]);
        Assert.Equal(1.0, result.CoreDistances[20]);
        Assert.Equal(1.0, result.SingleLinkageTree[^1].Distance);
    }

    [Fact]
    public void With_MinSamples_1_the_hierarchy_is_plain_single_linkage()
    {
        var x = OracleData.Set("moons").X;
        var result = new Hdbscan(new HdbscanOptions { MinSamples = 1 }).Fit(x);
        Assert.All(result.CoreDistances, c => Assert.Equal(0, c));
        double closest = double.PositiveInfinity;
        for (int i = 0; i < x.Rows; i++)
            for (int j = i + 1; j < x.Rows; j++)
                closest = Math.Min(closest, System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), x.ReadRow(j)));
        Assert.Equal(closest, result.SingleLinkageTree[0].Distance, 1e-6);
    }

    [Fact]
    public void A_NaN_row_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new Hdbscan(new HdbscanOptions { MinSamples = 1 })
            .Fit(Rows([0, 0], [1, 1], [2, 2], [float.NaN, 3])));
        Assert.Contains("Feature vector 3", e.Message);
    }

    [Theory]
    [InlineData("MinClusterSize", "MinClusterSize must be at least 2 (got 1)")]
    [InlineData("MinSamples", "MinSamples must be at least 1 (got 0)")]
    [InlineData("ClusterSelectionEpsilon", "ClusterSelectionEpsilon must be a finite distance ≥ 0 (got -1)")]
    [InlineData("ClusterSelectionEpsilon NaN", "ClusterSelectionEpsilon must be a finite distance ≥ 0 (got NaN)")]
    [InlineData("ClusterSelectionMethod", "Unknown ClusterSelectionMethod 7")]
    [InlineData("Metric", "Unknown distance metric 9")]
    [InlineData("MaxDegreeOfParallelism", "MaxDegreeOfParallelism must be −1 (no limit) or at least 1 (got 0)")]
    public void Bad_options_are_refused_with_their_name(string option, string message)
    {
        var good = new HdbscanOptions();
        var bad = option switch
        {
            "MinClusterSize" => good with { MinClusterSize = 1 },
            "MinSamples" => good with { MinSamples = 0 },
            "ClusterSelectionEpsilon" => good with { ClusterSelectionEpsilon = -1 },
            "ClusterSelectionEpsilon NaN" => good with { ClusterSelectionEpsilon = double.NaN },
            "ClusterSelectionMethod" => good with { ClusterSelectionMethod = (ClusterSelectionMethod)7 },
            "Metric" => good with { Metric = (DistanceMetric)9 },
            _ => good with { MaxDegreeOfParallelism = 0 },
        };
        var e = Assert.Throws<ArgumentException>(() => new Hdbscan(bad).Fit(OracleData.Set("blobs").X));
        Assert.Equal(option.Split(' ')[0], e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("blobs", 5)]
    [InlineData("varied_density", 5)]
    [InlineData("cnn", 4)]
    public void Leaf_clusters_are_the_tree_leaves_and_nest_in_the_EOM_clusters(string set, int minClusterSize)
    {
        var x = OracleData.Set(set).X;
        var eom = new Hdbscan(new HdbscanOptions { MinClusterSize = minClusterSize }).Fit(x);
        var leaf = new Hdbscan(new HdbscanOptions { MinClusterSize = minClusterSize, ClusterSelectionMethod = ClusterSelectionMethod.Leaf }).Fit(x);

        int n = x.Rows;
        var parents = leaf.CondensedTree.Where(r => r.Child >= n).Select(r => r.Parent).ToHashSet();
        int leaves = leaf.CondensedTree.Count(r => r.Child >= n && !parents.Contains(r.Child));
        Assert.Equal(leaves, leaf.NClusters);
        Assert.True(leaf.NClusters > eom.NClusters, $"{leaf.NClusters} leaves vs {eom.NClusters} EOM clusters");
        AssertNested(leaf.Labels, eom.Labels);
    }

    [Fact]
    public void Epsilon_merges_clusters_born_below_it()
    {
        var x = OracleData.Set("blobs").X;
        var eom = new Hdbscan(new HdbscanOptions()).Fit(x);
        var tiny = new Hdbscan(new HdbscanOptions { ClusterSelectionEpsilon = 1e-3 }).Fit(x);
        Assert.Equal(eom.Labels, tiny.Labels);

        // Every cluster is born below 1e6: each climbs to the root's child above it, so the root's two children remain.
        var huge = new Hdbscan(new HdbscanOptions { ClusterSelectionEpsilon = 1e6 }).Fit(x);
        Assert.Equal(2, huge.NClusters);
        AssertNested(eom.Labels, huge.Labels);
        var mid = new Hdbscan(new HdbscanOptions { ClusterSelectionEpsilon = 1.5 }).Fit(x);
        AssertNested(eom.Labels, mid.Labels);
        AssertNested(mid.Labels, huge.Labels);

        // With a single cluster allowed the root itself is chosen, and every sample within epsilon belongs to it.
        var single = new Hdbscan(new HdbscanOptions { ClusterSelectionEpsilon = 1e6, AllowSingleCluster = true }).Fit(x);
        Assert.Equal(1, single.NClusters);
        Assert.All(single.Labels, label => Assert.Equal(0, label));
    }

    [Fact]
    public void A_single_cluster_is_chosen_only_when_more_stable_than_the_split()
    {
        var x = OracleData.Set("blobs").X;
        var result = new Hdbscan(new HdbscanOptions { AllowSingleCluster = true }).Fit(x);
        Assert.Equal(new Hdbscan(new HdbscanOptions()).Fit(x).Labels, result.Labels);
    }

    // Every cluster of the finer labelling lies inside one cluster of the coarser one.
    private static void AssertNested(int[] finer, int[] coarser)
    {
        for (int c = 0; c <= finer.Max(); c++)
        {
            var outer = Enumerable.Range(0, finer.Length).Where(i => finer[i] == c).Select(i => coarser[i]).Distinct().ToArray();
            Assert.True(outer.Length == 1 && outer[0] >= 0, $"cluster {c} spans {string.Join(",", outer)}");
        }
    }

    [Fact]
    public void Same_result_whatever_the_thread_count()
    {
        // More open vertices than one Prim chunk (4096), so the parallel scan really runs.
        var x = TestData.Blobs(6000, 4, 6, seed: 5, out _, noise: 2.0);
        var one = new Hdbscan(new HdbscanOptions { MinClusterSize = 10, MaxDegreeOfParallelism = 1 }).Fit(x);
        var all = new Hdbscan(new HdbscanOptions { MinClusterSize = 10 }).Fit(x);
        Assert.Equal(one.CoreDistances, all.CoreDistances);
        Assert.Equal(one.SingleLinkageTree, all.SingleLinkageTree);
        Assert.Equal(one.Labels, all.Labels);
    }

    [Fact]
    public void Eight_thousand_samples_need_no_N_by_N_matrix()
    {
        // 8 000 rather than 20 000: `dotnet test` runs an unoptimised Debug build, about ten times slower than Release
        // (where 20 000 × 64 takes a few seconds). An N × N float matrix would already be 256 MB here; what is needed is
        // a copy of the rows, O(N) arrays and fixed scratch blocks. One thread, counted on that thread: the process-wide
        // count also caught the parallel scan's per-step task garbage, which varies with load (8.7 MB quiet, 16 MB in a
        // loaded CI run) and says nothing about the algorithm's own memory. Measured this way: 2.9 MB.
        const int n = 8_000;
        var x = TestData.Blobs(n, 16, 8, seed: 9, out int[] truth, noise: 1.0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = new Hdbscan(new HdbscanOptions { MinClusterSize = 25, MaxDegreeOfParallelism = 1 }).Fit(x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 8L << 20, $"allocated {allocated / 1e6:F1} MB");
        var clustered = Enumerable.Range(0, n).Where(i => result.Labels[i] >= 0).ToArray();
        Assert.True(clustered.Length > 0.9 * n, $"{clustered.Length} of {n} clustered");
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(clustered.Select(i => truth[i]).ToArray(),
            clustered.Select(i => result.Labels[i]).ToArray()), 6);
    }
}
