namespace ImageCluster.Evaluation;

/// <summary>
/// Contingency table of two labelings of the same samples: how many samples carry each
/// (true class, predicted cluster) pair. Stored sparsely, so large label sets stay cheap.
/// Every distinct label value is its own class or cluster; in particular the noise label −1 is one cluster.
/// </summary>
internal sealed class Contingency
{
    private Contingency(int[] classes, int[] clusters, long[] classSizes, long[] clusterSizes,
        (int Class, int Cluster, long Count)[] cells, long total)
    {
        Classes = classes;
        Clusters = clusters;
        ClassSizes = classSizes;
        ClusterSizes = clusterSizes;
        Cells = cells;
        Total = total;
    }

    /// <summary>Distinct true labels, ascending; row i of the table is <c>Classes[i]</c>.</summary>
    public IReadOnlyList<int> Classes { get; }

    /// <summary>Distinct predicted labels, ascending; column j of the table is <c>Clusters[j]</c>.</summary>
    public IReadOnlyList<int> Clusters { get; }

    /// <summary>Row sums: samples in each true class.</summary>
    public IReadOnlyList<long> ClassSizes { get; }

    /// <summary>Column sums: samples in each predicted cluster.</summary>
    public IReadOnlyList<long> ClusterSizes { get; }

    /// <summary>The non-zero cells as (row, column, count), ordered by row then column.</summary>
    public IReadOnlyList<(int Class, int Cluster, long Count)> Cells { get; }

    /// <summary>Number of samples.</summary>
    public long Total { get; }

    /// <summary>Builds the table; both lists must have the same length.</summary>
    /// <exception cref="ArgumentException">When the lengths differ.</exception>
    public static Contingency Build(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
            throw new ArgumentException(
                $"The labelings have different lengths ({truth.Count} true labels, {predicted.Count} predicted).",
                nameof(predicted));
        var (classes, classIndex) = Index(truth);
        var (clusters, clusterIndex) = Index(predicted);
        var classSizes = new long[classes.Length];
        var clusterSizes = new long[clusters.Length];
        var counts = new Dictionary<(int, int), long>();
        for (int s = 0; s < truth.Count; s++)
        {
            int row = classIndex[truth[s]], column = clusterIndex[predicted[s]];
            classSizes[row]++;
            clusterSizes[column]++;
            counts[(row, column)] = counts.GetValueOrDefault((row, column)) + 1;
        }
        var cells = counts.Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Value)).OrderBy(c => c.Item1).ThenBy(c => c.Item2).ToArray();
        return new Contingency(classes, clusters, classSizes, clusterSizes, cells, truth.Count);
    }

    /// <summary>The table as a dense array [class, cluster].</summary>
    public long[,] ToDense()
    {
        var dense = new long[Classes.Count, Clusters.Count];
        foreach (var (row, column, count) in Cells) dense[row, column] = count;
        return dense;
    }

    private static (int[] Values, Dictionary<int, int> IndexOf) Index(IReadOnlyList<int> labels)
    {
        int[] values = labels.Distinct().Order().ToArray();
        var indexOf = new Dictionary<int, int>(values.Length);
        for (int i = 0; i < values.Length; i++) indexOf[values[i]] = i;
        return (values, indexOf);
    }
}
