using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using Xunit;

namespace ImageCluster.Tests;

public class KMeansTests
{
    [Fact]
    public void RecoversWellSeparatedBlobs()
    {
        var x = TestData.Blobs(600, 20, 6, seed: 3, out int[] truth);
        var result = new KMeans(new KMeansOptions { NClusters = 6 }).Fit(x);
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInformation(truth, result.Labels), 12);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, result.Labels), 12);
        Assert.All(result.ClusterSizes, size => Assert.Equal(100, size));
    }

    [Fact]
    public void InertiaAndDistancesMatchIndependentRecomputation()
    {
        var x = TestData.Blobs(500, 16, 5, seed: 5, out _, noise: 4.0);
        var result = new KMeans(new KMeansOptions { NClusters = 7, NInit = 3 }).Fit(x);
        double inertia = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            double squared = 0;
            var centre = result.Centers.ReadRow(result.Labels[i]);
            var row = x.ReadRow(i);
            for (int f = 0; f < x.Columns; f++) squared += (row[f] - (double)centre[f]) * (row[f] - (double)centre[f]);
            Assert.Equal(Math.Sqrt(squared), result.Distances[i], Math.Sqrt(squared) * 1e-5 + 1e-5);
            inertia += squared;
        }
        Assert.Equal(inertia, result.Inertia, inertia * 1e-6);
    }

    [Fact]
    public void CentresAreMeansOfTheirMembersAndLabelsAreNearest()
    {
        var x = TestData.Random(400, 8, seed: 11);
        var result = new KMeans(new KMeansOptions { NClusters = 10, NInit = 2, Tol = 0 }).Fit(x);
        for (int j = 0; j < 10; j++)
        {
            var members = Enumerable.Range(0, x.Rows).Where(i => result.Labels[i] == j).ToArray();
            for (int f = 0; f < x.Columns; f++)
                Assert.Equal(members.Average(i => (double)x.ReadRow(i)[f]), result.Centers.ReadRow(j)[f], 1e-4);
        }
        for (int i = 0; i < x.Rows; i++)
        {
            double own = result.Distances[i];
            for (int j = 0; j < 10; j++)
                Assert.True(own <= System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), result.Centers.ReadRow(j)) + 1e-4);
        }
    }

    [Fact]
    public void SameSeedGivesIdenticalResultsWhateverTheThreadCount()
    {
        var x = TestData.Random(3000, 24, seed: 7);
        var options = new KMeansOptions { NClusters = 20, NInit = 3, Seed = 42 };
        var first = new KMeans(options).Fit(x);
        var again = new KMeans(options).Fit(x);
        var singleThread = new KMeans(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        var twoThreads = new KMeans(options with { MaxDegreeOfParallelism = 2 }).Fit(x);
        foreach (var other in new[] { again, singleThread, twoThreads }) KMeansOracleTests.AssertIdentical(first, other);
    }

    [Fact]
    public void ParallelRestartsMatchSequentialRestarts()
    {
        // Covers restarts run side by side (NInit ≥ workers) and one at a time with split assignments.
        var x = TestData.Blobs(1100, 40, 12, seed: 8, out _, noise: 6.0);
        var options = new KMeansOptions { NClusters = 12, NInit = 4, Seed = 5 };
        var reference = new KMeans(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        foreach (int threads in new[] { 2, 3, 4, 16 })
        {
            var other = new KMeans(options with { MaxDegreeOfParallelism = threads }).Fit(x);
            KMeansOracleTests.AssertIdentical(reference, other);
            Assert.Equal(reference.BestInit, other.BestInit);
        }
    }

    [Fact]
    public void DifferentSeedsCanDiffer()
    {
        var x = TestData.Random(300, 5, seed: 1);
        var a = new KMeans(new KMeansOptions { NClusters = 15, NInit = 1, Seed = 1 }).Fit(x);
        var b = new KMeans(new KMeansOptions { NClusters = 15, NInit = 1, Seed = 2 }).Fit(x);
        Assert.NotEqual(a.Inertia, b.Inertia);
    }

    [Theory]
    [InlineData(50, 45)]
    [InlineData(50, 50)]
    [InlineData(7, 7)]
    public void NoEmptyClustersWhenKIsCloseToN(int n, int k)
    {
        var x = TestData.Random(n, 3, seed: n + k);
        var result = new KMeans(new KMeansOptions { NClusters = k, NInit = 2 }).Fit(x);
        Assert.Equal(k, result.Labels.Distinct().Count());
        Assert.All(result.ClusterSizes, size => Assert.True(size >= 1));
        Assert.All(result.Centers.Data, v => Assert.True(float.IsFinite(v)));
        if (n == k) Assert.Equal(0.0, result.Inertia, 1e-9);
    }

    [Fact]
    public void DuplicatePointsStillFillEveryCluster()
    {
        // 30 copies of 3 distinct points, asking for 5 clusters: two clusters must share a location.
        var rows = Enumerable.Range(0, 30).Select(i => new[] { (float)(i % 3), 1f, -2f }).ToArray();
        var x = FeatureMatrix.FromRows(rows);
        var result = new KMeans(new KMeansOptions { NClusters = 5 }).Fit(x);
        Assert.Equal(5, result.Labels.Distinct().Count());
        Assert.Equal(0.0, result.Inertia, 1e-9);
        Assert.All(result.Centers.Data, v => Assert.True(float.IsFinite(v)));

        var identical = FeatureMatrix.FromRows(Enumerable.Range(0, 6).Select(_ => new[] { 1f, 2f }).ToArray());
        var all = new KMeans(new KMeansOptions { NClusters = 6, NInit = 1 }).Fit(identical);
        Assert.Equal([1, 1, 1, 1, 1, 1], all.ClusterSizes);
        Assert.Equal(0.0, all.Inertia);
    }

    [Fact]
    public void LabelsAreOrderedBySizeThenFirstMember()
    {
        var rows = new List<float[]>();
        for (int i = 0; i < 3; i++) rows.Add([0f, 0f]);
        for (int i = 0; i < 5; i++) rows.Add([100f, 0f]);
        for (int i = 0; i < 3; i++) rows.Add([0f, 100f]);
        var result = new KMeans(new KMeansOptions { NClusters = 3 }).Fit(FeatureMatrix.FromRows(rows));
        Assert.Equal([1, 1, 1, 0, 0, 0, 0, 0, 2, 2, 2], result.Labels);
        Assert.Equal([5, 3, 3], result.ClusterSizes);
        Assert.Equal(100f, result.Centers.ReadRow(0)[0]);
    }

    [Fact]
    public void SingleClusterCentreIsTheMean()
    {
        var x = TestData.Random(100, 4, seed: 9);
        var result = new KMeans(new KMeansOptions { NClusters = 1 }).Fit(x);
        for (int f = 0; f < 4; f++)
            Assert.Equal(Enumerable.Range(0, 100).Average(i => (double)x.ReadRow(i)[f]), result.Centers.ReadRow(0)[f], 1e-5);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
    }

    [Fact]
    public void ValidationMessagesAreUserFacing()
    {
        var tooMany = Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 50 }.Validate(12));
        Assert.Contains("k = 50 is larger than the number of images (12)", tooMany.Message);
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 0 }.Validate(5)).Message);
        Assert.Contains("no images", Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 1 }.Validate(0)).Message);
        Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 2, NInit = 0 }.Validate(5));
        Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 2, MaxIter = 0 }.Validate(5));
        Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 2, Tol = double.NaN }.Validate(5));
        new KMeansOptions { NClusters = 12 }.Validate(12);

        var x = TestData.Random(12, 3, seed: 1);
        Assert.Throws<ArgumentException>(() => new KMeans(new KMeansOptions { NClusters = 50 }).Fit(x));
        x.Data[4] = float.NaN;
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => new KMeans(new KMeansOptions { NClusters = 2 }).Fit(x)).Message);
    }

    [Fact]
    public void CancellationIsHonoured()
    {
        var x = TestData.Random(200, 4, seed: 2);
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new KMeans(new KMeansOptions { NClusters = 3 }).Fit(x, source.Token));
    }

    [Fact]
    public void CentringInPlaceGivesTheSameFitAndGivesTheDataBack()
    {
        var x = TestData.Blobs(2000, 24, 8, seed: 4, out _, noise: 5.0);
        var original = x.Clone();
        var options = new KMeansOptions { NClusters = 8, NInit = 3, Seed = 9 };
        var copied = new KMeans(options).Fit(x);
        Assert.Equal(original.Data, x.Data);

        var inPlace = new KMeans(options with { CopyX = false }).Fit(x);
        Assert.Equal(copied.Labels, inPlace.Labels);
        Assert.Equal(copied.Centers.Data, inPlace.Centers.Data);
        Assert.Equal(copied.Inertia, inPlace.Inertia, copied.Inertia * 1e-6);
        AssertWithinRounding(original, x);
    }

    [Fact]
    public void CentringInPlaceGivesTheDataBackWhenTheFitIsCancelled()
    {
        var x = TestData.Random(3000, 16, seed: 6);
        var original = x.Clone();
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new KMeans(new KMeansOptions { NClusters = 5, CopyX = false }).Fit(x, source.Token));
        AssertWithinRounding(original, x);
    }

    // Centring and adding the mean back rounds twice: a value may move by a unit in the last place of the larger of it and the mean.
    private static void AssertWithinRounding(FeatureMatrix expected, FeatureMatrix actual)
    {
        for (int i = 0; i < expected.Data.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= 1e-6f * (1 + Math.Abs(expected.Data[i])),
                $"value {i}: {actual.Data[i]} instead of {expected.Data[i]}");
    }

    [Fact]
    public void BlockedDotKernelMatchesNaiveProducts()
    {
        var random = new Random(4);
        foreach (int d in new[] { 1, 7, 16, 33, 130 })
        {
            int n = 11, k = 6;
            var x = Enumerable.Range(0, n * d).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var c = Enumerable.Range(0, k * d).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var output = new float[n * k];
            Clustering.DotKernel.RowsTimesTransposed(x, d, Enumerable.Range(0, n).ToArray(), c, k, output);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                {
                    double expected = 0;
                    for (int f = 0; f < d; f++) expected += (double)x[i * d + f] * c[j * d + f];
                    Assert.Equal(expected, output[i * k + j], 1e-4);
                    Assert.Equal(Clustering.DotKernel.Dot(x.AsSpan(i * d, d), c.AsSpan(j * d, d)), output[i * k + j]);
                }
        }
    }
}
