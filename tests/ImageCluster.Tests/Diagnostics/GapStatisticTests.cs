using System.Text.Json;
using ImageCluster.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>
/// Gap statistic against R 4.2 cluster::clusGap / maxSE (tools/make_diagnostics_fixtures.R). R's reference sets and its
/// kmeans labels are fed back through the injected-clustering overload, so logW, E.logW, gap and SE.sim must agree.
/// </summary>
public class GapStatisticTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("diagnostics_r.json"));

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Fixture.Value.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_R_clusGap_given_its_references_and_partitions(int index)
    {
        var c = Fixture.Value.GetProperty("cases")[index];
        var (all, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        int[] rows = OracleData.Ints(c.GetProperty("rows"));
        var x = FeatureMatrix.FromRows(rows.Select(r => all.ReadRow(r).ToArray()).ToList());
        int kMax = c.GetProperty("k_max").GetInt32();
        var references = c.GetProperty("references").EnumerateArray().Select(OracleData.Matrix).ToArray();
        var labels = c.GetProperty("labels").EnumerateArray().Select(OracleData.Ints).ToArray();
        // R's calls: the data for k = 2..K.max, then each reference set for k = 2..K.max.
        int[] Cluster(int set, FeatureMatrix matrix, int k) => labels[(set + 1) * (kMax - 1) + k - 2];

        var result = GapStatistic.Compute(x, 1, kMax, references, Cluster, c.GetProperty("d_power").GetInt32(),
            GapSelection.FirstSEMax, 1);

        // logW of the data: exact double arithmetic on the same values. The reference sets are read back as float32
        // (R drew doubles), which moves each log W by < 1e-7.
        AssertAll(OracleData.Doubles(c.GetProperty("logW")), result.LogW, 1e-9);
        AssertAll(OracleData.Doubles(c.GetProperty("E_logW")), result.ELogW, 1e-6);
        AssertAll(OracleData.Doubles(c.GetProperty("gap")), result.Gap, 1e-6);
        AssertAll(OracleData.Doubles(c.GetProperty("SE_sim")), result.SESim, 1e-6);
        Assert.Equal(c.GetProperty("chosen").GetProperty("firstSEmax").GetInt32(), result.ChosenK);
    }

    public static TheoryData<int, string> MaxSeCases()
    {
        var data = new TheoryData<int, string>(); // names: the enum is internal
        for (int i = 0; i < Fixture.Value.GetProperty("max_se").GetArrayLength(); i++)
            foreach (var method in Enum.GetValues<GapSelection>()) data.Add(i, method.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(MaxSeCases))]
    public void MaxSE_equals_R(int index, string methodName)
    {
        var method = Enum.Parse<GapSelection>(methodName);
        var c = Fixture.Value.GetProperty("max_se")[index];
        string name = method switch
        {
            GapSelection.FirstSEMax => "firstSEmax", GapSelection.Tibs2001SEMax => "Tibs2001SEmax",
            GapSelection.GlobalSEMax => "globalSEmax", GapSelection.FirstMax => "firstmax", _ => "globalmax",
        };
        int chosen = GapStatistic.MaxSE(OracleData.Doubles(c.GetProperty("f")), OracleData.Doubles(c.GetProperty("se")), method);
        Assert.Equal(c.GetProperty("chosen").GetProperty(name).GetInt32(), chosen + 1);
    }

    [Theory]
    [InlineData(nameof(GapReferenceSpace.ScaledPca))]
    [InlineData(nameof(GapReferenceSpace.Original))]
    public void Own_references_find_the_blobs_and_are_seeded(string spaceName)
    {
        var space = Enum.Parse<GapReferenceSpace>(spaceName);
        var (x, _) = OracleData.Set("blobs_8d");
        var options = new GapOptions { KMax = 7, B = 5, SpaceH0 = space, Seed = 4 };
        var result = GapStatistic.Compute(x, options);
        Assert.Equal(5, result.ChosenK);
        Assert.Equal(result.Gap, GapStatistic.Compute(x, options).Gap);
        Assert.Equal(400, result.SamplesUsed);
    }

    [Fact]
    public void References_stay_in_the_data_box()
    {
        var (x, _) = OracleData.Set("anisotropic");
        foreach (var reference in GapReferences.Draw(x, 3, GapReferenceSpace.Original, new Random(1)))
            for (int j = 0; j < x.Columns; j++)
            {
                var column = Enumerable.Range(0, x.Rows).Select(i => x.ReadRow(i)[j]).ToArray();
                var drawn = Enumerable.Range(0, x.Rows).Select(i => reference.ReadRow(i)[j]).ToArray();
                Assert.InRange(drawn.Min(), column.Min() - 1e-4, column.Max() + 1e-4);
                Assert.InRange(drawn.Max(), column.Min() - 1e-4, column.Max() + 1e-4);
            }
    }

    [Fact]
    public void Bad_options_are_named()
    {
        var (x, _) = OracleData.Set("blobs");
        Assert.Contains("B (reference sets)", Assert.Throws<ArgumentException>(() => GapStatistic.Compute(x, new GapOptions { B = 1 })).Message);
        Assert.Contains("KMax = 400", Assert.Throws<ArgumentException>(() => GapStatistic.Compute(x, new GapOptions { KMax = 400 })).Message);
        Assert.Contains("samples used − 1 (299)", Assert.Throws<ArgumentException>(() => GapStatistic.Compute(x, new GapOptions { KMax = 300 })).Message);
        Assert.Contains("DPower", Assert.Throws<ArgumentException>(() => GapStatistic.Compute(x, new GapOptions { DPower = 0 })).Message);
    }

    private static void AssertAll(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"k = {i + 1}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
