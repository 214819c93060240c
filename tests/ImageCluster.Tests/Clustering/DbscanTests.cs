using System.Diagnostics;
using ImageCluster.Clustering;

namespace ImageCluster.Tests;

/// <summary>DBSCAN against scikit-learn 1.2.1 (tools/make_density_fixtures.py), a literal port of its DFS, and edge cases.</summary>
[Collection(nameof(AllocationMeasurement))]
public class DbscanTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => DensityFixture.Cases("dbscan");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_scikit_learn(string row)
    {
        var c = DensityFixture.Case("dbscan", row);
        var options = new DbscanOptions
        {
            Eps = c.GetProperty("eps").GetDouble(),
            MinSamples = c.GetProperty("min_samples").GetInt32(),
            Metric = DensityFixture.Metric(c.GetProperty("metric").GetString()),
        };

        var result = new Dbscan(options).Fit(DensityFixture.Data(c.GetProperty("set").GetString()!));

        Assert.Equal(OracleData.Ints(c.GetProperty("core")), result.CoreSampleIndices);
        DensityFixture.AssertSamePartition(OracleData.Ints(c.GetProperty("labels")), result.Labels);
    }

    public static TheoryData<string> RCases() => DensityFixture.RCases("dbscan");

    [Theory]
    [MemberData(nameof(RCases))]
    public void Equals_R_dbscan(string row)
    {
        // R's dbscan() counts the point itself in minPts, includes the eps boundary and (borderPoints = TRUE) gives a border
        // point to the first cluster that reaches it while expanding clusters in index order: all of scikit-learn's
        // conventions, so everything is compared. is.corepoint() gives R's core points.
        var c = DensityFixture.RCase("dbscan", row);
        var options = new DbscanOptions { Eps = c.GetProperty("eps").GetDouble(), MinSamples = c.GetProperty("min_pts").GetInt32() };

        var result = new Dbscan(options).Fit(DensityFixture.Data(c.GetProperty("set").GetString()!));

        Assert.Equal(OracleData.Ints(c.GetProperty("core")), result.CoreSampleIndices);
        DensityFixture.AssertSamePartition(OracleData.Ints(c.GetProperty("labels")), result.Labels);
    }

    [Fact]
    public void A_border_point_joins_the_cluster_scikit_learn_reaches_first_not_the_larger_one()
    {
        // Sample 0 is exactly eps from a core point of each cluster. scikit-learn's search starts at the lowest unlabelled
        // core index (1, right cluster) and claims it; the left cluster is larger, so it is numbered 0.
        var result = new Dbscan(new DbscanOptions { Eps = 1, MinSamples = 4 }).Fit(DensityFixture.Data("contested"));
        Assert.Equal(result.Labels[1], result.Labels[0]);
        Assert.Equal(1, result.Labels[1]);
        Assert.Equal(0, result.Labels[5]);
        Assert.Equal(-1, result.Labels[12]);
    }

    [Theory]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Cosine)]
    public void Equals_a_literal_port_of_dbscan_inner_on_data_spanning_many_blocks(DistanceMetric metric)
    {
        // 2 500 samples: several row blocks and column tiles, all three passes, and hundreds of border points.
        // Eps = the median distance to the 8th neighbour, so about half the samples are core samples (nudged off that
        // distance: the reference compares distances, scikit-learn's trees and this class squared distances, which can
        // disagree by an ulp for a pair exactly at eps; the "ties" fixture covers exact boundaries).
        var x = TestData.Blobs(2500, 12, 6, seed: 4, out _, noise: 2.5);
        var distances = DensityFixture.ReferenceDistances(x, metric);
        double eps = distances.Select(row => row.Order().ElementAt(7)).Order().ElementAt(x.Rows / 2) * (1 + 1e-7);
        var options = new DbscanOptions { Eps = eps, MinSamples = 8, Metric = metric };

        var result = new Dbscan(options).Fit(x);
        var (labels, core) = ReferenceDbscan(distances, options);

        Assert.Equal(core, result.CoreSampleIndices);
        DensityFixture.AssertSamePartition(labels, result.Labels);
        Assert.InRange(core.Length, 1000, 1500);
        Assert.InRange(labels.Count(l => l < 0), 50, 1400);
        Assert.InRange(result.NClusters, 2, 300);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var x = TestData.Blobs(3000, 16, 8, seed: 9, out _, noise: 1.3);
        var options = new DbscanOptions { Eps = 4.2, MinSamples = 6 };
        var parallel = new Dbscan(options).Fit(x);
        var single = new Dbscan(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        Assert.Equal(single.Labels, parallel.Labels);
        Assert.Equal(single.CoreSampleIndices, parallel.CoreSampleIndices);
    }

    [Fact]
    public void Clusters_are_numbered_by_size()
    {
        var x = FeatureMatrix.FromRows([[0f], [0.1f], [10f], [10.1f], [10.2f], [20f]]);
        var result = new Dbscan(new DbscanOptions { Eps = 0.5, MinSamples = 2 }).Fit(x);
        Assert.Equal([1, 1, 0, 0, 0, -1], result.Labels);
        Assert.Equal(2, result.NClusters);
    }

    [Fact]
    public void Fewer_samples_than_MinSamples_are_all_noise()
    {
        var x = FeatureMatrix.FromRows([[0f, 0f], [0f, 0.1f], [0.1f, 0f]]);
        var result = new Dbscan(new DbscanOptions { Eps = 10 }).Fit(x);
        Assert.Equal([-1, -1, -1], result.Labels);
        Assert.Equal(0, result.NClusters);
        Assert.Empty(result.CoreSampleIndices);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(5, -1)]
    public void A_single_sample_is_its_own_cluster_only_when_MinSamples_is_1(int minSamples, int label)
    {
        var result = new Dbscan(new DbscanOptions { MinSamples = minSamples }).Fit(FeatureMatrix.FromRows([[3f, 4f]]));
        Assert.Equal([label], result.Labels);
    }

    [Fact]
    public void Identical_samples_form_one_cluster_of_core_samples()
    {
        var x = FeatureMatrix.FromRows(Enumerable.Repeat(new[] { 1.5f, -2f, 7f }, 12).ToList());
        foreach (var metric in new[] { DistanceMetric.Euclidean, DistanceMetric.Cosine })
        {
            var result = new Dbscan(new DbscanOptions { Eps = 1e-9, MinSamples = 12, Metric = metric }).Fit(x);
            Assert.All(result.Labels, l => Assert.Equal(0, l));
            Assert.Equal(12, result.CoreSampleIndices.Length);
        }
    }

    [Fact]
    public void A_cancelled_fit_stops()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new Dbscan(new DbscanOptions()).Fit(TestData.Random(500, 8, seed: 1), cancellation.Token));
    }

    [Fact]
    public void A_NaN_row_is_refused_by_its_index()
    {
        var x = FeatureMatrix.FromRows([[0f, 1f], [2f, 3f], [float.NaN, 1f]]);
        var e = Assert.Throws<ArgumentException>(() => new Dbscan(new DbscanOptions()).Fit(x));
        Assert.Contains("Feature vector 2", e.Message);
    }

    [Theory]
    [InlineData(0.0, 5, "Eps")]
    [InlineData(-1.0, 5, "Eps")]
    [InlineData(double.NaN, 5, "Eps")]
    [InlineData(double.PositiveInfinity, 5, "Eps")]
    [InlineData(0.5, 0, "MinSamples")]
    public void Invalid_options_are_refused_by_name(double eps, int minSamples, string name)
    {
        var x = FeatureMatrix.FromRows([[0f], [1f]]);
        var e = Assert.Throws<ArgumentException>(() => new Dbscan(new DbscanOptions { Eps = eps, MinSamples = minSamples }).Fit(x));
        Assert.Contains(name, e.Message);
        Assert.Throws<ArgumentException>(() => new Dbscan(new DbscanOptions()).Fit(new FeatureMatrix(0, 2)));
    }

    [Fact]
    public void Twenty_thousand_128_dimensional_samples_need_far_less_than_an_n_by_n_matrix()
    {
        // An N × N float matrix would be 20 000² × 4 B = 1.6 GB; the blocked passes need the float32 working copy
        // (10 MB), per-worker counts and tiles. 20 000 rather than 50 000 samples keeps this under ~20 s in a Debug test
        // run (the dot-product kernel is ~10× slower unoptimised; a Release build does 50 000 × 128 in 8 s on 2 cores,
        // 11 s of CPU, allocating 44 MB).
        // Random Gaussian data: distances are about 16 ± 1, so eps = 12 leaves a few hundred core samples.
        const int n = 20_000, d = 128;
        var x = TestData.Random(n, d, seed: 1);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var result = new Dbscan(new DbscanOptions { Eps = 12, MinSamples = 3 }).Fit(x);
        watch.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"DBSCAN {n}×{d}: {watch.Elapsed.TotalSeconds:F1} s, {allocated / 1e6:F0} MB allocated, {result.CoreSampleIndices.Length} core samples");

        Assert.InRange(allocated, 0, (long)n * n * sizeof(float) / 8);
        Assert.InRange(result.CoreSampleIndices.Length, 100, 2000);
        Assert.InRange(result.NClusters, 1, 100);
    }

    // sklearn's DBSCAN.fit + dbscan_inner taken literally: neighbourhoods in index order, then the DFS with its stack.
    private static (int[] Labels, int[] Core) ReferenceDbscan(double[][] distances, DbscanOptions options)
    {
        int n = distances.Length;
        var neighbourhoods = distances.Select(row => Enumerable.Range(0, n).Where(j => row[j] <= options.Eps).ToArray()).ToArray();
        var isCore = neighbourhoods.Select(h => h.Length >= options.MinSamples).ToArray();
        var labels = Enumerable.Repeat(-1, n).ToArray();
        var stack = new Stack<int>();
        int labelNum = 0;
        for (int start = 0; start < n; start++)
        {
            if (labels[start] != -1 || !isCore[start]) continue;
            int i = start;
            while (true)
            {
                if (labels[i] == -1)
                {
                    labels[i] = labelNum;
                    if (isCore[i])
                        foreach (int v in neighbourhoods[i])
                            if (labels[v] == -1) stack.Push(v);
                }
                if (stack.Count == 0) break;
                i = stack.Pop();
            }
            labelNum++;
        }
        return (labels, Enumerable.Range(0, n).Where(i => isCore[i]).ToArray());
    }
}
