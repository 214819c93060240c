using ImageCluster.Clustering;

namespace ImageCluster.Tests;

public class TsneTests
{
    private static FeatureMatrix Blobs(int perBlob, int blobs, int dims, int seed)
    {
        var rng = new Random(seed);
        var data = new float[perBlob * blobs * dims];
        for (int b = 0; b < blobs; b++)
            for (int i = 0; i < perBlob; i++)
                for (int d = 0; d < dims; d++)
                    data[((b * perBlob) + i) * dims + d] = (d == b ? 10f : 0f) + (float)(rng.NextDouble() - 0.5);
        return new FeatureMatrix(perBlob * blobs, dims, data);
    }

    [Fact]
    public void Separated_blobs_stay_separated_and_every_neighbour_is_from_the_same_blob()
    {
        var x = Blobs(30, 3, 8, seed: 1);
        var r = Tsne.Fit(x, new TsneOptions { Perplexity = 10, MaxIter = 500 });
        Assert.Equal(90, r.Samples.Length);
        for (int i = 0; i < 90; i++)
        {
            int nearest = Enumerable.Range(0, 90).Where(j => j != i)
                .MinBy(j => (r.X[i] - r.X[j]) * (r.X[i] - r.X[j]) + (r.Y[i] - r.Y[j]) * (r.Y[i] - r.Y[j]));
            Assert.Equal(i / 30, nearest / 30);
        }
        Assert.True(r.KlDivergence is > 0 and < 2, $"KL {r.KlDivergence}");
    }

    [Fact]
    public void Same_seed_same_layout_and_large_inputs_are_subsampled()
    {
        var x = Blobs(40, 2, 4, seed: 2);
        var options = new TsneOptions { MaxIter = 300, MaxSamples = 50, Seed = 7 };
        var a = Tsne.Fit(x, options);
        var b = Tsne.Fit(x, options);
        Assert.Equal(a.X, b.X);
        Assert.Equal(50, a.Samples.Length);
        Assert.Equal(a.Samples.Order(), a.Samples);
        Assert.Equal(50, a.Samples.Distinct().Count());
    }

    [Fact]
    public void Refuses_a_single_row()
    {
        Assert.Throws<ArgumentException>(() => Tsne.Fit(new FeatureMatrix(1, 3)));
    }
}
