using ImageCluster.Clustering;
using ImageCluster.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>The elbow curve and the k suggestion built on it.</summary>
public class ElbowTests
{
    [Fact]
    public void Elbow_scores_each_k_with_the_standalone_diagnostics()
    {
        var (x, _) = OracleData.Set("blobs");
        var result = Elbow.Compute(x, new ElbowOptions { KMax = 8 });

        Assert.Equal(Enumerable.Range(1, 8), result.Ks);
        Assert.Null(result.Points[0].Silhouette);
        Assert.Null(result.Points[0].DaviesBouldin);
        for (int i = 1; i < 8; i++)
        {
            var p = result.Points[i];
            var fit = new KMeans(new KMeansOptions { NClusters = p.K }).Fit(x);
            Assert.Equal(fit.Inertia, p.Inertia);
            Assert.Equal(DaviesBouldin.Score(x, fit.Labels), p.DaviesBouldin);
            Assert.Equal(CalinskiHarabasz.Score(x, fit.Labels), p.CalinskiHarabasz);
            Assert.Equal(Silhouette.Score(x, fit.Labels).Mean, p.Silhouette!.Value, 12);
        }
        Assert.Equal(Kneedle.FindKnee(result.Ks.Select(k => (double)k).ToArray(), result.Inertias, CurveDirection.Decreasing) + 1, result.KneeK);
    }

    [Fact]
    public void Elbow_knee_and_inertias_agree_with_scikit_learn_on_blobs()
    {
        var curve = DiagnosticsTests.Fixture.Value.GetProperty("knee")[0];
        Assert.Equal("blobs_inertia", curve.GetProperty("name").GetString());
        double[] expected = OracleData.Doubles(curve.GetProperty("y"));
        var result = Elbow.Compute(OracleData.Set("blobs").X, new ElbowOptions { KMax = 10, SilhouetteSampleSize = 50 });

        Assert.Equal(curve.GetProperty("knee_index").GetInt32() + 1, result.KneeK);
        // K-Means from other (seeded) starts: the same optimum for k ≤ 3, up to float32 centre arithmetic against
        // scikit-learn's float64 (~1e-6 relative); for k = 4 (the true blob count) we find a lower inertia (290.71
        // against 290.83). Past the knee both land in different local optima (e.g. k = 8), so those are not compared.
        for (int k = 1; k <= 3; k++) DiagnosticsTests.AssertClose(expected[k - 1], result.Inertias[k - 1], 1e-5);
        Assert.True(result.Inertias[3] <= expected[3]);
    }

    [Fact]
    public void K_equal_to_N_has_no_indices_and_bad_ranges_are_named()
    {
        var (x, _) = OracleData.Set("ties");
        var result = Elbow.Compute(x, new ElbowOptions { KMin = 62, KMax = 64 });
        Assert.Equal(0, result.Points[^1].Inertia);
        Assert.Null(result.Points[^1].CalinskiHarabasz);
        Assert.Null(result.Points[^1].Silhouette);
        Assert.NotNull(result.Points[0].DaviesBouldin);
        var e = Assert.Throws<ArgumentException>(() => Elbow.Compute(x, new ElbowOptions { KMax = 65 }));
        Assert.Contains("KMax = 65", e.Message);
    }

    [Fact]
    public void Suggestion_votes_for_the_blob_count_and_suggests_eps()
    {
        var (x, _) = OracleData.Set("blobs_8d");
        var result = KSuggestion.Suggest(x, new KSuggestionOptions { KMax = 8, Gap = new GapOptions { B = 5 } });

        Assert.Equal(5, result.K);
        Assert.Equal(8, result.Evidence.Count);
        Assert.All(result.Agreeing, c => Assert.Equal(5, result.Votes[c]));
        Assert.True(result.Agreeing.Count >= 3, string.Join(", ", result.Votes.Select(v => $"{v.Key}={v.Value}")));
        Assert.NotNull(result.Evidence[4].Gap);
        Assert.Equal(result.Evidence.MaxBy(e => e.Silhouette ?? double.MinValue)!.K, result.Votes[KCriterion.Silhouette]);
        Assert.Equal(result.Evidence.Where(e => e.DaviesBouldin is not null).MinBy(e => e.DaviesBouldin)!.K, result.Votes[KCriterion.DaviesBouldin]);
        Assert.NotNull(result.SuggestedEps);
        Assert.Equal(result.KDistance!.SortedDistances[result.KDistance.KneeIndex!.Value], result.SuggestedEps);
    }

    [Fact]
    public void Suggestion_tie_goes_to_the_higher_silhouette()
    {
        var (x, _) = OracleData.Set("blobs");
        var result = KSuggestion.Suggest(x, new KSuggestionOptions { KMax = 6, IncludeGap = false, KDistance = null });
        var counts = result.Votes.Values.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int top = counts.Values.Max();
        var leaders = counts.Where(c => c.Value == top).Select(c => c.Key).ToArray();
        var silhouette = result.Evidence.ToDictionary(e => e.K, e => e.Silhouette ?? double.NegativeInfinity);
        Assert.Equal(leaders.OrderByDescending(k => silhouette[k]).ThenBy(k => k).First(), result.K);
        Assert.Null(result.SuggestedEps);
        Assert.False(result.Votes.ContainsKey(KCriterion.Gap));
    }
}
