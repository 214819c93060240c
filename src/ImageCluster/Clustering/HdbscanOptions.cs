namespace ImageCluster.Clustering;

/// <summary>How <see cref="Hdbscan"/> picks the flat clusters from its cluster tree (scikit-learn's <c>cluster_selection_method</c>).</summary>
public enum ClusterSelectionMethod
{
    /// <summary>
    /// Excess of Mass: the set of non-overlapping clusters with the largest total stability. Tends to a few large clusters
    /// and leaves out small ones that are not clearly more stable than their parent.
    /// </summary>
    Eom,

    /// <summary>The leaves of the cluster tree: the most fine-grained, most homogeneous clusters.</summary>
    Leaf,
}

/// <summary>Settings for <see cref="Hdbscan"/>, mirroring scikit-learn's <c>HDBSCAN</c> parameters.</summary>
public sealed record HdbscanOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Hdbscan(this);

    /// <summary>
    /// Smallest group of samples that counts as a cluster (scikit-learn's <c>min_cluster_size</c>, at least 2). When a
    /// cluster splits, a part smaller than this is not a new cluster: its samples stay with the parent and drop out of it
    /// as the density rises.
    /// </summary>
    public int MinClusterSize { get; init; } = 5;

    /// <summary>
    /// Number of samples in a neighbourhood for a sample to be a core point, counting the sample itself (scikit-learn's
    /// <c>min_samples</c>; R's <c>minPts</c>); null = <see cref="MinClusterSize"/>. The core distance of a sample is the
    /// distance to its <c>MinSamples</c>-th nearest neighbour, the sample itself being the first. Larger values make the
    /// clustering more conservative: more samples are declared noise.
    /// </summary>
    public int? MinSamples { get; init; }

    /// <summary>Distance between samples.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>How the flat clusters are chosen from the cluster tree.</summary>
    public ClusterSelectionMethod ClusterSelectionMethod { get; init; } = ClusterSelectionMethod.Eom;

    /// <summary>
    /// Distance threshold (in the units of <see cref="Metric"/>, ≥ 0): clusters that appear below it are merged into the
    /// first ancestor that appears above it, as scikit-learn's <c>cluster_selection_epsilon</c>. 0 = off.
    /// </summary>
    public double ClusterSelectionEpsilon { get; init; }

    /// <summary>
    /// Allow the whole data set (the root of the cluster tree) to be chosen as a single cluster, as scikit-learn's
    /// <c>allow_single_cluster</c>. By default the root is never a cluster, so data without structure is all noise.
    /// </summary>
    public bool AllowSingleCluster { get; init; }


    /// <summary><see cref="MinSamples"/> with its default applied.</summary>
    public int EffectiveMinSamples => MinSamples ?? MinClusterSize;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (MinClusterSize < 2)
            throw new ArgumentException($"MinClusterSize must be at least 2 (got {MinClusterSize}).", nameof(MinClusterSize));
        if (MinSamples is < 1)
            throw new ArgumentException($"MinSamples must be at least 1 (got {MinSamples}).", nameof(MinSamples));
        if (EffectiveMinSamples > nSamples)
            throw new ArgumentException(
                $"MinSamples = {EffectiveMinSamples}{(MinSamples is null ? " (from MinClusterSize)" : "")} is larger than the " +
                $"number of images ({nSamples}); choose MinSamples between 1 and {nSamples}.",
                nameof(MinSamples));
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Unknown distance metric {(int)Metric}; use Euclidean or Cosine.", nameof(Metric));
        if (!Enum.IsDefined(ClusterSelectionMethod))
            throw new ArgumentException(
                $"Unknown ClusterSelectionMethod {(int)ClusterSelectionMethod}; use Eom or Leaf.", nameof(ClusterSelectionMethod));
        if (!(ClusterSelectionEpsilon >= 0) || double.IsInfinity(ClusterSelectionEpsilon))
            throw new ArgumentException(
                $"ClusterSelectionEpsilon must be a finite distance ≥ 0 (got {ClusterSelectionEpsilon}).", nameof(ClusterSelectionEpsilon));
    }
}
