using System.Text.Json;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>scikit-learn 1.2.1's DBSCAN and OPTICS answers (tools/make_density_fixtures.py) and how the tests compare them.</summary>
internal static class DensityFixture
{
    private static readonly Lazy<JsonElement> Root = new(() => OracleData.Fixture("density.json"));

    private static readonly Lazy<JsonElement> RRoot = new(() => OracleData.Fixture("density_r.json"));

    /// <summary>R dbscan 1.1-11's cases of one kind (tools/make_density_fixtures.R), as "index: description" theory rows.</summary>
    public static TheoryData<string> RCases(string kind)
    {
        var data = new TheoryData<string>();
        int index = 0;
        foreach (var c in RRoot.Value.GetProperty(kind).EnumerateArray())
            data.Add($"{index++}: {c.GetProperty("set").GetString()} minPts={c.GetProperty("min_pts")}");
        return data;
    }

    /// <summary>The R case an <see cref="RCases"/> row names.</summary>
    public static JsonElement RCase(string kind, string row) => RRoot.Value.GetProperty(kind)[int.Parse(row[..row.IndexOf(':')])];

    /// <summary>The "kind" cases ("dbscan" or "optics"), as "index: description" theory rows.</summary>
    public static TheoryData<string> Cases(string kind)
    {
        var data = new TheoryData<string>();
        int index = 0;
        foreach (var c in Root.Value.GetProperty(kind).EnumerateArray())
        {
            string parameters = c.TryGetProperty("params", out var p) ? p.ToString() : $"eps={c.GetProperty("eps")} min_samples={c.GetProperty("min_samples")} {c.GetProperty("metric")}";
            data.Add($"{index++}: {c.GetProperty("set").GetString()} {parameters}");
        }
        return data;
    }

    /// <summary>The case a <see cref="Cases"/> row names.</summary>
    public static JsonElement Case(string kind, string row) => Root.Value.GetProperty(kind)[int.Parse(row[..row.IndexOf(':')])];

    /// <summary>The data a case ran on: an oracle data set, or the fixture's own "contested" set.</summary>
    public static FeatureMatrix Data(string set) =>
        set == "contested" ? OracleData.Matrix(Root.Value.GetProperty("contested")) : OracleData.Set(set).X;

    /// <summary>Euclidean or cosine from scikit-learn's metric name.</summary>
    public static DistanceMetric Metric(string? name) => name == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;

    /// <summary>Doubles with JSON null read as +∞ (how the fixture writes undefined reachability).</summary>
    public static double[] DoublesOrInfinity(JsonElement values) =>
        values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.PositiveInfinity : v.GetDouble()).ToArray();

    /// <summary>Same clusters (ARI = 1, whatever the numbering) and exactly the same noise samples.</summary>
    public static void AssertSamePartition(int[] expected, int[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(Noise(expected), Noise(actual));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(expected, actual));
        Assert.Equal(expected.Where(l => l >= 0).Distinct().Count(), actual.Where(l => l >= 0).Distinct().Count());
    }

    /// <summary>Float64 distance matrix from the float32 values, as scikit-learn computes it (reference ports only: N × N).</summary>
    public static double[][] ReferenceDistances(FeatureMatrix x, DistanceMetric metric)
    {
        var rows = Enumerable.Range(0, x.Rows).Select(i => x.ReadRow(i).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var norms = rows.Select(r => Math.Sqrt(r.Sum(v => v * v))).ToArray();
        var distances = new double[x.Rows][];
        Parallel.For(0, x.Rows, i =>
        {
            distances[i] = new double[x.Rows];
            for (int j = 0; j < x.Rows; j++)
            {
                double dot = 0, squared = 0;
                for (int f = 0; f < x.Columns; f++)
                {
                    dot += rows[i][f] * rows[j][f];
                    squared += (rows[i][f] - rows[j][f]) * (rows[i][f] - rows[j][f]);
                }
                distances[i][j] = metric == DistanceMetric.Cosine ? Math.Clamp(1 - dot / (norms[i] * norms[j]), 0, 2) : Math.Sqrt(squared);
            }
        });
        return distances;
    }

    private static int[] Noise(int[] labels) => Enumerable.Range(0, labels.Length).Where(i => labels[i] < 0).ToArray();
}
