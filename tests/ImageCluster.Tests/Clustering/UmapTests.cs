using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using Xunit;

namespace ImageCluster.Tests;

/// <summary>
/// UMAP layouts judged as umap-learn's own tests judge them (trustworthiness; umap-learn is not packaged in Debian), on
/// scikit-learn's iris and digits (tools/make_umap_fixtures.py), with the trustworthiness measure itself against
/// scikit-learn's formula.
/// </summary>
public class UmapTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("umap.json"));

    [Fact]
    public void Trustworthiness_matches_scikit_learns_formula()
    {
        var digits = OracleData.Matrix(Fixture.Value.GetProperty("digits").GetProperty("x"));
        var pca = OracleData.Matrix(Fixture.Value.GetProperty("pca").GetProperty("embedding"));
        foreach (int k in new[] { 5, 10 })
        {
            double expected = Fixture.Value.GetProperty("pca").GetProperty("trustworthiness").GetProperty($"{k}").GetProperty("stable").GetDouble();
            Assert.Equal(expected, Trustworthiness.Of(digits, pca, k), 4);
        }
    }

    [Fact]
    public void The_curve_is_umap_learns_for_its_defaults()
    {
        var (a, b) = Umap.CurveParameters(1.0, 0.1);
        // umap-learn 0.5's find_ab_params(1.0, 0.1), printed by umap.umap_.find_ab_params.
        Assert.Equal(1.5769, a, 3);
        Assert.Equal(0.8951, b, 3);
    }

    [Fact]
    public void Iris_reaches_the_trustworthiness_umap_learns_tests_demand()
    {
        var x = OracleData.Matrix(Fixture.Value.GetProperty("iris").GetProperty("x"));
        // umap-learn's test: UMAP(n_neighbors=10, min_dist=0.01, random_state=42), trustworthiness at 10 neighbours >= 0.97.
        var layout = Umap.Fit(x, new UmapOptions { NNeighbors = 9, MinDist = 0.01, Metric = DistanceMetric.Euclidean, Seed = 42 });
        double trust = Trustworthiness.Of(x, layout, 10);
        Assert.True(trust >= 0.97, $"trustworthiness {trust:F4}");
    }

    [Fact]
    public void Digits_keep_their_neighbours_far_better_than_pca_and_their_classes_apart()
    {
        var digits = Fixture.Value.GetProperty("digits");
        var x = OracleData.Matrix(digits.GetProperty("x"));
        var layout = Umap.Fit(x, new UmapOptions { Metric = DistanceMetric.Euclidean, Seed = 1 });
        double trust = Trustworthiness.Of(x, layout, 10);
        double pca = Fixture.Value.GetProperty("pca").GetProperty("trustworthiness").GetProperty("10").GetProperty("stable").GetDouble();
        Assert.True(trust >= 0.95 && trust > pca + 0.1, $"trustworthiness {trust:F4}, PCA {pca:F4}");
        var truth = OracleData.Ints(digits.GetProperty("y"));
        var kMeans = new KMeans(new KMeansOptions { NClusters = 10 }).Fit(layout);
        double nmi = ClusteringMetrics.NormalizedMutualInformation(truth, kMeans.Labels);
        Assert.True(nmi >= 0.85, $"K-Means on the layout: NMI {nmi:F3}");
    }

    [Fact]
    public void A_seed_fixes_the_layout()
    {
        var x = TestData.Blobs(300, 8, 4, seed: 3, out _);
        var options = new UmapOptions { NComponents = 3, Seed = 5, NEpochs = 50 };
        var first = Umap.Fit(x, options);
        Assert.Equal((300, 3), (first.Rows, first.Columns));
        Assert.Equal(first.Data, Umap.Fit(x, options with { MaxDegreeOfParallelism = 1 }).Data);
        Assert.NotEqual(first.Data, Umap.Fit(x, options with { Seed = 6 }).Data);
        Assert.Equal("MinDist", Assert.Throws<ArgumentException>(() => Umap.Fit(x, new UmapOptions { MinDist = 2 })).ParamName);
    }
}
