using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ImageCluster.Embedding;
using ImageCluster.Evaluation;
using ImageCluster.Store;

namespace ImageCluster.Bench;

/// <summary>
/// A million stored embeddings of the default model's width (1280) clustered through the real folder path: N small
/// distinct files in a folder, their file records and synthetic vectors (C planted centres, N(0,1) per value, noise
/// 0.5·N(0,1)) written straight into an SQLite store under the default model's key, then the Release CLI's
/// <c>cluster FOLDER --store … --pca P --algorithm minibatch-kmeans --k C</c> in a child process: time, peak RSS of the
/// child (getrusage), embedded/cached counts and ARI/NMI against the planted centres. The files are never decoded: the
/// store knows them all, as after sharded embedding.
/// Usage: bench scale-store [--n 1000000] [--d 1280] [--centres 100] [--pca 128] [--work DIR] [--cli PATH] [--reuse]
/// </summary>
internal static class StoreScaleBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int n = int.Parse(Arg("--n", "1000000"), CultureInfo.InvariantCulture), d = int.Parse(Arg("--d", "1280"), CultureInfo.InvariantCulture);
        int centres = int.Parse(Arg("--centres", "100"), CultureInfo.InvariantCulture);
        string pca = Arg("--pca", "128");
        string cli = Arg("--cli", BenchArgs.ReleaseCli());
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), $"store-scale-{Environment.ProcessId}")));
        string images = Path.Combine(work, "images"), store = Path.Combine(work, "store.db"), output = Path.Combine(work, "run");
        var model = ModelResolver.Resolve(null);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        var sw = Stopwatch.StartNew();
        int[] truth;
        if (args.Contains("--reuse") && File.Exists(store)) truth = Truth(n, centres);
        else
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            truth = Fill(images, store, model.CacheKey, model.FeatureOutput, n, d, centres);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store: {store} ({n} files × {d} float32 under {model.CacheKey}, {new FileInfo(store).Length / 1e9:F2} GB), ready in {sw.Elapsed.TotalSeconds:F0} s"));
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);

        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "cluster", images, "--store", store, "--pca", pca, "--algorithm", "minibatch-kmeans",
                     "--k", centres.ToString(CultureInfo.InvariantCulture), "--out", output, "--json" })
            start.ArgumentList.Add(a);
        sw.Restart();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        double seconds = sw.Elapsed.TotalSeconds;
        long peak = ScaleBench.LargestChildPeakBytes();
        foreach (string line in stderr.Result.Split('\n').Where(l => l.Contains("PCA") || l.Contains("error")))
            Console.WriteLine("  " + line.Trim());
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"cluster: exit {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return 1;
        }
        var json = System.Text.Json.JsonDocument.Parse(stdout.Result).RootElement;
        var counts = json.GetProperty("counts");
        var timings = json.GetProperty("timingsSeconds");
        var predicted = new int[n];
        foreach (var fields in File.ReadLines(Path.Combine(output, "assignments.csv")).Skip(1).Select(l => l.Split(',')))
            predicted[int.Parse(Path.GetFileNameWithoutExtension(fields[0]).AsSpan(1), CultureInfo.InvariantCulture)] = int.Parse(fields[1], CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster --pca {pca} minibatch-kmeans k {centres}: {seconds:F1} s, peak RSS {peak / 1048576.0:F0} MB, embedded {counts.GetProperty("embedded")}, " +
            $"from store {counts.GetProperty("fromCache")}, ARI {ClusteringMetrics.AdjustedRandIndex(truth, predicted):F4}, " +
            $"NMI {ClusteringMetrics.NormalizedMutualInformation(truth, predicted):F4}"));
        Console.WriteLine("  stages (s): " + string.Join(", ", timings.EnumerateObject().Select(p => $"{p.Name} {p.Value.GetDouble():F1}")));
        return 0;
    }

    private static int[] Truth(int n, int centres)
    {
        var random = new Random(17);
        return Enumerable.Range(0, n).Select(_ => random.Next(centres)).ToArray();
    }

    private static int[] Fill(string images, string storePath, string modelKey, string output, int n, int d, int centres)
    {
        var truth = Truth(n, centres);
        var random = new Random(18);
        var centre = new float[centres * d];
        for (int i = 0; i < centre.Length; i++) centre[i] = (float)ScaleBench.TestGaussian(random);
        string root = Path.GetFullPath(images);
        using var store = ImageStore.OpenShared(storePath);
        const int block = 4096;
        for (int first = 0; first < n; first += block)
        {
            int count = Math.Min(block, n - first);
            var records = new List<FileRecord>(count);
            var vectors = new List<(string, float[])>(count);
            for (int i = first; i < first + count; i++)
            {
                string relative = $"d{i / 1000:D4}/i{i:D7}.png";
                string full = Path.Combine(root, relative);
                if (i % 1000 == 0) Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                byte[] content = [.. "icbench:"u8, .. BitConverter.GetBytes(i)];
                File.WriteAllBytes(full, content);
                string sha = Convert.ToHexStringLower(SHA256.HashData(content));
                records.Add(new FileRecord(root, relative, content.Length, File.GetLastWriteTimeUtc(full).Ticks, sha, null));
                var v = new float[d];
                for (int j = 0; j < d; j++) v[j] = centre[truth[i] * d + j] + 0.5f * (float)ScaleBench.TestGaussian(random);
                vectors.Add((sha, v));
            }
            store.PutFiles(records);
            store.PutEmbeddings(vectors, modelKey, output);
            if (first / block % 25 == 0) Console.Error.Write($"\rfilled {first + count}/{n}");
        }
        Console.Error.WriteLine();
        return truth;
    }
}
