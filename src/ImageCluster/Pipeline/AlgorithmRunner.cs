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
        [ClusteringAlgorithm.KMeans] = ["--k", "--n-init", "--max-iter", "--tol", "--kmeans-algorithm"],
        [ClusteringAlgorithm.MiniBatchKMeans] = ["--k", "--n-init", "--max-iter", "--tol", "--minibatch-size"],
        [ClusteringAlgorithm.KMedoids] = ["--k", "--metric", "--method", "--max-iter", "--max-samples"],
        [ClusteringAlgorithm.Dbscan] = ["--eps", "--min-samples", "--metric"],
        [ClusteringAlgorithm.Optics] = ["--min-samples", "--max-eps", "--metric", "--cluster-method", "--xi", "--eps", "--min-cluster-size"],
        [ClusteringAlgorithm.Birch] = ["--k", "--threshold", "--branching-factor"],
        [ClusteringAlgorithm.Agglomerative] = ["--k", "--linkage", "--metric", "--distance-threshold", "--sim", "--min-csize", "--max-samples"],
        [ClusteringAlgorithm.Hdbscan] = ["--min-cluster-size", "--min-samples", "--metric", "--cluster-selection-method"],
        [ClusteringAlgorithm.Auto] = [],
    };

    // Why Euclidean is the cosine case here: for unit vectors ‖a − b‖² = 2 − 2·cos(a, b).
    private const string CosineNote = "features are L2-normalised by default (a --features file with --normalize), and on unit vectors " +
                                      "squared Euclidean distance is 2 − 2·cosine, so Euclidean clustering of them is the cosine case";

    private static readonly HashSet<ClusteringAlgorithm> TakesK =
        [ClusteringAlgorithm.KMeans, ClusteringAlgorithm.MiniBatchKMeans, ClusteringAlgorithm.KMedoids];

    /// <summary>
    /// Checks what can be checked before any image is embedded: every given option applies to the algorithm, and
    /// <c>--k</c> is there when the algorithm needs it.
    /// </summary>
    /// <exception cref="UsageException">Naming the option and the algorithms that take it.</exception>
    public static void ValidateOptions(ClusteringSettings settings)
    {
        string name = ClusteringSettings.Name(settings.Algorithm);
        var accepted = Accepted[settings.Algorithm];
        if (settings.Metric == DistanceMetric.Cosine && !accepted.Contains("--metric"))
            throw new UsageException($"--metric cosine does not apply to --algorithm {name}, which is Euclidean; {CosineNote}" +
                                     (settings.Algorithm == ClusteringAlgorithm.Birch ? "" : " (spherical K-Means, except that the centres are not re-normalised)") +
                                     ": drop --metric");
        if (settings.Algorithm == ClusteringAlgorithm.Agglomerative && settings.Metric == DistanceMetric.Cosine && (settings.Linkage ?? Linkage.Ward) == Linkage.Ward)
            throw new UsageException($"Ward linkage works only with Euclidean distances; {CosineNote}: drop --metric, " +
                                     "or use --linkage average, complete or single with --metric cosine");
        foreach (var (option, value) in settings.Options())
        {
            if (value is null || accepted.Contains(option)) continue;
            var takers = Accepted.Where(a => a.Value.Contains(option)).Select(a => ClusteringSettings.Name(a.Key)).ToList();
            throw new UsageException($"{option} does not apply to --algorithm {name}" +
                                     (takers.Count > 0 ? $" (it is an option of {string.Join(", ", takers)})" : ""));
        }
        if (TakesK.Contains(settings.Algorithm) && settings.K is null)
            throw new UsageException($"--algorithm {name} needs the number of clusters: add --k N");
        if (settings.Algorithm == ClusteringAlgorithm.Agglomerative &&
            new object?[] { settings.K, settings.DistanceThreshold, settings.Sim }.Count(v => v is not null) > 1)
            throw new UsageException("agglomerative takes one cut: --k, --distance-threshold or --sim");
        if (settings.MinCsize is not null && settings.Sim is null)
            throw new UsageException("--min-csize goes with --sim (it drops clusters smaller than it from the sim cut)");
        AtLeast("--k", settings.K, 1);
        AtLeast("--min-samples", settings.MinSamples, 1);
        AtLeast("--min-cluster-size", settings.MinClusterSize, 2);
        AtLeast("--min-csize", settings.MinCsize, 1);
        AtLeast("--minibatch-size", settings.MiniBatchSize, 1);
        AtLeast("--branching-factor", settings.BranchingFactor, 2);
        AtLeast("--max-samples", settings.MaxSamples, 1);
        Positive("--eps", settings.Eps);
        Positive("--max-eps", settings.MaxEps, allowInfinity: true);
        Positive("--threshold", settings.Threshold);
        Positive("--distance-threshold", settings.DistanceThreshold, allowZero: true);
        if (settings.Sim is { } sim && !(sim >= 0 && sim <= 1)) throw new UsageException($"--sim must be between 0 and 1 (got {sim})");
        if (settings.Xi is { } xi && !(xi > 0 && xi < 1)) throw new UsageException($"--xi must be between 0 and 1, exclusive (got {xi})");
        AtLeast("--n-init", settings.NInit, 1);
        AtLeast("--max-iter", settings.MaxIter, 1);
        if (settings.Tol is { } tol && !(tol >= 0 && double.IsFinite(tol)))
            throw new UsageException($"--tol must be a finite number ≥ 0 (got {tol})");
    }

    private static void AtLeast(string option, int? value, int minimum)
    {
        if (value < minimum) throw new UsageException($"{option} must be at least {minimum} (got {value})");
    }

    private static void Positive(string option, double? value, bool allowZero = false, bool allowInfinity = false)
    {
        if (value is not { } v) return;
        if (double.IsNaN(v) || (!allowInfinity && double.IsInfinity(v)) || v < 0 || (!allowZero && v == 0))
            throw new UsageException($"{option} must be a {(allowZero ? "" : "positive ")}number{(allowZero ? " ≥ 0" : "")} (got {v})");
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
                ClusteringAlgorithm.MiniBatchKMeans => FitMiniBatch(settings, x, ct),
                ClusteringAlgorithm.KMedoids => FitKMedoids(settings, x, ct),
                ClusteringAlgorithm.Dbscan => FitDbscan(settings, x, ct),
                ClusteringAlgorithm.Optics => FitOptics(settings, x, ct),
                ClusteringAlgorithm.Birch => FitBirch(settings, x, ct),
                ClusteringAlgorithm.Agglomerative => FitAgglomerative(settings, x, ct),
                ClusteringAlgorithm.Hdbscan => FitHdbscan(settings, x, ct),
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

    /// <summary>
    /// An algorithm's validation message as a user error: without .NET's "(Parameter 'x')" suffix, and with the library's
    /// option names (<c>MaxSamples</c>) replaced by the CLI's (<c>--max-samples</c>).
    /// </summary>
    public static UsageException AsUsage(ArgumentException e)
    {
        string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
        // Single letters ("K") would also hit words like "K-Means".
        foreach (var (option, _) in new ClusteringSettings().Options().Where(o => o.Name.Length > 4))
        {
            string pascal = string.Concat(option.TrimStart('-').Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{pascal}\b", option);
        }
        return new UsageException(message);
    }

    private static ClusteringOutcome FitKMeans(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new KMeansOptions { NClusters = 1 };
        var options = new KMeansOptions
        {
            NClusters = s.K!.Value, NInit = s.NInit ?? d.NInit, MaxIter = s.MaxIter ?? d.MaxIter, Tol = s.Tol ?? d.Tol,
            Algorithm = s.KMeansAlgorithm ?? d.Algorithm, Seed = s.Seed,
        };
        var r = new KMeans(options).Fit(x, ct);
        return new ClusteringOutcome(r.Labels, r.Distances, new ClusteringInfo("kmeans", r.NClusters, 0, r.Inertia, r.NIterations, r.BestInit, options));
    }

    private static ClusteringOutcome FitMiniBatch(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new MiniBatchKMeansOptions { NClusters = 1 };
        var options = new MiniBatchKMeansOptions
        {
            NClusters = s.K!.Value, NInit = s.NInit ?? d.NInit, MaxIter = s.MaxIter ?? d.MaxIter, Tol = s.Tol ?? d.Tol,
            BatchSize = s.MiniBatchSize ?? d.BatchSize, Seed = s.Seed,
        };
        var r = new MiniBatchKMeans(options).Fit(x, ct);
        return new ClusteringOutcome(r.Labels, DistancesToCentres(x, r.Labels, r.Centers),
            new ClusteringInfo("minibatch-kmeans", r.NClusters, 0, r.Inertia, r.NIterations, Parameters: options));
    }

    private static ClusteringOutcome FitKMedoids(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new KMedoidsOptions { NClusters = 1 };
        var options = new KMedoidsOptions
        {
            NClusters = s.K!.Value, Metric = s.Metric ?? d.Metric, Method = s.Method ?? d.Method, MaxIter = s.MaxIter ?? d.MaxIter,
            MaxSamples = s.MaxSamples ?? d.MaxSamples, Seed = s.Seed,
        };
        var r = new KMedoids(options).Fit(x, ct);
        var distances = options.Metric == DistanceMetric.Euclidean ? DistancesToCentres(x, r.Labels, r.Centers) : null;
        return new ClusteringOutcome(r.Labels, distances, new ClusteringInfo("kmedoids", r.NClusters, 0, r.Inertia, r.NIterations, Parameters: options));
    }

    private static ClusteringOutcome FitDbscan(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new DbscanOptions();
        var options = new DbscanOptions { Eps = s.Eps ?? d.Eps, MinSamples = s.MinSamples ?? d.MinSamples, Metric = s.Metric ?? d.Metric };
        var r = new Dbscan(options).Fit(x, ct);
        return Unsupervised("dbscan", r, options);
    }

    private static ClusteringOutcome FitOptics(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var options = OpticsOptionsFrom(s);
        var r = new Optics(options).Fit(x, ct);
        return Unsupervised("optics", r, options);
    }

    /// <summary>OPTICS' options as <c>cluster</c> runs them (the report refits with the same ones for its reachability plot).</summary>
    internal static OpticsOptions OpticsOptionsFrom(ClusteringSettings s)
    {
        var d = new OpticsOptions();
        return new OpticsOptions
        {
            MinSamples = s.MinSamples ?? d.MinSamples, MaxEps = s.MaxEps ?? d.MaxEps, Metric = s.Metric ?? d.Metric,
            ClusterMethod = s.ClusterMethod ?? (s.Eps is null ? d.ClusterMethod : OpticsClusterMethod.Dbscan), Xi = s.Xi ?? d.Xi, Eps = s.Eps,
            MinClusterSize = s.MinClusterSize,
        };
    }

    private static ClusteringOutcome FitBirch(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new BirchOptions();
        var options = new BirchOptions { NClusters = s.K, Threshold = s.Threshold ?? d.Threshold, BranchingFactor = s.BranchingFactor ?? d.BranchingFactor };
        var r = new Birch(options).Fit(x, ct);
        return Unsupervised("birch", r, options);
    }

    private static ClusteringOutcome FitAgglomerative(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var options = AgglomerativeOptionsFrom(s);
        var r = new Agglomerative(options).Fit(x, ct);
        return Unsupervised("agglomerative", r, options);
    }

    /// <summary>Agglomerative options as <c>cluster</c> runs them (the report refits with the same ones for its dendrogram).</summary>
    internal static AgglomerativeOptions AgglomerativeOptionsFrom(ClusteringSettings s)
    {
        var d = new AgglomerativeOptions();
        bool anyCut = s.K is not null || s.DistanceThreshold is not null || s.Sim is not null;
        return new AgglomerativeOptions
        {
            NClusters = anyCut ? s.K : d.NClusters, DistanceThreshold = s.DistanceThreshold, Sim = s.Sim, MinCsize = s.MinCsize,
            Linkage = s.Linkage ?? d.Linkage, Metric = s.Metric ?? d.Metric, MaxSamples = s.MaxSamples ?? d.MaxSamples,
        };
    }

    private static ClusteringOutcome FitHdbscan(ClusteringSettings s, FeatureMatrix x, CancellationToken ct)
    {
        var d = new HdbscanOptions();
        var options = new HdbscanOptions
        {
            MinClusterSize = s.MinClusterSize ?? d.MinClusterSize, MinSamples = s.MinSamples, Metric = s.Metric ?? d.Metric,
            ClusterSelectionMethod = s.ClusterSelectionMethod ?? d.ClusterSelectionMethod,
        };
        var r = new Hdbscan(options).Fit(x, ct);
        return Unsupervised("hdbscan", r, options);
    }

    private static ClusteringOutcome Unsupervised(string name, IClusteringResult r, object options) =>
        new(r.Labels, null, new ClusteringInfo(name, r.NClusters, r.Labels.Count(l => l < 0), Parameters: options));

    /// <summary>Euclidean distance of every sample to its cluster's centre (NaN for noise).</summary>
    private static float[] DistancesToCentres(FeatureMatrix x, int[] labels, FeatureMatrix centres)
    {
        var distances = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            distances[i] = labels[i] < 0 ? float.NaN : System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), centres.ReadRow(labels[i]));
        return distances;
    }
}
