using ImageCluster.Clustering;

namespace ImageCluster.Pipeline;

/// <summary>What a clustering produced, in the form every output writer takes.</summary>
/// <param name="Labels">Cluster of each sample; −1 = noise or left out.</param>
/// <param name="Distances">Distance of each sample to its cluster's centre or medoid, where the algorithm has one.</param>
/// <param name="Info">Figures for run.json.</param>
public sealed record ClusteringOutcome(int[] Labels, float[]? Distances, ClusteringInfo Info);

/// <summary>Figures of a clustering in <see cref="RunSummary"/>.</summary>
/// <param name="Algorithm">CLI name of the algorithm.</param>
/// <param name="Clusters">Clusters found, not counting noise.</param>
/// <param name="Noise">Samples labelled −1.</param>
/// <param name="Inertia">Sum of squared distances to the centres (K-Means family) or of distances to the medoids (K-Medoids).</param>
/// <param name="Iterations">Iterations of the winning run, where the algorithm iterates.</param>
/// <param name="BestInit">Zero-based index of the winning initialisation (K-Means).</param>
/// <param name="Parameters">The algorithm's options record as it ran, every default filled in.</param>
public sealed record ClusteringInfo(string Algorithm, int Clusters, int Noise, double? Inertia = null, int? Iterations = null, int? BestInit = null,
    object? Parameters = null);

/// <summary>Builds the chosen algorithm from <see cref="ClusteringSettings"/> and runs it; the CLI's only way to cluster.</summary>
public static class AlgorithmRunner
{
    private static readonly Dictionary<ClusteringAlgorithm, string[]> Accepted = new()
    {
        [ClusteringAlgorithm.KMeans] = ["--k", "--n-init", "--max-iter", "--tol"],
        [ClusteringAlgorithm.Auto] = [],
    };

    private static readonly HashSet<ClusteringAlgorithm> TakesK = [ClusteringAlgorithm.KMeans];

    /// <summary>
    /// Checks what can be checked before any image is embedded: every given option applies to the algorithm, and
    /// <c>--k</c> is there when the algorithm needs it.
    /// </summary>
    /// <exception cref="UsageException">Naming the option and the algorithms that take it.</exception>
    public static void ValidateOptions(ClusteringSettings settings)
    {
        string name = ClusteringSettings.Name(settings.Algorithm);
        var accepted = Accepted[settings.Algorithm];
        foreach (var (option, value) in settings.Options())
        {
            if (value is null || accepted.Contains(option)) continue;
            var takers = Accepted.Where(a => a.Value.Contains(option)).Select(a => ClusteringSettings.Name(a.Key)).ToList();
            throw new UsageException($"{option} does not apply to --algorithm {name}" +
                                     (takers.Count > 0 ? $" (it is an option of {string.Join(", ", takers)})" : ""));
        }
        if (TakesK.Contains(settings.Algorithm) && settings.K is null)
            throw new UsageException($"--algorithm {name} needs the number of clusters: add --k N");
        AtLeast("--k", settings.K, 1);
        AtLeast("--n-init", settings.NInit, 1);
        AtLeast("--max-iter", settings.MaxIter, 1);
        if (settings.Tol is { } tol && !(tol >= 0 && double.IsFinite(tol)))
            throw new UsageException($"--tol must be a finite number ≥ 0 (got {tol})");
    }

    private static void AtLeast(string option, int? value, int minimum)
    {
        if (value < minimum) throw new UsageException($"{option} must be at least {minimum} (got {value})");
    }

    /// <summary>Runs the algorithm on <paramref name="x"/>.</summary>
    /// <exception cref="UsageException">An option is out of range for this data (e.g. k larger than the number of images).</exception>
    public static ClusteringOutcome Fit(ClusteringSettings settings, FeatureMatrix x, CancellationToken ct = default)
    {
        ValidateOptions(settings);
        try
        {
            return settings.Algorithm switch
            {
                ClusteringAlgorithm.KMeans => FitKMeans(settings, x, ct),
                ClusteringAlgorithm.Auto => throw new ArgumentException("--algorithm auto runs through AlgorithmRunner.Run"),
                _ => throw new UsageException($"unknown algorithm {settings.Algorithm}"),
            };
        }
        catch (ArgumentException e)
        {
            throw AsUsage(e);
        }
    }

    /// <summary>
    /// Runs <paramref name="settings"/> on <paramref name="x"/>: one algorithm, or the auto sweep (whose table is returned).
    /// </summary>
    public static (ClusteringOutcome Outcome, AutoResult? Auto) Run(ClusteringSettings settings, FeatureMatrix x, IReadOnlyList<string> paths,
        Action<string>? notice, CancellationToken ct)
    {
        if (settings.Algorithm != ClusteringAlgorithm.Auto) return (Fit(settings, x, ct), null);
        var (best, table) = AutoSweep.Run(x, paths, settings.Seed, settings.Auto ?? new AutoOptions(), notice, ct);
        return (best, table);
    }

    /// <summary>An algorithm's validation message without .NET's "(Parameter 'x')" suffix, as a user error.</summary>
    public static UsageException AsUsage(ArgumentException e) =>
        new(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));

    private static ClusteringOutcome FitKMeans(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var defaults = new KMeansOptions { NClusters = 1 };
        var options = new KMeansOptions
        {
            NClusters = s.K!.Value, NInit = s.NInit ?? defaults.NInit, MaxIter = s.MaxIter ?? defaults.MaxIter, Tol = s.Tol ?? defaults.Tol,
            Seed = s.Seed,
        };
        var result = new KMeans(options).Fit(x, ct);
        return new ClusteringOutcome(result.Labels, result.Distances,
            new ClusteringInfo("kmeans", result.NClusters, 0, result.Inertia, result.NIterations, result.BestInit, options));
    }
}
