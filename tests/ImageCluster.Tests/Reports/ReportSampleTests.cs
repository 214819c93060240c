using ImageCluster.Clustering;
using ImageCluster.Pipeline;
using ImageCluster.Reports;

namespace ImageCluster.Tests;

/// <summary>A run larger than the report's limit is shown through a stratified seeded sample, says so, and keeps the run's cluster sizes.</summary>
public class ReportSampleTests
{
    [Fact]
    public async Task A_large_run_is_reported_through_a_sample_that_keeps_every_cluster_and_the_runs_sizes()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 400, 40, 30);
        var run = await ClusterJob.RunAsync(new ClusterJobOptions
        {
            Input = temp.Combine("in"), Output = temp.Combine("run"), Store = temp.Combine("s.db"), Model = "pixels",
            Clustering = new KMeansOptions { NClusters = 12, Seed = 1 },
        });
        var sizes = run.Images.GroupBy(i => i.Cluster).ToDictionary(g => g.Key, g => g.Count());

        var report = ReportBuilder.Build(temp.Combine("run"), new ReportOptions { GapSamples = 0, MaxImages = 100 });

        Assert.InRange(report.Images.Count, 100, 100 + 12 * ReportOptions.SampledPerCluster);
        Assert.Equal(sizes, report.Clusters.ToDictionary(c => c.Cluster, c => c.Size));
        Assert.All(report.Clusters, c => Assert.Equal(Math.Min(sizes[c.Cluster], Math.Max(ReportOptions.SampledPerCluster, (int)Math.Round(sizes[c.Cluster] * 100.0 / 400))), c.Members.Length));
        Assert.Contains(report.Notes, n => n.StartsWith($"a large run: this report shows a seeded sample of {report.Images.Count} of its 400 images", StringComparison.Ordinal));
        // Seeded: the same sample again.
        Assert.Equal(report.Images.Select(i => i.Path), ReportBuilder.Build(temp.Combine("run"), new ReportOptions { GapSamples = 0, MaxImages = 100 }).Images.Select(i => i.Path));
        Assert.Equal(400, ReportBuilder.Build(temp.Combine("run"), new ReportOptions { GapSamples = 0 }).Images.Count);
    }

    [Fact]
    public async Task Above_the_t_sne_limit_the_map_is_a_umap_of_every_image()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 300, 40, 30);
        await ClusterJob.RunAsync(new ClusterJobOptions
        {
            Input = temp.Combine("in"), Output = temp.Combine("run"), Store = temp.Combine("s.db"), Model = "pixels",
            Clustering = new KMeansOptions { NClusters = 6, Seed = 1 },
        });
        var small = ReportBuilder.Build(temp.Combine("run"), new ReportOptions { GapSamples = 0 });
        Assert.Equal(["PCA", "t-SNE"], small.Maps.Select(m => m.Name));

        var large = ReportBuilder.Build(temp.Combine("run"), new ReportOptions { GapSamples = 0, Tsne = new TsneOptions { MaxSamples = 100 } });
        Assert.Equal(["PCA", "UMAP"], large.Maps.Select(m => m.Name));
        var umap = large.Maps[1];
        Assert.Equal(Enumerable.Range(0, 300), umap.Samples);
        Assert.All(umap.X.Concat(umap.Y), v => Assert.True(double.IsFinite(v)));
        Assert.Contains("all 300 images", umap.Note);
        Assert.Contains("map-umap", ReportHtml.RenderPlots(large).Keys);
    }
}
