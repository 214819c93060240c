using System.Text.Json.Serialization;

namespace ImageCluster.Pipeline;

/// <summary>The clustering algorithms the <c>cluster</c> command can run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClusteringAlgorithm>))]
public enum ClusteringAlgorithm
{
    /// <summary>K-Means (Lloyd or Elkan), k-means++ seeding, best of n_init.</summary>
    KMeans,

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

    /// <summary>K-Means restarts (<c>--n-init</c>).</summary>
    public int? NInit { get; init; }

    /// <summary>Iteration limit (<c>--max-iter</c>).</summary>
    public int? MaxIter { get; init; }

    /// <summary>K-Means relative tolerance (<c>--tol</c>).</summary>
    public double? Tol { get; init; }

    /// <summary>How <see cref="ClusteringAlgorithm.Auto"/> sweeps and ranks; ignored by the other algorithms.</summary>
    public AutoOptions? Auto { get; init; }

    /// <summary>The command-line name of every option this record holds, with its value when given.</summary>
    public IEnumerable<(string Name, object? Value)> Options()
    {
        yield return ("--k", K);
        yield return ("--n-init", NInit);
        yield return ("--max-iter", MaxIter);
        yield return ("--tol", Tol);
    }

    /// <summary>The CLI name of an algorithm (kebab-case, as <c>--algorithm</c> takes it).</summary>
    public static string Name(ClusteringAlgorithm algorithm) => algorithm switch
    {
        ClusteringAlgorithm.KMeans => "kmeans",
        _ => algorithm.ToString().ToLowerInvariant(),
    };
}
