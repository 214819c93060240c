using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ImageCluster.Evaluation;
using ImageCluster.Export;

namespace ImageCluster.Bench;

/// <summary>
/// The clustering of a million rows from a <c>.npy</c>: N points around C planted centres in d dimensions (centres uniform
/// in [-10, 10]^d, unit Gaussian spread, as scikit-learn's make_blobs), then the Release CLI's <c>cluster --features</c> in a
/// child process per algorithm, each timed, its peak resident memory taken from the kernel (getrusage of the child), and
/// its assignments scored against the planted centres (ARI, NMI).
/// Usage: bench scale [--n 1000000] [--d 64] [--centres 500] [--runs "minibatch-kmeans;kmeans --n-init 1"] [--work DIR] [--cli PATH]
/// </summary>
internal static class ScaleBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int n = int.Parse(Arg("--n", "1000000"), CultureInfo.InvariantCulture), d = int.Parse(Arg("--d", "64"), CultureInfo.InvariantCulture);
        int centres = int.Parse(Arg("--centres", "500"), CultureInfo.InvariantCulture);
        string cli = Arg("--cli", BenchArgs.ReleaseCli());
        var runs = Arg("--runs", "minibatch-kmeans;kmeans --n-init 1").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), $"scale-bench-{Environment.ProcessId}")));
        Directory.CreateDirectory(work);
        string file = Path.Combine(work, $"blobs-{n}x{d}-{centres}.npy");
        var sw = Stopwatch.StartNew();
        var truth = Write(file, n, d, centres, seed: 16);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"file: {file} ({n} × {d} float32, {new FileInfo(file).Length / 1e6:F0} MB, {centres} planted centres), written in {sw.Elapsed.TotalSeconds:F1} s"));

        foreach (string run in runs)
        {
            var words = run.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string output = Path.Combine(work, "run-" + string.Join('-', words).Replace("--", ""));
            var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "cluster", "--features", file, "--k", centres.ToString(CultureInfo.InvariantCulture), "--out", output, "--algorithm" }.Concat(words))
                start.ArgumentList.Add(a);
            sw.Restart();
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            double seconds = sw.Elapsed.TotalSeconds;
            long peak = LargestChildPeakBytes();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"{run}: exit {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
                continue;
            }
            var predicted = Assignments(Path.Combine(output, "assignments.csv"), n);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run}: {seconds:F1} s, peak RSS {peak / 1048576.0:F0} MB (largest child so far), ARI {ClusteringMetrics.AdjustedRandIndex(truth, predicted):F4}, " +
                $"NMI {ClusteringMetrics.NormalizedMutualInformation(truth, predicted):F4}"));
            Console.WriteLine("  " + stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith("clustered", StringComparison.Ordinal)));
        }
        return 0;
    }

    // Rows in the file's order; the path column is rowN (no paths file), so the row number is in the name.
    private static int[] Assignments(string csv, int n)
    {
        var labels = new int[n];
        foreach (var fields in File.ReadLines(csv).Skip(1).Select(l => l.Split(',')))
            labels[int.Parse(fields[0].AsSpan(3), CultureInfo.InvariantCulture) - 1] = int.Parse(fields[1], CultureInfo.InvariantCulture);
        return labels;
    }

    // The blobs, written a block at a time so the generator holds only the centres.
    private static int[] Write(string file, int n, int d, int centres, int seed)
    {
        var random = new Random(seed);
        var centre = new float[centres * d];
        for (int i = 0; i < centre.Length; i++) centre[i] = (float)(random.NextDouble() * 20 - 10);
        var truth = new int[n];
        for (int i = 0; i < n; i++) truth[i] = random.Next(centres);
        var matrix = new FeatureMatrix(n, d);
        for (int i = 0; i < n; i++)
        {
            var row = matrix.Row(i);
            for (int j = 0; j < d; j++) row[j] = centre[truth[i] * d + j] + (float)TestGaussian(random);
        }
        FeaturesFile.Write(file, new NpyFile.RowNames(n), matrix);
        File.Delete(NpyFile.PathsFile(file)); // rows stay unnamed: row1, row2, … in file order
        return truth;
    }

    internal static double TestGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds, MaxResidentKilobytes;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 13)] public long[] Rest;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    // RUSAGE_CHILDREN: the largest peak of any waited-for child (Linux reports ru_maxrss in kilobytes).
    internal static long LargestChildPeakBytes() => getrusage(-1, out var usage) == 0 ? usage.MaxResidentKilobytes * 1024 : -1;
}
