namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="Optics.Fit(FeatureMatrix, CancellationToken)"/>: the reachability plot and the clusters extracted from it.</summary>
public sealed class OpticsResult : IClusteringResult
{
    internal OpticsResult(int[] labels, int[] ordering, double[] reachability, double[] coreDistances, int[] predecessor,
        (int Start, int End)[]? clusterHierarchy)
    {
        Labels = labels;
        NClusters = LabelOrder.Count(labels);
        Ordering = ordering;
        Reachability = reachability;
        CoreDistances = coreDistances;
        Predecessor = predecessor;
        ClusterHierarchy = clusterHierarchy;
    }

    /// <inheritdoc/>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters { get; }

    /// <summary>Sample indices in the order OPTICS visited them (scikit-learn's <c>ordering_</c>).</summary>
    public int[] Ordering { get; }

    /// <summary>
    /// Reachability distance of each sample, indexed by sample (not by position in <see cref="Ordering"/>); +∞ where
    /// undefined (the first sample of each connected region). scikit-learn's <c>reachability_</c>.
    /// </summary>
    public double[] Reachability { get; }

    /// <summary>
    /// Distance of each sample to its <see cref="OpticsOptions.MinSamples"/>-th nearest sample (itself included); +∞ above
    /// <see cref="OpticsOptions.MaxEps"/>. scikit-learn's <c>core_distances_</c>.
    /// </summary>
    public double[] CoreDistances { get; }

    /// <summary>The sample from which each sample was reached, −1 if none. scikit-learn's <c>predecessor_</c>.</summary>
    public int[] Predecessor { get; }

    /// <summary>
    /// Xi clusters as inclusive (start, end) positions in <see cref="Ordering"/>, smaller clusters before the larger ones
    /// that contain them (scikit-learn's <c>cluster_hierarchy_</c>); null for <see cref="OpticsClusterMethod.Dbscan"/>.
    /// </summary>
    public (int Start, int End)[]? ClusterHierarchy { get; }
}
