using System.Globalization;
using System.Text.Json.Nodes;
using ImageCluster.Clustering;
using ImageCluster.Pipeline;
using ImageCluster.Runs;

namespace ImageCluster.Tests;

/// <summary>run.json through its one typed reader: what a run writes reads back whole, older and newer files degrade part by part.</summary>
public class RunFolderTests
{
    internal static string WriteRun(TempFolder temp, ClustererOptions clustering)
    {
        var random = new Random(3);
        var lines = new List<string> { "path,f0,f1,f2" };
        for (int i = 0; i < 30; i++)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"img{i:D2}.jpg,{i % 3 * 5 + random.NextDouble()},{random.NextDouble()},{i % 3 + random.NextDouble()}"));
        File.WriteAllLines(temp.Combine("features.csv"), lines);
        FeaturesClusterJob.Run(new FeaturesClusterJobOptions { Features = temp.Combine("features.csv"), Output = temp.Combine("run"), Clustering = clustering, Pca = 2 });
        return temp.Combine("run");
    }

    [Fact]
    public void What_a_run_writes_reads_back_typed()
    {
        using var temp = new TempFolder();
        var options = new AgglomerativeOptions { NClusters = 3, Linkage = Linkage.Average, Metric = DistanceMetric.Cosine };
        var run = RunFolder.Open(WriteRun(temp, options));
        Assert.Empty(run.Problems);
        Assert.Equal(temp.Combine("run"), run.Path);
        Assert.Equal(temp.Combine("run", "assignments.csv"), run.AssignmentsFile);
        Assert.Equal(options, run.Summary.Options.Clustering);
        Assert.Equal(options, run.Summary.Clustering!.Parameters);
        Assert.Equal("agglomerative", run.Summary.Options.Algorithm);
        Assert.Equal(2, run.Summary.Options.Pca);
        Assert.Equal(temp.Combine("features.csv"), run.Summary.Options.Features);
        Assert.Null(run.Summary.Model);
        Assert.Equal(30, run.Summary.Counts.Clustered);
        Assert.Equal(3, run.Summary.Clusters.Count);
    }

    [Fact]
    public void Options_written_before_the_estimator_was_named_get_it_from_the_algorithm()
    {
        using var temp = new TempFolder();
        string folder = WriteRun(temp, new KMeansOptions { NClusters = 3, Seed = 4 });
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "run.json")))!.AsObject();
        Assert.True(root["clustering"]!["parameters"]!.AsObject().Remove("estimator"));
        Assert.True(root["options"]!["clustering"]!.AsObject().Remove("estimator"));
        File.WriteAllText(Path.Combine(folder, "run.json"), root.ToJsonString());

        var run = RunFolder.Open(folder);
        Assert.Empty(run.Problems);
        Assert.Equal(new KMeansOptions { NClusters = 3, Seed = 4 }, run.Summary.Clustering!.Parameters);
        Assert.Equal(new KMeansOptions { NClusters = 3, Seed = 4 }, run.Summary.Options.Clustering);
    }

    [Fact]
    public void A_part_this_version_cannot_read_is_left_out_with_one_line_and_the_rest_reads()
    {
        using var temp = new TempFolder();
        string folder = WriteRun(temp, new KMeansOptions { NClusters = 3 });
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "run.json")))!.AsObject();
        root["baseline"] = new JsonObject { ["samples"] = "many" };                       // a newer version's shape
        root["clustering"]!["parameters"] = new JsonObject { ["estimator"] = "spectral" }; // an algorithm this version lacks
        File.WriteAllText(Path.Combine(folder, "run.json"), root.ToJsonString());

        var run = RunFolder.Open(folder);
        Assert.Null(run.Summary.Baseline);
        Assert.Null(run.Summary.Clustering!.Parameters);
        Assert.Equal(3, run.Summary.Clustering.Clusters);
        Assert.Equal(2, run.Problems.Count);
        Assert.Contains(run.Problems, p => p.StartsWith("run.json's supervised baseline could not be read by this version (", StringComparison.Ordinal));
        Assert.Contains(run.Problems, p => p.StartsWith("run.json's clustering parameters could not be read by this version (", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_without_a_run_or_with_a_broken_one_is_one_clear_error()
    {
        using var temp = new TempFolder();
        var missing = Assert.Throws<ImageClusterException>(() => RunFolder.Open(temp.Path));
        Assert.Equal($"{temp.Path} is not a run folder: run.json is missing (cluster a folder into it first)", missing.Message);
        File.WriteAllText(temp.Combine("run.json"), "{ not json");
        var broken = Assert.Throws<ImageClusterException>(() => RunFolder.Open(temp.Path));
        Assert.StartsWith($"{temp.Combine("run.json")} is not the summary of a cluster run (", broken.Message);
    }
}
