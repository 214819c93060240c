using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Diagnostics;
using ImageCluster.Pipeline;

namespace ImageCluster.Reports;

internal static partial class ReportHtml
{
    private static void WriteSummary(TextWriter w, RunReport r)
    {
        var s = r.Summary;
        var c = s.Counts;
        w.Write("<section id=\"summary\"><h2>Run summary</h2>\n<table>\n");
        void Row(string name, string value) => w.Write($"<tr><th>{H(name)}</th><td>{H(value)}</td></tr>\n");
        Row("input", s.Input);
        Row("run folder", s.Output);
        Row("started (UTC)", s.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        Row("images", $"{c.Clustered} clustered of {c.Scanned} found (embedded {c.Embedded}, from cache {c.FromCache})");
        Row("errors", $"{c.Errors} files could not be used" + (c.Errors > 0 ? " (see below)" : ""));
        Row("model", s.Model is { } m
            ? $"{m.Name} ({m.Dimension} features from {m.Output}, resize {m.Resize}) {m.Sha256}"
            : "none: precomputed features");
        Row("algorithm", $"{s.Clustering?.Algorithm}: {s.Clustering?.Clusters} clusters, {s.Clustering?.Noise} noise" +
                         (s.Clustering?.Inertia is { } inertia ? $", inertia {F(inertia)}" : ""));
        Row("seed", s.Seed.ToString(CultureInfo.InvariantCulture));
        if (s.Pca is { } p) Row("PCA", $"{p.Components} components, {p.ExplainedVariance:P1} of the variance");
        Row("timings (s)", string.Join(", ", s.TimingsSeconds.Select(t => $"{t.Key} {t.Value:F2}")));
        Row("report timings (s)", string.Join(", ", r.TimingsSeconds.Select(t => $"{t.Key} {t.Value:F2}")));
        w.Write("</table>\n<details><summary>every option (run.json)</summary><pre>");
        w.Write(H(JsonSerializer.Serialize(s.Options, RunFolder.Json)));
        w.Write("</pre></details>\n");
        if (r.Notes.Count > 0)
        {
            w.Write("<ul class=\"notes\">");
            foreach (var n in r.Notes) w.Write($"<li>{H(n)}</li>");
            w.Write("</ul>\n");
        }
        w.Write("</section>\n");
    }

    private static void WriteClusters(TextWriter w, RunReport r, Dictionary<string, PlotImage> plots, ReportOptions o)
    {
        w.Write($"<section id=\"clusters\"><h2>Clusters ({r.Clusters.Count})</h2>\n");
        w.Write($"<p id=\"cohesion-legend\">{H(ClusterCohesion.Definition)} The review page shows the same number. " +
                "Silhouette = mean over the cluster's sampled images. Sheets list the images nearest to the cluster's mean " +
                "(Euclidean, in the clustered feature space) first.</p>\n");
        if (plots.TryGetValue("sizes", out var sizes)) Img(w, sizes);
        w.Write($"<table><tr><th class=\"n\">cluster</th><th class=\"n\">images</th><th class=\"n\" title=\"{H(ClusterCohesion.Definition)}\">cohesion ↑</th><th class=\"n\">silhouette</th></tr>\n");
        foreach (var c in r.Clusters)
            w.Write($"<tr><td class=\"n\"><a href=\"#cluster-{c.Cluster}\">{c.Cluster}</a></td><td class=\"n\">{c.Size}</td><td class=\"n\">{F(c.Cohesion)}</td><td class=\"n\">{F(c.Silhouette)}</td></tr>\n");
        w.Write("</table>\n");
        foreach (var c in r.Clusters)
        {
            string members = string.Join(",", c.Members);
            w.Write($"<div class=\"cluster\" id=\"cluster-{c.Cluster}\" style=\"--c:{ReportPlots.CssColorOf(c.Cluster)}\">" +
                    $"<h3>Cluster {c.Cluster} · {c.Size} images · <span title=\"{H(ClusterCohesion.Definition)}\">cohesion {F(c.Cohesion)}</span> · silhouette {F(c.Silhouette)}</h3>\n");
            w.Write($"<div class=\"sheet\" id=\"sheet-{c.Cluster}\" data-limit=\"{o.SheetLimit}\" data-members=\"{members}\"></div>\n");
            int shown = c.Members.Length;
            if (shown > o.SheetLimit) w.Write($"<button class=\"all\" data-for=\"sheet-{c.Cluster}\">show all {shown}{(shown < c.Size ? " of the sample" : "")}</button>\n");
            int n = Math.Min(o.Extremes, shown);
            if (shown <= 2 * o.Extremes)
            {
                // The strips would repeat the whole sheet, which is already ordered nearest first.
                w.Write("<div class=\"muted\">nearest to the centre first; the last is the farthest</div></div>\n");
                continue;
            }
            w.Write($"<div class=\"muted\">nearest to the centre</div><div class=\"strip\" id=\"near-{c.Cluster}\" data-limit=\"{n}\" data-members=\"{string.Join(",", c.Members.Take(n))}\"></div>\n");
            w.Write($"<div class=\"muted\">farthest from the centre</div><div class=\"strip\" id=\"far-{c.Cluster}\" data-limit=\"{n}\" data-members=\"{string.Join(",", c.Members.Reverse().Take(n))}\"></div>\n");
            w.Write("</div>\n");
        }
        w.Write("</section>\n");

        w.Write($"<section id=\"noise\"><h2>Noise and outliers ({r.Noise.Length})</h2>\n");
        if (r.Noise.Length == 0) w.Write($"<p class=\"muted\">No image is labelled noise (−1) by {H(r.Summary.Clustering?.Algorithm)}.</p>\n");
        else
        {
            w.Write($"<div class=\"sheet\" id=\"sheet-noise\" data-limit=\"{o.SheetLimit}\" data-members=\"{string.Join(",", r.Noise)}\"></div>\n");
            if (r.Noise.Length > o.SheetLimit) w.Write($"<button class=\"all\" data-for=\"sheet-noise\">show all {r.Noise.Length}</button>\n");
        }
        w.Write("</section>\n");
    }

    private static void WriteMaps(TextWriter w, RunReport r, Dictionary<string, PlotImage> plots)
    {
        w.Write("<section id=\"maps\"><h2>Maps of all images</h2>\n<p>Hover over a point to see its image. Colour by " +
                "<select id=\"colour-by\"><option value=\"cluster\">cluster</option>" +
                (r.LabelNames.Count > 0 ? "<option value=\"label\">label</option>" : "") + "</select>" +
                (r.LabelNames.Count > 0 ? "" : " <span class=\"muted\">(a report given labels colours by label too)</span>") + "</p>\n<div class=\"maps\">");
        for (int i = 0; i < r.Maps.Count; i++)
        {
            var m = r.Maps[i];
            w.Write($"<div class=\"map\"><h3>{H(m.Name)}</h3><canvas class=\"map-canvas\" id=\"map-{i}\" data-map=\"{i}\"></canvas>" +
                    $"<div class=\"muted\">{H(m.Note)}</div></div>\n");
        }
        w.Write("</div>\n<div id=\"map-tip\" hidden></div>\n<p class=\"muted\">PNG versions: " +
                string.Join(", ", plots.Values.Where(p => p.File.StartsWith("map-", StringComparison.Ordinal)).Select(p => $"plots/{H(p.File)}")) + "</p>\n</section>\n");
    }

    private static void WriteDiagnostics(TextWriter w, RunReport r)
    {
        w.Write("<section id=\"diagnostics\"><h2>Diagnostics</h2>\n");
        if (r.Hopkins is { } h)
            w.Write($"<p id=\"hopkins\">Hopkins statistic <b>H = {F(h.Statistic, "F3")}</b> ({h.SampleSize} probe points of each kind, among " +
                    $"{r.HopkinsImages} images, seed {r.Summary.Seed}): about 0.5 = no more structure than uniform noise, towards 1 = clusterable. " +
                    "Some tools print 1 − H instead.</p>\n");
        if (r.Elbow is not { } e) { w.Write("<p class=\"muted\">Too few images for the diagnostics.</p></section>\n"); return; }
        var gap = r.Gap;
        w.Write("<p>K-Means (seeded) for each k in the run's feature space; best value per column in bold. " +
                (gap is { } g
                    ? $"The gap statistic (Tibshirani et al.; R's <code>clusGap</code> with <code>firstSEmax</code>) is computed on a random " +
                      $"{g.SamplesUsed} of the images with B = {g.B} uniform reference sets in the box of their principal axes and one K-Means start per fit; " +
                      $"its k (bold) is the smallest within one SE of the first maximum. The diagnose job computes it on up to 2000 images " +
                      "with a suggested k from all criteria."
                    : "The gap statistic is off (0 gap samples) or undefined for this run; the diagnose job gives it with a suggested k.") +
                "</p>\n");
        w.Write("<table><tr><th class=\"n\">k</th><th class=\"n\">inertia</th><th class=\"n\">silhouette ↑</th><th class=\"n\">Calinski–Harabasz ↑</th><th class=\"n\">Davies–Bouldin ↓</th>" +
                (gap is null ? "" : "<th class=\"n\">gap ↑</th><th class=\"n\">SE</th>") + "</tr>\n");
        double? bestS = e.Points.Max(p => p.Silhouette), bestCh = e.Points.Max(p => p.CalinskiHarabasz), bestDb = e.Points.Min(p => p.DaviesBouldin);
        string B(double? v, double? best, string f) => v is not null && v == best ? $"<b>{F(v, f)}</b>" : F(v, f);
        foreach (var p in e.Points)
        {
            string gapCells = "";
            if (gap is not null)
            {
                int at = Array.IndexOf(gap.Ks, p.K);
                gapCells = at < 0 ? "<td class=\"n\">–</td><td class=\"n\">–</td>"
                    : $"<td class=\"n\">{(p.K == gap.ChosenK ? $"<b>{F(gap.Gap[at])}</b>" : F(gap.Gap[at]))}</td><td class=\"n\">{F(gap.SESim[at])}</td>";
            }
            string marks = (p.K == e.KneeK ? " (knee)" : "") + (p.K == gap?.ChosenK ? " (gap)" : "");
            w.Write($"<tr><td class=\"n\">{p.K}{marks}</td><td class=\"n\">{F(p.Inertia, "G6")}</td><td class=\"n\">{B(p.Silhouette, bestS, "F4")}</td>" +
                    $"<td class=\"n\">{B(p.CalinskiHarabasz, bestCh, "F1")}</td><td class=\"n\">{B(p.DaviesBouldin, bestDb, "F4")}</td>{gapCells}</tr>\n");
        }
        w.Write("</table>\n</section>\n");
    }

    private static void WriteAuto(TextWriter w, RunReport r)
    {
        w.Write("<section id=\"auto\"><h2>Candidates of the automatic choice</h2>\n");
        if (r.Summary.Auto is not { Table.Count: > 0 } auto)
        {
            w.Write($"<p class=\"muted\">This run used {H(r.Summary.Clustering?.Algorithm)}; a run that chooses the algorithm automatically (<code>auto</code>) lists every candidate it tried and how it ranked them here.</p></section>\n");
            return;
        }
        string rank = auto.RankBy.ToString().ToLowerInvariant();
        var best = auto.Table[0];
        w.Write($"<p>{auto.Table.Count} candidates ranked by <b>{H(rank)}</b>" +
                (auto.RankBy == AutoRanking.Silhouette ? $" (mean silhouette on {auto.SilhouetteSamples} sampled images, times the share not labelled noise)" : "") +
                $"; the first was kept: <code>{H(best.Algorithm)} {H(best.Parameters)}</code>. " +
                "The plots above are that candidate's.</p>\n");
        bool labels = auto.Table.Any(c => c.Nmi is not null), qm = auto.Table.Any(c => c.Qm is not null);
        w.Write("<table id=\"auto-table\"><tr><th class=\"n\">rank</th><th>algorithm</th><th>parameters</th><th class=\"n\">clusters</th><th class=\"n\">noise</th>" +
                $"<th class=\"n\">{H(rank)} ↑</th><th class=\"n\">silhouette</th>" + (labels ? "<th class=\"n\">NMI</th><th class=\"n\">ARI</th>" : "") +
                (qm ? "<th class=\"n\">QM</th>" : "") + "<th class=\"n\">seconds</th></tr>\n");
        for (int i = 0; i < auto.Table.Count; i++)
        {
            var c = auto.Table[i];
            string row = $"<td class=\"n\">{i + 1}</td><td>{H(c.Algorithm)}</td><td><code>{H(c.Parameters)}</code></td><td class=\"n\">{c.Clusters}</td><td class=\"n\">{c.Noise}</td>" +
                         $"<td class=\"n\">{F(c.Score)}</td><td class=\"n\">{F(c.Silhouette)}</td>" + (labels ? $"<td class=\"n\">{F(c.Nmi)}</td><td class=\"n\">{F(c.Ari)}</td>" : "") +
                         (qm ? $"<td class=\"n\">{F(c.Qm)}</td>" : "") + $"<td class=\"n\">{F(c.Seconds, "F2")}</td>";
            w.Write(i == 0 ? $"<tr class=\"kept\">{row}</tr>\n" : $"<tr>{row}</tr>\n");
        }
        w.Write("</table>\n</section>\n");
    }

    private static void WriteEvaluation(TextWriter w, RunReport r, Dictionary<string, PlotImage> plots)
    {
        w.Write("<section id=\"evaluation\"><h2>Evaluation against labels</h2>\n");
        if (r.Evaluation is not { } ev)
        {
            w.Write("<p class=\"muted\">No labels given: a report given labels (<code>path,label</code>) and a class of interest adds the contingency heat map, the scores and the Quality Metric.</p>\n");
            WriteBaseline(w, r);
            w.Write("</section>\n");
            return;
        }
        w.Write($"<p>{ev.Images} labelled images ({ev.Unlabelled} unlabelled), {ev.Classes} classes, {ev.Clusters} clusters.</p>\n<table>");
        foreach (var (name, value) in new[]
                 {
                     ("Rand index", ev.RandIndex), ("adjusted Rand", ev.AdjustedRandIndex), ("NMI", ev.Nmi), ("AMI", ev.Ami),
                     ("accuracy (Hungarian)", ev.HungarianAccuracy), ("homogeneity", ev.Homogeneity), ("completeness", ev.Completeness),
                     ("V-measure", ev.VMeasure), ("purity", ev.Purity),
                 })
            w.Write($"<tr><th>{H(name)}</th><td class=\"n\">{F(value)}</td></tr>");
        w.Write("</table>\n");
        if (ev.ClassOfInterest is { } q)
            w.Write($"<p id=\"quality-metric\">Class of interest <b>{H(q.PositiveClass)}</b>, kept clusters {H(string.Join(", ", q.KeptClusters))} ({H(q.KeptChosenBy)}): " +
                    $"precision {F(q.Precision)} ({q.TruePositives}/{q.Selected}), recall {F(q.Recall)} ({q.TruePositives}/{q.Positives}), " +
                    $"<b>Quality Metric {q.PrecisionWeight.ToString(CultureInfo.InvariantCulture)}·P + {q.RecallWeight.ToString(CultureInfo.InvariantCulture)}·R = {F(q.QualityMetric)}</b></p>\n");
        else w.Write("<p class=\"muted\">Name a class of interest for its precision, recall and Quality Metric.</p>\n");
        if (plots.TryGetValue("contingency", out var p)) Img(w, p);
        var clusters = ev.Contingency.Values.SelectMany(x => x.Keys).Distinct().Order().ToList();
        w.Write("<details id=\"contingency-table\"><summary>contingency table (images per class and cluster)</summary><table><tr><th>class \\ cluster</th>");
        foreach (var c in clusters) w.Write($"<th class=\"n\">{(c < 0 ? "noise" : c.ToString(CultureInfo.InvariantCulture))}</th>");
        w.Write("</tr>\n");
        foreach (var (label, row) in ev.Contingency)
        {
            w.Write($"<tr><th>{H(label)}</th>");
            foreach (var c in clusters) w.Write($"<td class=\"n\">{row.GetValueOrDefault(c)}</td>");
            w.Write("</tr>\n");
        }
        w.Write("</table></details>\n");
        WriteBaseline(w, r);
        w.Write("</section>\n");
    }

    // The supervised reference of run.json, when it has one: how far the unsupervised clustering is from what a classifier
    // trained on the same features and labels reaches. Nothing at all when the run recorded none.
    private static void WriteBaseline(TextWriter w, RunReport r)
    {
        if (r.Baseline is not { } b) return;
        w.Write($"<div id=\"baseline\"><h3>Supervised baseline (from run.json)</h3>\n<p>Stratified 5-fold cross-validation on the same features " +
                $"and the run's labels ({b.Samples} labelled images): an upper reference for what the features can separate, not a clustering score.</p>\n<table>");
        void Row(string name, double? mean, double? std, double[]? folds) =>
            w.Write($"<tr><th>{H(name)}</th><td class=\"n\">{(mean is null ? "could not run" : F(mean) + (std is null ? "" : $" ± {F(std)}"))}</td>" +
                    $"<td class=\"muted\">{(folds is { Length: > 0 } ? "folds " + string.Join(", ", folds.Select(f => F(f, "F3"))) : "")}</td></tr>\n");
        Row("logistic regression accuracy", b.LogisticRegression, b.LogisticRegressionStd, b.LogisticRegressionFolds);
        Row("5-nearest-neighbours accuracy", b.KNeighbors, b.KNeighborsStd, b.KNeighborsFolds);
        if (r.Evaluation is { } ev) Row("this clustering: accuracy (Hungarian)", ev.HungarianAccuracy, null, null);
        w.Write("</table>\n");
        if (b.Warnings is { Count: > 0 } warnings)
        {
            w.Write("<ul class=\"notes\">");
            foreach (var warning in warnings) w.Write($"<li>{H(warning)}</li>");
            w.Write("</ul>\n");
        }
        w.Write("</div>\n");
    }

    /// <summary>At most this many duplicate groups are drawn (all are in duplicates.csv).</summary>
    private const int ShownGroups = 100;

    private static void WriteFindings(TextWriter w, RunReport r)
    {
        w.Write("<section id=\"duplicates\"><h2>Duplicates and issues</h2>\n");
        if (r.DuplicateGroups is null && r.Issues is null)
        {
            w.Write($"<p class=\"muted\">Not looked for: the run folder {H(r.RunFolder)} holds no duplicates.csv or issues.csv.</p>\n</section>\n");
            return;
        }
        if (r.DuplicateGroups is { } groups)
        {
            int toDiscard = groups.Sum(g => g.Length - 1);
            var f = r.Summary.Findings;
            w.Write($"<h3>Duplicates: {groups.Count} groups, {toDiscard} images can go</h3>\n<p class=\"muted\">The first image of each row is the one kept" +
                    (f is null ? "" : $" ({H(f.Keep)}); near duplicates have cosine similarity ≥ {f.Threshold.ToString("0.###", CultureInfo.InvariantCulture)}" +
                                      (f.MaxHashDistance is { } bits ? $" and perceptual hashes within {bits} bits" : "")) +
                    "; the others follow by similarity to it. In the review, discarding all but the kept ones is one decision." +
                    (groups.Count > ShownGroups ? $" The first {ShownGroups} groups are shown; duplicates.csv has all." : "") + "</p>\n");
            foreach (var (g, i) in groups.Take(ShownGroups).Select((g, i) => (g, i)))
                w.Write($"<div class=\"strip dup\" id=\"dup-{i}\" data-limit=\"{g.Length}\" data-members=\"{string.Join(",", g)}\"></div>\n");
        }
        if (r.Issues is { } issues)
        {
            w.Write($"<h3>Issues</h3>\n<table><tr><th>issue</th><th class=\"n\">images</th></tr>\n");
            foreach (var issue in issues) w.Write($"<tr><td><a href=\"#issue-{H(issue.Issue)}\">{H(issue.Issue)}</a></td><td class=\"n\">{issue.Images}</td></tr>\n");
            w.Write("</table>\n");
            foreach (var issue in issues)
                w.Write($"<h4 id=\"issue-{H(issue.Issue)}\">{H(issue.Issue)} · {issue.Images} images, the worst first</h4>" +
                        $"<div class=\"strip\" id=\"worst-{H(issue.Issue)}\" data-limit=\"{issue.Worst.Length}\" data-members=\"{string.Join(",", issue.Worst)}\"></div>\n");
        }
        w.Write("</section>\n");
    }

    private static void WriteErrors(TextWriter w, RunReport r)
    {
        w.Write($"<section id=\"errors\"><h2>Files that could not be used ({r.Errors.Count})</h2>\n");
        if (r.Errors.Count == 0) w.Write("<p class=\"muted\">None.</p>\n");
        else
        {
            w.Write("<table><tr><th>file</th><th>why</th></tr>\n");
            foreach (var (path, error) in r.Errors) w.Write($"<tr><td>{H(path)}</td><td>{H(error)}</td></tr>\n");
            w.Write("</table>\n");
        }
        w.Write("</section>\n");
    }
}
