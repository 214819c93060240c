namespace ImageCluster.Clustering;

/// <summary>How <see cref="Optics"/> turns its reachability plot into clusters (scikit-learn's <c>cluster_method</c>).</summary>
public enum OpticsClusterMethod
{
    /// <summary>Steep areas of the reachability plot (<see cref="OpticsOptions.Xi"/>); finds clusters of varying density.</summary>
    Xi,

    /// <summary>A DBSCAN-like cut of the reachability plot at <see cref="OpticsOptions.Eps"/>.</summary>
    Dbscan,
}

/// <summary>Settings for <see cref="Optics"/>, mirroring scikit-learn's <c>OPTICS</c> parameters.</summary>
public sealed record OpticsOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Optics(this);

    /// <summary>
    /// Samples in a neighbourhood (the sample itself included) for a core sample; the core distance is the distance to the
    /// <c>MinSamples</c>-th nearest sample, counting the sample itself. At least 2 and at most the number of samples.
    /// </summary>
    public int MinSamples { get; init; } = 5;

    /// <summary>
    /// Largest neighbourhood radius considered (≥ 0). Infinity (the default) finds every cluster; a smaller value is faster
    /// to extract from but leaves reachability undefined (+∞) beyond it.
    /// </summary>
    public double MaxEps { get; init; } = double.PositiveInfinity;

    /// <summary>Distance between samples.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>Extraction of clusters from the reachability plot.</summary>
    public OpticsClusterMethod ClusterMethod { get; init; } = OpticsClusterMethod.Xi;

    /// <summary>Minimum steepness, in [0, 1], of the reachability plot at a cluster boundary (Xi extraction).</summary>
    public double Xi { get; init; } = 0.05;

    /// <summary>Cut height of the DBSCAN extraction, in [0, <see cref="MaxEps"/>]; null = <see cref="MaxEps"/>.</summary>
    public double? Eps { get; init; }

    /// <summary>Whether Xi extraction corrects cluster ends by their predecessors (Schubert &amp; Gertz 2018).</summary>
    public bool PredecessorCorrection { get; init; } = true;

    /// <summary>Smallest Xi cluster, at least 2 and at most the number of samples; null = <see cref="MinSamples"/>.</summary>
    public int? MinClusterSize { get; init; }


    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (MinSamples < 2)
            throw new ArgumentException($"OPTICS's MinSamples must be at least 2 (got {MinSamples}).", nameof(MinSamples));
        if (MinSamples > nSamples)
            throw new ArgumentException(
                $"OPTICS's MinSamples must be between 2 and the number of samples ({nSamples}) (got {MinSamples}).", nameof(MinSamples));
        if (!(MaxEps >= 0))
            throw new ArgumentException($"OPTICS's MaxEps must be at least 0 or infinity (got {MaxEps}).", nameof(MaxEps));
        if (!(Xi >= 0 && Xi <= 1))
            throw new ArgumentException($"OPTICS's Xi must be between 0 and 1 (got {Xi}).", nameof(Xi));
        if (Eps is double eps && !(eps >= 0 && eps <= MaxEps))
            throw new ArgumentException($"OPTICS's Eps must be between 0 and MaxEps = {MaxEps} (got {eps}).", nameof(Eps));
        if (MinClusterSize < 2)
            throw new ArgumentException($"OPTICS's MinClusterSize must be at least 2 (got {MinClusterSize}).", nameof(MinClusterSize));
        if (MinClusterSize > nSamples)
            throw new ArgumentException(
                $"OPTICS's MinClusterSize must be between 2 and the number of samples ({nSamples}) (got {MinClusterSize}).", nameof(MinClusterSize));
        if (!Enum.IsDefined(ClusterMethod))
            throw new ArgumentException($"Unknown OPTICS ClusterMethod {ClusterMethod}; use Xi or Dbscan.", nameof(ClusterMethod));
    }
}
