using System.CommandLine;
using ImageCluster.Clustering;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary>The <c>--algorithm</c> option and every algorithm's options, read into <see cref="ClusteringSettings"/>.</summary>
internal sealed class ClusteringOptions
{
    private readonly Option<string> _algorithm = new("--algorithm", "-a")
    {
        Description = "Clustering algorithm: " + string.Join("|", Enum.GetValues<ClusteringAlgorithm>().Select(ClusteringSettings.Name)),
        DefaultValueFactory = _ => "kmeans",
    };


    private readonly Option<int?> _k = new("--k") { Description = "Number of clusters (every algorithm that takes one)" };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _nInit = new("--n-init") { Description = "kmeans: restarts; the best inertia wins (default 10)" };
    private readonly Option<int?> _maxIter = new("--max-iter") { Description = "Iteration limit per run (kmeans default 300)" };
    private readonly Option<double?> _tol = new("--tol") { Description = "kmeans: convergence tolerance relative to the data variance (default 1e-4)" };

    private readonly Option<DistanceMetric?> _metric = new("--metric") { Description = "kmedoids, dbscan, optics, agglomerative, hdbscan: euclidean (default) or cosine" };
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

    private readonly Option<int?> _kMin = new("--k-min") { Description = "auto: smallest k tried (default 2)" };
    private readonly Option<int?> _kMax = new("--k-max") { Description = "auto: largest k tried (default min(15, N − 1))" };
    private readonly Option<AutoRanking?> _rankBy = new("--rank-by") { Description = "auto: silhouette (no labels needed), nmi, ari or qm (need --labels; qm needs --positive). Default: qm with --labels and --positive, else silhouette" };

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
                     _branchingFactor, _kMin, _kMax, _rankBy, Labels, Positive,
                 })
            command.Options.Add(option);
    }

    private static readonly string[] Names = Enum.GetValues<ClusteringAlgorithm>().Select(ClusteringSettings.Name).ToArray();

    /// <summary>Reads the options of a parsed command line.</summary>
    /// <exception cref="UsageException">An unknown algorithm name.</exception>
    public ClusteringSettings Read(ParseResult parse)
    {
        string name = parse.GetValue(_algorithm)!;
        var algorithm = Enum.GetValues<ClusteringAlgorithm>().Where(a => ClusteringSettings.Name(a) == name.ToLowerInvariant())
            .Select(a => (ClusteringAlgorithm?)a).FirstOrDefault()
            ?? throw new UsageException($"unknown --algorithm '{name}'; " + (ParseErrors.Nearest(name, Names) is { } near ? $"did you mean {near}?"
                : $"choose one of {string.Join(", ", Names)}"));
        AutoOptions? auto = null;
        if (algorithm == ClusteringAlgorithm.Auto)
        {
            var defaults = new AutoOptions();
            auto = new AutoOptions
            {
                KMin = parse.GetValue(_kMin) ?? defaults.KMin, KMax = parse.GetValue(_kMax), RankBy = parse.GetValue(_rankBy),
                Labels = parse.GetValue(Labels), Positive = parse.GetValue(Positive),
            };
        }
        else if (new Option[] { _kMin, _kMax, _rankBy }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } autoOnly)
            throw new UsageException($"{autoOnly.Name} is an option of --algorithm auto");
        if (parse.GetValue(Positive) is not null && parse.GetValue(Labels) is null)
            throw new UsageException("--positive needs --labels FILE (the class is looked up there)");
        return new ClusteringSettings
        {
            Auto = auto,
            Algorithm = algorithm,
            K = parse.GetValue(_k),
            Seed = parse.GetValue(_seed),
            NInit = parse.GetValue(_nInit),
            MaxIter = parse.GetValue(_maxIter),
            Tol = parse.GetValue(_tol),
            Metric = parse.GetValue(_metric),
            KMeansAlgorithm = parse.GetValue(_kmeansAlgorithm),
            MiniBatchSize = parse.GetValue(_miniBatchSize),
            Method = parse.GetValue(_method),
            Eps = parse.GetValue(_eps),
            MinSamples = parse.GetValue(_minSamples),
            MaxEps = parse.GetValue(_maxEps),
            Xi = parse.GetValue(_xi),
            ClusterMethod = parse.GetValue(_clusterMethod),
            Linkage = parse.GetValue(_linkage),
            DistanceThreshold = parse.GetValue(_distanceThreshold),
            Sim = parse.GetValue(_sim),
            MinCsize = parse.GetValue(_minCsize),
            MaxSamples = parse.GetValue(_maxSamples),
            MinClusterSize = parse.GetValue(_minClusterSize),
            ClusterSelectionMethod = parse.GetValue(_selection),
            Threshold = parse.GetValue(_threshold),
            BranchingFactor = parse.GetValue(_branchingFactor),
        };
    }
}
