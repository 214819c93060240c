using ImageCluster.Review;

namespace ImageCluster.Tests;

public class SimilarImagesTests
{
    private static readonly Dictionary<string, float[]> Vectors = new()
    {
        ["a"] = [1, 0, 0],
        ["a2"] = [2, 0.2f, 0], // same direction as a, other length: cosine ignores length
        ["b"] = [0, 1, 0],
        ["ab"] = [1, 1, 0],
        ["c"] = [0, 0, -3],
    };

    [Fact]
    public void Nearest_orders_by_cosine_and_leaves_the_query_out()
    {
        var index = new SimilarImages(Vectors);
        var found = index.Nearest("a", 3);
        Assert.Equal(["a2", "ab", "b"], found.Select(f => f.Path));
        Assert.Equal(2 / MathF.Sqrt(4.04f), found[0].Similarity, 5);
        Assert.Equal(1 / MathF.Sqrt(2), found[1].Similarity, 5);
        Assert.Equal(4, index.Nearest("a", 100).Count);
        Assert.Empty(index.Nearest("a", 0));
        Assert.Throws<UsageException>(() => index.Nearest("missing", 3));
    }

    [Fact]
    public void Cohesion_is_the_mean_cosine_to_the_mean_direction()
    {
        var index = new SimilarImages(Vectors);
        Assert.Equal(1, index.Cohesion(["a"])!.Value, 6);
        // a and b are orthogonal: the mean of their unit vectors has length √2 / 2, their cosine to it.
        Assert.Equal(Math.Sqrt(2) / 2, index.Cohesion(["a", "b"])!.Value, 6);
        Assert.Equal(0, index.Cohesion(["b", "c", "missing"])!.Value, 0.8); // unrelated: far below a tight cluster
        Assert.Null(index.Cohesion(["missing"]));
    }
}
