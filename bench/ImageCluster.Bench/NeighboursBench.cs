using System.Diagnostics;
using System.Globalization;
using ImageCluster.Neighbours;

namespace ImageCluster.Bench;

/// <summary>
/// All-kNN on the HNSW index beside the exact scan, one process: build the USearch graph of N seeded vectors, find the k
/// nearest of every row, then run the exact scan for a sample of rows — its time per row extrapolated to N (stated as
/// such) and the graph's recall@k measured on that sample. Peak RSS from the process itself.
/// Usage: bench neighbours [--n 100000] [--d 128] [--k 10] [--metric euclidean|cosine] [--exact-sample 1000] [--features CSV]
/// </summary>
internal static class NeighboursBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int n = int.Parse(Arg("--n", "100000"), CultureInfo.InvariantCulture), d = int.Parse(Arg("--d", "128"), CultureInfo.InvariantCulture);
        int k = int.Parse(Arg("--k", "10"), CultureInfo.InvariantCulture), sample = int.Parse(Arg("--exact-sample", "1000"), CultureInfo.InvariantCulture);
        var metric = Enum.Parse<DistanceMetric>(Arg("--metric", "euclidean"), ignoreCase: true);
        string? features = Arg("--features", "") is { Length: > 0 } f ? f : null;
        // A features CSV (as `embed` writes) instead of blobs: real embeddings, L2-normalised as `cluster` does.
        var x = features is null ? Blobs(n, d, centres: Math.Max(10, n / 1000), seed: 15)
            : Export.FeaturesFile.Read(features).Features.Clone().NormalizeRowsInPlace();
        (n, d, sample) = (x.Rows, x.Columns, Math.Min(sample, x.Rows));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; " +
                          $"{features ?? "blobs"} {n} × {d}, k = {k}, {metric}");

        var sw = Stopwatch.StartNew();
        using var hnsw = HnswNeighbourIndex.Build(x, metric);
        double build = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var found = AllNeighbours.Of(hnsw, x, k);
        double search = sw.Elapsed.TotalSeconds;

        var rows = Enumerable.Range(0, sample).Select(i => (int)((long)i * n / sample)).ToArray();
        using var exact = new ExactNeighbourIndex(x, metric);
        var truthRows = new int[k + 1];
        var truthDistances = new float[k + 1];
        long hits = 0;
        sw.Restart();
        foreach (int i in rows)
        {
            exact.Search(x.ReadRow(i), truthRows, truthDistances);
            var truth = truthRows.Where(r => r != i).Take(k).ToHashSet();
            hits += found.Rows.AsSpan(i * k, k).ToArray().Count(truth.Contains);
        }
        // The exact scan runs one query per core in a real all-kNN: scale the single-thread time per row accordingly.
        double exactAll = sw.Elapsed.TotalSeconds / sample * n / Environment.ProcessorCount;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
        Console.WriteLine("| N × D | HNSW build s | HNSW all-kNN s | HNSW total s | exact all-kNN s (extrapolated) | recall@k | peak RSS MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine(FormattableString.Invariant(
            $"| {n} × {d} | {build:F1} | {search:F1} | {build + search:F1} | {exactAll:F0} | {(double)hits / (sample * k):F4} | {peak} |"));
        return 0;
    }

    /// <summary>Gaussian blobs around N(0, 3²) centres with unit noise.</summary>
    internal static FeatureMatrix Blobs(int n, int d, int centres, int seed)
    {
        var random = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var c = new float[centres * d];
        for (int j = 0; j < c.Length; j++) c[j] = (float)(3 * Gauss());
        var x = new FeatureMatrix(n, d);
        for (int i = 0; i < n; i++)
        {
            int centre = random.Next(centres);
            var row = x.Row(i);
            for (int j = 0; j < d; j++) row[j] = c[centre * d + j] + (float)Gauss();
        }
        return x;
    }
}
