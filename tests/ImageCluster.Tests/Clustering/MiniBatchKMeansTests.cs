using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>
/// MiniBatch K-Means against scikit-learn 1.2.1 (fixture made by tools/make_partitioning_fixtures.py).
/// The batches, seedings and reassignments are random draws, and .NET's generator cannot reproduce numpy's, so no
/// run can be compared sample for sample. The oracle test is therefore statistical: over the same 5 seeds our mean
/// final inertia must lie within 2 % of scikit-learn's mean, and on well-separated blobs each of our partitions must
/// agree with scikit-learn's (ARI ≥ 0.95).
/// </summary>
public class MiniBatchKMeansTests
{
    public static TheoryData<int> CaseIndices() => PartitioningFixtures.Indices("minibatch");

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Mean_inertia_over_seeds_is_within_two_percent_of_scikit_learn(int index)
    {
        var c = PartitioningFixtures.Cases("minibatch")[index];
        string set = c.GetProperty("set").GetString()!;
        var (x, _) = OracleData.Set(set);
        int k = c.GetProperty("k").GetInt32();
        var options = new MiniBatchKMeansOptions { NClusters = k, BatchSize = c.GetProperty("batch_size").GetInt32() };
        var runs = c.GetProperty("runs").EnumerateArray().ToArray();

        var ours = runs.Select(r => new MiniBatchKMeans(options with { Seed = r.GetProperty("seed").GetInt32() }).Fit(x)).ToArray();

        double expected = c.GetProperty("mean_inertia").GetDouble();
        double mean = ours.Average(r => r.Inertia);
        Assert.True(Math.Abs(mean - expected) <= 0.02 * expected,
            $"{set}: mean inertia {mean} vs scikit-learn {expected} ({string.Join(", ", ours.Select(r => r.Inertia.ToString("G6")))})");
        if (set is "blobs" or "blobs_8d")
            for (int s = 0; s < runs.Length; s++)
            {
                double ari = ClusteringMetrics.AdjustedRandIndex(OracleData.Ints(runs[s].GetProperty("labels")), ours[s].Labels);
                Assert.True(ari >= 0.95, $"{set} seed {s}: ARI {ari} against scikit-learn");
            }
    }

    [Fact]
    public void Inertia_and_labels_are_those_of_the_final_centres()
    {
        var (x, _) = OracleData.Set("cnn");
        var result = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 10, BatchSize = 32, Seed = 4 }).Fit(x);
        double inertia = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            double own = Squared(x.ReadRow(i), result.Centers.ReadRow(result.Labels[i]));
            for (int j = 0; j < result.NClusters; j++) Assert.True(own <= Squared(x.ReadRow(i), result.Centers.ReadRow(j)) + 1e-5);
            inertia += own;
        }
        Assert.Equal(inertia, result.Inertia, inertia * 1e-5);
        Assert.InRange(result.NIterations, 2, 100 * 200 / 32);
        var sizes = Enumerable.Range(0, 10).Select(j => result.Labels.Count(l => l == j)).ToArray();
        Assert.Equal(sizes.OrderByDescending(s => s), sizes);
    }

    [Fact]
    public void Same_seed_gives_identical_results_whatever_the_thread_count()
    {
        var x = TestData.Blobs(5000, 32, 12, seed: 3, out _, noise: 3.0);
        var options = new MiniBatchKMeansOptions { NClusters = 12, BatchSize = 600, Seed = 11, Tol = 1e-3 };
        var reference = new MiniBatchKMeans(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        foreach (int threads in new[] { -1, 2, 3 })
        {
            var other = new MiniBatchKMeans(options with { MaxDegreeOfParallelism = threads }).Fit(x);
            Assert.Equal(reference.Labels, other.Labels);
            Assert.Equal(reference.Centers.Data, other.Centers.Data);
            Assert.Equal(reference.Inertia, other.Inertia);
            Assert.Equal(reference.NIterations, other.NIterations);
        }
        var otherSeed = new MiniBatchKMeans(options with { Seed = 12 }).Fit(x);
        Assert.NotEqual(reference.Centers.Data, otherSeed.Centers.Data);
    }

    [Fact]
    public void Recovers_separated_blobs_with_batches_much_smaller_than_the_data()
    {
        var x = TestData.Blobs(20_000, 16, 8, seed: 5, out int[] truth);
        var result = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 8, BatchSize = 256 }).Fit(x);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, result.Labels), 12);
        Assert.True(result.NIterations < 100 * 20_000 / 256, "early stopping on the smoothed inertia should end it well before MaxIter");
    }

    [Fact]
    public void Edge_cases_k_equals_one_k_equals_n_duplicates_and_a_single_sample()
    {
        var (x, _) = OracleData.Set("duplicates");
        var one = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 1 }).Fit(x);
        Assert.All(one.Labels, l => Assert.Equal(0, l));
        // The single centre is the mean of the rows drawn (with replacement) until early stopping, a thousand or so:
        // it misses the data mean by sampling noise of about σ/√1000 ≈ 0.1 here, not by rounding.
        for (int f = 0; f < x.Columns; f++)
            Assert.Equal(Enumerable.Range(0, x.Rows).Average(i => (double)x.ReadRow(i)[f]), one.Centers.ReadRow(0)[f], 0.3);

        // 60 distinct points among 100 rows and k = 70: some centres must stay empty, and the labels say so honestly.
        var many = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 70, BatchSize = 20 }).Fit(x);
        Assert.Equal(70, many.NClusters);
        Assert.True(many.Labels.Distinct().Count() <= 60);
        Assert.All(many.Centers.Data, v => Assert.True(float.IsFinite(v)));

        var tiny = TestData.Random(6, 3, seed: 1);
        var all = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 6 }).Fit(tiny);
        Assert.Equal(6, all.Centers.Rows);

        var single = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = 1 }).Fit(FeatureMatrix.FromRows([[1f, 2f]]));
        Assert.Equal([0], single.Labels);
        Assert.Equal([1f, 2f], single.Centers.Data);
        Assert.Equal(0.0, single.Inertia);
    }

    [Fact]
    public void Bad_options_and_a_NaN_row_are_refused_with_a_clear_message()
    {
        var x = TestData.Random(20, 3, seed: 2);
        string Message(MiniBatchKMeansOptions o) => Assert.Throws<ArgumentException>(() => new MiniBatchKMeans(o).Fit(x)).Message;
        Assert.Contains("NClusters", Message(new() { NClusters = 21 }));
        Assert.Contains("BatchSize", Message(new() { NClusters = 2, BatchSize = 0 }));
        Assert.Contains("MaxIter", Message(new() { NClusters = 2, MaxIter = 0 }));
        Assert.Contains("MaxNoImprovement", Message(new() { NClusters = 2, MaxNoImprovement = -1 }));
        Assert.Contains("Tol", Message(new() { NClusters = 2, Tol = double.NaN }));
        Assert.Contains("NInit", Message(new() { NClusters = 2, NInit = 0 }));
        Assert.Contains("InitSize", Message(new() { NClusters = 2, InitSize = 0 }));
        Assert.Contains("ReassignmentRatio", Message(new() { NClusters = 2, ReassignmentRatio = -0.5 }));
        Assert.Contains("MaxDegreeOfParallelism", Message(new() { NClusters = 2, MaxDegreeOfParallelism = 0 }));
        x.Row(7)[1] = float.NaN;
        Assert.Contains("Feature vector 7", Message(new() { NClusters = 2 }));
    }

    private static double Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double total = 0;
        for (int f = 0; f < a.Length; f++) total += ((double)a[f] - b[f]) * ((double)a[f] - b[f]);
        return total;
    }
}
