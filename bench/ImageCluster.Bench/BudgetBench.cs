using System.Diagnostics;
using System.Globalization;
using ImageCluster.Clustering;
using ImageCluster.Pipeline;

namespace ImageCluster.Bench;

/// <summary>
/// The clustering time guard against the real fits: for each super-linear algorithm and size, the estimate
/// <see cref="FitBudget"/> makes (and what making it cost), then the fit itself, one after the other in this process, on
/// seeded Gaussian blobs (20 centres, unit noise) — the ratio says how far the guard can be trusted.
/// Usage: bench budget [--sizes 50000,100000] [--d 128] [--algorithms dbscan,optics,hdbscan,ward,kmedoids] [--eps 15] [--estimate-only]
/// (ward and kmedoids hold N² distances: at most their MaxSamples, 20 000 by default)
/// (eps 15 suits these blobs: within-blob distances are ≈ √(2·128) = 16, between blobs ≈ 3·16)
/// </summary>
internal static class BudgetBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int[] sizes = Arg("--sizes", "50000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int d = int.Parse(Arg("--d", "128"), CultureInfo.InvariantCulture);
        double eps = double.Parse(Arg("--eps", "15"), CultureInfo.InvariantCulture);
        string[] algorithms = Arg("--algorithms", "dbscan,optics,hdbscan").Split(',');
        bool fit = !args.Contains("--estimate-only"); // sizes whose fits take hours: what the guard would say
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; blobs d = {d}");
        Console.WriteLine("| algorithm | N | trial s (4 000 rows) | estimate s | estimating took s | fit s | fit / estimate |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int n in sizes)
        {
            var x = Blobs(n, d, seed: 14);
            foreach (string algorithm in algorithms)
            {
                ClustererOptions options = algorithm switch
                {
                    "dbscan" => new DbscanOptions { Eps = eps, MinSamples = 5 },
                    "optics" => new OpticsOptions { MinSamples = 5 },
                    "hdbscan" => new HdbscanOptions { MinClusterSize = 5 },
                    "ward" => new AgglomerativeOptions { NClusters = 20, Linkage = Linkage.Ward },
                    "kmedoids" => new KMedoidsOptions { NClusters = 20 },
                    _ => throw new ArgumentException($"unknown algorithm {algorithm} (dbscan, optics, hdbscan, ward, kmedoids)"),
                };
                var sw = Stopwatch.StartNew();
                var estimate = FitBudget.Estimate(options, x) ?? throw new InvalidOperationException($"no estimate for {algorithm} on {n}");
                double estimating = sw.Elapsed.TotalSeconds;
                string measured = "–", ratio = "–";
                if (fit)
                {
                    sw.Restart();
                    options.CreateClusterer().Fit(x);
                    double seconds = sw.Elapsed.TotalSeconds;
                    (measured, ratio) = (seconds.ToString("F1", CultureInfo.InvariantCulture), (seconds / estimate.Seconds).ToString("F2", CultureInfo.InvariantCulture));
                }
                Console.WriteLine(FormattableString.Invariant(
                    $"| {algorithm} | {n} | {estimate.TrialSeconds:F3} | {Range(estimate)} | {estimating:F2} | {measured} | {ratio} |"));
            }
        }
        return 0;
    }

    private static string Range(FitEstimate e) =>
        e.UpTo > e.Seconds ? FormattableString.Invariant($"{e.Seconds:F1}–{e.UpTo:F1}") : FormattableString.Invariant($"{e.Seconds:F1}");

    /// <summary>Gaussian blobs: 20 centres with N(0, 3²) coordinates, unit noise around them.</summary>
    private static FeatureMatrix Blobs(int n, int d, int seed)
    {
        var random = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = new double[20, d];
        for (int c = 0; c < 20; c++)
            for (int j = 0; j < d; j++) centres[c, j] = 3 * Gauss();
        var x = new FeatureMatrix(n, d);
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(20);
            var row = x.Row(i);
            for (int j = 0; j < d; j++) row[j] = (float)(centres[c, j] + Gauss());
        }
        return x;
    }
}
