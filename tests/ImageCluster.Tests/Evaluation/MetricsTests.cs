using ImageCluster.Evaluation;
using Xunit;

namespace ImageCluster.Tests;

public class MetricsTests
{
    [Fact]
    public void ScikitLearnDocumentationExamples()
    {
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]));
        Assert.Equal(0.5714285714, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]), 9);
        Assert.Equal(0.5714285714, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 9);
        Assert.Equal(0.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]));
        Assert.Equal(-0.5, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), 12);
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInformation([0, 0, 1, 1], [0, 0, 1, 1]));
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInformation([0, 0, 1, 1], [1, 1, 0, 0]), 12);
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3]));
        Assert.Equal(0.8333333333, ClusteringMetrics.RandIndex([0, 0, 1, 2], [0, 0, 1, 1]), 9);
    }

    [Fact]
    public void NormalisedMutualInformationByHand()
    {
        // truth [0,0,1,1], predicted [0,0,1,2]: MI = ln 2, H(truth) = ln 2, H(pred) = 1.5 ln 2, NMI = 1 / 1.25.
        Assert.Equal(0.8, ClusteringMetrics.NormalizedMutualInformation([0, 0, 1, 1], [0, 0, 1, 2]), 12);
        Assert.Equal(Math.Log(2), ClusteringMetrics.MutualInformation([0, 0, 1, 1], [0, 0, 1, 2]), 12);
        // Independent labelings share no information.
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInformation([0, 0, 1, 1], [0, 1, 0, 1]));
    }

    [Fact]
    public void DegenerateCasesFollowScikitLearn()
    {
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInformation([3, 3, 3], [7, 7, 7]));
        Assert.Equal(1.0, ClusteringMetrics.NormalizedMutualInformation(Array.Empty<int>(), Array.Empty<int>()));
        Assert.Equal(0.0, ClusteringMetrics.NormalizedMutualInformation([0, 1, 2], [0, 0, 0]));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([5, 5, 5], [1, 1, 1]));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 1, 2], [2, 0, 1]));
        Assert.Equal(1.0, ClusteringMetrics.RandIndex([0], [4]));
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.AdjustedRandIndex([0, 1], [0]));
    }

    [Fact]
    public void PurityAndRandIndexByHand()
    {
        // Clusters {a,a,b}, {b,b,c}, {c}: majority counts 2 + 2 + 1 of 7.
        int[] truth = [0, 0, 1, 1, 1, 2, 2];
        int[] predicted = [0, 0, 0, 1, 1, 1, 2];
        Assert.Equal(5 / 7.0, ClusteringMetrics.Purity(truth, predicted), 12);
        // 21 pairs: together in both = 2 ({0,1}, {3,4}); together in the prediction only = 6 − 2 = 4;
        // together in the truth only = 5 − 2 = 3; apart in both = 21 − 9 = 12. Agreeing: 2 + 12.
        Assert.Equal(14 / 21.0, ClusteringMetrics.RandIndex(truth, predicted), 12);
    }

    [Fact]
    public void NoiseLabelIsItsOwnClusterAndStringsMapToIntegers()
    {
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1, 2], [-1, -1, 4, 4, 0]));
        Assert.Equal(
            ClusteringMetrics.NormalizedMutualInformation([0, 0, 1, 2], [0, 0, 1, 1]),
            ClusteringMetrics.NormalizedMutualInformation(["cat", "cat", "dog", "owl"], ["x", "x", "y", "y"]));
        Assert.Equal(0.5714285714, ClusteringMetrics.AdjustedRandIndex(["a", "a", "b", "c"], ["p", "p", "q", "q"]), 9);
        Assert.Equal(0.75, ClusteringMetrics.Purity(["a", "a", "b", "c"], ["p", "p", "q", "q"]), 12);
    }

    [Fact]
    public void ContingencyTableCountsPairs()
    {
        var table = Contingency.Build([1, 1, 2, -1], [5, 6, 6, 6]);
        Assert.Equal([-1, 1, 2], table.Classes);
        Assert.Equal([5, 6], table.Clusters);
        Assert.Equal(new long[,] { { 0, 1 }, { 1, 1 }, { 0, 1 } }, table.ToDense());
        Assert.Equal([1L, 2L, 1L], table.ClassSizes);
        Assert.Equal(4, table.Total);
    }
}
