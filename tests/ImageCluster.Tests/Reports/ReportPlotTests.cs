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
        // ~200 leaves: every leaf drawn, labels vertical and thinned so that none touch.
        ["dendrogram-200"] = () =>
        {
            var rng = new Random(1);
            var x = new FeatureMatrix(200, 2);
            for (int i = 0; i < 200; i++) // five blobs
            {
                x.Row(i)[0] = (float)(i % 5 * 10 + 4 * rng.NextDouble());
                x.Row(i)[1] = (float)(i % 5 % 2 * 8 + 4 * rng.NextDouble());
            }
            var tree = new Agglomerative(new AgglomerativeOptions { NClusters = 5, Linkage = Linkage.Ward }).Fit(x);
            return ReportPlots.DendrogramPlot(DendrogramLayout.Truncate(tree, 200, 200, kCut: true));
        },
        // The report's own truncation of a larger tree: 40 leaves holding 2- and 3-digit counts, written vertically.
        ["dendrogram-lastp"] = () =>
        {
            var rng = new Random(4);
            var x = new FeatureMatrix(1200, 2);
            for (int i = 0; i < 1200; i++) // six blobs on a line
            {
                x.Row(i)[0] = (float)(i % 6 * 10 + 6 * rng.NextDouble());
                x.Row(i)[1] = (float)(6 * rng.NextDouble());
            }
            var tree = new Agglomerative(new AgglomerativeOptions { NClusters = 6, Linkage = Linkage.Ward }).Fit(x);
            return ReportPlots.DendrogramPlot(DendrogramLayout.Truncate(tree, 1200, 40, kCut: true));
        },
        ["contingency"] = () => ReportPlots.ContingencyPlot(["cat", "dog", "owl"], [0, 1, 2, 3],
            new long[,] { { 20, 1, 0, 3 }, { 2, 15, 4, 0 }, { 0, 0, 9, 12 } }),
        // 40 clusters: the cells are too small for counts, the cluster numbers turn vertical.
        ["contingency-40"] = () =>
        {
            var counts = new long[10, 40];
            for (int r = 0; r < 10; r++)
                for (int c = 0; c < 40; c++) counts[r, c] = (r * 37 + c * 11) % 23 + (c / 4 == r ? 200 : 0);
            return ReportPlots.ContingencyPlot(Enumerable.Range(0, 10).Select(i => $"class {i}").ToList(), Enumerable.Range(0, 40).ToList(), counts);
        },
        ["map"] = () =>
        {
            var groups = Enumerable.Range(0, 150).Select(i => i % 3).ToArray();
            var xs = Enumerable.Range(0, 150).Select(i => 5.0 * (i % 3) + Math.Cos(i * 1.7)).ToArray();
            var ys = Enumerable.Range(0, 150).Select(i => 3.0 * (i % 3 == 1 ? 1 : 0) + Math.Sin(i * 2.3)).ToArray();
            return ReportPlots.Map("Map coloured by cluster", xs, ys, groups, ["cluster 0", "cluster 1", "cluster 2"]);
        },
        // 20 clusters and noise side by side: the palette's neighbours must be told apart.
        ["map-20"] = () =>
        {
            var groups = Enumerable.Range(0, 630).Select(i => i % 21 - 1).ToArray();
            var xs = groups.Select((g, i) => (g + 1) % 7 * 3.0 + Math.Cos(i * 1.7)).ToArray();
            var ys = groups.Select((g, i) => (g + 1) / 7 * 3.0 + Math.Sin(i * 2.3)).ToArray();
            return ReportPlots.Map("20 clusters and noise", xs, ys, groups, Enumerable.Range(0, 20).Select(i => $"cluster {i}").ToList());
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

    [Fact]
    public void Label_step_keeps_labels_apart()
    {
        Assert.Equal(1, ReportPlots.LabelStep(20, 14)); // 14 + 3 ≤ 20
        Assert.Equal(2, ReportPlots.LabelStep(10, 14));
        Assert.Equal(5, ReportPlots.LabelStep(3.65, 14)); // 200 leaves on ~730 pixels, 14-pixel vertical labels
        Assert.Equal(1, ReportPlots.LabelStep(0, 14));
    }

    [Fact]
    public void Cell_text_is_black_on_light_cells_and_white_on_dark_ones()
    {
        var viridis = new ScottPlot.Colormaps.Viridis();
        Assert.Equal(ScottPlot.Colors.White, ReportPlots.TextColorOn(viridis.GetColor(0))); // dark purple
        Assert.Equal(ScottPlot.Colors.White, ReportPlots.TextColorOn(viridis.GetColor(0.3))); // blue
        Assert.Equal(ScottPlot.Colors.Black, ReportPlots.TextColorOn(viridis.GetColor(0.7))); // green
        Assert.Equal(ScottPlot.Colors.Black, ReportPlots.TextColorOn(viridis.GetColor(1))); // yellow
    }

    [Fact]
    public void Contingency_cells_show_their_counts_in_a_contrasting_colour()
    {
        // Text strokes: dark pixels inside the yellow cell (count 20), light pixels inside the dark purple cells (0, 1, 2).
        using var small = SKBitmap.Decode(Plots["contingency"]());
        var yellow = new SKColor(253, 231, 37); // R + G + B = 521
        var purple = new SKColor(68, 1, 84); // 153
        static int Sum(SKColor p) => p.Red + p.Green + p.Blue;
        Assert.True(StrokePixels(small, yellow, p => Sum(p) < 300) > 20, "no dark count on the light cell");
        Assert.True(StrokePixels(small, purple, p => Sum(p) > 450) > 20, "no light count on the dark cells");
        Assert.True(StrokePixels(small, purple, p => Sum(p) < 80) == 0, "dark text on a dark cell");
        Assert.True(StrokePixels(small, yellow, p => Sum(p) > 650) == 0, "light text on a light cell");
        // 40 clusters: no room, so no numbers at all.
        using var wide = SKBitmap.Decode(Plots["contingency-40"]());
        Assert.Equal(0, StrokePixels(wide, purple, p => Sum(p) > 450));
    }

    // Pixels matching `stroke` with a `cell`-coloured pixel within 4 pixels to their left and to their right on the row.
    private static int StrokePixels(SKBitmap bitmap, SKColor cell, Func<SKColor, bool> stroke)
    {
        bool IsCell(int x, int y)
        {
            var p = bitmap.GetPixel(x, y);
            return Math.Abs(p.Red - cell.Red) + Math.Abs(p.Green - cell.Green) + Math.Abs(p.Blue - cell.Blue) < 30;
        }
        int count = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 4; x < bitmap.Width - 4; x++)
                if (stroke(bitmap.GetPixel(x, y)) && Enumerable.Range(1, 4).Any(d => IsCell(x - d, y)) && Enumerable.Range(1, 4).Any(d => IsCell(x + d, y)))
                    count++;
        return count;
    }

    [Fact]
    public void Neighbouring_palette_colours_differ_clearly_and_noise_stays_grey()
    {
        var palette = ReportPlots.Palette;
        Assert.Equal(20, palette.Count);
        Assert.Equal("#a0a0a0", ReportPlots.CssColorOf(-1));
        Assert.Equal(ReportPlots.CssColorOf(0), ReportPlots.CssColorOf(20)); // repeats after 20
        for (int i = 0; i < palette.Count; i++)
        {
            Assert.Equal(palette[i], ReportPlots.CssColorOf(i));
            string next = palette[(i + 1) % palette.Count]; // 19 → 20 (= 0) are neighbours too
            Assert.True(NeighboursDiffer(palette[i], next), $"clusters {i} and {i + 1}: {palette[i]} and {next} look alike");
            Assert.True(DeltaE(palette[i], ReportPlots.NoiseColor) >= 25, $"cluster {i} ({palette[i]}) looks like noise grey");
        }
        // The check is strict enough to reject Category 20 (blue next to light blue), which the maps used before.
        var category20 = new ScottPlot.Palettes.Category20();
        Assert.False(NeighboursDiffer(category20.GetColor(0).ToHex()[..7], category20.GetColor(1).ToHex()[..7]));
    }

    // Clearly different: at least 40 ΔE*ab apart and at least 45° of CIELAB hue apart.
    private static bool NeighboursDiffer(string a, string b)
    {
        var (la, aa, ba) = Lab(a);
        var (lb, ab, bb) = Lab(b);
        double hue = Math.Abs(Math.Atan2(ba, aa) - Math.Atan2(bb, ab)) * 180 / Math.PI;
        hue = Math.Min(hue, 360 - hue);
        return DeltaE(a, b) >= 40 && hue >= 45;
    }

    private static double DeltaE(string a, string b)
    {
        var (la, aa, ba) = Lab(a);
        var (lb, ab, bb) = Lab(b);
        return Math.Sqrt((la - lb) * (la - lb) + (aa - ab) * (aa - ab) + (ba - bb) * (ba - bb));
    }

    // sRGB (D65) to CIELAB.
    private static (double L, double A, double B) Lab(string hex)
    {
        double Channel(int at)
        {
            double c = Convert.ToInt32(hex.Substring(at, 2), 16) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        double r = Channel(1), g = Channel(3), b = Channel(5);
        double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b, z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        static double F(double t) => t > 0.008856 ? Math.Cbrt(t) : 7.787 * t + 16.0 / 116;
        return (116 * F(y) - 16, 500 * (F(x) - F(y)), 200 * (F(y) - F(z)));
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
