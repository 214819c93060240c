using ImageCluster.Clustering;

namespace ImageCluster.Runs;

/// <summary>What the auto sweep ranks the candidates by.</summary>
public enum AutoRanking
{
    /// <summary>
    /// Mean silhouette (sampled) of the partition with every noise sample put into the cluster of its nearest non-noise
    /// neighbour, so calling samples noise scores no better than putting them in a cluster. Needs no labels.
    /// </summary>
    Silhouette,

    /// <summary>Normalised mutual information with the labels.</summary>
    Nmi,

    /// <summary>Adjusted Rand index with the labels.</summary>
    Ari,

    /// <summary>Quality Metric (0.3·precision + 0.7·recall) of the class of interest, keeping its majority clusters.</summary>
    Qm,

    /// <summary>
    /// Stability, needing no labels: mean adjusted Rand index between the clusterings of overlapping random subsamples
    /// (three pairs of 80 % subsamples). The candidates are then graph clusterings (Leiden at resolution 1) at several
    /// neighbour counts: the neighbour count sets the scale of what counts as one group, which modularity alone cannot
    /// choose, while a scale that fits the data splits it the same way whichever samples are drawn.
    /// </summary>
    Stability,
}

/// <summary>One row of the sweep's table.</summary>
/// <param name="Algorithm">Name of the algorithm (<see cref="ClustererOptions.AlgorithmName"/>).</param>
/// <param name="Parameters">The swept parameters, with scikit-learn's names (e.g. <c>n_clusters=5</c>).</param>
/// <param name="Clusters">Clusters found, not counting noise.</param>
/// <param name="Noise">Samples labelled noise.</param>
/// <param name="Score">The ranking score; null when undefined (fewer than two clusters).</param>
/// <param name="Silhouette">Mean silhouette, noise joined to its nearest cluster (see <see cref="AutoRanking.Silhouette"/>); null when undefined.</param>
/// <param name="Nmi">NMI with the labels, when labels were given.</param>
/// <param name="Ari">Adjusted Rand index with the labels, when labels were given.</param>
/// <param name="Qm">Quality Metric, when a class of interest was given; null when no cluster has a majority of that class.</param>
/// <param name="Seconds">Time to cluster (and, ranked by stability, to cluster the subsamples).</param>
/// <param name="Stability">Mean adjusted Rand index between clusterings of overlapping subsamples, when ranked by <see cref="AutoRanking.Stability"/>.</param>
public sealed record AutoCandidate(string Algorithm, string Parameters, int Clusters, int Noise, double? Score, double? Silhouette,
    double? Nmi, double? Ari, double? Qm, double Seconds, double? Stability = null);

/// <summary>The sweep's table, best first, and how to rerun the winner.</summary>
/// <param name="BestOptions">The winner's options, to rerun it directly.</param>
/// <param name="Table">Every candidate, best first (undefined scores last).</param>
/// <param name="RankBy">The score used.</param>
/// <param name="SilhouetteSamples">Samples the silhouette was computed on.</param>
/// <param name="Positive">The class of interest the Quality Metric column is about, or null.</param>
public sealed record AutoResult(ClustererOptions BestOptions, IReadOnlyList<AutoCandidate> Table, AutoRanking RankBy, int SilhouetteSamples,
    string? Positive = null);

/// <summary>Options of the auto sweep, which tries a grid of algorithms × parameters and keeps the best (<c>ClusterJobOptions.Auto</c>).</summary>
public sealed record AutoOptions
{
    /// <summary>Smallest k tried by the algorithms that take k.</summary>
    public int KMin { get; init; } = 2;

    /// <summary>Largest k tried; null = min(15, samples − 1).</summary>
    public int? KMax { get; init; }

    /// <summary>
    /// The ranking score; null = <see cref="AutoRanking.Qm"/> when <see cref="Labels"/> and <see cref="Positive"/> are given
    /// (a class of interest says what the user is after), else <see cref="AutoRanking.Silhouette"/>.
    /// </summary>
    public AutoRanking? RankBy { get; init; }

    /// <summary>The ranking actually used: <see cref="RankBy"/>, or its default for the given labels and class.</summary>
    public AutoRanking Ranking => RankBy ?? (Labels is not null && Positive is not null ? AutoRanking.Qm : AutoRanking.Silhouette);

    /// <summary>Samples scored by the silhouette (stated in the table); the rest of the cost is the clusterings themselves.</summary>
    public int SilhouetteSampleSize { get; init; } = 3000;

    /// <summary>A <c>path,label</c> CSV for an external ranking, and for the NMI/ARI columns whatever the ranking.</summary>
    public string? Labels { get; init; }

    /// <summary>Class of interest for <see cref="AutoRanking.Qm"/>.</summary>
    public string? Positive { get; init; }

    /// <summary>Seed of every candidate's random choices and of the silhouette sample.</summary>
    public int Seed { get; init; }

    /// <summary>Checks what needs no data: the k range and that a label ranking has its labels.</summary>
    /// <exception cref="ArgumentException">Naming the property at fault.</exception>
    public void Validate()
    {
        if (KMin < 2) throw new ArgumentException($"KMin must be at least 2 (got {KMin}).", nameof(KMin));
        if (KMax < KMin) throw new ArgumentException($"KMax = {KMax} is below KMin = {KMin}; no k is left to try.", nameof(KMax));
        if (SilhouetteSampleSize < 2)
            throw new ArgumentException($"SilhouetteSampleSize must be at least 2 (got {SilhouetteSampleSize}).", nameof(SilhouetteSampleSize));
        if (Ranking is not (AutoRanking.Silhouette or AutoRanking.Stability) && Labels is null)
            throw new ArgumentException($"RankBy {Ranking} needs Labels (a path,label file).", nameof(RankBy));
        if (Ranking == AutoRanking.Qm && Positive is null)
            throw new ArgumentException("RankBy Qm needs the class of interest: set Positive.", nameof(RankBy));
    }
}
