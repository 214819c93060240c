using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>The library's front door on the committed sample: features in memory, any algorithm, labels without reading files.</summary>
public class ImageFeaturesTests
{
    [Fact]
    public async Task Features_of_the_sample_cluster_in_memory_as_the_cluster_job_does()
    {
        using var temp = new TempFolder();
        var features = await ImageFeatures.FromFolderAsync(SharedData.Sample, new ImageFeaturesOptions { Store = temp.Combine("store.db") });

        Assert.Equal(65, features.Paths.Count);
        Assert.Equal(65, features.Matrix.Rows);
        Assert.Equal(3, features.Errors.Count);
        Assert.Equal(0, features.FromCache);
        Assert.Equal("mobilenetv2_12_int8", features.Model);
        Assert.InRange(features.Matrix.ReadRow(0).ToArray().Sum(v => v * v), 0.999f, 1.001f); // L2-normalised by default

        var result = new KMeans(new KMeansOptions { NClusters = 6 }).Fit(features.Matrix);
        var run = await ClusterJob.RunAsync(new ClusterJobOptions
        {
            Input = SharedData.Sample, Output = temp.Combine("run"), Store = temp.Combine("store.db"), Clustering = new KMeansOptions { NClusters = 6 },
        });

        // Same vectors (now from the store), same options, same seed: the job's labels are the front door's labels.
        Assert.Equal(65, run.Counts.FromCache);
        Assert.Equal(features.Paths, run.Images.Select(i => i.Path));
        Assert.Equal(result.Labels, run.Images.Select(i => i.Cluster));
        using var reader = new StreamReader(temp.Combine("run", "assignments.csv"));
        Assert.Equal(run.Images.Select(i => $"{i.Path},{i.Cluster}"), Csv.Read(reader).Skip(1).Select(r => $"{r[0]},{r[1]}"));
    }

    [Fact]
    public async Task A_missing_folder_is_one_clear_error()
    {
        var e = await Assert.ThrowsAsync<ImageClusterException>(() => ImageFeatures.FromFolderAsync("/no/such/folder"));
        Assert.Equal("folder not found: /no/such/folder", e.Message);
    }
}
