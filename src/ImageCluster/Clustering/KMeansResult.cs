namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="KMeans.Fit(FeatureMatrix, CancellationToken)"/>: the best of all initialisations.</summary>
public sealed class KMeansResult : IClusteringResult
{
    internal KMeansResult(int[] labels, FeatureMatrix centers, float[] distances, double inertia, int nIterations, int bestInit)
    {
        Labels = labels;
        Centers = centers;
        Distances = distances;
        Inertia = inertia;
        NIterations = nIterations;
        BestInit = bestInit;
        ClusterSizes = new int[centers.Rows];
        foreach (int label in labels) ClusterSizes[label]++;
    }

    /// <summary>
    /// Cluster of each sample, in <c>[0, k)</c>. Clusters are numbered by size, largest first;
    /// equal sizes are ordered by their lowest sample index. Every cluster has at least one sample.
    /// </summary>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters => Centers.Rows;

    /// <summary>Cluster centres, one row per cluster, in the numbering of <see cref="Labels"/>.</summary>
    public FeatureMatrix Centers { get; }

    /// <summary>Euclidean distance of each sample to its own cluster centre.</summary>
    public float[] Distances { get; }

    /// <summary>Sum of squared distances of samples to their cluster centre.</summary>
    public double Inertia { get; }

    /// <summary>Lloyd iterations run by the winning initialisation.</summary>
    public int NIterations { get; }

    /// <summary>Zero-based index of the winning initialisation.</summary>
    public int BestInit { get; }

    /// <summary>Number of samples in each cluster (non-increasing).</summary>
    public int[] ClusterSizes { get; }
}
