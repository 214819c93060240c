using System.Globalization;

namespace ImageCluster.Tests;

/// <summary><c>report</c> and <c>cluster --report</c> through the real command line, on a small features CSV (no model).</summary>
public class ReportCliTests
{
    private static string WriteFeatures(TempFolder temp)
    {
        var rng = new Random(3);
        var lines = new List<string> { "path,f0,f1,f2,f3" };
        for (int i = 0; i < 45; i++)
        {
            int blob = i % 3;
            var values = Enumerable.Range(0, 4).Select(d => ((d == blob ? 5.0 : 0.0) + rng.NextDouble()).ToString("R", CultureInfo.InvariantCulture));
            lines.Add($"img{i:D2}.jpg,{string.Join(",", values)}");
        }
        string file = temp.Combine("features.csv");
        File.WriteAllLines(file, lines);
        return file;
    }

    [Fact]
    public async Task Cluster_with_report_writes_the_html_and_the_plots()
    {
        using var temp = new TempFolder();
        string features = WriteFeatures(temp), run = temp.Combine("run");
        var r = await CliRunner.RunAsync("cluster", "--features", features, "--k", "3", "--out", run, "--report");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("report:", r.Stdout);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        foreach (var id in Reports.ReportHtml.SectionIds) Assert.Contains($"<section id=\"{id}\">", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.True(File.Exists(Path.Combine(run, "plots", "elbow.png")));
        Assert.Contains("45 images could not be read for a thumbnail", r.Stderr); // a features CSV names files that are not there
    }

    [Fact]
    public async Task An_auto_run_is_reported_with_the_plots_of_the_candidate_it_kept()
    {
        // Two concentric rings ranked by NMI against their labels: only a density method separates them, so auto keeps
        // DBSCAN or HDBSCAN and the report must draw that run's k-distance plot, not an auto run's (which has none).
        using var temp = new TempFolder();
        var rng = new Random(5);
        var features = new List<string> { "path,f0,f1" };
        var labels = new List<string> { "path,label" };
        for (int i = 0; i < 160; i++)
        {
            int ring = i % 2;
            double angle = rng.NextDouble() * 2 * Math.PI, radius = (ring == 0 ? 1 : 6) + rng.NextDouble() * 0.2;
            string x = (radius * Math.Cos(angle)).ToString("R", CultureInfo.InvariantCulture), y = (radius * Math.Sin(angle)).ToString("R", CultureInfo.InvariantCulture);
            features.Add($"img{i:D3}.jpg,{x},{y}");
            labels.Add($"img{i:D3}.jpg,ring{ring}");
        }
        string featureFile = temp.Combine("features.csv"), labelFile = temp.Combine("labels.csv"), run = temp.Combine("run");
        File.WriteAllLines(featureFile, features);
        File.WriteAllLines(labelFile, labels);

        var r = await CliRunner.RunAsync("cluster", "--features", featureFile, "--algorithm", "auto", "--k-min", "2", "--k-max", "4",
            "--labels", labelFile, "--rank-by", "nmi", "--out", run, "--report");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string picked = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")))
            .RootElement.GetProperty("auto").GetProperty("bestOptions").GetProperty("estimator").GetString()!;
        Assert.Contains(picked, new[] { "dbscan", "hdbscan" });
        Assert.True(File.Exists(Path.Combine(run, "plots", "kdistance.png")), $"auto kept {picked} but the report has no k-distance plot");
        Assert.False(File.Exists(Path.Combine(run, "plots", "dendrogram.png")));

        // The candidate table: every candidate of run.json, in its order, the kept one first and marked.
        using var runJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        var table = runJson.RootElement.GetProperty("auto").GetProperty("table").EnumerateArray().ToList();
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        string auto = Section(html, "auto");
        Assert.Contains("<table id=\"auto-table\">", auto);
        Assert.Equal(table.Count, System.Text.RegularExpressions.Regex.Matches(auto, "<tr( class=\"kept\")?><td class=\"n\">\\d+</td>").Count);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(auto, "<tr class=\"kept\">"));
        int at = -1;
        foreach (var candidate in table)
        {
            string cells = $"<td>{candidate.GetProperty("algorithm").GetString()}</td><td><code>{System.Net.WebUtility.HtmlEncode(candidate.GetProperty("parameters").GetString())}</code></td>";
            int next = auto.IndexOf(cells, StringComparison.Ordinal);
            Assert.True(next > at, $"candidate {cells} missing or out of order");
            at = next;
        }
        Assert.Contains("ranked by <b>nmi</b>", auto);
        Assert.Contains("<th class=\"n\">NMI</th>", auto);
    }

    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Report_shows_hopkins_gap_and_the_shared_cohesion_and_says_when_a_run_was_not_auto()
    {
        using var temp = new TempFolder();
        string features = WriteFeatures(temp), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", features, "--k", "3", "--out", run)).ExitCode);
        var r = await CliRunner.RunAsync("report", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));

        // Three well-separated blobs: clusterable (H well above 0.5) and the gap picks k = 3 on all 45 images.
        string diagnostics = Section(html, "diagnostics");
        var h = System.Text.RegularExpressions.Regex.Match(diagnostics, "Hopkins statistic <b>H = ([0-9.]+)</b>");
        Assert.True(h.Success, "no Hopkins statistic");
        Assert.True(double.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture) > 0.7, $"H = {h.Groups[1].Value} for three blobs");
        Assert.Contains("<th class=\"n\">gap ↑</th>", diagnostics);
        Assert.Contains("random 45 of the images with B = 10", diagnostics);
        var gapK = System.Text.RegularExpressions.Regex.Match(diagnostics, "<td class=\"n\">(\\d+)(?: \\(knee\\))? \\(gap\\)</td>");
        Assert.True(gapK.Success && gapK.Groups[1].Value == "3", $"the gap chose k = {gapK.Groups[1].Value}");
        Assert.Contains("This run used kmeans; a run that chooses the algorithm automatically (<code>auto</code>) lists", Section(html, "auto"));

        // Cohesion: the review page's definition and numbers (ClusterCohesion on the features).
        Assert.Contains(Diagnostics.ClusterCohesion.Definition.Replace("'", "&#39;"), Section(html, "clusters"));
        var rows = File.ReadAllLines(features).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0], p => p[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        var assignments = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var matrix = FeatureMatrix.FromRows(assignments.Select(a => rows[a[0]]).ToList());
        var cohesion = Diagnostics.ClusterCohesion.PerCluster(matrix, assignments.Select(a => int.Parse(a[1], CultureInfo.InvariantCulture)).ToArray());
        foreach (var (cluster, value) in cohesion)
            Assert.Contains($"<a href=\"#cluster-{cluster}\">{cluster}</a></td><td class=\"n\">15</td><td class=\"n\">{value.ToString("F4", CultureInfo.InvariantCulture)}</td>", html);

        // --gap-samples 0 leaves the gap out (it is the slowest diagnostic).
        var off = await CliRunner.RunAsync("report", run, "--gap-samples", "0");
        Assert.True(off.ExitCode == 0, off.Stderr);
        Assert.DoesNotContain("gap ↑", Section(File.ReadAllText(Path.Combine(run, "report.html")), "diagnostics"));
        var bad = await CliRunner.RunAsync("report", run, "--gap-samples", "2");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--gap-samples", bad.Stderr);
    }

    [Fact]
    public async Task The_supervised_baseline_is_shown_when_run_json_holds_one_and_nothing_when_not()
    {
        using var temp = new TempFolder();
        string features = WriteFeatures(temp), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", features, "--k", "3", "--out", run)).ExitCode);
        string runJson = Path.Combine(run, "run.json");
        var original = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        async Task<string> ReportWith(System.Text.Json.Nodes.JsonNode? baseline, bool present)
        {
            var copy = original.DeepClone().AsObject();
            copy.Remove("baseline");
            if (present) copy["baseline"] = baseline;
            File.WriteAllText(runJson, copy.ToJsonString());
            var r = await CliRunner.RunAsync("report", run);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return File.ReadAllText(Path.Combine(run, "report.html"));
        }

        // Field missing (a run without --baseline) or null: no baseline block at all.
        Assert.DoesNotContain("id=\"baseline\"", await ReportWith(null, present: false));
        Assert.DoesNotContain("id=\"baseline\"", await ReportWith(null, present: true));

        // The record as runs with --labels have written it.
        var old = System.Text.Json.Nodes.JsonNode.Parse("""
            {"samples": 45, "logisticRegression": 0.9556, "logisticRegressionStd": 0.0544, "logisticRegressionFolds": [1, 0.8889, 1, 0.8889, 1],
             "kNeighbors": 0.9333, "kNeighborsStd": 0.0, "kNeighborsFolds": [], "warnings": ["a class has fewer images than folds"]}
            """);
        string shown = Section(await ReportWith(old, present: true), "evaluation");
        Assert.Contains("id=\"baseline\"", shown);
        Assert.Contains("45 labelled images", shown);
        Assert.Contains("0.9556 ± 0.0544", shown);
        Assert.Contains("folds 1.000, 0.889, 1.000, 0.889, 1.000", shown);
        Assert.Contains("0.9333 ± 0.0000", shown);
        Assert.Contains("a class has fewer images than folds", shown);

        // A field this version cannot read (another shape): the report is still written, says so, and shows no baseline.
        string odd = await ReportWith(System.Text.Json.Nodes.JsonNode.Parse("""{"samples": "all", "logisticRegression": {"mean": 0.9}}"""), present: true);
        Assert.DoesNotContain("id=\"baseline\"", odd);
        Assert.Contains("supervised baseline could not be read", Section(odd, "summary"));
    }

    [Fact]
    public void The_gap_sample_is_rotated_onto_its_principal_axes_without_moving_any_distance()
    {
        // 30 images of 200 features (fewer images than features, as for a CNN embedding): rank ≤ 29.
        var rng = new Random(7);
        var x = new FeatureMatrix(30, 200);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (float)(rng.NextDouble() * (i % 200 < 5 ? 10 : 1));
        var z = Reports.ReportDiagnostics.PrincipalCoordinates(x, default);
        Assert.Equal(30, z.Rows);
        Assert.InRange(z.Columns, 1, 29);
        for (int i = 0; i < 30; i++)
            for (int j = i + 1; j < 30; j++)
            {
                double before = System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), x.ReadRow(j));
                double after = System.Numerics.Tensors.TensorPrimitives.Distance(z.ReadRow(i), z.ReadRow(j));
                Assert.Equal(before, after, before * 1e-4);
            }
        // Columns in order of falling variance, as principal components are, and uncorrelated (so the box of these
        // coordinates is the box of the principal axes that diagnose's gap references are drawn in).
        double Dot(FeatureMatrix m, int a, int b) => Enumerable.Range(0, m.Rows).Sum(i => (double)m.ReadRow(i)[a] * m.ReadRow(i)[b]);
        Assert.True(Dot(z, 0, 0) >= Dot(z, 1, 1) && Dot(z, 1, 1) >= Dot(z, z.Columns - 1, z.Columns - 1));
        Assert.Equal(0, Dot(z, 0, 1), Dot(z, 0, 0) * 1e-4);

        // More images than features: the d × d route, the same distances.
        var tall = new FeatureMatrix(60, 8);
        for (int i = 0; i < tall.Data.Length; i++) tall.Data[i] = (float)rng.NextDouble() * (i % 8 + 1);
        var w = Reports.ReportDiagnostics.PrincipalCoordinates(tall, default);
        Assert.Equal((60, 8), (w.Rows, w.Columns));
        for (int j = 1; j < 60; j++)
        {
            double before = System.Numerics.Tensors.TensorPrimitives.Distance(tall.ReadRow(0), tall.ReadRow(j));
            Assert.Equal(before, System.Numerics.Tensors.TensorPrimitives.Distance(w.ReadRow(0), w.ReadRow(j)), before * 1e-4);
        }
        Assert.True(Dot(w, 0, 0) >= Dot(w, 7, 7));
    }

    [Fact]
    public async Task Report_of_a_folder_that_is_not_a_run_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var r = await CliRunner.RunAsync("report", temp.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a run folder", r.Stderr);
    }

    [Fact]
    public async Task Report_json_names_the_files()
    {
        using var temp = new TempFolder();
        string features = WriteFeatures(temp), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", features, "--algorithm", "dbscan", "--eps", "1.5", "--out", run)).ExitCode);
        var r = await CliRunner.RunAsync("report", run, "--json", "--out", temp.Combine("elsewhere", "r.html"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        Assert.Equal(temp.Combine("elsewhere", "r.html"), json.RootElement.GetProperty("html").GetString());
        Assert.True(File.Exists(temp.Combine("elsewhere", "plots", "kdistance.png")));
    }
}
