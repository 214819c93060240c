using System.Diagnostics;
using System.Globalization;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Bench;

/// <summary>
/// <c>duplicates</c> and <c>issues</c> on a large features file: N random unit directions (d dimensions), of which 5 %
/// get a planted near duplicate (the vector plus noise at cosine ≈ 0.97) and 1 % an exact copy. Writes the CSV, then
/// times each job from the file, as <c>--features</c> runs it, and checks the planted pairs were found.
/// Usage: bench curation [--n 100000] [--d 128] [--work DIR]
/// </summary>
internal static class CurationBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int n = int.Parse(Arg("--n", "100000"), CultureInfo.InvariantCulture), d = int.Parse(Arg("--d", "128"), CultureInfo.InvariantCulture);
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), $"curation-bench-{Environment.ProcessId}")));
        Directory.CreateDirectory(work);
        string file = Path.Combine(work, $"features-{n}x{d}.csv");
        var planted = Write(file, n, d, seed: 15);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"file: {n} rows × {d} ({new FileInfo(file).Length / 1e6:F0} MB), {planted.Count} planted pairs");

        var sw = Stopwatch.StartNew();
        var duplicates = await CurationJob.DuplicatesAsync(new CurationJobOptions { Features = file, Output = Path.Combine(work, "run") });
        double duplicateSeconds = sw.Elapsed.TotalSeconds;
        var group = File.ReadLines(duplicates.DuplicatesFile).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        int found = planted.Count(p => group.TryGetValue(p.A, out var g) && group.TryGetValue(p.B, out var h) && g == h);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"duplicates: {duplicateSeconds:F1} s ({Timings(duplicates.TimingsSeconds)}); {duplicates.Neighbours}; " +
            $"{duplicates.Groups} groups, planted pairs found {found}/{planted.Count}, images grouped {duplicates.InGroups} (planted {planted.Count * 2})"));
        sw.Restart();
        var issues = await CurationJob.IssuesAsync(new CurationJobOptions { Features = file, Output = Path.Combine(work, "run") });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"issues: {sw.Elapsed.TotalSeconds:F1} s ({Timings(issues.TimingsSeconds)}); ") +
            string.Join(", ", issues.Counts.Where(c => c.Value > 0).Select(c => $"{c.Key} {c.Value}")));
        Console.WriteLine($"peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB");
        return 0;
    }

    private static string Timings(IReadOnlyDictionary<string, double> seconds) =>
        string.Join(", ", seconds.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:F1}")));

    // Random directions, 5 % of them followed by a noisy copy and 1 % by an exact one; returns the planted pairs by path.
    private static List<(string A, string B)> Write(string file, int n, int d, int seed)
    {
        var random = new Random(seed);
        var rows = new List<float[]>(n);
        var paths = new List<string>(n);
        var pairs = new List<(string, string)>();
        while (rows.Count < n)
        {
            var v = Unit(Enumerable.Range(0, d).Select(_ => (float)Gaussian(random)).ToArray());
            rows.Add(v);
            paths.Add($"img{rows.Count:D7}.jpg");
            double roll = random.NextDouble();
            if (rows.Count < n && roll < 0.06)
            {
                // cos ≈ 1/√(1 + 0.25²·…) ≈ 0.97 for noise of 0.25/√d per coordinate
                var copy = roll < 0.01 ? (float[])v.Clone() : Unit(v.Select(x => x + (float)(Gaussian(random) * 0.25 / Math.Sqrt(d))).ToArray());
                rows.Add(copy);
                paths.Add($"img{rows.Count:D7}.jpg");
                pairs.Add((paths[^2], paths[^1]));
            }
        }
        RunOutputs.WriteFeatures(file, paths, FeatureMatrix.FromRows(rows));
        return pairs;
    }

    private static float[] Unit(float[] v)
    {
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
