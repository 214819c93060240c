using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>
/// Agglomerative clustering against scikit-learn 1.2.1 / SciPy 1.10.1 (fixture made by tools/make_hierarchy_fixtures.py).
/// </summary>
public partial class AgglomerativeTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => OracleData.Fixture("hierarchy.json"));

    private static IEnumerable<JsonElement> Section(string name) => Fixture.Value.GetProperty(name).EnumerateArray();

    private static TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (var c in Section(section)) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    public static TheoryData<string> Cuts() => Names("cuts");

    public static TheoryData<string> SimCuts() => Names("sim");

    public static TheoryData<string, string, string> Trees()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var t in Section("trees"))
            data.Add(t.GetProperty("set").GetString()!, t.GetProperty("linkage").GetString()!, t.GetProperty("metric").GetString()!);
        return data;
    }

    internal static Linkage ParseLinkage(string name) => Enum.Parse<Linkage>(name, ignoreCase: true);

    internal static DistanceMetric ParseMetric(string name) => name == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;

    [Theory]
    [MemberData(nameof(Cuts))]
    public void Cut_equals_scikit_learn(string name)
    {
        var c = Section("cuts").Single(e => e.GetProperty("name").GetString() == name);
        var options = new AgglomerativeOptions
        {
            Linkage = ParseLinkage(c.GetProperty("linkage").GetString()!),
            Metric = ParseMetric(c.GetProperty("metric").GetString()!),
            NClusters = c.TryGetProperty("n_clusters", out var k) ? k.GetInt32() : null,
            DistanceThreshold = c.TryGetProperty("distance_threshold", out var t) ? t.GetDouble() : null,
        };
        var expected = OracleData.Ints(c.GetProperty("labels"));

        var result = new Agglomerative(options).Fit(OracleData.Set(c.GetProperty("set").GetString()!).X);

        Assert.Equal(expected.Distinct().Count(), result.NClusters);
        if (c.TryGetProperty("ambiguous", out _))
        {
            // The cut falls inside a run of equal merge heights (the integer grid of `ties`): which of the tied merges
            // count as "last" depends on the order in which they were found, so several partitions are equally right.
            // Every one of them lies between the partition below the tied height and the one at it.
            Assert.True(Refines(OracleData.Ints(c.GetProperty("lower")), result.Labels), "the partition below the tie must refine ours");
            Assert.True(Refines(result.Labels, OracleData.Ints(c.GetProperty("upper"))), "ours must refine the partition at the tie");
        }
        else
        {
            Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(expected, result.Labels));
        }
        Assert.Equal(options.DistanceThreshold ?? result.CutDistance, result.CutDistance);
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void Merge_heights_equal_SciPy(string set, string linkage, string metric)
    {
        var tree = Section("trees").Single(e => e.GetProperty("set").GetString() == set
            && e.GetProperty("linkage").GetString() == linkage && e.GetProperty("metric").GetString() == metric);
        var options = new AgglomerativeOptions { Linkage = ParseLinkage(linkage), Metric = ParseMetric(metric) };

        var result = new Agglomerative(options).Fit(OracleData.Set(set).X);

        // Both lists are sorted ascending, so equal trees give equal lists whatever the order of tied merges.
        // The inputs are float32 values; distances are computed from them with float rounding (~1e-7), hence 1e-5.
        var expected = OracleData.Doubles(tree.GetProperty("heights"));
        Assert.Equal(expected.Length, result.Distances.Length);
        for (int m = 0; m < expected.Length; m++)
            Assert.True(Math.Abs(expected[m] - result.Distances[m]) <= 1e-5 * Math.Abs(expected[m]) + 1e-12,
                $"merge {m}: {result.Distances[m]:R} vs SciPy {expected[m]:R}");
        if (tree.TryGetProperty("z", out var z))
        {
            // Full linkage matrix: children in SciPy numbering and subtree sizes exactly.
            var rows = z.EnumerateArray().Select(OracleData.Doubles).ToArray();
            for (int m = 0; m < rows.Length; m++)
            {
                Assert.Equal(((int)rows[m][0], (int)rows[m][1]), result.Children[m]);
                Assert.Equal((int)rows[m][3], result.Counts[m]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimCuts))]
    public void Sim_cut_equals_imagecluster(string name)
    {
        var c = Section("sim").Single(e => e.GetProperty("name").GetString() == name);
        var options = new AgglomerativeOptions
        {
            Linkage = ParseLinkage(c.GetProperty("method").GetString()!),
            Metric = ParseMetric(c.GetProperty("metric").GetString()!),
            Sim = c.GetProperty("sim").GetDouble(),
            MinCsize = c.GetProperty("min_csize").GetInt32(),
        };
        var expected = OracleData.Ints(c.GetProperty("labels"));

        var result = new Agglomerative(options).Fit(OracleData.Set(c.GetProperty("set").GetString()!).X);

        Assert.Equal(c.GetProperty("t").GetDouble(), result.CutDistance, c.GetProperty("t").GetDouble() * 1e-6);
        Assert.Equal(expected.Select(l => l == -1), result.Labels.Select(l => l == -1));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(expected, result.Labels));
        Assert.Equal(expected.Where(l => l != -1).Distinct().Count(), result.NClusters);
    }

    /// <summary>True when every cluster of <paramref name="fine"/> lies inside one cluster of <paramref name="coarse"/>.</summary>
    internal static bool Refines(int[] fine, int[] coarse)
    {
        var home = new Dictionary<int, int>();
        for (int i = 0; i < fine.Length; i++)
            if (home.TryGetValue(fine[i], out int c) ? c != coarse[i] : !home.TryAdd(fine[i], coarse[i])) return false;
        return true;
    }
}
