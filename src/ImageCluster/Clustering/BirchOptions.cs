namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="Birch"/>, named after scikit-learn's <c>Birch</c>, with its defaults.</summary>
public sealed record BirchOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Birch(this);

    /// <summary>
    /// Largest radius of a subcluster (&gt; 0): a sample joins its closest leaf subcluster only if the merged subcluster's
    /// radius √(Σ|xᵢ − c|²/n) stays at most this; otherwise it starts a new subcluster. Lower = more, smaller subclusters.
    /// </summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Most subclusters per CF-tree node (&gt; 1); a node that would hold more is split in two.</summary>
    public int BranchingFactor { get; init; } = 50;

    /// <summary>
    /// Number of final clusters: the leaf subclusters' centroids are clustered by ward <see cref="Agglomerative"/>
    /// (scikit-learn's <c>AgglomerativeClustering(n_clusters)</c>). Null = every subcluster is a cluster. When the tree
    /// has fewer subclusters than this, the subclusters are the clusters (scikit-learn warns; see
    /// <see cref="BirchResult.GlobalClusteringSkipped"/>).
    /// </summary>
    public int? NClusters { get; init; } = 3;

    /// <summary>Label every sample by its nearest subcluster; when false, <see cref="BirchResult.Labels"/> is empty.</summary>
    public bool ComputeLabels { get; init; } = true;

    /// <summary>
    /// Most subclusters the global (agglomerative) step accepts, as <see cref="AgglomerativeOptions.MaxSamples"/>:
    /// its memory is 8 · S(S − 1)/2 bytes for S subclusters. Not used when <see cref="NClusters"/> is null.
    /// </summary>
    public int MaxSubclusters { get; init; } = 20_000;


    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (!(Threshold > 0) || double.IsInfinity(Threshold))
            throw new ArgumentException($"Threshold must be a finite number > 0 (got {Threshold}).", nameof(Threshold));
        if (BranchingFactor < 2)
            throw new ArgumentException($"BranchingFactor must be at least 2 (got {BranchingFactor}).", nameof(BranchingFactor));
        if (NClusters is int k && k < 1)
            throw new ArgumentException($"NClusters must be at least 1, or null to keep every subcluster (got {k}).", nameof(NClusters));
        if (MaxSubclusters < 1 || MaxSubclusters > AgglomerativeOptions.MaxSamplesLimit)
            throw new ArgumentException(
                $"MaxSubclusters must be between 1 and {AgglomerativeOptions.MaxSamplesLimit} (got {MaxSubclusters}).", nameof(MaxSubclusters));
    }
}
