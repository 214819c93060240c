using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>
/// K-Means (Lloyd and Elkan) against scikit-learn 1.2.1 started from the same centres
/// (fixture made by tools/make_partitioning_fixtures.py), and Elkan against Lloyd bit for bit.
/// </summary>
public class KMeansOracleTests
{
    public static TheoryData<int> CaseIndices() => PartitioningFixtures.Indices("kmeans");

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Same_partition_and_inertia_as_scikit_learn_from_the_same_centres(int index)
    {
        var c = PartitioningFixtures.Cases("kmeans")[index];
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        int[] initRows = OracleData.Ints(c.GetProperty("init_rows"));
        var algorithm = c.GetProperty("algorithm").GetString() == "elkan" ? KMeansAlgorithm.Elkan : KMeansAlgorithm.Lloyd;

        var result = new KMeans(new KMeansOptions
        {
            NClusters = c.GetProperty("k").GetInt32(), Init = Rows(x, initRows), Algorithm = algorithm,
        }).Fit(x);

        int[] expected = OracleData.Ints(c.GetProperty("labels"));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(expected, result.Labels), 12);
        double inertia = c.GetProperty("inertia").GetDouble();
        Assert.True(Math.Abs(result.Inertia - inertia) <= 1e-6 * inertia, $"inertia {result.Inertia} vs scikit-learn {inertia}");
        Assert.Equal(c.GetProperty("n_iter").GetInt32(), result.NIterations);
    }

    [Theory]
    [InlineData(3000, 24, 20, 6.0, 1)]
    [InlineData(2000, 7, 40, 1.0, 2)]
    [InlineData(1500, 64, 8, 12.0, 3)]
    public void Elkan_gives_exactly_Lloyds_labels_and_centres(int n, int d, int k, double noise, int seed)
    {
        // Many close, overlapping clusters and Tol = 0: long runs where the bounds decide most assignments.
        var x = TestData.Blobs(n, d, k, seed, out _, noise);
        var options = new KMeansOptions { NClusters = k, NInit = 2, Tol = 0, Seed = seed };
        var lloyd = new KMeans(options).Fit(x);
        var elkan = new KMeans(options with { Algorithm = KMeansAlgorithm.Elkan }).Fit(x);
        var elkanOneThread = new KMeans(options with { Algorithm = KMeansAlgorithm.Elkan, MaxDegreeOfParallelism = 1 }).Fit(x);

        Assert.True(lloyd.NIterations > 5, $"only {lloyd.NIterations} iterations: the bounds were hardly exercised");
        AssertIdentical(lloyd, elkan);
        AssertIdentical(lloyd, elkanOneThread);
    }

    [Fact]
    public void Elkan_breaks_exact_ties_as_Lloyd_does()
    {
        // An 8×8 integer grid with k-means++ starts: many samples exactly equidistant from two centres.
        var (x, _) = OracleData.Set("ties");
        foreach (int k in new[] { 3, 4, 6, 9 })
        {
            var options = new KMeansOptions { NClusters = k, NInit = 4, Seed = k, Tol = 0 };
            AssertIdentical(new KMeans(options).Fit(x), new KMeans(options with { Algorithm = KMeansAlgorithm.Elkan }).Fit(x));
        }
    }

    [Fact]
    public void Elkan_gives_a_sample_exactly_between_two_centres_to_the_lower_one()
    {
        // From centres −10 and 1 the first step moves them to −10 and 10, leaving the sample at 0 (labelled 1 so far)
        // exactly halfway: both searches must now hand it to centre 0, the lower index.
        var x = FeatureMatrix.FromRows([[-12f], [-8f], [0f], [20f]]);
        var options = new KMeansOptions { NClusters = 2, Init = FeatureMatrix.FromRows([[-10f], [1f]]), Tol = 0 };
        var lloyd = new KMeans(options).Fit(x);
        AssertIdentical(lloyd, new KMeans(options with { Algorithm = KMeansAlgorithm.Elkan }).Fit(x));
        Assert.Equal(lloyd.Labels[0], lloyd.Labels[2]);
    }

    [Fact]
    public void Given_centres_force_a_single_run_and_are_used_as_is()
    {
        var (x, _) = OracleData.Set("blobs");
        var init = Rows(x, [0, 1, 2, 3]);
        var once = new KMeans(new KMeansOptions { NClusters = 4, Init = init, NInit = 1 }).Fit(x);
        var tenRequested = new KMeans(new KMeansOptions { NClusters = 4, Init = init, NInit = 10, Seed = 99 }).Fit(x);
        Assert.Equal(once.Labels, tenRequested.Labels);
        Assert.Equal(once.Inertia, tenRequested.Inertia);
        Assert.Equal(0, tenRequested.BestInit);

        // One Lloyd step from centres that are already the cluster means stays put.
        var (rows, _) = OracleData.Set("blobs_8d");
        var converged = new KMeans(new KMeansOptions { NClusters = 5, NInit = 3 }).Fit(rows);
        var again = new KMeans(new KMeansOptions { NClusters = 5, Init = converged.Centers, Algorithm = KMeansAlgorithm.Elkan }).Fit(rows);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(converged.Labels, again.Labels), 12);
        Assert.Equal(1, again.NIterations);
    }

    [Fact]
    public void Bad_initial_centres_are_refused_with_a_clear_message()
    {
        var x = TestData.Random(20, 3, seed: 4);
        var wrongCount = Assert.Throws<ArgumentException>(() =>
            new KMeans(new KMeansOptions { NClusters = 3, Init = Rows(x, [0, 1]) }).Fit(x));
        Assert.Contains("Init has 2 initial centres but k = 3", wrongCount.Message);
        var wrongWidth = Assert.Throws<ArgumentException>(() =>
            new KMeans(new KMeansOptions { NClusters = 2, Init = new FeatureMatrix(2, 5) }).Fit(x));
        Assert.Contains("5 features but the data has 3", wrongWidth.Message);
        var nan = Rows(x, [0, 1]);
        nan.Data[1] = float.NaN;
        Assert.Contains("Init", Assert.Throws<ArgumentException>(() =>
            new KMeans(new KMeansOptions { NClusters = 2, Init = nan }).Fit(x)).Message);
        Assert.Contains("Lloyd or Elkan", Assert.Throws<ArgumentException>(() =>
            new KMeansOptions { NClusters = 2, Algorithm = (KMeansAlgorithm)7 }.Validate(5)).Message);
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Elkan)]
    public void Edge_cases_k_equals_one_and_k_equals_n(KMeansAlgorithm algorithm)
    {
        var (x, _) = OracleData.Set("duplicates");
        var one = new KMeans(new KMeansOptions { NClusters = 1, Algorithm = algorithm }).Fit(x);
        Assert.All(one.Labels, l => Assert.Equal(0, l));
        Assert.Equal(1, one.NClusters);

        var tiny = TestData.Random(9, 4, seed: 2);
        var all = new KMeans(new KMeansOptions { NClusters = 9, Algorithm = algorithm, Init = tiny }).Fit(tiny);
        Assert.Equal(9, all.Labels.Distinct().Count());
        Assert.Equal(0.0, all.Inertia, 1e-9);

        var single = new KMeans(new KMeansOptions { NClusters = 1, Algorithm = algorithm }).Fit(Rows(tiny, [3]));
        Assert.Equal([0], single.Labels);
    }

    /// <summary>Same labels, centres, inertia and iteration count, bit for bit.</summary>
    internal static void AssertIdentical(KMeansResult expected, KMeansResult actual)
    {
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Centers.Data, actual.Centers.Data);
        Assert.Equal(expected.Inertia, actual.Inertia);
        Assert.Equal(expected.NIterations, actual.NIterations);
    }

    internal static FeatureMatrix Rows(FeatureMatrix x, int[] rows) =>
        FeatureMatrix.FromRows(rows.Select(r => x.ReadRow(r).ToArray()).ToList());
}
