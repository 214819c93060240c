using ImageCluster.Clustering;
using ScottPlot;

namespace ImageCluster.Reports;

/// <summary>A rendered plot of the report.</summary>
/// <param name="File">File name beside report.html (in its plots folder), e.g. <c>elbow.png</c>.</param>
/// <param name="Title">Caption in the report.</param>
/// <param name="Png">The PNG bytes.</param>
internal sealed record PlotImage(string File, string Title, byte[] Png);

/// <summary>
/// The report's static plots, drawn with ScottPlot 5 (SkiaSharp underneath) at a fixed size. Text uses DejaVu Sans loaded
/// from its file when present, so the pixels do not depend on which font fontconfig would pick.
/// </summary>
internal static class ReportPlots
{
    /// <summary>Width of every plot, in pixels.</summary>
    public const int Width = 800;

    /// <summary>Height of every plot, in pixels.</summary>
    public const int Height = 500;

    private const string FontName = "DejaVu Sans";
    private static readonly Lock FontLock = new();
    private static bool _fontLoaded;

    /// <summary>
    /// The categorical palette of clusters and classes: Tableau's 10 without its grey (grey means noise), then eleven
    /// darker and lighter companions, ordered so that every two neighbours (i, i + 1, and 19 → 0 where it repeats) differ by
    /// at least 49 ΔE*ab and 59° of CIELAB hue. Category 20, used before, pairs each hue with its own lighter shade, so
    /// clusters 0 and 1 (blue, light blue) looked alike side by side.
    /// </summary>
    public static readonly IReadOnlyList<string> Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#00008b",
        "#637939", "#ff9896", "#98df8a", "#393b79", "#ffbb78", "#7b4173", "#e6ab02", "#006d2c", "#8c6d31", "#f7b6d2",
    ];

    /// <summary>The colour of noise (cluster −1) and of images without a label.</summary>
    public const string NoiseColor = "#a0a0a0";

    private static readonly Color[] PaletteColors = Palette.Select(Color.FromHex).ToArray();

    /// <summary>The colour of cluster/class <paramref name="index"/> (<see cref="Palette"/>, repeating after 20; −1 = noise, grey).</summary>
    public static Color ColorOf(int index) =>
        index < 0 ? Color.FromHex(NoiseColor) : PaletteColors[index % PaletteColors.Length];

    /// <summary>The same colour as a CSS hex string, for the HTML map.</summary>
    public static string CssColorOf(int index) => index < 0 ? NoiseColor : Palette[index % Palette.Count];

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        lock (FontLock)
        {
            if (!_fontLoaded)
            {
                const string file = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
                if (File.Exists(file)) Fonts.AddFontFile(FontName, file);
                Fonts.Default = FontName;
                _fontLoaded = true;
            }
        }
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static byte[] Render(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);

    /// <summary>A 2-D map, one colour per group (cluster or class); <paramref name="groups"/>[i] = −1 is drawn grey.</summary>
    public static byte[] Map(string title, double[] x, double[] y, int[] groups, IReadOnlyList<string> groupNames)
    {
        var plot = NewPlot(title, "dimension 1", "dimension 2");
        var present = groups.Distinct().Order().ToArray();
        // One legend column of 500 pixels holds about 18 entries; more would wrap into a clipped second column.
        bool legend = present.Length <= 18;
        foreach (int g in present)
        {
            var idx = Enumerable.Range(0, groups.Length).Where(i => groups[i] == g).ToArray();
            var s = plot.Add.ScatterPoints(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray(), ColorOf(g));
            s.MarkerSize = groups.Length > 5000 ? 2 : 4;
            if (legend) s.LegendText = g < 0 ? "noise" : groupNames[g];
        }
        if (legend) plot.ShowLegend(Edge.Right);
        return Render(plot);
    }

    /// <summary>
    /// The silhouette plot: per cluster, the sorted silhouettes of its sampled members as horizontal bars, and the mean as
    /// a dashed line.
    /// </summary>
    public static byte[] SilhouettePlot(int[] clusterOfSample, double[] values, double mean)
    {
        var plot = NewPlot("Silhouette per sample, by cluster", "silhouette coefficient", "samples (grouped by cluster)");
        double y = 0;
        var ticks = new List<(double, string)>();
        foreach (int c in clusterOfSample.Where(c => c >= 0).Distinct().Order())
        {
            var v = Enumerable.Range(0, values.Length).Where(i => clusterOfSample[i] == c).Select(i => values[i]).Order().ToArray();
            // One polygon per cluster instead of one bar per sample: the same picture, far fewer shapes.
            var poly = new List<Coordinates> { new(0, y) };
            for (int i = 0; i < v.Length; i++) { poly.Add(new Coordinates(v[i], y + i)); poly.Add(new Coordinates(v[i], y + i + 1)); }
            poly.Add(new Coordinates(0, y + v.Length));
            var p = plot.Add.Polygon(poly.ToArray());
            p.FillColor = ColorOf(c);
            p.LineWidth = 0;
            ticks.Add((y + v.Length / 2.0, c.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            y += v.Length + Math.Max(2, values.Length / 100.0);
        }
        var line = plot.Add.VerticalLine(mean);
        line.LinePattern = LinePattern.Dashed;
        line.Color = Colors.Red;
        line.LegendText = $"mean {mean:F3}";
        plot.ShowLegend(Alignment.LowerRight);
        if (ticks.Count <= 40) plot.Axes.Left.SetTicks(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        plot.Axes.SetLimitsY(0, Math.Max(1, y));
        return Render(plot);
    }

    /// <summary>The elbow curve (inertia against k) with its knee marked.</summary>
    public static byte[] ElbowPlot(int[] ks, double[] inertias, int? knee)
    {
        var plot = NewPlot("Elbow: K-Means inertia against k", "k (number of clusters)", "inertia (sum of squared distances)");
        var s = plot.Add.Scatter(ks.Select(k => (double)k).ToArray(), inertias);
        s.MarkerSize = 7;
        s.LineWidth = 2;
        if (knee is { } k)
        {
            var line = plot.Add.VerticalLine(k);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Red;
            line.LegendText = $"knee k = {k}";
            plot.ShowLegend(Alignment.UpperRight);
        }
        return Render(plot);
    }

    /// <summary>The sorted k-distance curve with its knee (DBSCAN's suggested eps).</summary>
    public static byte[] KDistancePlot(double[] sorted, int minSamples, double? eps, double? runEps)
    {
        var plot = NewPlot($"Sorted {minSamples}-distance (min_samples {minSamples})", "points sorted by distance", $"distance to the {minSamples}-th neighbour");
        var s = plot.Add.Scatter(Enumerable.Range(0, sorted.Length).Select(i => (double)i).ToArray(), sorted);
        s.MarkerSize = 0;
        s.LineWidth = 2;
        if (eps is { } e)
        {
            var line = plot.Add.HorizontalLine(e);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Red;
            line.LegendText = $"knee eps {e:F3}";
        }
        if (runEps is { } r)
        {
            var line = plot.Add.HorizontalLine(r);
            line.Color = Colors.Green;
            line.LegendText = $"run eps {r:F3}";
        }
        if (eps is not null || runEps is not null) plot.ShowLegend(Alignment.UpperLeft);
        return Render(plot);
    }

    /// <summary>The OPTICS reachability plot: reachability in cluster order, coloured by cluster (noise grey).</summary>
    public static byte[] ReachabilityPlot(int[] ordering, double[] reachability, int[] labels)
    {
        var plot = NewPlot("OPTICS reachability plot", "points in OPTICS order", "reachability distance");
        double finiteMax = reachability.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        double top = finiteMax * 1.05; // ∞ (the first point of each component) drawn at the top edge
        foreach (int c in ordering.Select(i => labels[i]).Distinct().Order())
        {
            var positions = Enumerable.Range(0, ordering.Length).Where(k => labels[ordering[k]] == c).ToArray();
            var bars = positions.Select(k => new Bar
            {
                Position = k, Value = double.IsFinite(reachability[ordering[k]]) ? reachability[ordering[k]] : top,
                FillColor = ColorOf(c), LineWidth = 0, Size = 1,
            }).ToArray();
            plot.Add.Bars(bars);
        }
        plot.Axes.SetLimitsY(0, top * 1.02);
        return Render(plot);
    }

    /// <summary>
    /// The dendrogram (top merges) with the cut that gave the clusters as a dashed line. Every leaf is labelled with the
    /// number of images below it, as SciPy's <c>truncate_mode="lastp"</c> does; labels turn vertical when they would
    /// touch side by side, and only every n-th is written when even vertical ones would (see <see cref="LabelStep"/>).
    /// </summary>
    public static byte[] DendrogramPlot(Dendrogram d)
    {
        int leaves = d.LeafSizes.Length;
        var plot = NewPlot($"Dendrogram: the last {Math.Max(0, leaves - 1)} merges", "leaves (images below each)", "merge height");
        foreach (var (x1, y1, x2, y2) in d.Segments)
        {
            var l = plot.Add.Line(x1, y1, x2, y2);
            l.LineWidth = 1.5f;
            l.Color = Colors.Navy;
        }
        if (double.IsFinite(d.CutDistance))
        {
            var cut = plot.Add.HorizontalLine(d.CutDistance);
            cut.LinePattern = LinePattern.Dashed;
            cut.Color = Colors.Red;
            cut.LegendText = $"cut {d.CutDistance:F3}";
            plot.ShowLegend(Alignment.UpperRight);
        }
        plot.Axes.SetLimitsX(-0.5, leaves - 0.5);
        int step = LabelBottom(plot, d.LeafSizes.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        if (step > 1) plot.XLabel($"leaves (images below each; one label per {step} leaves)");
        return Render(plot);
    }

    /// <summary>
    /// Writes <paramref name="labels"/> under x = 0, 1, 2… so that none touch: horizontal when they fit side by side,
    /// else vertical, else only every n-th label (n from <see cref="LabelStep"/>). Returns n (1 = all written).
    /// </summary>
    private static int LabelBottom(Plot plot, string[] labels)
    {
        var style = plot.Axes.Bottom.TickLabelStyle;
        float widest = 0, lineHeight = 0;
        using (var paint = Paint.NewDisposablePaint())
            foreach (var label in labels)
            {
                style.Text = label;
                var size = style.Measure(paint).Size;
                widest = Math.Max(widest, size.Width);
                lineHeight = Math.Max(lineHeight, size.Height);
            }
        style.Text = "";
        // Pixels per unit of x are only known after a layout: lay out once without these ticks.
        plot.Axes.Bottom.SetTicks([], []);
        plot.GetImage(Width, Height).Dispose();
        var limits = plot.Axes.GetLimits();
        double spacing = plot.RenderManager.LastRender.DataRect.Width / Math.Max(1e-9, limits.Right - limits.Left);
        bool vertical = widest + 6 > spacing;
        int step = LabelStep(spacing, vertical ? lineHeight : widest);
        var positions = Enumerable.Range(0, labels.Length).Where(i => i % step == 0).ToArray();
        plot.Axes.Bottom.SetTicks(positions.Select(i => (double)i).ToArray(), positions.Select(i => labels[i]).ToArray());
        if (vertical)
        {
            style.Rotation = -90;
            style.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = widest + 30; // the labels plus the axis title below them
        }
        return step;
    }

    /// <summary>
    /// Every how many ticks a label is written so that labels of <paramref name="extent"/> pixels (their width, or their
    /// height when vertical) keep a gap of 3 pixels at <paramref name="spacing"/> pixels per tick.
    /// </summary>
    public static int LabelStep(double spacing, double extent) =>
        spacing <= 0 ? 1 : Math.Max(1, (int)Math.Ceiling((extent + 3) / spacing));

    /// <summary>
    /// The contingency table as a heat map: rows = classes, columns = clusters, colour = count (viridis from 0), and the
    /// count written in every cell in black on light cells and white on dark ones (<see cref="TextColorOn"/>). When the
    /// cells are too small for their numbers (many clusters or classes) the numbers are left out and the title says so.
    /// </summary>
    public static byte[] ContingencyPlot(IReadOnlyList<string> classes, IReadOnlyList<int> clusters, long[,] counts)
    {
        var plot = NewPlot("Contingency: classes × clusters", "cluster", "class");
        int rows = classes.Count, columns = clusters.Count;
        var values = new double[rows, columns];
        long max = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                values[r, c] = counts[r, c];
                max = Math.Max(max, counts[r, c]);
            }
        var heat = plot.Add.Heatmap(values);
        var colormap = new ScottPlot.Colormaps.Viridis();
        heat.Colormap = colormap;
        heat.ManualRange = new ScottPlot.Range(0, Math.Max(1, max));
        plot.Add.ColorBar(heat);
        LabelBottom(plot, clusters.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        if (rows <= 40)
            // Row 0 of the matrix is drawn at the top.
            plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray(), classes.ToArray());

        // Cell size in pixels is known after a layout; the number must fit its cell with a margin.
        plot.GetImage(Width, Height).Dispose();
        var area = plot.RenderManager.LastRender.DataRect;
        double cellWidth = area.Width / Math.Max(1, columns), cellHeight = area.Height / Math.Max(1, rows);
        int digits = max.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        // DejaVu Sans digits are about 0.64 em wide and 1.2 em tall with their line gap.
        float fontSize = (float)Math.Min(14, Math.Min((cellWidth - 4) / (0.64 * digits), (cellHeight - 2) / 1.2));
        if (fontSize >= 8)
        {
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    var cell = colormap.GetColor(counts[r, c] / (double)Math.Max(1, max));
                    var text = plot.Add.Text(counts[r, c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, rows - 1 - r);
                    text.LabelFontSize = fontSize;
                    text.LabelFontName = FontName;
                    text.LabelFontColor = TextColorOn(cell);
                    text.LabelAlignment = Alignment.MiddleCenter;
                }
        }
        else plot.Title("Contingency: classes × clusters (cells too small for their counts; see the table)");
        return Render(plot);
    }

    /// <summary>
    /// Black or white, whichever contrasts more with <paramref name="background"/> by WCAG's relative luminance (white
    /// below 0.179, where both contrast ratios are equal).
    /// </summary>
    public static Color TextColorOn(Color background)
    {
        static double Linear(byte v)
        {
            double c = v / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        double luminance = 0.2126 * Linear(background.R) + 0.7152 * Linear(background.G) + 0.0722 * Linear(background.B);
        return luminance < 0.179 ? Colors.White : Colors.Black;
    }

    /// <summary>Cluster sizes as bars, largest first.</summary>
    public static byte[] SizesPlot(IReadOnlyList<(string Name, int Size)> clusters)
    {
        var plot = NewPlot("Cluster sizes", "cluster", "images");
        var bars = clusters.Select((c, i) => new Bar { Position = i, Value = c.Size, FillColor = ColorOf(i) }).ToArray();
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        LabelBottom(plot, clusters.Select(c => c.Name).ToArray());
        return Render(plot);
    }
}
