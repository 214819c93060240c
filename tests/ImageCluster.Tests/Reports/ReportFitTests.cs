using System.Text.Json.Nodes;
using ImageCluster.Clustering;
using ImageCluster.Reports;

namespace ImageCluster.Tests;

/// <summary>The report draws the run's own reachability and dendrogram (fit.json) instead of fitting the algorithm again.</summary>
public class ReportFitTests
{
    private static readonly ReportOptions Quick = new() { GapSamples = 0 };

    [Fact]
    public void The_reachability_plot_is_the_runs_own()
    {
        using var temp = new TempFolder();
        string run = RunFolderTests.WriteRun(temp, new OpticsOptions { MinSamples = 4 });
        string fit = Path.Combine(run, "fit.json");
        Assert.True(File.Exists(fit));
        var refitted = ReportBuilder.Build(run, Quick with { }, null);
        Assert.DoesNotContain(refitted.Notes, n => n.Contains("fitted again", StringComparison.Ordinal));

        // Proof that it is read, not recomputed: a reachability no fit would give.
        var root = JsonNode.Parse(File.ReadAllText(fit))!.AsObject();
        var reachability = root["reachability"]!["reachability"]!.AsArray();
        for (int i = 0; i < reachability.Count; i++) reachability[i] = 0.25 + i;
        File.WriteAllText(fit, root.ToJsonString());
        var report = ReportBuilder.Build(run, Quick, null);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => 0.25 + i), report.Optics!.Reachability);

        // A run folder of an earlier version has no fit.json: the report fits again, and says so.
        File.Delete(fit);
        var again = ReportBuilder.Build(run, Quick, null);
        Assert.Equal(refitted.Optics!.Reachability, again.Optics!.Reachability);
        Assert.Equal(refitted.Optics.Ordering, again.Optics.Ordering);
        Assert.Contains(again.Notes, n => n == "optics fitted again for its plot: the run folder has no fit.json (a run of an earlier version)");
    }

    [Fact]
    public void The_dendrogram_is_the_runs_own_and_a_run_without_a_figure_keeps_no_fit_file()
    {
        using var temp = new TempFolder();
        string run = RunFolderTests.WriteRun(temp, new AgglomerativeOptions { NClusters = 3, Linkage = Linkage.Average });
        string fit = Path.Combine(run, "fit.json");
        var root = JsonNode.Parse(File.ReadAllText(fit))!.AsObject();
        double cut = root["dendrogramCut"]!.GetValue<double>();
        root["dendrogramCut"] = cut + 100;
        File.WriteAllText(fit, root.ToJsonString());
        Assert.Equal(cut + 100, ReportBuilder.Build(run, Quick, null).Dendrogram!.CutDistance);

        // Reclustered with K-Means into the same folder: the earlier fit.json must not describe the new clustering.
        using var other = new TempFolder();
        File.Copy(temp.Combine("features.csv"), other.Combine("features.csv"));
        Pipeline.FeaturesClusterJob.Run(new Pipeline.FeaturesClusterJobOptions
        {
            Features = other.Combine("features.csv"), Output = run, Clustering = new KMeansOptions { NClusters = 3 },
        });
        Assert.False(File.Exists(fit));
        var kmeans = ReportBuilder.Build(run, Quick, null);
        Assert.Null(kmeans.Dendrogram);
        Assert.Null(kmeans.Optics);
    }
}
