using ImageCluster.Clustering;
using Xunit;

namespace ImageCluster.Tests;

public class PcaTests
{
    /// <summary>Six points ±a·q₁, ±b·q₂, ±c·q₃ for an orthonormal basis q: covariance eigenvalues are 2s²/5.</summary>
    private static (FeatureMatrix X, double[][] Basis) Octahedron(double a, double b, double c)
    {
        double s = 1 / Math.Sqrt(2), t = 1 / Math.Sqrt(6), u = 1 / Math.Sqrt(3);
        double[][] basis = [[s, -s, 0], [t, t, -2 * t], [u, u, u]];
        double[] scales = [a, b, c];
        var rows = new List<float[]>();
        for (int axis = 0; axis < 3; axis++)
            foreach (int sign in new[] { 1, -1 })
                rows.Add(basis[axis].Select(v => (float)(sign * scales[axis] * v + 5)).ToArray());
        return (FeatureMatrix.FromRows(rows), basis);
    }

    [Fact]
    public void EigenvaluesAndAxesOfAKnownCovariance()
    {
        var (x, basis) = Octahedron(3, 2, 1);
        var model = Pca.Fit(x, new PcaOptions { Components = 3 });
        Assert.Equal(2 * 9 / 5.0, model.ExplainedVariance[0], 1e-5);
        Assert.Equal(2 * 4 / 5.0, model.ExplainedVariance[1], 1e-5);
        Assert.Equal(2 * 1 / 5.0, model.ExplainedVariance[2], 1e-5);
        Assert.Equal(9 / 14.0, model.ExplainedVarianceRatio[0], 1e-6);
        for (int c = 0; c < 3; c++)
        {
            double dot = 0;
            for (int f = 0; f < 3; f++) dot += model.Components.ReadRow(c)[f] * basis[c][f];
            Assert.Equal(1.0, Math.Abs(dot), 1e-5);
        }
        Assert.All(model.Mean, m => Assert.Equal(5f, m, 1e-5f));
    }

    [Fact]
    public void EigenpairsSatisfyTheCovarianceEquation()
    {
        var x = TestData.Random(300, 40, seed: 5);
        for (int i = 0; i < x.Rows; i++) x.Row(i)[3] = 3 * x.Row(i)[0] + 0.1f * x.Row(i)[3];
        var model = Pca.Fit(x, new PcaOptions { Components = 40 });
        double[,] covariance = NaiveCovariance(x);
        for (int c = 0; c < 40; c++)
        {
            var v = model.Components.ReadRow(c).ToArray();
            for (int p = 0; p < 40; p++)
            {
                double cv = 0;
                for (int q = 0; q < 40; q++) cv += covariance[p, q] * v[q];
                Assert.Equal(model.ExplainedVariance[c] * v[p], cv, 1e-4);
            }
            for (int other = 0; other < 40; other++)
            {
                double dot = 0;
                for (int f = 0; f < 40; f++) dot += v[f] * (double)model.Components.ReadRow(other)[f];
                Assert.Equal(other == c ? 1.0 : 0.0, dot, 1e-5);
            }
            int largest = Enumerable.Range(0, 40).MaxBy(f => Math.Abs(v[f]));
            Assert.True(v[largest] > 0, "svd_flip: largest-magnitude entry is positive");
        }
        for (int c = 1; c < 40; c++) Assert.True(model.ExplainedVariance[c] <= model.ExplainedVariance[c - 1]);
        Assert.Equal(Enumerable.Range(0, 40).Sum(f => covariance[f, f]), model.ExplainedVariance.Sum(), 1e-6);
    }

    [Fact]
    public void RatiosSumToAtMostOneAndFractionPicksSmallestCountReachingIt()
    {
        var x = TestData.Random(200, 30, seed: 8);
        for (int i = 0; i < x.Rows; i++)
            for (int f = 0; f < 30; f++) x.Row(i)[f] *= 30 - f;
        var full = Pca.Fit(x, new PcaOptions { Components = 30 });
        Assert.True(full.ExplainedVarianceRatio.Sum() <= 1 + 1e-12);
        Assert.Equal(1.0, full.ExplainedVarianceRatio.Sum(), 1e-9);

        var partial = Pca.Fit(x, new PcaOptions { Components = 0.95 });
        double[] cumulative = new double[30];
        double running = 0;
        for (int c = 0; c < 30; c++) cumulative[c] = running += full.ExplainedVarianceRatio[c];
        int expected = Array.FindIndex(cumulative, v => v >= 0.95) + 1;
        Assert.Equal(expected, partial.NComponents);
        Assert.True(expected > 1 && expected < 30);
        Assert.True(partial.ExplainedVarianceRatio.Sum() >= 0.95);
        Assert.True(partial.ExplainedVarianceRatio.Sum() - partial.ExplainedVarianceRatio[^1] < 0.95);
    }

    [Fact]
    public void TransformOfTheMeanIsZeroAndFullReconstructionIsExact()
    {
        var x = TestData.Random(120, 12, seed: 3);
        var model = Pca.Fit(x, new PcaOptions { Components = 12 });
        var projectedMean = model.Transform(FeatureMatrix.FromRows([model.Mean]));
        Assert.All(projectedMean.Data, v => Assert.Equal(0f, v, 1e-6f));

        var scores = model.Transform(x);
        for (int i = 0; i < x.Rows; i++)
            for (int f = 0; f < 12; f++)
            {
                double reconstructed = model.Mean[f];
                for (int c = 0; c < 12; c++) reconstructed += scores.ReadRow(i)[c] * (double)model.Components.ReadRow(c)[f];
                Assert.Equal(x.ReadRow(i)[f], reconstructed, 1e-4);
            }
    }

    [Fact]
    public void WhitenedProjectionsHaveUnitVariance()
    {
        var x = TestData.Random(500, 6, seed: 4);
        var model = Pca.Fit(x, new PcaOptions { Components = 4, Whiten = true });
        var scores = model.Transform(x);
        for (int c = 0; c < 4; c++)
        {
            double mean = Enumerable.Range(0, 500).Average(i => (double)scores.ReadRow(i)[c]);
            double variance = Enumerable.Range(0, 500).Sum(i => Math.Pow(scores.ReadRow(i)[c] - mean, 2)) / 499;
            Assert.Equal(1.0, variance, 1e-4);
        }
    }

    [Fact]
    public void FewerSamplesThanFeaturesHasRankAtMostNMinusOne()
    {
        var x = TestData.Random(5, 10, seed: 6);
        var model = Pca.Fit(x, new PcaOptions { Components = 5 });
        Assert.Equal(5, model.NComponents);
        Assert.True(model.ExplainedVariance[3] > 1e-3);
        Assert.Equal(0.0, model.ExplainedVariance[4], 1e-5);
        Assert.Contains("at most 5", Assert.Throws<ArgumentException>(() => Pca.Fit(x, new PcaOptions { Components = 6 })).Message);
    }

    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        var x = TestData.Random(700, 50, seed: 2);
        var a = Pca.Fit(x, new PcaOptions { Components = 10, MaxDegreeOfParallelism = 1 });
        var b = Pca.Fit(x, new PcaOptions { Components = 10 });
        Assert.Equal(a.Components.Data, b.Components.Data);
        Assert.Equal(a.ExplainedVariance, b.ExplainedVariance);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    public void InvalidComponentCountsAreRejected(double components)
    {
        var x = TestData.Random(10, 4, seed: 1);
        Assert.Throws<ArgumentException>(() => Pca.Fit(x, new PcaOptions { Components = components }));
    }

    public static TheoryData<int> OracleCaseIndices() => PartitioningFixtures.Indices("pca");

    /// <summary>
    /// scikit-learn 1.2.1 PCA(svd_solver="full"), with and without whitening, a component count and a variance fraction
    /// (fixture made by tools/make_partitioning_fixtures.py). scikit-learn fixes each component's sign from U, we from
    /// the component itself, so projections are compared up to one sign per component. They are float32 here, hence 1e-4.
    /// </summary>
    [Theory]
    [MemberData(nameof(OracleCaseIndices))]
    public void Matches_scikit_learn_with_and_without_whitening(int index)
    {
        var c = PartitioningFixtures.Cases("pca")[index];
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        var model = Pca.Fit(x, new PcaOptions { Components = c.GetProperty("components").GetDouble(), Whiten = c.GetProperty("whiten").GetBoolean() });

        int components = c.GetProperty("n_components").GetInt32();
        Assert.Equal(components, model.NComponents);
        double[] ratios = OracleData.Doubles(c.GetProperty("explained_variance_ratio"));
        double[] variances = OracleData.Doubles(c.GetProperty("explained_variance"));
        for (int p = 0; p < components; p++)
        {
            Assert.Equal(ratios[p], model.ExplainedVarianceRatio[p], 1e-6);
            Assert.True(Math.Abs(variances[p] - model.ExplainedVariance[p]) <= 1e-6 * variances[p], $"variance {p}");
        }
        var expected = OracleData.Matrix(c.GetProperty("transformed"));
        var actual = model.Transform(x);
        for (int p = 0; p < components; p++)
        {
            double agreement = 0;
            for (int i = 0; i < x.Rows; i++) agreement += expected.ReadRow(i)[p] * (double)actual.ReadRow(i)[p];
            float sign = agreement < 0 ? -1 : 1;
            for (int i = 0; i < x.Rows; i++)
                Assert.True(Math.Abs(expected.ReadRow(i)[p] - sign * actual.ReadRow(i)[p]) <= 1e-4,
                    $"sample {i}, component {p}: {sign * actual.ReadRow(i)[p]} vs scikit-learn {expected.ReadRow(i)[p]}");
        }
    }

    private static double[,] NaiveCovariance(FeatureMatrix x)
    {
        int n = x.Rows, d = x.Columns;
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int f = 0; f < d; f++) mean[f] += x.ReadRow(i)[f] / (double)n;
        var covariance = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < d; p++)
                for (int q = 0; q < d; q++)
                    covariance[p, q] += (x.ReadRow(i)[p] - mean[p]) * (x.ReadRow(i)[q] - mean[q]) / (n - 1);
        return covariance;
    }

    [Fact]
    public void FewerSamplesThanFeaturesGoThroughTheGramMatrixWithTheSameResult()
    {
        // 30 samples × 90 features: the Gram path (30 × 30) must give the covariance path's (90 × 90) eigenpairs.
        var random = new Random(11);
        var rows = Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, 90).Select(f => (float)(random.NextDouble() * (1 + f % 7))).ToArray()).ToArray();
        var x = FeatureMatrix.FromRows(rows);
        var parallel = new ParallelOptions();
        var gram = Pca.DecomposeGram(x, parallel);
        var covariance = Pca.DecomposeCovariance(x, parallel);

        Assert.Equal(covariance.TotalVariance, gram.TotalVariance, 1e-9);
        for (int c = 0; c < 29; c++)
        {
            Assert.Equal(covariance.Values[c], gram.Values[c], 1e-9 * covariance.Values[0]);
            // Eigenvectors are defined up to sign.
            double dot = 0;
            for (int f = 0; f < 90; f++) dot += covariance.Vectors[c * 90 + f] * gram.Vectors[c * 90 + f];
            Assert.Equal(1.0, Math.Abs(dot), 1e-6);
        }
        Assert.True(gram.Values[29] < 1e-9 * gram.Values[0], "rank is n − 1 after centring");

        var model = Pca.Fit(x, new PcaOptions { Components = 0.9 });
        Assert.True(model.NComponents < 29);
        Assert.InRange(model.ExplainedVarianceRatio.Sum(), 0.9, 1.0);
    }
}
