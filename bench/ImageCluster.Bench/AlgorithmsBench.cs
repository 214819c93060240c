using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageCluster;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Evaluation;

namespace ImageCluster.Bench;

/// <summary>
/// Clustering algorithms beside scikit-learn on the same data, one run: each case in a fresh child process for both sides
/// (so peak memory is the case's own), seconds and the ratio printed, results cross-checked (ARI between the two
/// partitions, or the scores).
/// Usage: bench algorithms [--cases kmeans,dbscan,… or mem-load,mem-kmeans,… (memory at 50 000 × 128) or graph-leiden,graph-spectral,graph-umap (100 000 × 128)] [--python /usr/bin/python3] [--work DIR] [--scale 0.1 (smaller N, for a smoke run)]
///        bench case NAME --data FILE --n N --d D [case options]     (the child; prints one JSON line)
/// </summary>
internal static class AlgorithmsBench
{
    /// <summary>One benchmark: the data set and both sides' settings; <paramref name="Algorithm"/> defaults to the name.</summary>
    private sealed record Case(string Name, int N, int D, int Centers, double Std, string[] Options, string? Algorithm = null)
    {
        public string Runs => Algorithm ?? Name;
    }

    private static readonly Case[] Cases =
    [
        new("kmeans", 100_000, 256, 20, 1.0, ["--k", "20", "--n-init", "3"]),
        new("silhouette", 20_000, 64, 10, 1.0, []),
        // eps from the data: the 5th-neighbour distance is 8.1–9.6 for 90 % of these points (sklearn NearestNeighbors).
        new("dbscan", 20_000, 64, 10, 1.0, ["--eps", "9.5", "--min-samples", "5"]),
        new("optics", 20_000, 64, 10, 1.0, ["--min-samples", "5", "--max-eps", "12"]),
        new("ward", 10_000, 64, 20, 1.0, ["--k", "20"]),
        // Memory at 50 000 × 128 (issue #4): an N × N float matrix would be 10 GB; "load" is the floor (runtime + data).
        // eps / max_eps from the data: within a blob the 5th-neighbour distance is ≈ 13.5 (std 1 in 128-d).
        new("mem-load", 50_000, 128, 20, 1.0, [], "load"),
        new("mem-kmeans", 50_000, 128, 20, 1.0, ["--k", "20", "--n-init", "3"], "kmeans"),
        new("mem-minibatch", 50_000, 128, 20, 1.0, ["--k", "20"], "minibatch-kmeans"),
        new("mem-birch", 50_000, 128, 20, 1.0, ["--k", "20", "--threshold", "11"], "birch"),
        new("mem-dbscan", 50_000, 128, 20, 1.0, ["--eps", "15", "--min-samples", "5"], "dbscan"),
        new("mem-optics", 50_000, 128, 20, 1.0, ["--min-samples", "5", "--max-eps", "16"], "optics"),
        new("mem-hdbscan", 50_000, 128, 20, 1.0, ["--min-cluster-size", "5"], "hdbscan"),
        // The graph algorithms at 100 000 × 128 (issue 17): neighbours from the HNSW index above 20 000 rows. std 6 makes the
        // blobs touch (the 15-NN graph is one piece), so the resolution search and the eigensolver have work to do.
        new("graph-leiden", 100_000, 128, 20, 6.0, ["--k", "20"], "leiden"),
        new("graph-spectral", 100_000, 128, 20, 6.0, ["--k", "20"], "spectral"),
        new("graph-umap", 100_000, 128, 20, 6.0, ["--k", "20"], "umap"),
    ];

    /// <summary>Cases without a scikit-learn 1.2 peer (HDBSCAN arrived in 1.3).</summary>
    private static readonly HashSet<string> OursOnly = ["hdbscan", "leiden", "spectral", "umap"];

    public static int Run(string[] args)
    {
        // Without --cases the speed table runs (the "mem-" cases are asked for by name: they take minutes).
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string python = Arg("--python", "/usr/bin/python3");
        string work = Directory.CreateDirectory(Arg("--work", Path.Combine(Path.GetTempPath(), "imagecluster-bench"))).FullName;
        var wanted = Arg("--cases", string.Join(",", Cases.Where(c => !c.Name.StartsWith("mem-", StringComparison.Ordinal) && !c.Name.StartsWith("graph-", StringComparison.Ordinal))
            .Select(c => c.Name))).Split(',');
        string peer = Path.Combine(BenchArgs.RepoRoot(), "bench", "sklearn_peer.py");
        string self = Environment.ProcessPath!;
        // Started as `dotnet Bench.dll` the child needs the dll; started through the apphost it does not.
        string[] selfPrefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(AlgorithmsBench).Assembly.Location] : [];
        double scale = double.Parse(Arg("--scale", "1"), CultureInfo.InvariantCulture);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"| case | data | imagecluster s | scikit-learn s | ratio (sklearn / ours) | agreement | peak RSS ours / sklearn MB |");
        Console.WriteLine($"|---|---|---|---|---|---|---|");
        foreach (var c in Cases.Where(c => wanted.Contains(c.Name)).Select(c => c with { N = (int)(c.N * scale) }))
        {
            string data = Path.Combine(work, $"blobs-{c.N}x{c.D}-c{c.Centers}.f32");
            if (!File.Exists(data))
                Exec(python, [peer, "make", "--n", $"{c.N}", "--d", $"{c.D}", "--centers", $"{c.Centers}", "--std", Inv(c.Std), "--out", data]);
            string[] common = ["--data", data, "--n", $"{c.N}", "--d", $"{c.D}", .. c.Options];
            string oursLabels = data + $".{c.Name}.ours", theirsLabels = data + $".{c.Name}.sklearn";
            var ours = Measure(self, [.. selfPrefix, "case", c.Runs, .. common, "--labels-out", oursLabels]);
            double oursSeconds = ours.Json.GetProperty("seconds").EnumerateArray().Min(v => v.GetDouble());
            if (OursOnly.Contains(c.Runs))
            {
                Console.WriteLine($"| {c.Name} | {c.N}×{c.D} ({string.Join(" ", c.Options)}) | {oursSeconds:F2} | – | – | {ours.Json.GetProperty("result")} | {ours.PeakMb:F0} / – |");
                continue;
            }
            var theirs = Measure(python, [peer, "time", c.Runs, .. common, "--labels-out", theirsLabels]);
            double theirsSeconds = theirs.Json.GetProperty("seconds").EnumerateArray().Min(v => v.GetDouble());
            Console.WriteLine($"| {c.Name} | {c.N}×{c.D} ({string.Join(" ", c.Options)}) | {oursSeconds:F2} | {theirsSeconds:F2} | {theirsSeconds / Math.Max(oursSeconds, 1e-9):F2} | " +
                              $"{Agreement(ours.Json, theirs.Json, oursLabels, theirsLabels)} | {ours.PeakMb:F0} / {theirs.PeakMb:F0} |");
            Console.Error.WriteLine($"  {c.Name}: ours {ours.Json.GetProperty("result")} sklearn {theirs.Json.GetProperty("result")} ({string.Join("; ", theirs.Json.GetProperty("blas").EnumerateArray())})");
        }
        return 0;
    }

    private static string Agreement(JsonElement ours, JsonElement theirs, string oursLabels, string theirsLabels)
    {
        if (File.Exists(oursLabels) && File.Exists(theirsLabels))
            return $"ARI {ClusteringMetrics.AdjustedRandIndex(ReadInts(oursLabels), ReadInts(theirsLabels)):F4}";
        var a = ours.GetProperty("result"); var b = theirs.GetProperty("result");
        return string.Join(", ", a.EnumerateObject().Where(p => b.TryGetProperty(p.Name, out _))
            .Select(p => $"{p.Name} {p.Value.GetDouble():G6} vs {b.GetProperty(p.Name).GetDouble():G6}"));
    }

    /// <summary>The child: loads the data, warms the JIT on a small slice, times the case, prints JSON.</summary>
    public static int RunCase(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string name = args[0];
        int n = int.Parse(Arg("--n", "0"), CultureInfo.InvariantCulture), d = int.Parse(Arg("--d", "0"), CultureInfo.InvariantCulture);
        int k = int.Parse(Arg("--k", "20"), CultureInfo.InvariantCulture);
        int nInit = int.Parse(Arg("--n-init", "10"), CultureInfo.InvariantCulture);
        string data = Arg("--data", "");
        double eps = double.Parse(Arg("--eps", "0.5"), CultureInfo.InvariantCulture);
        double maxEps = double.Parse(Arg("--max-eps", "Infinity"), CultureInfo.InvariantCulture);
        int minSamples = int.Parse(Arg("--min-samples", "5"), CultureInfo.InvariantCulture);
        int minClusterSize = int.Parse(Arg("--min-cluster-size", "5"), CultureInfo.InvariantCulture);
        double threshold = double.Parse(Arg("--threshold", "0.5"), CultureInfo.InvariantCulture);
        var bytes = File.ReadAllBytes(data);
        var x = new FeatureMatrix(n, d, new float[n * d]);
        Buffer.BlockCopy(bytes, 0, x.Data, 0, bytes.Length);
        int[] truth = File.Exists(data + ".labels") ? ReadInts(data + ".labels") : [];

        Func<FeatureMatrix, int[], (Dictionary<string, double> Result, int[]? Labels)> run = name switch
        {
            "kmeans" => (m, _) =>
            {
                var r = new KMeans(new KMeansOptions { NClusters = k, NInit = nInit }).Fit(m);
                return (new() { ["inertia"] = r.Inertia, ["iterations"] = r.NIterations }, r.Labels);
            },
            "load" => (m, _) => (new() { ["rows"] = m.Rows }, null),
            "minibatch-kmeans" => (m, _) =>
            {
                var r = new MiniBatchKMeans(new MiniBatchKMeansOptions { NClusters = k }).Fit(m);
                return (new() { ["inertia"] = r.Inertia }, r.Labels);
            },
            "birch" => (m, _) =>
            {
                var r = new Birch(new BirchOptions { NClusters = k, Threshold = threshold }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["subclusters"] = r.SubclusterCenters.Rows }, r.Labels);
            },
            "hdbscan" => (m, _) =>
            {
                var r = new Hdbscan(new HdbscanOptions { MinClusterSize = minClusterSize }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["noise"] = r.Labels.Count(l => l < 0) }, r.Labels);
            },
            "leiden" => (m, t) =>
            {
                var r = new Leiden(new LeidenOptions { NClusters = k }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["resolution"] = r.Resolution, ["runs"] = r.ResolutionSteps, ["ari"] = Ari(t, r.Labels) }, r.Labels);
            },
            "spectral" => (m, t) =>
            {
                var r = new Spectral(new SpectralOptions { NClusters = k }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["ari"] = Ari(t, r.Labels) }, r.Labels);
            },
            "umap" => (m, t) =>
            {
                var layout = Umap.Fit(m);
                var labels = new KMeans(new KMeansOptions { NClusters = k }).Fit(layout).Labels;
                return (new() { ["ari_of_kmeans_on_the_layout"] = Ari(t, labels) }, null);
            },
            "silhouette" => (m, t) => (new() { ["silhouette"] = Silhouette.Score(m, t).Mean }, null),
            "dbscan" => (m, _) =>
            {
                var r = new Dbscan(new DbscanOptions { Eps = eps, MinSamples = minSamples }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["noise"] = r.Labels.Count(l => l < 0) }, r.Labels);
            },
            "optics" => (m, _) =>
            {
                var r = new Optics(new OpticsOptions { MinSamples = minSamples, MaxEps = maxEps }).Fit(m);
                return (new() { ["clusters"] = r.NClusters, ["noise"] = r.Labels.Count(l => l < 0) }, r.Labels);
            },
            "ward" => (m, _) =>
            {
                var r = new Agglomerative(new AgglomerativeOptions { NClusters = k, Linkage = Linkage.Ward }).Fit(m);
                return (new() { ["clusters"] = r.NClusters }, r.Labels);
            },
            _ => throw new ArgumentException($"unknown case {name}"),
        };
        var warm = new FeatureMatrix(Math.Min(n, 2000), d, x.Data[..(Math.Min(n, 2000) * d)]);
        run(warm, truth.Take(warm.Rows).ToArray());
        var sw = Stopwatch.StartNew();
        var (result, labels) = run(x, truth);
        double seconds = sw.Elapsed.TotalSeconds;
        if (labels is not null && Arg("--labels-out", "") is { Length: > 0 } file)
        {
            var outBytes = new byte[labels.Length * 4];
            Buffer.BlockCopy(labels, 0, outBytes, 0, outBytes.Length);
            File.WriteAllBytes(file, outBytes);
        }
        Console.WriteLine(JsonSerializer.Serialize(new { @case = name, seconds = new[] { seconds }, result }));
        return 0;
    }

    private sealed record Measurement(JsonElement Json, double PeakMb);

    /// <summary>Runs a child under /usr/bin/time for its peak RSS; its last stdout line is the JSON.</summary>
    private static Measurement Measure(string program, string[] arguments)
    {
        var (stdout, stderr) = Exec("/usr/bin/time", ["-f", "maxrss_kb=%M", program, .. arguments]);
        double peakKb = stderr.Split('\n').Where(l => l.StartsWith("maxrss_kb=", StringComparison.Ordinal))
            .Select(l => double.Parse(l["maxrss_kb=".Length..], CultureInfo.InvariantCulture)).LastOrDefault();
        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return new Measurement(JsonDocument.Parse(last).RootElement.Clone(), peakKb / 1024);
    }

    private static (string Stdout, string Stderr) Exec(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string stderr = stderrTask.Result;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({p.ExitCode}): {stderr}");
        return (stdout, stderr);
    }

    private static double Ari(int[] truth, int[] labels) =>
        truth.Length == labels.Length ? ClusteringMetrics.AdjustedRandIndex(truth, labels) : double.NaN;

    private static int[] ReadInts(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var values = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static string Inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
