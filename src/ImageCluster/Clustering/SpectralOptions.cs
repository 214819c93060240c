namespace ImageCluster.Clustering;

/// <summary>
/// Settings for <see cref="Spectral"/>, after scikit-learn's <c>SpectralClustering</c> with <c>affinity="precomputed"</c> given
/// the samples' fuzzy k-nearest-neighbour graph (the one <see cref="Leiden"/> uses) and <c>assign_labels="kmeans"</c>.
/// </summary>
public sealed record SpectralOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Spectral(this);

    /// <summary>Number of clusters, and of eigenvectors of the graph's normalised Laplacian in the embedding.</summary>
    public required int NClusters { get; init; }

    /// <summary>Neighbours of each sample in the graph, itself not counted.</summary>
    public int NNeighbors { get; init; } = 15;

    /// <summary>Distance of the neighbour graph.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>Restarts of the K-Means that labels the spectral embedding.</summary>
    public int NInit { get; init; } = 10;

    /// <summary>Seed of the eigensolver's start vector and of the K-Means.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        ValidateClusterCount(NClusters, nSamples);
        if (NNeighbors < 1)
            throw new ArgumentException($"NNeighbors must be at least 1 (got {NNeighbors}).", nameof(NNeighbors));
        if (NInit < 1)
            throw new ArgumentException($"NInit must be at least 1 (got {NInit}).", nameof(NInit));
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Metric {(int)Metric} is unknown; use Euclidean or Cosine.", nameof(Metric));
    }
}
