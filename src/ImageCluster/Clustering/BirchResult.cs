namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="Birch.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class BirchResult : IClusteringResult
{
    internal BirchResult(int[] labels, int nClusters, FeatureMatrix subclusterCenters, int[] subclusterLabels, bool skipped)
    {
        Labels = labels;
        NClusters = nClusters;
        SubclusterCenters = subclusterCenters;
        SubclusterLabels = subclusterLabels;
        GlobalClusteringSkipped = skipped;
    }

    /// <summary>
    /// The cluster of each sample's nearest subcluster centre (scikit-learn's <c>predict</c>), numbered by size, largest
    /// first. Empty when <see cref="BirchOptions.ComputeLabels"/> is false; clusters are then numbered by the number of
    /// samples their subclusters absorbed. A cluster can end up with no sample at all when none of its subclusters is
    /// any sample's nearest (centres move while the tree is built); such clusters come last.
    /// </summary>
    public int[] Labels { get; }

    /// <summary>Number of final clusters: <see cref="BirchOptions.NClusters"/>, or the number of subclusters.</summary>
    public int NClusters { get; }

    /// <summary>Centroids of the leaf subclusters, in the order of the CF-tree's leaves (scikit-learn's <c>subcluster_centers_</c>).</summary>
    public FeatureMatrix SubclusterCenters { get; }

    /// <summary>Final cluster of each subcluster, in the numbering of <see cref="Labels"/>.</summary>
    public int[] SubclusterLabels { get; }

    /// <summary>True when there were fewer subclusters than <see cref="BirchOptions.NClusters"/>, so each subcluster became a cluster (scikit-learn warns: decrease the threshold).</summary>
    public bool GlobalClusteringSkipped { get; }
}
