using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Pipeline;

namespace ImageCluster.Reports;

/// <summary>What <see cref="ReportHtml.Write"/> wrote.</summary>
/// <param name="Html">The report file.</param>
/// <param name="Plots">The plot PNGs beside it.</param>
/// <param name="Bytes">Size of the report file.</param>
/// <param name="Images">Images in the report.</param>
/// <param name="Clusters">Clusters in the report (not counting noise).</param>
internal sealed record ReportFiles(string Html, IReadOnlyList<string> Plots, long Bytes, int Images, int Clusters);

/// <summary>
/// Writes a <see cref="RunReport"/> as one self-contained HTML file (thumbnails and plots embedded, inline CSS and
/// script, no network) and its plots as PNG files in <c>plots/</c> beside it.
/// </summary>
internal static partial class ReportHtml
{
    /// <summary>The id of every section, in page order (each is always present; a section that does not apply says why).</summary>
    public static readonly IReadOnlyList<string> SectionIds =
        ["summary", "clusters", "noise", "maps", "dendrogram", "silhouette", "elbow", "reachability", "kdistance", "diagnostics", "auto", "evaluation", "duplicates", "errors"];

    /// <summary>Renders the plots and writes <paramref name="htmlFile"/> and <c>plots/*.png</c> beside it.</summary>
    public static ReportFiles Write(RunReport report, string htmlFile, ReportOptions? options = null)
    {
        var o = options ?? new ReportOptions();
        htmlFile = Path.GetFullPath(htmlFile);
        string folder = Path.GetDirectoryName(htmlFile)!;
        string plotsFolder = Path.Combine(folder, "plots");
        Directory.CreateDirectory(plotsFolder);
        var plots = RenderPlots(report);
        var plotFiles = new List<string>();
        foreach (var p in plots.Values)
        {
            string file = Path.Combine(plotsFolder, p.File);
            File.WriteAllBytes(file, p.Png);
            plotFiles.Add(file);
        }

        string temp = htmlFile + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var w = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            WriteDocument(w, report, plots, o);
        }
        File.Move(temp, htmlFile, overwrite: true);
        return new ReportFiles(htmlFile, plotFiles, new FileInfo(htmlFile).Length, report.Images.Count, report.Clusters.Count);
    }

    /// <summary>Every plot that applies to the run, by section id.</summary>
    public static Dictionary<string, PlotImage> RenderPlots(RunReport r)
    {
        var plots = new Dictionary<string, PlotImage>();
        var clusterNames = Enumerable.Range(0, r.Images.Count == 0 ? 0 : r.Images.Max(i => i.Cluster) + 1).Select(c => $"cluster {c}").ToList();
        foreach (var map in r.Maps)
        {
            string slug = map.Name switch { "PCA" => "pca", "UMAP" => "umap", _ => "tsne" };
            plots[$"map-{slug}"] = new PlotImage($"map-{slug}.png", $"{map.Name} map coloured by cluster",
                ReportPlots.Map($"{map.Name} ({map.Samples.Length} images), coloured by cluster", map.X, map.Y,
                    map.Samples.Select(i => r.Images[i].Cluster).ToArray(), clusterNames));
            if (r.LabelNames.Count > 0)
            {
                var index = r.LabelNames.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i);
                plots[$"map-{slug}-labels"] = new PlotImage($"map-{slug}-labels.png", $"{map.Name} map coloured by label",
                    ReportPlots.Map($"{map.Name} ({map.Samples.Length} images), coloured by label", map.X, map.Y,
                        map.Samples.Select(i => r.Images[i].Label is { } l ? index[l] : -1).ToArray(), r.LabelNames));
            }
        }
        if (r.Clusters.Count > 0)
            plots["sizes"] = new PlotImage("sizes.png", "Cluster sizes",
                ReportPlots.SizesPlot(r.Clusters.Select(c => (c.Cluster.ToString(CultureInfo.InvariantCulture), c.Size)).ToList()));
        if (r.Dendrogram is { } d) plots["dendrogram"] = new PlotImage("dendrogram.png", "Dendrogram with the cut", ReportPlots.DendrogramPlot(d));
        if (r.Silhouette is { } s)
            plots["silhouette"] = new PlotImage("silhouette.png", "Silhouette plot",
                ReportPlots.SilhouettePlot(s.Samples.Select(i => r.Images[i].Cluster).ToArray(), s.Values, s.Mean));
        if (r.Elbow is { } e) plots["elbow"] = new PlotImage("elbow.png", "Elbow curve", ReportPlots.ElbowPlot(e.Ks, e.Inertias, e.KneeK));
        if (r.Optics is { } op)
            plots["reachability"] = new PlotImage("reachability.png", "OPTICS reachability", ReportPlots.ReachabilityPlot(op.Ordering, op.Reachability, [.. r.Images.Select(i => i.Cluster)]));
        if (r.KDistance is { } k)
            plots["kdistance"] = new PlotImage("kdistance.png", "k-distance plot",
                ReportPlots.KDistancePlot(k.SortedDistances, k.MinSamples, k.SuggestedEps, RunEps(r)));
        if (r.Evaluation is { } ev)
        {
            var classes = ev.Contingency.Keys.ToList();
            var clusters = ev.Contingency.Values.SelectMany(x => x.Keys).Distinct().Order().ToList();
            var counts = new long[classes.Count, clusters.Count];
            for (int i = 0; i < classes.Count; i++)
                for (int j = 0; j < clusters.Count; j++) counts[i, j] = ev.Contingency[classes[i]].GetValueOrDefault(clusters[j]);
            plots["contingency"] = new PlotImage("contingency.png", "Contingency heat map", ReportPlots.ContingencyPlot(classes, clusters, counts));
        }
        return plots;
    }

    private static double? RunEps(RunReport r) =>
        r.Summary.Clustering?.Parameters switch { DbscanOptions d => d.Eps, OpticsOptions o => o.Eps, _ => null };

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string F(double? v, string format = "F4") => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Resource(string name)
    {
        using var s = typeof(ReportHtml).Assembly.GetManifestResourceStream($"ImageCluster.Reports.{name}")
                      ?? throw new InvalidOperationException($"resource {name} missing from the build");
        using var reader = new StreamReader(s);
        return reader.ReadToEnd();
    }

    private static void WriteDocument(TextWriter w, RunReport r, Dictionary<string, PlotImage> plots, ReportOptions o)
    {
        var s = r.Summary;
        string title = $"ImageCluster report: {Path.GetFileName(s.Output.TrimEnd('/'))}";
        w.Write($"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">" +
                $"<title>{H(title)}</title>\n<style>\n{Resource("report.css")}</style></head>\n<body>\n");
        w.Write($"<h1>{H(title)}</h1>\n<nav>");
        foreach (var id in SectionIds) w.Write($"<a href=\"#{id}\">{id}</a>");
        w.Write("</nav>\n");

        WriteSummary(w, r);
        WriteClusters(w, r, plots, o);
        WriteMaps(w, r, plots);
        WritePlotSection(w, "dendrogram", "Dendrogram", plots, "The top merges of the tree; the dashed line is the cut that gave the clusters.",
            $"Only agglomerative runs have a merge tree (this run used {s.Clustering?.Algorithm}).");
        WritePlotSection(w, "silhouette", "Silhouette plot", plots,
            r.Silhouette is { } sil ? $"Mean silhouette {F(sil.Mean)} over {sil.Samples.Length} samples (−1 … 1; higher = better separated)." : "",
            "The silhouette needs at least 2 clusters and fewer clusters than images.");
        WritePlotSection(w, "elbow", "Elbow curve", plots,
            r.Elbow is { } e ? $"K-Means inertia for k = {e.Ks[0]}…{e.Ks[^1]} in the run's feature space; knee (Kneedle) at k = {(e.KneeK is int kk ? kk.ToString(CultureInfo.InvariantCulture) : "none")}." : "",
            "Too few images for an elbow curve.");
        WritePlotSection(w, "reachability", "OPTICS reachability plot", plots,
            "Valleys are clusters; the order is OPTICS' (refitted with the run's options).", $"Only OPTICS runs have a reachability plot (this run used {s.Clustering?.Algorithm}).");
        WritePlotSection(w, "kdistance", "k-distance plot", plots,
            r.KDistance is { } kd ? $"Distance of each image to its {kd.MinSamples}-th nearest neighbour, sorted; the knee suggests DBSCAN's eps ({F(kd.SuggestedEps)})." : "",
            $"Drawn for density-based runs (dbscan, optics, hdbscan); this run used {s.Clustering?.Algorithm}.");
        WriteDiagnostics(w, r);
        WriteAuto(w, r);
        WriteEvaluation(w, r, plots);
        WriteFindings(w, r);
        WriteErrors(w, r);

        // Data last, so the page above is parsed (and can paint) before the megabytes of thumbnails.
        var data = new
        {
            paths = r.Images.Select(i => i.Path).ToArray(),
            cluster = r.Images.Select(i => i.Cluster).ToArray(),
            label = r.Images.Select(i => i.Label is { } l ? IndexOf(r.LabelNames, l) : -1).ToArray(),
            labelNames = r.LabelNames,
            palette = ReportPlots.Palette,
            noise = ReportPlots.NoiseColor,
            maps = r.Maps.Select(m => new { name = m.Name, idx = m.Samples, x = m.X.Select(v => Math.Round(v, 4)), y = m.Y.Select(v => Math.Round(v, 4)) }),
        };
        w.Write("<script type=\"application/json\" id=\"report-data\">");
        w.Write(JsonSerializer.Serialize(data));
        w.Write("</script>\n<script type=\"text/plain\" id=\"thumbs\">");
        for (int i = 0; i < r.Thumbnails.Count; i++)
        {
            if (i > 0) w.Write('\n');
            if (r.Thumbnails[i] is { } t) w.Write(Convert.ToBase64String(t));
        }
        w.Write($"</script>\n<script>\n{Resource("report.js")}</script>\n</body></html>\n");
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static void Img(TextWriter w, PlotImage p) =>
        w.Write($"<figure><img class=\"plot\" width=\"{ReportPlots.Width}\" height=\"{ReportPlots.Height}\" alt=\"{H(p.Title)}\" " +
                $"src=\"data:image/png;base64,{Convert.ToBase64String(p.Png)}\"><figcaption class=\"muted\">{H(p.Title)} — plots/{H(p.File)}</figcaption></figure>\n");

    private static void WritePlotSection(TextWriter w, string id, string heading, Dictionary<string, PlotImage> plots, string caption, string absent)
    {
        w.Write($"<section id=\"{id}\"><h2>{H(heading)}</h2>\n");
        if (plots.TryGetValue(id, out var p))
        {
            w.Write($"<p>{H(caption)}</p>\n");
            Img(w, p);
        }
        else w.Write($"<p class=\"muted\">{H(absent)}</p>\n");
        w.Write("</section>\n");
    }
}
