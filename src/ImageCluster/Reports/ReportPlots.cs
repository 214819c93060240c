using ScottPlot;

namespace ImageCluster.Reports;

/// <summary>A rendered plot of the report.</summary>
/// <param name="File">File name beside report.html (in its plots folder), e.g. <c>elbow.png</c>.</param>
/// <param name="Title">Caption in the report.</param>
/// <param name="Png">The PNG bytes.</param>
public sealed record PlotImage(string File, string Title, byte[] Png);

/// <summary>
/// The report's static plots, drawn with ScottPlot 5 (SkiaSharp underneath) at a fixed size. Text uses DejaVu Sans loaded
/// from its file when present, so the pixels do not depend on which font fontconfig would pick.
/// </summary>
public static class ReportPlots
{
    /// <summary>Width of every plot, in pixels.</summary>
    public const int Width = 800;

    /// <summary>Height of every plot, in pixels.</summary>
    public const int Height = 500;

    private const string FontName = "DejaVu Sans";
    private static readonly Lock FontLock = new();
    private static bool _fontLoaded;

    /// <summary>The colour of cluster/class <paramref name="index"/> (Category 10 then 20 repeats; noise is grey).</summary>
    public static Color ColorOf(int index) =>
        index < 0 ? new Color(160, 160, 160) : new ScottPlot.Palettes.Category20().GetColor(index % 20);

    /// <summary>The same colour as a CSS hex string, for the HTML map.</summary>
    public static string CssColorOf(int index) => ColorOf(index).ToHex()[..7];

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
        foreach (int g in groups.Distinct().Order())
        {
            var idx = Enumerable.Range(0, groups.Length).Where(i => groups[i] == g).ToArray();
            var s = plot.Add.ScatterPoints(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray(), ColorOf(g));
            s.MarkerSize = groups.Length > 5000 ? 2 : 4;
            if (groupNames.Count <= 20) s.LegendText = g < 0 ? "noise" : groupNames[g];
        }
        if (groupNames.Count <= 20) plot.ShowLegend(Edge.Right);
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

    /// <summary>The dendrogram (top merges) with the cut that gave the clusters as a dashed line.</summary>
    public static byte[] DendrogramPlot(Dendrogram d)
    {
        var plot = NewPlot($"Dendrogram (last {d.LeafSizes.Length} leaves)", "subtrees (size)", "merge height");
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
        if (d.LeafSizes.Length <= 60)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, d.LeafSizes.Length).Select(i => (double)i).ToArray(),
                d.LeafSizes.Select(s => $"({s})").ToArray());
        return Render(plot);
    }

    /// <summary>The contingency table as a heat map: rows = classes, columns = clusters, cell = count.</summary>
    public static byte[] ContingencyPlot(IReadOnlyList<string> classes, IReadOnlyList<int> clusters, long[,] counts)
    {
        var plot = NewPlot("Contingency: classes × clusters", "cluster", "class");
        var values = new double[classes.Count, clusters.Count];
        for (int r = 0; r < classes.Count; r++)
            for (int c = 0; c < clusters.Count; c++)
                values[r, c] = counts[r, c];
        var heat = plot.Add.Heatmap(values);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heat);
        if (clusters.Count <= 40)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, clusters.Count).Select(i => (double)i).ToArray(),
                clusters.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        if (classes.Count <= 40)
            // Row 0 of the matrix is drawn at the top.
            plot.Axes.Left.SetTicks(Enumerable.Range(0, classes.Count).Select(i => (double)(classes.Count - 1 - i)).ToArray(), classes.ToArray());
        return Render(plot);
    }

    /// <summary>Cluster sizes as bars, largest first.</summary>
    public static byte[] SizesPlot(IReadOnlyList<(string Name, int Size)> clusters)
    {
        var plot = NewPlot("Cluster sizes", "cluster", "images");
        var bars = clusters.Select((c, i) => new Bar { Position = i, Value = c.Size, FillColor = ColorOf(i) }).ToArray();
        plot.Add.Bars(bars);
        if (clusters.Count <= 40)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, clusters.Count).Select(i => (double)i).ToArray(), clusters.Select(c => c.Name).ToArray());
        plot.Axes.Margins(bottom: 0);
        return Render(plot);
    }
}
