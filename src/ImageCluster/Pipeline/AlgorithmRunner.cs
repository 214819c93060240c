using ImageCluster.Runs;
using ImageCluster.Clustering;

namespace ImageCluster.Pipeline;

/// <summary>What a clustering produced, in the form every output writer takes.</summary>
/// <param name="Labels">Cluster of each sample; −1 = noise or left out.</param>
/// <param name="Distances">Distance of each sample to its cluster's centre or medoid, where the algorithm has one.</param>
/// <param name="Info">Figures for run.json.</param>
internal sealed record ClusteringOutcome(int[] Labels, float[]? Distances, ClusteringInfo Info)
{
    /// <summary>The algorithm's own result (centres, reachability, merge tree), when it ran in this process.</summary>
    internal IClusteringResult? Result { get; init; }
}

/// <summary>How a job wants its fits run: the time limit of <see cref="FitBudget"/>, progress and notices.</summary>
/// <param name="TimeLimit">Refuse a super-linear fit expected to take longer; null = no limit.</param>
/// <param name="Progress">Progress of the fit's long passes.</param>
/// <param name="Notice">One-line notices (the estimate of a long fit, the sweep's rows).</param>
/// <param name="RefusalAfterword">Appended to a refusal, e.g. that the embeddings are kept for the rerun.</param>
/// <param name="OwnsFeatures">The job made the matrix and nothing else reads it during a fit, so K-Means may centre it in place
/// (<see cref="KMeansOptions.CopyX"/> false) instead of holding a centred copy as large as the data.</param>
internal sealed record FitContext(TimeSpan? TimeLimit = null, IProgress<StageProgress>? Progress = null, Action<string>? Notice = null,
    string RefusalAfterword = "", bool OwnsFeatures = false);

/// <summary>Runs one algorithm, or the auto sweep, and puts its result in the shape the jobs write.</summary>
internal static class AlgorithmRunner
{
    /// <summary>
    /// Checks the choice before any image is embedded: exactly one of <paramref name="clustering"/> and
    /// <paramref name="auto"/>, and the options' own data-free checks.
    /// </summary>
    /// <exception cref="ArgumentException">Naming the property at fault.</exception>
    public static void Validate(ClustererOptions? clustering, AutoOptions? auto)
    {
        if ((clustering is null) == (auto is null))
            throw new ArgumentException("Set exactly one of Clustering (one algorithm) and Auto (a sweep).", "Clustering");
        clustering?.Validate();
        auto?.Validate();
    }

    /// <summary>The number of clusters asked for, where the options fix one in advance.</summary>
    public static int? RequestedClusters(ClustererOptions? options) => options switch
    {
        KMeansOptions o => o.NClusters,
        MiniBatchKMeansOptions o => o.NClusters,
        KMedoidsOptions o => o.NClusters,
        AgglomerativeOptions o => o.NClusters,
        LeidenOptions o => o.NClusters,
        SpectralOptions o => o.NClusters,
        _ => null,
    };

    /// <summary>The seed of the run's random choices (0 for the algorithms that make none).</summary>
    public static int SeedOf(ClustererOptions? options, AutoOptions? auto) => options switch
    {
        KMeansOptions o => o.Seed,
        MiniBatchKMeansOptions o => o.Seed,
        KMedoidsOptions o => o.Seed,
        LeidenOptions o => o.Seed,
        SpectralOptions o => o.Seed,
        _ => auto?.Seed ?? 0,
    };

    /// <summary>Runs the algorithm <paramref name="options"/> describe on <paramref name="x"/>, after <see cref="FitBudget.Check"/>.</summary>
    /// <exception cref="ArgumentException">
    /// An option does not fit this data (e.g. k larger than the number of images), or the fit is expected to take longer than
    /// <see cref="FitContext.TimeLimit"/>.
    /// </exception>
    public static ClusteringOutcome Fit(ClustererOptions options, FeatureMatrix x, FitContext? context = null, CancellationToken ct = default)
    {
        context ??= new FitContext();
        FitBudget.Check(options, x, context.TimeLimit, context.Notice, context.RefusalAfterword, ct);
        return FitUnguarded(options, x, context, ct);
    }

    /// <summary>As <see cref="Fit"/> without the time estimate (the caller made it).</summary>
    /// <remarks>The outcome's parameters are <paramref name="options"/> as given, whatever <see cref="FitContext.OwnsFeatures"/>
    /// changed about how the fit held the data.</remarks>
    internal static ClusteringOutcome FitUnguarded(ClustererOptions options, FeatureMatrix x, FitContext context, CancellationToken ct)
    {
        var fitted = context.OwnsFeatures && options is KMeansOptions kMeans ? kMeans with { CopyX = false } : options;
        var result = fitted.CreateClusterer().Fit(x, context.Progress, ct);
        string name = options.AlgorithmName;
        int noise = result.Labels.Count(l => l < 0);
        var outcome = result switch
        {
            KMeansResult r => new ClusteringOutcome(r.Labels, r.Distances, new ClusteringInfo(name, r.NClusters, 0, r.Inertia, r.NIterations, r.BestInit, options)),
            MiniBatchKMeansResult r => new ClusteringOutcome(r.Labels, DistancesToCentres(x, r.Labels, r.Centers),
                new ClusteringInfo(name, r.NClusters, 0, r.Inertia, r.NIterations, Parameters: options)),
            KMedoidsResult r => new ClusteringOutcome(r.Labels,
                ((KMedoidsOptions)options).Metric == DistanceMetric.Euclidean ? DistancesToCentres(x, r.Labels, r.Centers) : null,
                new ClusteringInfo(name, r.NClusters, 0, r.Inertia, r.NIterations, Parameters: options)),
            _ => new ClusteringOutcome(result.Labels, null, new ClusteringInfo(name, result.NClusters, noise, Parameters: options)),
        };
        return outcome with { Result = result };
    }

    /// <summary>Runs one algorithm, or the auto sweep (whose table is returned).</summary>
    public static (ClusteringOutcome Outcome, AutoResult? Auto) Run(ClustererOptions? clustering, AutoOptions? auto, FeatureMatrix x,
        IReadOnlyList<string> paths, FitContext context, CancellationToken ct)
    {
        if (clustering is not null) return (Fit(clustering, x, context, ct), null);
        var (best, table) = AutoSweep.Run(x, paths, auto ?? new AutoOptions(), context, ct);
        return (best, table);
    }

    /// <summary>Euclidean distance of every sample to its cluster's centre (NaN for noise).</summary>
    private static float[] DistancesToCentres(FeatureMatrix x, int[] labels, FeatureMatrix centres)
    {
        var distances = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            distances[i] = labels[i] < 0 ? float.NaN : System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), centres.ReadRow(labels[i]));
        return distances;
    }
}
