using ImageCluster.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>
/// Hopkins statistic against the same formula in NumPy/SciPy (cKDTree) on the oracle's own probe points
/// (tools/make_diagnostics_fixtures.py). R's hopkins and clustertend packages are not in Debian, so SciPy is the oracle.
/// </summary>
public class HopkinsTests
{
    public static TheoryData<int> Cases() => DiagnosticsTests.Indices("hopkins");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_the_scipy_computation_from_the_same_probe_points(int index)
    {
        var c = DiagnosticsTests.Fixture.Value.GetProperty("hopkins")[index];
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        int[] sample = OracleData.Ints(c.GetProperty("sample"));
        var uniform = OracleData.Matrix(c.GetProperty("uniform"));

        foreach (int power in new[] { 1, x.Columns }.Distinct())
        {
            var result = Hopkins.Compute(x, sample, uniform, power);
            Assert.True(Math.Abs(c.GetProperty($"h_power_{power}").GetDouble() - result.Statistic) < 1e-6,
                $"power {power}: {result.Statistic} vs {c.GetProperty($"h_power_{power}").GetDouble()}");
            double[] u = OracleData.Doubles(c.GetProperty("u")), w = OracleData.Doubles(c.GetProperty("w"));
            for (int i = 0; i < u.Length; i++) DiagnosticsTests.AssertClose(u[i], result.U[i], 1e-9);
            for (int i = 0; i < w.Length; i++) DiagnosticsTests.AssertClose(w[i], result.W[i], 1e-9);
        }
    }

    [Fact]
    public void Duplicates_have_zero_w()
    {
        var c = DiagnosticsTests.Fixture.Value.GetProperty("hopkins")[2];
        Assert.Equal("duplicates", c.GetProperty("set").GetString());
        var (x, _) = OracleData.Set("duplicates");
        var result = Hopkins.Compute(x, OracleData.Ints(c.GetProperty("sample")), OracleData.Matrix(c.GetProperty("uniform")), 1);
        // Rows 0..29 appear two or three times (rows 60..99 are the copies): their nearest other point is a copy.
        for (int s = 0; s < result.Sample.Length; s++)
            if (result.Sample[s] < 30 || result.Sample[s] >= 60) Assert.Equal(0, result.W[s]);
        Assert.Contains(0.0, result.W);
    }

    [Fact]
    public void Clustered_data_score_high_and_noise_near_one_half()
    {
        var blobs = Hopkins.Compute(OracleData.Set("blobs").X, new HopkinsOptions { Seed = 3 });
        var noise = Hopkins.Compute(OracleData.Set("all_noise").X, new HopkinsOptions { Seed = 3 });
        Assert.InRange(blobs.Statistic, 0.8, 1.0);
        Assert.InRange(noise.Statistic, 0.3, 0.7);
        Assert.Equal(30, blobs.SampleSize);
        Assert.Equal(10, noise.SampleSize);
        Assert.Equal(blobs.Statistic, Hopkins.Compute(OracleData.Set("blobs").X, new HopkinsOptions { Seed = 3 }).Statistic);
        var high = Hopkins.Compute(OracleData.Set("cnn").X, new HopkinsOptions { Power = HopkinsPower.Dimension });
        Assert.Equal(16, high.Exponent);
    }

    [Fact]
    public void Degenerate_inputs_are_refused()
    {
        Assert.Contains("all samples are identical", Assert.Throws<ArgumentException>(
            () => Hopkins.Compute(new FeatureMatrix(5, 3))).Message);
        Assert.Contains("at least 2 samples", Assert.Throws<ArgumentException>(
            () => Hopkins.Compute(new FeatureMatrix(1, 3))).Message);
        Assert.Contains("SampleSize", Assert.Throws<ArgumentException>(
            () => Hopkins.Compute(OracleData.Set("blobs").X, new HopkinsOptions { SampleSize = 301 })).Message);
    }
}
