using System.Text.Json.Serialization;
using ImageCluster.Clustering;

namespace ImageCluster.Pipeline;

/// <summary>The clustering algorithms the <c>cluster</c> command can run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClusteringAlgorithm>))]
public enum ClusteringAlgorithm
{
    /// <summary>K-Means (Lloyd or Elkan), k-means++ seeding, best of n_init.</summary>
    KMeans,

    /// <summary>MiniBatch K-Means: streaming updates from random batches; for very large sets.</summary>
    MiniBatchKMeans,

    /// <summary>K-Medoids (PAM or FasterPAM): centres are actual samples; any metric; O(N²) memory.</summary>
    KMedoids,

    /// <summary>DBSCAN: dense regions within eps, noise for the rest; no k.</summary>
    Dbscan,

    /// <summary>OPTICS: reachability ordering, clusters by xi (steep areas) or by an eps cut.</summary>
    Optics,

    /// <summary>Birch: a CF-tree of subclusters, then ward on their centroids; streaming.</summary>
    Birch,

    /// <summary>Agglomerative (ward, complete, average, single), cut by k, a distance or imagecluster's sim; O(N²) memory.</summary>
    Agglomerative,

    /// <summary>HDBSCAN: density hierarchy, most stable clusters, noise; no k, no eps.</summary>
    Hdbscan,

    /// <summary>A sweep over algorithms × parameters, ranked by a score (<see cref="AutoSweep"/>).</summary>
    Auto,
}

/// <summary>
/// The algorithm and every option of the <c>cluster</c> command, named as the CLI names them (scikit-learn's names in
/// kebab-case). Options left null take the algorithm's default; an option the chosen algorithm does not take is refused,
/// so a typo in the algorithm never silently ignores what the user asked for.
/// </summary>
public sealed record ClusteringSettings
{
    /// <summary>Which algorithm runs.</summary>
    public ClusteringAlgorithm Algorithm { get; init; } = ClusteringAlgorithm.KMeans;

    /// <summary>Number of clusters (<c>--k</c>) for every algorithm that takes one.</summary>
    public int? K { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>Distance (<c>--metric</c>) for the algorithms that take one.</summary>
    public DistanceMetric? Metric { get; init; }

    /// <summary>K-Means restarts (<c>--n-init</c>).</summary>
    public int? NInit { get; init; }

    /// <summary>Iteration limit (<c>--max-iter</c>).</summary>
    public int? MaxIter { get; init; }

    /// <summary>K-Means relative tolerance (<c>--tol</c>).</summary>
    public double? Tol { get; init; }

    /// <summary>K-Means' Lloyd or Elkan iterations (<c>--kmeans-algorithm</c>; scikit-learn's <c>algorithm</c>).</summary>
    public KMeansAlgorithm? KMeansAlgorithm { get; init; }

    /// <summary>MiniBatch K-Means batch size (<c>--minibatch-size</c>; scikit-learn's <c>batch_size</c>).</summary>
    public int? MiniBatchSize { get; init; }

    /// <summary>K-Medoids search (<c>--method pam|fasterpam</c>).</summary>
    public KMedoidsMethod? Method { get; init; }

    /// <summary>DBSCAN radius, or OPTICS' cut with <c>--cluster-method dbscan</c> (<c>--eps</c>).</summary>
    public double? Eps { get; init; }

    /// <summary>Neighbours (counting the point itself) that make a core point (<c>--min-samples</c>).</summary>
    public int? MinSamples { get; init; }

    /// <summary>OPTICS' largest neighbourhood radius (<c>--max-eps</c>).</summary>
    public double? MaxEps { get; init; }

    /// <summary>OPTICS' steepness for the xi extraction (<c>--xi</c>).</summary>
    public double? Xi { get; init; }

    /// <summary>OPTICS' extraction (<c>--cluster-method xi|dbscan</c>).</summary>
    public OpticsClusterMethod? ClusterMethod { get; init; }

    /// <summary>Agglomerative linkage (<c>--linkage</c>).</summary>
    public Linkage? Linkage { get; init; }

    /// <summary>Agglomerative cut by merge distance (<c>--distance-threshold</c>).</summary>
    public double? DistanceThreshold { get; init; }

    /// <summary>elcorto/imagecluster's similarity cut in [0, 1] (<c>--sim</c>).</summary>
    public double? Sim { get; init; }

    /// <summary>Smallest cluster reported by the sim cut (<c>--min-csize</c>).</summary>
    public int? MinCsize { get; init; }

    /// <summary>Size limit of the O(N²)-memory algorithms (<c>--max-samples</c>).</summary>
    public int? MaxSamples { get; init; }

    /// <summary>HDBSCAN's smallest cluster (<c>--min-cluster-size</c>).</summary>
    public int? MinClusterSize { get; init; }

    /// <summary>HDBSCAN's selection (<c>--cluster-selection-method eom|leaf</c>).</summary>
    public ClusterSelectionMethod? ClusterSelectionMethod { get; init; }

    /// <summary>Birch's subcluster radius (<c>--threshold</c>).</summary>
    public double? Threshold { get; init; }

    /// <summary>Birch's CF-tree branching factor (<c>--branching-factor</c>).</summary>
    public int? BranchingFactor { get; init; }

    /// <summary>How <see cref="ClusteringAlgorithm.Auto"/> sweeps and ranks; ignored by the other algorithms.</summary>
    public AutoOptions? Auto { get; init; }

    /// <summary>The command-line name of every option this record holds, with its value when given.</summary>
    public IEnumerable<(string Name, object? Value)> Options()
    {
        yield return ("--k", K);
        yield return ("--metric", Metric);
        yield return ("--n-init", NInit);
        yield return ("--max-iter", MaxIter);
        yield return ("--tol", Tol);
        yield return ("--kmeans-algorithm", KMeansAlgorithm);
        yield return ("--minibatch-size", MiniBatchSize);
        yield return ("--method", Method);
        yield return ("--eps", Eps);
        yield return ("--min-samples", MinSamples);
        yield return ("--max-eps", MaxEps);
        yield return ("--xi", Xi);
        yield return ("--cluster-method", ClusterMethod);
        yield return ("--linkage", Linkage);
        yield return ("--distance-threshold", DistanceThreshold);
        yield return ("--sim", Sim);
        yield return ("--min-csize", MinCsize);
        yield return ("--max-samples", MaxSamples);
        yield return ("--min-cluster-size", MinClusterSize);
        yield return ("--cluster-selection-method", ClusterSelectionMethod);
        yield return ("--threshold", Threshold);
        yield return ("--branching-factor", BranchingFactor);
    }

    /// <summary>The CLI name of an algorithm (kebab-case, as <c>--algorithm</c> takes it).</summary>
    public static string Name(ClusteringAlgorithm algorithm) => algorithm switch
    {
        ClusteringAlgorithm.MiniBatchKMeans => "minibatch-kmeans",
        _ => algorithm.ToString().ToLowerInvariant(),
    };
}
