namespace ImageCluster.Clustering;

/// <summary>
/// Settings for <see cref="Leiden"/>: community detection on the k-nearest-neighbour graph of the samples, as scanpy's
/// <c>pp.neighbors</c> + <c>tl.leiden</c> (UMAP's fuzzy graph, then Leiden on modularity).
/// </summary>
public sealed record LeidenOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Leiden(this);

    /// <summary>Neighbours of each sample in the graph, itself not counted (scanpy's <c>n_neighbors</c> counts it: 15 there is 14 here).</summary>
    public int NNeighbors { get; init; } = 15;

    /// <summary>
    /// Resolution γ of modularity: higher gives more, smaller communities (1 = classic modularity). Ignored when
    /// <see cref="NClusters"/> is set.
    /// </summary>
    public double Resolution { get; init; } = 1.0;

    /// <summary>
    /// A number of communities to reach instead of a resolution: the resolution is searched (bisection on its logarithm)
    /// for a partition of exactly this many, or the nearest count found. Null = use <see cref="Resolution"/>.
    /// </summary>
    public int? NClusters { get; init; }

    /// <summary>Distance of the neighbour graph.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>Seed of the node orders and the refinement's random merges.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (NNeighbors < 1)
            throw new ArgumentException($"NNeighbors must be at least 1 (got {NNeighbors}).", nameof(NNeighbors));
        if (!(Resolution > 0) || double.IsInfinity(Resolution))
            throw new ArgumentException($"Resolution must be a finite number > 0 (got {Resolution}).", nameof(Resolution));
        ValidateClusterCount(NClusters, nSamples);
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Metric {(int)Metric} is unknown; use Euclidean or Cosine.", nameof(Metric));
    }
}
