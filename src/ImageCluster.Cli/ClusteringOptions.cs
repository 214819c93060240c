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

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _algorithm, _k, _seed, _nInit, _maxIter, _tol })
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
        return new ClusteringSettings
        {
            Algorithm = algorithm,
            K = parse.GetValue(_k),
            Seed = parse.GetValue(_seed),
            NInit = parse.GetValue(_nInit),
            MaxIter = parse.GetValue(_maxIter),
            Tol = parse.GetValue(_tol),
        };
    }
}
