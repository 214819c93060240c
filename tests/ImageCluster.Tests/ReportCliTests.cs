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
            .RootElement.GetProperty("auto").GetProperty("bestSettings").GetProperty("algorithm").GetString()!;
        Assert.Contains(picked, new[] { "dbscan", "hdbscan" });
        Assert.True(File.Exists(Path.Combine(run, "plots", "kdistance.png")), $"auto kept {picked} but the report has no k-distance plot");
        Assert.False(File.Exists(Path.Combine(run, "plots", "dendrogram.png")));
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
