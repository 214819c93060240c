using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>
/// Vectors beyond the memory budget stay in the store and are read back in blocks: with PCA the job never holds them all
/// and, when the PCA sample is every row, its clusters are exactly those of the in-memory run; without PCA they are read
/// whole. Embedded and cached counts are the same either way.
/// </summary>
public class StoredVectorsTests
{
    private static ClusterJobOptions Options(TempFolder temp, string output, long vectorBytes, double? pca) => new()
    {
        Input = temp.Combine("in"), Output = temp.Combine(output), Store = temp.Combine("store.db"), Model = "pixels", Pca = pca, Normalize = true,
        Clustering = new MiniBatchKMeansOptions { NClusters = 4, Seed = 3 },
        Embedding = new EmbeddingOptions { VectorMemoryBytes = vectorBytes },
    };

    [Theory]
    [InlineData(8.0)]
    [InlineData(null)]
    public async Task Vectors_left_in_the_store_give_the_clusters_of_vectors_held_in_memory(double? pca)
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 300, 40, 30);
        var notices = new List<string>();
        // First run embeds with the vectors left in the store (1 kB budget), the second reads them all from the cache into memory.
        var stored = await ClusterJob.RunAsync(Options(temp, "stored", 1024, pca), notice: notices.Add);
        var held = await ClusterJob.RunAsync(Options(temp, "held", 1L << 30, pca));

        Assert.Equal((300, 0), (stored.Counts.Embedded, stored.Counts.FromCache));
        Assert.Equal((0, 300), (held.Counts.Embedded, held.Counts.FromCache));
        Assert.False(held.ClusteringFromCache); // fitted again, not the first run's labels read back
        Assert.Equal(held.Images.Select(i => (i.Path, i.Cluster)), stored.Images.Select(i => (i.Path, i.Cluster)));
        Assert.Equal(held.Model!.Dimension, stored.Model!.Dimension);
        Assert.Equal(pca is not null, notices.Any(n => n.StartsWith("PCA fitted on 300 of 300 vectors", StringComparison.Ordinal)));
        if (pca is not null) Assert.Equal(held.Pca!.ExplainedVariance, stored.Pca!.ExplainedVariance, 1e-9);
    }

    [Fact]
    public void The_pca_sample_is_bounded_and_every_row_when_few()
    {
        Assert.Equal(300, ClusterJob.PcaSampleRows(300, 1280));
        Assert.Equal(20_480, ClusterJob.PcaSampleRows(1_000_000, 1280));
        Assert.Equal(20_000, ClusterJob.PcaSampleRows(1_000_000, 64));
    }
}
