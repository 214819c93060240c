using System.Text.Json;
using ImageCluster.Clustering;

namespace ImageCluster.Tests;

/// <summary>OPTICS against scikit-learn 1.2.1 (tools/make_density_fixtures.py), a literal port of its main loop, and edge cases.</summary>
public class OpticsTests
{
    // Distances are float64 sums over the float32 features, rounded to 15 decimals like scikit-learn's; they differ from
    // scikit-learn's float64 values only in summation order (~1e-16 relative). The fixture stores 12 significant digits.
    private const double Relative = 1e-10;

    public static TheoryData<string> Cases() => DensityFixture.Cases("optics");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_scikit_learn(string row)
    {
        var c = DensityFixture.Case("optics", row);
        var p = c.GetProperty("params");
        var options = new OpticsOptions
        {
            MinSamples = p.GetProperty("min_samples").GetInt32(),
            MaxEps = p.TryGetProperty("max_eps", out var maxEps) ? maxEps.GetDouble() : double.PositiveInfinity,
            Metric = DensityFixture.Metric(p.TryGetProperty("metric", out var metric) ? metric.GetString() : null),
            ClusterMethod = p.TryGetProperty("cluster_method", out var method) && method.GetString() == "dbscan"
                ? OpticsClusterMethod.Dbscan : OpticsClusterMethod.Xi,
            Xi = p.TryGetProperty("xi", out var xi) ? xi.GetDouble() : 0.05,
            Eps = p.TryGetProperty("eps", out var eps) ? eps.GetDouble() : null,
            MinClusterSize = p.TryGetProperty("min_cluster_size", out var size) ? size.GetInt32() : null,
            PredecessorCorrection = !p.TryGetProperty("predecessor_correction", out var correction) || correction.GetBoolean(),
        };

        var result = new Optics(options).Fit(DensityFixture.Data(c.GetProperty("set").GetString()!));

        Assert.Equal(OracleData.Ints(c.GetProperty("ordering")), result.Ordering);
        AssertClose(DensityFixture.DoublesOrInfinity(c.GetProperty("reachability")), result.Reachability);
        AssertClose(DensityFixture.DoublesOrInfinity(c.GetProperty("core_distances")), result.CoreDistances);
        Assert.Equal(OracleData.Ints(c.GetProperty("predecessor")), result.Predecessor);
        DensityFixture.AssertSamePartition(OracleData.Ints(c.GetProperty("labels")), result.Labels);
        if (c.GetProperty("hierarchy").ValueKind == JsonValueKind.Null)
            Assert.Null(result.ClusterHierarchy);
        else
            Assert.Equal(c.GetProperty("hierarchy").EnumerateArray().Select(h => (h[0].GetInt32(), h[1].GetInt32())), result.ClusterHierarchy!);
    }

    public static TheoryData<string> RCases() => DensityFixture.RCases("optics");

    [Theory]
    [MemberData(nameof(RCases))]
    public void Agrees_with_R_optics_where_the_conventions_agree(string row)
    {
        // R's optics() defines the core distance as scikit-learn does (minPts-th neighbour, the point itself included) but
        // does not round it to 15 decimals, and breaks reachability ties by its seed list, not by the lowest index: its
        // ordering already differs at position 1 (blobs: R visits 229 before 188; both are reached at the same 0.1273)
        // and from there every reachability and predecessor depends on the order. R's extractXi uses its own Xi
        // conventions (on blobs ARI 0.13 against scikit-learn's Xi labels). Comparable: the core distances, and the
        // DBSCAN cut's partition of the samples whose core distance is ≤ eps_cl, which no tie rule can change.
        var c = DensityFixture.RCase("optics", row);
        var x = DensityFixture.Data(c.GetProperty("set").GetString()!);
        double eps = c.GetProperty("eps_cl").GetDouble();
        var options = new OpticsOptions { MinSamples = c.GetProperty("min_pts").GetInt32(), ClusterMethod = OpticsClusterMethod.Dbscan, Eps = eps };

        var result = new Optics(options).Fit(x);

        AssertClose(OracleData.Doubles(c.GetProperty("core_distances")), result.CoreDistances);
        Assert.Equal(0, result.Ordering[0]);
        Assert.Equal(OracleData.Ints(c.GetProperty("ordering"))[0], result.Ordering[0]);
        var core = Enumerable.Range(0, x.Rows).Where(i => result.CoreDistances[i] <= eps).ToArray();
        var theirs = OracleData.Ints(c.GetProperty("dbscan_labels"));
        Assert.All(core, i => Assert.True(theirs[i] >= 0 && result.Labels[i] >= 0, $"core sample {i} is noise"));
        Assert.Equal(1.0, ImageCluster.Evaluation.ClusteringMetrics.AdjustedRandIndex(
            core.Select(i => theirs[i]).ToArray(), core.Select(i => result.Labels[i]).ToArray()));
        Assert.InRange(core.Length, 50, x.Rows);
    }

    [Fact]
    public void Equals_a_literal_port_of_compute_optics_graph_on_data_spanning_many_chunks()
    {
        // 128 features: the ordering loop scores the unprocessed samples in parallel chunks of 2 048.
        var x = TestData.Blobs(2600, 128, 5, seed: 12, out _, noise: 3.0);
        var options = new OpticsOptions { MinSamples = 7 };

        var result = new Optics(options).Fit(x);
        var (ordering, reachability, predecessor) = ReferenceOptics(x, options.MinSamples);

        Assert.Equal(ordering, result.Ordering);
        AssertClose(reachability, result.Reachability);
        Assert.Equal(predecessor, result.Predecessor);
        Assert.InRange(result.NClusters, 2, 100);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var x = TestData.Blobs(2300, 128, 4, seed: 2, out _, noise: 2.0);
        var options = new OpticsOptions { MinSamples = 6, Metric = DistanceMetric.Cosine };
        var parallel = new Optics(options).Fit(x);
        var single = new Optics(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        Assert.Equal(single.Ordering, parallel.Ordering);
        Assert.Equal(single.Reachability, parallel.Reachability);
        Assert.Equal(single.Labels, parallel.Labels);
    }

    [Fact]
    public void Identical_samples_are_one_cluster_reached_at_distance_zero()
    {
        // scikit-learn 1.2.1 on ten copies of one point, min_samples = 3: ordering 0…9, reachability [inf, 0, …],
        // predecessor [-1, 0, …], hierarchy [(0, 9)], one cluster.
        var x = FeatureMatrix.FromRows(Enumerable.Repeat(new[] { 1.5f, -2f, 7f }, 10).ToList());
        var result = new Optics(new OpticsOptions { MinSamples = 3 }).Fit(x);
        Assert.Equal(Enumerable.Range(0, 10), result.Ordering);
        Assert.Equal([double.PositiveInfinity, 0, 0, 0, 0, 0, 0, 0, 0, 0], result.Reachability);
        Assert.Equal([-1, 0, 0, 0, 0, 0, 0, 0, 0, 0], result.Predecessor);
        Assert.Equal([(0, 9)], result.ClusterHierarchy!);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
    }

    [Fact]
    public void Max_eps_zero_leaves_every_sample_unreachable_and_noise()
    {
        var x = FeatureMatrix.FromRows([[0f], [1f], [2f], [3f]]);
        var result = new Optics(new OpticsOptions { MinSamples = 2, MaxEps = 0, ClusterMethod = OpticsClusterMethod.Dbscan }).Fit(x);
        Assert.All(result.Reachability, r => Assert.Equal(double.PositiveInfinity, r));
        Assert.All(result.Labels, l => Assert.Equal(-1, l));
        Assert.Equal([0, 1, 2, 3], result.Ordering);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Fewer_samples_than_MinSamples_are_refused_as_scikit_learn_does(int samples)
    {
        var x = FeatureMatrix.FromRows(Enumerable.Range(0, samples).Select(i => new[] { (float)i }).ToList());
        var e = Assert.Throws<ArgumentException>(() => new Optics(new OpticsOptions()).Fit(x));
        Assert.Contains("MinSamples", e.Message);
        Assert.Contains($"({samples})", e.Message);
    }

    [Fact]
    public void A_cancelled_fit_stops()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new Optics(new OpticsOptions()).Fit(TestData.Random(500, 8, seed: 1), cancellation.Token));
    }

    [Fact]
    public void A_NaN_row_is_refused_by_its_index()
    {
        var x = FeatureMatrix.FromRows(Enumerable.Range(0, 8).Select(i => new[] { i == 6 ? float.PositiveInfinity : i, 0f }).ToList());
        var e = Assert.Throws<ArgumentException>(() => new Optics(new OpticsOptions()).Fit(x));
        Assert.Contains("Feature vector 6", e.Message);
    }

    private static readonly Dictionary<string, (OpticsOptions Options, string Name)> Invalid = new()
    {
        ["MinSamples = 1"] = (new OpticsOptions { MinSamples = 1 }, "MinSamples"),
        ["MaxEps = -1"] = (new OpticsOptions { MaxEps = -1 }, "MaxEps"),
        ["MaxEps = NaN"] = (new OpticsOptions { MaxEps = double.NaN }, "MaxEps"),
        ["Xi = 1.5"] = (new OpticsOptions { Xi = 1.5 }, "Xi"),
        ["Xi = NaN"] = (new OpticsOptions { Xi = double.NaN }, "Xi"),
        ["Eps > MaxEps"] = (new OpticsOptions { MaxEps = 2, Eps = 3, ClusterMethod = OpticsClusterMethod.Dbscan }, "Eps"),
        ["Eps = -0.5"] = (new OpticsOptions { Eps = -0.5 }, "Eps"),
        ["MinClusterSize = 1"] = (new OpticsOptions { MinClusterSize = 1 }, "MinClusterSize"),
        ["MinClusterSize > N"] = (new OpticsOptions { MinClusterSize = 11 }, "MinClusterSize"),
        ["ClusterMethod = 7"] = (new OpticsOptions { ClusterMethod = (OpticsClusterMethod)7 }, "ClusterMethod"),
        ["MaxDegreeOfParallelism = 0"] = (new OpticsOptions { MaxDegreeOfParallelism = 0 }, "MaxDegreeOfParallelism"),
    };

    public static TheoryData<string> InvalidOptions() => new(Invalid.Keys);

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_by_name(string key)
    {
        var (options, name) = Invalid[key];
        var x = FeatureMatrix.FromRows(Enumerable.Range(0, 10).Select(i => new[] { (float)i }).ToList());
        var e = Assert.Throws<ArgumentException>(() => new Optics(options).Fit(x));
        Assert.Contains(name, e.Message);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsInfinity(expected[i])) Assert.True(double.IsPositiveInfinity(actual[i]), $"sample {i}: {actual[i]}, expected +inf");
            else Assert.True(Math.Abs(expected[i] - actual[i]) <= Relative * Math.Abs(expected[i]) + 1e-12, $"sample {i}: {actual[i]} vs {expected[i]}");
        }
    }

    // compute_optics_graph with brute force taken literally: float64 distance matrix, kNN core distances, the argmin loop.
    private static (int[] Ordering, double[] Reachability, int[] Predecessor) ReferenceOptics(FeatureMatrix x, int minSamples)
    {
        static double Around(double v) => double.IsFinite(v) ? Math.Round(v * 1e15, MidpointRounding.ToEven) / 1e15 : v;
        int n = x.Rows;
        var distances = DensityFixture.ReferenceDistances(x, DistanceMetric.Euclidean);
        var core = distances.Select(row => Around(row.Order().ElementAt(minSamples - 1))).ToArray();
        var reachability = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        var predecessor = Enumerable.Repeat(-1, n).ToArray();
        var processed = new bool[n];
        var ordering = new int[n];
        for (int step = 0; step < n; step++)
        {
            int point = -1;
            for (int j = 0; j < n; j++)
                if (!processed[j] && (point < 0 || reachability[j] < reachability[point])) point = j;
            processed[point] = true;
            ordering[step] = point;
            for (int j = 0; j < n; j++)
            {
                if (processed[j]) continue;
                double reach = Around(Math.Max(distances[point][j], core[point]));
                if (reach < reachability[j])
                {
                    reachability[j] = reach;
                    predecessor[j] = point;
                }
            }
        }
        return (ordering, reachability, predecessor);
    }
}
