using System.CommandLine;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary>
/// The <c>--algorithm</c> option and every algorithm's options, read into the library's options record of that algorithm
/// (<see cref="ClustererOptions"/>) or into <see cref="AutoOptions"/>. The table <see cref="FlagsOf"/> is both the builder
/// (each flag sets the property it names) and the way back from a library error's parameter name to the flag.
/// </summary>
internal sealed class ClusteringOptions
{
    private const string Auto = "auto";

    private static readonly string[] Names = [.. ClustererOptions.Algorithms.Keys, Auto];

    private readonly Option<string> _algorithm = new("--algorithm", "-a")
    {
        Description = "Clustering algorithm: " + string.Join("|", Names) + ". Default: kmeans with --k; without --k the label-free choice " +
                      "(auto --rank-by stability: Leiden at resolution 1 on the neighbour graph whose clusters are most stable across subsamples)",
    };


    private readonly Option<int?> _k = new("--k") { Description = "Number of clusters (every algorithm that takes one)" };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _nInit = new("--n-init") { Description = "kmeans, spectral: restarts; the best inertia wins (default 10)" };
    private readonly Option<int?> _maxIter = new("--max-iter") { Description = "Iteration limit per run (kmeans default 300)" };
    private readonly Option<double?> _tol = new("--tol") { Description = "kmeans: convergence tolerance relative to the data variance (default 1e-4)" };

    private readonly Option<DistanceMetric?> _metric = new("--metric") { Description = "kmedoids, dbscan, optics, agglomerative, hdbscan: euclidean (default) or cosine; leiden, spectral: cosine (default) or euclidean" };
    private readonly Option<KMeansAlgorithm?> _kmeansAlgorithm = new("--kmeans-algorithm") { Description = "kmeans: lloyd (default) or elkan (same result, fewer distance computations for large k)" };
    private readonly Option<int?> _miniBatchSize = new("--minibatch-size") { Description = "minibatch-kmeans: samples per batch (default 1024)" };
    private readonly Option<KMedoidsMethod?> _method = new("--method") { Description = "kmedoids: pam (default; BUILD + SWAP as R's cluster::pam) or fasterpam" };
    private readonly Option<double?> _eps = new("--eps") { Description = "dbscan: neighbourhood radius (default 0.5; 'diagnose' suggests one); optics: cut the reachability at eps (--cluster-method dbscan)" };
    private readonly Option<int?> _minSamples = new("--min-samples") { Description = "dbscan, optics, hdbscan: neighbours of a core point, itself included (default 5; hdbscan: --min-cluster-size)" };
    private readonly Option<double?> _maxEps = new("--max-eps") { Description = "optics: largest radius searched (default infinite)" };
    private readonly Option<double?> _xi = new("--xi") { Description = "optics: minimum steepness of a cluster boundary (default 0.05)" };
    private readonly Option<OpticsClusterMethod?> _clusterMethod = new("--cluster-method") { Description = "optics: xi (default) or dbscan (cut at --eps)" };
    private readonly Option<Linkage?> _linkage = new("--linkage") { Description = "agglomerative: ward (default), complete, average or single" };
    private readonly Option<double?> _distanceThreshold = new("--distance-threshold") { Description = "agglomerative: cut where merges are this far apart instead of at --k" };
    private readonly Option<double?> _sim = new("--sim") { Description = "agglomerative: elcorto/imagecluster's cut, 0..1: 0 = one cluster, 1 = every image alone; threshold = (1 − sim) × largest pairwise distance" };
    private readonly Option<int?> _minCsize = new("--min-csize") { Description = "agglomerative with --sim: clusters smaller than this are not reported (noise); default 2" };
    private readonly Option<int?> _maxSamples = new("--max-samples") { Description = "agglomerative, kmedoids: refuse more images than this (they need O(N²) memory; default 20000)" };
    private readonly Option<int?> _minClusterSize = new("--min-cluster-size") { Description = "hdbscan: smallest cluster (default 5); optics: smallest xi cluster" };
    private readonly Option<ClusterSelectionMethod?> _selection = new("--cluster-selection-method") { Description = "hdbscan: eom (default, most stable clusters) or leaf (finest clusters)" };
    private readonly Option<double?> _threshold = new("--threshold") { Description = "birch: largest radius of a subcluster (default 0.5)" };
    private readonly Option<int?> _branchingFactor = new("--branching-factor") { Description = "birch: CF-tree branching factor (default 50)" };
    private readonly Option<int?> _maxSubclusters = new("--max-subclusters") { Description = "birch: refuse more CF subclusters than this for the global step (default 20000)" };

    private readonly Option<string?> _init = new("--init") { Description = "kmeans: k-means++ (default) or a CSV of initial centres (path,f0,f1,… one row per cluster, in the clustered space); kmedoids: build (default), k-medoids++ or comma-separated sample indices" };
    private readonly Option<string?> _maxNoImprovement = new("--max-no-improvement") { Description = "minibatch-kmeans: stop after this many batches without improvement, or none (default 10)" };
    private readonly Option<int?> _initSize = new("--init-size") { Description = "minibatch-kmeans: samples used to seed each initialisation (default 3 × batch size)" };
    private readonly Option<double?> _reassignmentRatio = new("--reassignment-ratio") { Description = "minibatch-kmeans: share of the largest cluster's count below which a centre is re-seeded (default 0.01)" };
    private readonly Option<bool?> _predecessorCorrection = new("--predecessor-correction") { Description = "optics: correct xi cluster ends by their predecessors, true (default) or false" };
    private readonly Option<double?> _selectionEpsilon = new("--cluster-selection-epsilon") { Description = "hdbscan: merge clusters closer than this distance (default 0)" };
    private readonly Option<bool> _allowSingleCluster = new("--allow-single-cluster") { Description = "hdbscan: allow the whole set to be one cluster" };
    private readonly Option<double?> _resolution = new("--resolution") { Description = "leiden: modularity resolution, higher = more, smaller clusters (default 1; ignored with --k, which searches it)" };
    private readonly Option<int?> _kNeighbours = new("--k-neighbours") { Description = "leiden, spectral: neighbours of each image in the graph (default 15)" };
    private readonly Option<int?> _threads = new("--cluster-threads") { Description = "Every algorithm: upper bound on clustering threads (default: one per core); results do not depend on it" };

    private readonly Option<int?> _kMin = new("--k-min") { Description = "auto: smallest k tried (default 2)" };
    private readonly Option<int?> _kMax = new("--k-max") { Description = "auto: largest k tried (default min(15, N − 1))" };
    private readonly Option<AutoRanking?> _rankBy = new("--rank-by") { Description = "auto: silhouette or stability (no labels needed; stability compares Leiden at 5 and 15 neighbours), nmi, ari or qm (need --labels; qm needs --positive). Default: qm with --labels and --positive, else silhouette; stability when neither --algorithm nor --k is given" };

    /// <summary>Labels to score the result against (and to rank an auto sweep by).</summary>
    public Option<string?> Labels { get; } = new("--labels") { Description = "CSV path,label: score the clusters against it (NMI, ARI, …; QM with --positive)" };

    /// <summary>Class of interest for the Quality Metric.</summary>
    public Option<string?> Positive { get; } = new("--positive") { Description = "Class of interest in --labels: precision, recall and Quality Metric" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
                 {
                     _algorithm, _k, _seed, _metric, _nInit, _maxIter, _tol, _kmeansAlgorithm, _miniBatchSize, _method, _eps, _minSamples, _maxEps, _xi,
                     _clusterMethod, _linkage, _distanceThreshold, _sim, _minCsize, _maxSamples, _minClusterSize, _selection, _threshold,
                     _branchingFactor, _maxSubclusters, _init, _maxNoImprovement, _initSize, _reassignmentRatio, _predecessorCorrection,
                     _selectionEpsilon, _allowSingleCluster, _resolution, _kNeighbours, _threads, _kMin, _kMax, _rankBy, Labels, Positive,
                 })
            command.Options.Add(option);
    }

    /// <summary>One flag and the options property it sets.</summary>
    internal sealed record Flag(Option Option, string Property);

    // Why Euclidean is the cosine case here: for unit vectors ‖a − b‖² = 2 − 2·cos(a, b).
    private const string CosineNote = "features are L2-normalised by default (a --features file with --normalize), and on unit vectors " +
                                      "squared Euclidean distance is 2 − 2·cosine, so Euclidean clustering of them is the cosine case";

    /// <summary>Properties of an algorithm's options that the command sets itself rather than by a flag, and why.</summary>
    internal static readonly IReadOnlyDictionary<string, string> SetByTheCommand = new Dictionary<string, string>
    {
        ["BirchOptions.ComputeLabels"] = "the command always needs each image's label",
        ["KMeansOptions.CopyX"] = "the command owns its feature matrix and always lets K-Means centre it in place",
    };

    /// <summary>Every flag of <paramref name="algorithm"/> and the property of its options record it sets.</summary>
    internal Flag[] FlagsOf(string algorithm)
    {
        Flag[] common = [new(_seed, "Seed"), new(_threads, "MaxDegreeOfParallelism")];
        Flag[] own = algorithm switch
        {
            "kmeans" => [new(_k, "NClusters"), new(_nInit, "NInit"), new(_maxIter, "MaxIter"), new(_tol, "Tol"), new(_kmeansAlgorithm, "Algorithm"), new(_init, "Init")],
            "minibatch-kmeans" =>
            [
                new(_k, "NClusters"), new(_nInit, "NInit"), new(_maxIter, "MaxIter"), new(_tol, "Tol"), new(_miniBatchSize, "BatchSize"),
                new(_maxNoImprovement, "MaxNoImprovement"), new(_initSize, "InitSize"), new(_reassignmentRatio, "ReassignmentRatio"),
            ],
            "kmedoids" =>
            [
                new(_k, "NClusters"), new(_metric, "Metric"), new(_method, "Method"), new(_maxIter, "MaxIter"), new(_maxSamples, "MaxSamples"),
                new(_init, "Init"), new(_init, "InitialMedoids"),
            ],
            "dbscan" => [new(_eps, "Eps"), new(_minSamples, "MinSamples"), new(_metric, "Metric")],
            "optics" =>
            [
                new(_minSamples, "MinSamples"), new(_maxEps, "MaxEps"), new(_metric, "Metric"), new(_clusterMethod, "ClusterMethod"), new(_xi, "Xi"),
                new(_eps, "Eps"), new(_minClusterSize, "MinClusterSize"), new(_predecessorCorrection, "PredecessorCorrection"),
            ],
            "birch" => [new(_k, "NClusters"), new(_threshold, "Threshold"), new(_branchingFactor, "BranchingFactor"), new(_maxSubclusters, "MaxSubclusters")],
            "agglomerative" =>
            [
                new(_k, "NClusters"), new(_linkage, "Linkage"), new(_metric, "Metric"), new(_distanceThreshold, "DistanceThreshold"), new(_sim, "Sim"),
                new(_minCsize, "MinCsize"), new(_maxSamples, "MaxSamples"),
            ],
            "hdbscan" =>
            [
                new(_minClusterSize, "MinClusterSize"), new(_minSamples, "MinSamples"), new(_metric, "Metric"), new(_selection, "ClusterSelectionMethod"),
                new(_selectionEpsilon, "ClusterSelectionEpsilon"), new(_allowSingleCluster, "AllowSingleCluster"),
            ],
            "leiden" => [new(_k, "NClusters"), new(_resolution, "Resolution"), new(_kNeighbours, "NNeighbors"), new(_metric, "Metric")],
            "spectral" => [new(_k, "NClusters"), new(_kNeighbours, "NNeighbors"), new(_metric, "Metric"), new(_nInit, "NInit")],
            Auto => [new(_kMin, "KMin"), new(_kMax, "KMax"), new(_rankBy, "RankBy")],
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not an algorithm"),
        };
        // Only the algorithms with random choices have a Seed; --seed is still accepted (and ignored) by the others.
        var properties = algorithm == Auto ? typeof(AutoOptions) : ClustererOptions.Algorithms[algorithm];
        return [.. own, .. common.Where(f => properties.GetProperty(f.Property) is not null)];
    }

    /// <summary>The algorithm chosen on the command line and its options: one of the two is set.</summary>
    /// <param name="LabelFree">Neither <c>--algorithm</c> nor <c>--k</c> was given: the command chose the stability sweep itself.</param>
    internal sealed record Choice(string Algorithm, ClustererOptions? Clustering, AutoOptions? Auto, Flag[] Flags, bool LabelFree = false);

    /// <summary>Reads the options of a parsed command line.</summary>
    /// <exception cref="UsageException">An unknown algorithm, an option it does not take, or a missing <c>--k</c>.</exception>
    public Choice Read(ParseResult parse)
    {
        bool named = parse.GetResult(_algorithm) is { Implicit: false } && parse.GetValue(_algorithm) is not null;
        // No --algorithm: K-Means at --k, or without --k the label-free choice (unless --rank-by asks for another sweep).
        string name = named ? parse.GetValue(_algorithm)!.ToLowerInvariant() : parse.GetValue(_k) is null ? Auto : "kmeans";
        bool labelFree = !named && name == Auto && new Option[] { _rankBy, _kMin, _kMax }.All(o => parse.GetResult(o) is not { Implicit: false });
        if (!Names.Contains(name))
            throw new UsageException($"unknown --algorithm '{parse.GetValue(_algorithm)}'; " + (ParseErrors.Nearest(name, Names) is { } near ? $"did you mean {near}?"
                : $"choose one of {string.Join(", ", Names)}"));
        var flags = FlagsOf(name);
        RefuseOptionsOfOtherAlgorithms(parse, name, flags, named);
        if (parse.GetValue(Positive) is not null && parse.GetValue(Labels) is null)
            throw new UsageException("--positive needs --labels FILE (the class is looked up there)");

        object options = name == Auto
            ? new AutoOptions { Labels = parse.GetValue(Labels), Positive = parse.GetValue(Positive) }
            : Activator.CreateInstance(ClustererOptions.Algorithms[name])!;
        foreach (var flag in flags)
            if (ValueOf(parse, flag, name) is { } value)
                options.GetType().GetProperty(flag.Property)!.SetValue(options, value); // the table is the builder: a fresh record, before anyone sees it
        options = Adjust(parse, name, options);
        if (labelFree) options = ((AutoOptions)options) with { RankBy = AutoRanking.Stability };
        return new Choice(name, options as ClustererOptions, options as AutoOptions, flags, labelFree);
    }

    // The command line's conveniences and spellings, on top of the library's defaults.
    private object Adjust(ParseResult parse, string name, object options)
    {
        bool noK = parse.GetValue(_k) is null;
        if (options is KMeansOptions or MiniBatchKMeansOptions or KMedoidsOptions or SpectralOptions && noK)
            throw new UsageException($"--algorithm {name} needs the number of clusters: add --k N");
        return options switch
        {
            // Without --k, Birch keeps every CF subcluster as a cluster (scikit-learn's n_clusters=None).
            BirchOptions b when noK => b with { NClusters = null },
            // An --eps for OPTICS means its DBSCAN-like cut, unless --cluster-method says otherwise.
            OpticsOptions o when parse.GetValue(_eps) is not null && parse.GetValue(_clusterMethod) is null => o with { ClusterMethod = OpticsClusterMethod.Dbscan },
            MiniBatchKMeansOptions m when string.Equals(parse.GetValue(_maxNoImprovement), "none", StringComparison.OrdinalIgnoreCase) => m with { MaxNoImprovement = null },
            _ => options,
        };
    }

    private object? ValueOf(ParseResult parse, Flag flag, string algorithm)
    {
        if (parse.GetResult(flag.Option) is not { } result || (result.Implicit && flag.Option != _seed)) return null;
        if (flag.Option == _init) return InitValue(parse.GetValue(_init)!, flag.Property, algorithm);
        if (flag.Option == _maxNoImprovement)
        {
            string text = parse.GetValue(_maxNoImprovement)!;
            if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return null; // set to null by Adjust
            return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n)
                ? n : throw new UsageException($"--max-no-improvement takes a whole number or none (got '{text}')");
        }
        if (flag.Option == _allowSingleCluster) return parse.GetValue(_allowSingleCluster) ? true : null;
        return result.GetValueOrDefault<object?>();
    }

    private static object? InitValue(string text, string property, string algorithm)
    {
        if (algorithm == "kmeans")
        {
            if (text.Equals("k-means++", StringComparison.OrdinalIgnoreCase)) return null;
            if (!File.Exists(text)) throw new UsageException($"--init {text}: no such file (give k-means++ or a CSV of initial centres)");
            return Export.FeaturesFile.Read(text).Features;
        }
        // kmedoids: a method, or the medoids themselves.
        var method = text.ToLowerInvariant() switch
        {
            "build" => KMedoidsInit.Build,
            "k-medoids++" => KMedoidsInit.KMedoidsPlusPlus,
            _ => KMedoidsInit.Given,
        };
        if (method != KMedoidsInit.Given) return property == "Init" ? method : null;
        var indices = text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
            int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int i)
                ? i : throw new UsageException($"--init takes build, k-medoids++ or comma-separated sample indices (got '{text}')")).ToArray();
        return property == "Init" ? method : indices;
    }

    private void RefuseOptionsOfOtherAlgorithms(ParseResult parse, string name, Flag[] flags, bool named)
    {
        var accepted = flags.Select(f => f.Option).Append(_seed).ToHashSet();
        foreach (var option in AllAlgorithmOptions())
        {
            if (parse.GetResult(option) is not { Implicit: false } || accepted.Contains(option)) continue;
            if (option == _metric && parse.GetValue(_metric) == DistanceMetric.Cosine)
                throw new UsageException($"--metric cosine does not apply to --algorithm {name}, which is Euclidean; {CosineNote}" +
                                         (name == "birch" ? "" : " (spherical K-Means, except that the centres are not re-normalised)") + ": drop --metric");
            if (name != Auto && (option == _kMin || option == _kMax || option == _rankBy))
                throw new UsageException($"{option.Name} is an option of --algorithm auto");
            var takers = Names.Where(n => FlagsOf(n).Any(f => f.Option == option)).ToList();
            if (!named)
                throw new UsageException($"{option.Name} is an option of {string.Join(", ", takers)}: name one with --algorithm (and give --k where it needs one); " +
                                         "without --algorithm and --k the command chooses the clustering itself");
            throw new UsageException($"{option.Name} does not apply to --algorithm {name}" +
                                     (takers.Count > 0 ? $" (it is an option of {string.Join(", ", takers)})" : ""));
        }
    }

    private IEnumerable<Option> AllAlgorithmOptions() => Names.SelectMany(FlagsOf).Select(f => f.Option).Distinct();

    /// <summary>
    /// A library error about an option, in the command line's words: every property name of the chosen algorithm's
    /// options (and of the job's) replaced by its flag. Null when the error is not about an option the user gave
    /// (a program error, which keeps its stack trace).
    /// </summary>
    public static string? Describe(ArgumentException e, Choice choice)
    {
        var flags = new Dictionary<string, string> { ["Clustering"] = "--algorithm" };
        foreach (var flag in choice.Flags) flags[flag.Property] = flag.Option.Name;
        if (UserErrors.Describe(e, flags) is not { } message) return null;
        return choice.Clustering is AgglomerativeOptions && e.ParamName == "Metric" && message.StartsWith("Ward", StringComparison.Ordinal)
            ? message + "; " + CosineNote
            : message;
    }

    /// <summary>Runs a job, turning its errors about options into the command line's words (<see cref="Describe"/>).</summary>
    public static T Translate<T>(Choice choice, Func<T> job)
    {
        try
        {
            return job();
        }
        catch (ArgumentException e) when (Describe(e, choice) is { } message)
        {
            throw new UsageException(message);
        }
    }

    /// <summary>Runs a job, turning its errors about options into the command line's words (<see cref="Describe"/>).</summary>
    public static async Task<T> Translate<T>(Choice choice, Func<Task<T>> job)
    {
        try
        {
            return await job();
        }
        catch (ArgumentException e) when (Describe(e, choice) is { } message)
        {
            throw new UsageException(message);
        }
    }

    /// <summary>The flags that rebuild <paramref name="options"/> (those that differ from the defaults), e.g. <c>--k 4</c>.</summary>
    public string AsFlags(ClustererOptions options)
    {
        var defaults = Activator.CreateInstance(options.GetType())!;
        var parts = new List<string>();
        foreach (var flag in FlagsOf(options.AlgorithmName).DistinctBy(f => f.Option))
        {
            var property = options.GetType().GetProperty(flag.Property)!;
            object? value = property.GetValue(options);
            if (value is null || flag.Option == _seed || Equals(value, property.GetValue(defaults))) continue;
            parts.Add(value switch
            {
                bool b => b ? flag.Option.Name : $"{flag.Option.Name} false",
                Enum e => $"{flag.Option.Name} {e.ToString().ToLowerInvariant()}",
                IFormattable f => $"{flag.Option.Name} {f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
                _ => $"{flag.Option.Name} {value}",
            });
        }
        return string.Join(' ', parts);
    }
}
