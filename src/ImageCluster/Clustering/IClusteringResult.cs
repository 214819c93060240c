namespace ImageCluster.Clustering;

/// <summary>What every clustering algorithm's result has in common.</summary>
public interface IClusteringResult
{
    /// <summary>
    /// Cluster of each sample, in <c>[0, NClusters)</c>, or −1 for noise / samples left out (density-based algorithms,
    /// and clusters smaller than a minimum size). Clusters are numbered by size, largest first; equal sizes by their lowest
    /// sample index.
    /// </summary>
    int[] Labels { get; }

    /// <summary>Number of clusters, not counting noise.</summary>
    int NClusters { get; }
}
