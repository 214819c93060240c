using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>
/// Davies–Bouldin, Calinski–Harabasz, the knee rule, k-distance curves, the elbow and the k suggestion, against
/// scikit-learn 1.2.1 / SciPy 1.10.1 (fixture made by tools/make_diagnostics_fixtures.py).
/// </summary>
public class DiagnosticsTests
{
    internal static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("diagnostics.json"));

    private static JsonElement Case(string section, int index) => Fixture.Value.GetProperty(section)[index];

    public static TheoryData<int> IndexCases() => Indices("indices");

    public static TheoryData<int> KDistanceCases() => Indices("k_distance");

    public static TheoryData<int> KneeCases() => Indices("knee");

    internal static TheoryData<int> Indices(string section)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Fixture.Value.GetProperty(section).GetArrayLength(); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(IndexCases))]
    public void Davies_Bouldin_and_Calinski_Harabasz_equal_scikit_learn(int index)
    {
        var c = Case("indices", index);
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        int[] labels = OracleData.Ints(c.GetProperty("labels"));
        var ignore = new ClusterIndexOptions { IgnoreNoise = true };

        // Same float64 arithmetic on the same (float32-exact) values: only summation order differs.
        AssertClose(c.GetProperty("davies_bouldin").GetDouble(), DaviesBouldin.Score(x, labels), 1e-9);
        AssertClose(c.GetProperty("calinski_harabasz").GetDouble(), CalinskiHarabasz.Score(x, labels), 1e-9);
        AssertClose(c.GetProperty("davies_bouldin_ignore_noise").GetDouble(), DaviesBouldin.Score(x, labels, ignore), 1e-9);
        AssertClose(c.GetProperty("calinski_harabasz_ignore_noise").GetDouble(), CalinskiHarabasz.Score(x, labels, ignore), 1e-9);
    }

    [Fact]
    public void Noise_counts_as_a_cluster_unless_ignored()
    {
        var c = Case("indices", 5);
        Assert.Equal("with_noise", c.GetProperty("labels_name").GetString());
        var (x, _) = OracleData.Set("blobs");
        int[] labels = OracleData.Ints(c.GetProperty("labels"));
        Assert.True(DaviesBouldin.Score(x, labels) > DaviesBouldin.Score(x, labels, new ClusterIndexOptions { IgnoreNoise = true }) + 1);
    }

    [Fact]
    public void A_single_cluster_or_one_cluster_per_sample_is_refused()
    {
        var (x, _) = OracleData.Set("blobs");
        var single = Assert.Throws<ArgumentException>(() => DaviesBouldin.Score(x, new int[x.Rows]));
        Assert.Contains("Davies–Bouldin index needs between 2 and 299 clusters (got 1)", single.Message);
        var each = Enumerable.Range(0, x.Rows).ToArray();
        Assert.Contains("Calinski–Harabasz index needs between 2 and 299 clusters (got 300)",
            Assert.Throws<ArgumentException>(() => CalinskiHarabasz.Score(x, each)).Message);
        var noiseAndOne = Enumerable.Range(0, x.Rows).Select(i => i % 2 == 0 ? -1 : 0).ToArray();
        Assert.Contains("after leaving out noise", Assert.Throws<ArgumentException>(
            () => CalinskiHarabasz.Score(x, noiseAndOne, new ClusterIndexOptions { IgnoreNoise = true })).Message);
    }

    [Fact]
    public void A_NaN_row_is_named()
    {
        var x = OracleData.Set("blobs").X.Clone();
        x.Row(7)[1] = float.NaN;
        var labels = Enumerable.Range(0, x.Rows).Select(i => i % 3).ToArray();
        Assert.Contains("Feature vector 7", Assert.Throws<ArgumentException>(() => DaviesBouldin.Score(x, labels)).Message);
        Assert.Contains("Feature vector 7", Assert.Throws<ArgumentException>(() => KDistance.Compute(x)).Message);
        Assert.Contains("Feature vector 7", Assert.Throws<ArgumentException>(() => Hopkins.Compute(x)).Message);
        Assert.Contains("Feature vector 7", Assert.Throws<ArgumentException>(() => Elbow.Compute(x, new ElbowOptions { KMax = 3 })).Message);
    }

    [Theory]
    [MemberData(nameof(KneeCases))]
    public void Knee_rule_matches_the_reference_implementation(int index)
    {
        var c = Case("knee", index);
        var knee = Kneedle.FindKnee(OracleData.Doubles(c.GetProperty("x")), OracleData.Doubles(c.GetProperty("y")),
            c.GetProperty("decreasing").GetBoolean() ? CurveDirection.Decreasing : CurveDirection.Increasing);
        var expected = c.GetProperty("knee_index");
        Assert.Equal(expected.ValueKind == JsonValueKind.Null ? null : expected.GetInt32(), knee);
    }

    [Theory]
    [MemberData(nameof(KDistanceCases))]
    public void K_distances_equal_scikit_learn_nearest_neighbors(int index)
    {
        var c = Case("k_distance", index);
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        var result = KDistance.Compute(x, new KDistanceOptions { MinSamples = c.GetProperty("min_samples").GetInt32() });

        double[] expected = OracleData.Doubles(c.GetProperty("distances"));
        Assert.Equal(Enumerable.Range(0, x.Rows), result.Samples);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], result.Distances[i], 1e-9);
        var knee = c.GetProperty("knee_index");
        Assert.Equal(knee.ValueKind == JsonValueKind.Null ? null : knee.GetInt32(), result.KneeIndex);
        if (result.SuggestedEps is double eps) AssertClose(c.GetProperty("eps").GetDouble(), eps, 1e-9);
    }

    [Fact]
    public void K_distance_samples_and_cosine()
    {
        var (x, _) = OracleData.Set("cnn");
        var full = KDistance.Compute(x, new KDistanceOptions { MinSamples = 4 });
        var sampled = KDistance.Compute(x, new KDistanceOptions { MinSamples = 4, SampleSize = 50, Seed = 2 });
        Assert.Equal(50, sampled.Samples.Length);
        for (int s = 0; s < 50; s++) Assert.Equal(full.Distances[sampled.Samples[s]], sampled.Distances[s]);

        var cosine = KDistance.Compute(x, new KDistanceOptions { MinSamples = 4, Metric = DistanceMetric.Cosine });
        var unit = x.UnitRows();
        // Brute force for one point: the 4th smallest cosine distance, itself (0) included.
        var distances = Enumerable.Range(0, x.Rows)
            .Select(j => 1 - unit.ReadRow(0).ToArray().Zip(unit.ReadRow(j).ToArray(), (a, b) => (double)a * b).Sum()).Order().ToArray();
        AssertClose(distances[3], cosine.Distances[0], 1e-6);
    }

    [Fact]
    public void K_distance_options_are_checked()
    {
        var (x, _) = OracleData.Set("blobs");
        Assert.Contains("MinSamples", Assert.Throws<ArgumentException>(() => KDistance.Compute(x, new KDistanceOptions { MinSamples = 301 })).Message);
        Assert.Contains("SampleSize", Assert.Throws<ArgumentException>(() => KDistance.Compute(x, new KDistanceOptions { SampleSize = 0 })).Message);
    }

    internal static void AssertClose(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");
}
