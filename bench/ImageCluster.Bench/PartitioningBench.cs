using System.Diagnostics;
using System.Runtime.InteropServices;
using ImageCluster;
using ImageCluster.Clustering;

/// <summary>
/// `bench partitioning DIR`: K-Means (Lloyd, Elkan), MiniBatch K-Means on 100 000 × 256 (k = 20) and K-Medoids
/// (PAM, FasterPAM) on 5000 × 64 (k = 50), one run each, wall and CPU time. Writes the data to DIR as raw float32 so
/// that bench/partitioning_peer.py (scikit-learn) and bench/partitioning_peer.R (R's cluster::pam) time the same numbers.
/// </summary>
internal static class PartitioningBench
{
    public static int Run(string folder)
    {
        Directory.CreateDirectory(folder);
        const int n = 100_000, d = 256, k = 20;
        var x = Blobs(n, d, k);
        File.WriteAllBytes(Path.Combine(folder, "blobs_100000x256.f32"), MemoryMarshal.AsBytes(x.Data.AsSpan()).ToArray());
        var small = new FeatureMatrix(5000, 64);
        for (int i = 0; i < small.Rows; i++) x.ReadRow(i)[..64].CopyTo(small.Row(i));
        File.WriteAllBytes(Path.Combine(folder, "blobs_5000x64.f32"), MemoryMarshal.AsBytes(small.Data.AsSpan()).ToArray());

        // Warm-up so that JIT time is not measured.
        var warm = new FeatureMatrix(2000, d, x.Data.AsSpan(0, 2000 * d).ToArray());
        new KMeans(new KMeansOptions { NClusters = k, NInit = 1, Algorithm = KMeansAlgorithm.Elkan }).Fit(warm);
        new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = k }).Fit(warm);
        new KMedoids(new KMedoidsOptions { NClusters = 5, Method = KMedoidsMethod.FasterPam }).Fit(new FeatureMatrix(300, 64, small.Data[..(300 * 64)]));

        foreach (var algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Elkan })
            Time($"KMeans {algorithm} n_init=1", () => new KMeans(new KMeansOptions { NClusters = k, NInit = 1, Algorithm = algorithm }).Fit(x),
                r => $"{r.NIterations} iterations, inertia {r.Inertia:E6}");
        foreach (int nInit in new[] { 3, 1 })
            Time($"MiniBatchKMeans n_init={nInit}", () => new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = k, NInit = nInit }).Fit(x),
                r => $"{r.NIterations} steps, inertia {r.Inertia:E6}");
        foreach (var init in new[] { KMedoidsInit.Build, KMedoidsInit.KMedoidsPlusPlus })
            foreach (var method in new[] { KMedoidsMethod.Pam, KMedoidsMethod.FasterPam })
                Time($"KMedoids {method} from {init} (5000 × 64, k = 50)",
                    () => new KMedoids(new KMedoidsOptions { NClusters = 50, Method = method, Init = init }).Fit(small),
                    r => $"{r.NIterations} swaps, objective {r.Inertia:F4}");
        return 0;
    }

    private static void Time<T>(string label, Func<T> run, Func<T, string> describe)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        T result = run();
        process.Refresh();
        Console.WriteLine($"{label}: {clock.Elapsed.TotalSeconds:F2} s wall, {(process.TotalProcessorTime - cpu).TotalSeconds:F2} s CPU, {describe(result)}");
    }

    /// <summary>k Gaussian blobs, centres uniform in [−1, 1]^d, unit noise: overlapping, as embeddings tend to be.</summary>
    private static FeatureMatrix Blobs(int n, int d, int k)
    {
        var random = new Random(1);
        var centres = new double[k * d];
        for (int i = 0; i < centres.Length; i++) centres[i] = random.NextDouble() * 2 - 1;
        var x = new FeatureMatrix(n, d);
        for (int i = 0; i < n; i++)
        {
            var row = x.Row(i);
            for (int f = 0; f < d; f++)
                row[f] = (float)(centres[i % k * d + f]
                    + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return x;
    }
}
