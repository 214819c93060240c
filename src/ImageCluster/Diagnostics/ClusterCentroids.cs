namespace ImageCluster.Diagnostics;

/// <summary>
/// Clusters of a labelling compacted to 0..k−1 in ascending label order (as scikit-learn's LabelEncoder), with their
/// sizes and centroids accumulated in double. Shared by the Davies–Bouldin and Calinski–Harabasz indices.
/// </summary>
internal sealed class ClusterCentroids
{
    private readonly double[] _centroids;
    private readonly int _d;

    private ClusterCentroids(int[] cluster, int[] members, int[] sizes, double[] centroids, int d)
    {
        Cluster = cluster;
        Members = members;
        Sizes = sizes;
        _centroids = centroids;
        _d = d;
    }

    /// <summary>Compact cluster of every sample (−1 for a sample left out).</summary>
    public int[] Cluster { get; }

    /// <summary>The samples that take part, ascending.</summary>
    public int[] Members { get; }

    /// <summary>Members per cluster.</summary>
    public int[] Sizes { get; }

    /// <summary>Number of clusters.</summary>
    public int Count => Sizes.Length;

    /// <summary>Mean of cluster <paramref name="c"/>'s members.</summary>
    public ReadOnlySpan<double> Centroid(int c) => _centroids.AsSpan(c * _d, _d);

    /// <summary>Validates the inputs (naming <paramref name="what"/> in messages) and accumulates the centroids.</summary>
    public static ClusterCentroids Build(FeatureMatrix x, IReadOnlyList<int> labels, bool ignoreNoise, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != x.Rows) throw new ArgumentException($"{labels.Count} labels for {x.Rows} samples.", nameof(labels));
        x.ThrowIfNotFinite();
        var centroids = Accumulate(x, labels, ignoreNoise);
        if (centroids.Count < 2 || centroids.Count > centroids.Members.Length - 1)
            throw new ArgumentException(
                $"The {what} needs between 2 and {centroids.Members.Length - 1} clusters (got {centroids.Count}" +
                (ignoreNoise ? " after leaving out noise)." : ")."), nameof(labels));
        return centroids;
    }

    /// <summary>The centroids of any number of clusters (no checks: for callers that show rather than score them).</summary>
    public static ClusterCentroids Accumulate(FeatureMatrix x, IReadOnlyList<int> labels, bool ignoreNoise)
    {
        var members = Enumerable.Range(0, x.Rows).Where(i => !ignoreNoise || labels[i] != -1).ToArray();
        var distinct = members.Select(i => labels[i]).Distinct().Order().ToArray();
        var compact = new Dictionary<int, int>();
        for (int c = 0; c < distinct.Length; c++) compact[distinct[c]] = c;
        int d = x.Columns, k = distinct.Length;
        var cluster = new int[x.Rows];
        Array.Fill(cluster, -1);
        var sizes = new int[k];
        var centroids = new double[k * d];
        foreach (int i in members)
        {
            int c = cluster[i] = compact[labels[i]];
            sizes[c]++;
            var row = x.ReadRow(i);
            for (int j = 0; j < d; j++) centroids[c * d + j] += row[j];
        }
        for (int f = 0; f < centroids.Length; f++) centroids[f] /= sizes[f / d];
        return new ClusterCentroids(cluster, members, sizes, centroids, d);
    }
}
