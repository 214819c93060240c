using System.Text.Json;
using ImageCluster.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>Silhouette against scikit-learn 1.2.1 (fixture made by tools/make_silhouette_fixtures.py).</summary>
public class SilhouetteTests
{
    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", "silhouette.json"))).RootElement;

    private static FeatureMatrix Data() => FeatureMatrix.FromRows(
        Fixture.GetProperty("x").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToList());

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_scikit_learn(string name)
    {
        var c = Fixture.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var labels = c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var metric = c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;

        var result = Silhouette.Score(Data(), labels, new SilhouetteOptions { Metric = metric });

        // float32 features and distances against scikit-learn's float64: agreement to 1e-5 is the honest bar.
        Assert.Equal(c.GetProperty("mean").GetDouble(), result.Mean, 5);
        var expected = c.GetProperty("samples").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expected.Length, result.Values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - result.Values[i]) < 1e-4, $"sample {i}: {result.Values[i]} vs {expected[i]}");
    }

    [Fact]
    public void Sampling_is_seeded_and_close_to_the_full_score()
    {
        var c = Fixture.GetProperty("cases")[0];
        var labels = c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var full = Silhouette.Score(Data(), labels);
        var sampled = Silhouette.Score(Data(), labels, new SilhouetteOptions { SampleSize = 120, Seed = 3 });
        var again = Silhouette.Score(Data(), labels, new SilhouetteOptions { SampleSize = 120, Seed = 3 });

        Assert.Equal(120, sampled.Samples.Length);
        Assert.Equal(sampled.Samples, again.Samples);
        Assert.Equal(sampled.Mean, again.Mean);
        Assert.InRange(sampled.Mean, full.Mean - 0.1, full.Mean + 0.1);
    }

    [Fact]
    public void One_cluster_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Silhouette.Score(Data(), new int[240]));
        Assert.Contains("between 2 and 239 clusters", e.Message);
    }
}
