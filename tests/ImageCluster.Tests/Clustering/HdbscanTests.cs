using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>
/// HDBSCAN against R's dbscan::hdbscan 1.1-11 (fixture made by tools/make_hdbscan_fixtures.R). The cases include the
/// "ties" grid, where most distances are equal: Prim's order and the stable sort follow R's, so even there the merges,
/// not just the partitions, are R's.
/// </summary>
public partial class HdbscanTests
{
    private static readonly Lazy<JsonElement[]> Cases =
        new(() => OracleData.Fixture("hdbscan.json").GetProperty("cases").EnumerateArray().ToArray());

    public static TheoryData<int, string> OracleCases()
    {
        var data = new TheoryData<int, string>();
        var cases = Cases.Value;
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            data.Add(i, $"{c.GetProperty("set").GetString()} {c.GetProperty("metric").GetString()} " +
                $"min_samples={c.GetProperty("min_samples").GetInt32()} min_cluster_size={c.GetProperty("min_cluster_size").GetInt32()}");
        }
        return data;
    }

    private static (HdbscanResult Result, JsonElement Expected) RunCase(int index)
    {
        var c = Cases.Value[index];
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        var options = new HdbscanOptions
        {
            MinSamples = c.GetProperty("min_samples").GetInt32(),
            MinClusterSize = c.GetProperty("min_cluster_size").GetInt32(),
            Metric = c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean,
        };
        return (new Hdbscan(options).Fit(x), c);
    }

    [Theory]
    [MemberData(nameof(OracleCases))]
    public void Equals_R(int index, string name)
    {
        var (result, expected) = RunCase(index);
        int[] labels = OracleData.Ints(expected.GetProperty("labels"));

        Assert.Equal(Noise(labels), Noise(result.Labels));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(labels, result.Labels), 12);
        Assert.Equal(labels.Max() + 1, result.NClusters);
        // Our distances are float32 sums over float32-exact inputs, R's are float64: agreement to 1e-5 is the honest bar,
        // relative for the GLOSH scores and the stabilities, whose 1/ε terms magnify the distances' rounding.
        AssertClose(OracleData.Doubles(expected.GetProperty("core_distances")), result.CoreDistances, 1e-5, name);
        AssertClose(OracleData.Doubles(expected.GetProperty("heights")), result.SingleLinkageTree.Select(m => m.Distance).ToArray(), 1e-5, name);
        // R also "scores" the noise when nothing is a cluster (its root counts as the one cluster there); noise is 0 here.
        double[] probabilities = OracleData.Doubles(expected.GetProperty("probabilities"));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0) probabilities[i] = 0;
        AssertClose(probabilities, result.Probabilities, 1e-5, name);
        AssertClose(OracleData.Doubles(expected.GetProperty("outlier_scores")), result.OutlierScores, 1e-5, name);
    }

    [Theory]
    [MemberData(nameof(OracleCases))]
    public void Same_hierarchy_and_stabilities_as_R(int index, string name)
    {
        var (result, expected) = RunCase(index);
        var merge = expected.GetProperty("merge").EnumerateArray().Select(r => (r[0].GetInt32(), r[1].GetInt32())).ToArray();
        Assert.Equal(merge, result.SingleLinkageTree.Select(m => (m.ChildA, m.ChildB)).ToArray());

        var stabilities = expected.GetProperty("stabilities").EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();
        var (ours, scale) = StabilitiesFromCondensedTree(result.CondensedTree, result.Labels.Length);
        Assert.Equal(stabilities.Length, ours.Length);
        // A stability is a sum of differences of 1/distance terms, so it can lose far more digits than the distances
        // themselves: the bound is relative to the sum of the terms' magnitudes, not to the result. And a float32 cosine
        // distance of ~1e-4 between nearly parallel unit rows (the near-duplicates) is only good to ~1e-5 relative, the
        // rounding of the unit rows' components being ~3e-8 against differences of ~1e-2: observed worst case 1.3e-5
        // (duplicates, cosine, cluster 17); Euclidean cases stay below 1e-6.
        for (int c = 1; c < ours.Length; c++) // R gives the root a stability it never uses
            Assert.True(Math.Abs(ours[c] - stabilities[c]) <= 5e-5 * scale[c], $"{name}: cluster {c}: {ours[c]} vs R {stabilities[c]}");
    }

    // R's stability, Σ over a cluster's samples (λ − λ_birth) + (samples in child clusters) · (λ_death − λ_birth),
    // recomputed from the public condensed tree alone; and the sum of the magnitudes of its terms.
    private static (double[] Stability, double[] Scale) StabilitiesFromCondensedTree(CondensedTreeEdge[] rows, int n)
    {
        int clusters = 1 + rows.Count(r => r.Child >= n);
        var birth = new double[clusters];
        var death = new double[clusters];
        var stability = new double[clusters];
        var scale = new double[clusters];
        birth[0] = double.NaN;
        foreach (var r in rows.Where(r => r.Child >= n)) (birth[r.Child - n], death[r.Parent - n]) = (r.Lambda, r.Lambda);
        foreach (var r in rows)
        {
            int p = r.Parent - n;
            double upper = r.Child < n ? r.Lambda : death[p];
            stability[p] += r.ChildSize * (upper - birth[p]);
            scale[p] += r.ChildSize * (upper + birth[p]);
        }
        return (stability, scale);
    }

    private static int[] Noise(int[] labels) => Enumerable.Range(0, labels.Length).Where(i => labels[i] < 0).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{name}: [{i}] {actual[i]} vs R {expected[i]}");
    }
}
