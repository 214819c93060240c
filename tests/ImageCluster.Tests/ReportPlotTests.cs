using ImageCluster.Clustering;
using ImageCluster.Reports;
using SkiaSharp;

namespace ImageCluster.Tests;

/// <summary>
/// Every report plot, drawn from fixed data, against a committed reference PNG (tests/ImageCluster.Tests/Fixtures/plots),
/// ImageSharp-style: same size, and at most a tolerance of pixel differences rather than identical bytes (PNG encoders
/// and anti-aliasing may move a few pixels between SkiaSharp builds). Tolerance: mean absolute difference over all RGB
/// channels below 2/255, and fewer than 1 % of pixels differing by more than 32 in any channel.
/// Set IMAGECLUSTER_UPDATE_PLOTS=1 to rewrite the references (then look at each one before committing).
/// </summary>
public class ReportPlotTests
{
    private const double MaxMeanDifference = 2.0;
    private const double MaxShareOfBadPixels = 0.01;
    private const int BadPixelThreshold = 32;

    public static TheoryData<string> Names() => new(Plots.Keys);

    private static readonly Dictionary<string, Func<byte[]>> Plots = new()
    {
        ["elbow"] = () => ReportPlots.ElbowPlot(Enumerable.Range(1, 10).ToArray(),
            Enumerable.Range(1, 10).Select(k => k <= 3 ? 1000.0 / k : 333.0 - 10 * (k - 3)).ToArray(), 3),
        ["silhouette"] = () =>
        {
            var clusters = Enumerable.Range(0, 90).Select(i => i % 3).ToArray();
            var values = Enumerable.Range(0, 90).Select(i => 0.1 * (i % 3) + 0.5 * Math.Sin(i * 0.37) * Math.Sin(i * 0.37)).ToArray();
            return ReportPlots.SilhouettePlot(clusters, values, values.Average());
        },
        ["kdistance"] = () => ReportPlots.KDistancePlot(Enumerable.Range(0, 200).Select(i => i < 170 ? 0.2 + i * 0.001 : 0.37 + (i - 170) * 0.03).ToArray(), 5, 0.37, 0.5),
        ["reachability"] = () =>
        {
            int n = 120;
            var reach = Enumerable.Range(0, n).Select(k => k % 40 == 0 ? double.PositiveInfinity : k % 40 < 30 ? 0.2 + 0.01 * (k % 7) : 0.9 + 0.02 * (k % 5)).ToArray();
            var labels = Enumerable.Range(0, n).Select(k => k % 40 < 30 ? k / 40 : -1).ToArray();
            return ReportPlots.ReachabilityPlot(Enumerable.Range(0, n).ToArray(), reach, labels);
        },
        ["dendrogram"] = () =>
        {
            var x = new FeatureMatrix(12, 1, Enumerable.Range(0, 12).Select(i => (float)(i / 4 * 10 + i % 4 * (1 + i / 4))).ToArray());
            var tree = new Agglomerative(new AgglomerativeOptions { NClusters = 3, Linkage = Linkage.Ward }).Fit(x);
            return ReportPlots.DendrogramPlot(DendrogramLayout.Truncate(tree, 12, 40, kCut: true));
        },
        ["contingency"] = () => ReportPlots.ContingencyPlot(["cat", "dog", "owl"], [0, 1, 2, 3],
            new long[,] { { 20, 1, 0, 3 }, { 2, 15, 4, 0 }, { 0, 0, 9, 12 } }),
        ["map"] = () =>
        {
            var groups = Enumerable.Range(0, 150).Select(i => i % 3).ToArray();
            var xs = Enumerable.Range(0, 150).Select(i => 5.0 * (i % 3) + Math.Cos(i * 1.7)).ToArray();
            var ys = Enumerable.Range(0, 150).Select(i => 3.0 * (i % 3 == 1 ? 1 : 0) + Math.Sin(i * 2.3)).ToArray();
            return ReportPlots.Map("Map coloured by cluster", xs, ys, groups, ["cluster 0", "cluster 1", "cluster 2"]);
        },
        ["sizes"] = () => ReportPlots.SizesPlot([("0", 40), ("1", 25), ("2", 12), ("3", 3)]),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Plot_matches_its_reference_image(string name)
    {
        byte[] actual = Plots[name]();
        string reference = Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", "plots", name + ".png");
        if (Environment.GetEnvironmentVariable("IMAGECLUSTER_UPDATE_PLOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
            File.WriteAllBytes(reference, actual);
        }
        Assert.True(File.Exists(reference), $"no reference image {reference}; run with IMAGECLUSTER_UPDATE_PLOTS=1 and look at it");
        using var a = SKBitmap.Decode(actual);
        using var e = SKBitmap.Decode(reference);
        Assert.Equal((e.Width, e.Height), (a.Width, a.Height));
        var (mean, bad) = Compare(a, e);
        if (mean >= MaxMeanDifference || bad >= MaxShareOfBadPixels)
            File.WriteAllBytes(ReportBrowserTests.ArtifactPath($"plot-{name}-actual.png"), actual);
        Assert.True(mean < MaxMeanDifference, $"{name}: mean absolute difference {mean:F3} ≥ {MaxMeanDifference}");
        Assert.True(bad < MaxShareOfBadPixels, $"{name}: {bad:P2} of pixels differ by more than {BadPixelThreshold}");
    }

    [Fact]
    public void Comparison_catches_a_changed_plot()
    {
        using var a = SKBitmap.Decode(Plots["elbow"]());
        using var b = SKBitmap.Decode(ReportPlots.ElbowPlot(Enumerable.Range(1, 10).ToArray(), Enumerable.Range(1, 10).Select(k => 1000.0 / k).ToArray(), 5));
        var (mean, bad) = Compare(a, b);
        Assert.True(mean >= MaxMeanDifference || bad >= MaxShareOfBadPixels, $"a different curve passed: mean {mean:F3}, bad {bad:P2}");
    }

    private static (double Mean, double BadShare) Compare(SKBitmap a, SKBitmap b)
    {
        long sum = 0, badPixels = 0;
        for (int y = 0; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
            {
                SKColor p = a.GetPixel(x, y), q = b.GetPixel(x, y);
                int dr = Math.Abs(p.Red - q.Red), dg = Math.Abs(p.Green - q.Green), db = Math.Abs(p.Blue - q.Blue);
                sum += dr + dg + db;
                if (Math.Max(dr, Math.Max(dg, db)) > BadPixelThreshold) badPixels++;
            }
        long pixels = (long)a.Width * a.Height;
        return (sum / (3.0 * pixels), (double)badPixels / pixels);
    }
}
