using System.CommandLine;
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

    private readonly Option<int?> _kMin = new("--k-min") { Description = "auto: smallest k tried (default 2)" };
    private readonly Option<int?> _kMax = new("--k-max") { Description = "auto: largest k tried (default min(15, N − 1))" };
    private readonly Option<AutoRanking?> _rankBy = new("--rank-by") { Description = "auto: silhouette (default; no labels needed), nmi, ari or qm (need --labels; qm needs --positive)" };

    /// <summary>Labels to score the result against (and to rank an auto sweep by).</summary>
    public Option<string?> Labels { get; } = new("--labels") { Description = "CSV path,label: score the clusters against it (NMI, ARI, …; QM with --positive)" };

    /// <summary>Class of interest for the Quality Metric.</summary>
    public Option<string?> Positive { get; } = new("--positive") { Description = "Class of interest in --labels: precision, recall and Quality Metric" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _algorithm, _k, _seed, _nInit, _maxIter, _tol, _kMin, _kMax, _rankBy, Labels, Positive })
            command.Options.Add(option);
    }

    /// <summary>Reads the options of a parsed command line.</summary>
    /// <exception cref="UsageException">An unknown algorithm name.</exception>
    public ClusteringSettings Read(ParseResult parse)
    {
        string name = parse.GetValue(_algorithm)!;
        var algorithm = Enum.GetValues<ClusteringAlgorithm>().Where(a => ClusteringSettings.Name(a) == name.ToLowerInvariant())
            .Select(a => (ClusteringAlgorithm?)a).FirstOrDefault()
            ?? throw new UsageException($"unknown --algorithm '{name}'; choose one of {string.Join(", ", Enum.GetValues<ClusteringAlgorithm>().Select(ClusteringSettings.Name))}");
        AutoOptions? auto = null;
        if (algorithm == ClusteringAlgorithm.Auto)
        {
            var defaults = new AutoOptions();
            auto = new AutoOptions
            {
                KMin = parse.GetValue(_kMin) ?? defaults.KMin, KMax = parse.GetValue(_kMax), RankBy = parse.GetValue(_rankBy) ?? defaults.RankBy,
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
        };
    }
}
