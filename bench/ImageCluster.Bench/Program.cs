using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageCluster;
using ImageCluster.Embedding;
using ImageCluster.Images;

// End-to-end throughput of the embedding stages, measured side by side in one process run:
//   D = decode + preprocess only (all cores), I = inference only on already-decoded batches,
//   E = the whole `imagecluster cluster` command in a child process (cold store), plus a warm rerun.
// Usage: bench algorithms [--cases kmeans,silhouette,…]   (clustering beside scikit-learn; see AlgorithmsBench)
//        bench partitioning <scratch folder>   (K-Means, MiniBatch K-Means and K-Medoids beside scikit-learn and R; see PartitioningBench)
//        bench models [--specs a,b@LAYER:POOL,…] [--sets …] [--work DIR]   (K-Means NMI of every feature extractor on every labelled set; see ModelsBench)
//        bench stages <image folder> --k K [--model NAME] [--cli PATH/imagecluster] [--batch-sizes 8,16,32,64]
//        bench csv <scratch folder> [--rows 10000] [--dims 512] [--runs 5]   (features CSV read, Sep beside the reader it replaced; see CsvBench)
//        bench near-duplicates [--input DIR] [--model NAME] [--keep largest] [--max-hash-distance 18|none]   (near-duplicate threshold curve on a set with a group column; see NearDuplicatesBench)
//        bench curation [--n 100000] [--d 128] [--work DIR]   (duplicates and issues on a large features file with planted duplicates; see CurationBench)
//        bench issues [--set oxford17_flowers] [--per-kind 30] [--originals 600] [--work DIR]   (planted junk: recall per kind, false flags on the originals; see IssuesBench)
//        bench neighbours [--n 100000] [--d 128] [--k 10] [--metric euclidean|cosine] [--exact-sample 1000] [--features CSV]   (all-kNN on the HNSW index beside the exact scan; see NeighboursBench)
//        bench budget [--sizes 50000,100000] [--d 128] [--algorithms dbscan,optics,hdbscan,ward,kmedoids] [--estimate-only]   (clustering time estimates beside the real fits; see BudgetBench)
//        bench fuzz [--count 10000] [--seed 14] [--work DIR] [--cli PATH] [--timeout-min 60] [-- cluster options]   (hostile-file corpus through the CLI; see FuzzBench)
//        bench scale [--n 1000000] [--d 64] [--centres 500] [--runs "minibatch-kmeans;kmeans --n-init 1"]   (a million .npy rows through the CLI: time, peak RSS, ARI; see ScaleBench)
//        bench scale-store [--n 1000000] [--d 1280] [--centres 100] [--pca 128] [--work DIR] [--reuse]   (a million stored 1280-d embeddings clustered through the folder path with --pca; see StoreScaleBench)
//        bench scale-images [--set coil100] [--variants 14] [--k 100] [--work DIR] [--reuse]   (≥ 100 000 real images: embed rate over the first and last 10 %, peak RSS, review and report timings; see ImageScaleBench)
//        bench review-effort [--sets …] [--work DIR] [--classes 10] [--seconds-per-decision 10]   (a simulated reviewer's decisions to QM 0.95, three ways of working; query by example; see ReviewEffortBench)
//        bench growing-dump [--work DIR] [--every 10]   (coil100 80 % clustered and reviewed, then 20 % added: only those embedded and placed; see GrowingDumpBench)
//        bench report <scratch folder> [--images 20000] [--classes 20] [--runs 3] [--reuse] [--input FOLDER --labels CSV]   (HTML report size and open time in Chromium; see ReportBench)
if (args.Length > 0 && args[0] == "scale") return ImageCluster.Bench.ScaleBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "scale-store") return ImageCluster.Bench.StoreScaleBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "scale-images") return await ImageCluster.Bench.ImageScaleBench.RunAsync(args[1..]);
if (args.Length > 1 && args[0] == "montage") return ImageCluster.Bench.Montage.Run(args[1..]);
if (args.Length > 0 && args[0] == "curation") return await ImageCluster.Bench.CurationBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "issues") return await ImageCluster.Bench.IssuesBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "near-duplicates") return await ImageCluster.Bench.NearDuplicatesBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "neighbours") return ImageCluster.Bench.NeighboursBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "budget") return ImageCluster.Bench.BudgetBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "fuzz") return ImageCluster.Bench.FuzzBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "algorithms") return ImageCluster.Bench.AlgorithmsBench.Run(args[1..]);
if (args.Length > 1 && args[0] == "case") return ImageCluster.Bench.AlgorithmsBench.RunCase(args[1..]);
if (args.Length > 0 && args[0] == "recipes") return ImageCluster.Bench.RecipesBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "growing-dump") return ImageCluster.Bench.GrowingDumpBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "review-effort") return ImageCluster.Bench.ReviewEffortBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "label-free") return ImageCluster.Bench.LabelFreeBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "models") return ImageCluster.Bench.ModelsBench.Run(args[1..]);
if (args.Length == 2 && args[0] == "partitioning") return PartitioningBench.Run(args[1]);
if (args.Length >= 2 && args[0] == "csv") return ImageCluster.Bench.CsvBench.Run(args[1..]);
if (args.Length >= 2 && args[0] == "report") return await ImageCluster.Bench.ReportBench.RunAsync(args[1..]);
if (args.Length < 2 || args[0] != "stages")
{
    Console.Error.WriteLine("usage: ImageCluster.Bench stages <image folder> --k K [--model NAME] [--cli PATH] [--batch-sizes 1,8,16,32,64] [--limit N]");
    return 2;
}
string folder = Path.GetFullPath(args[1]);
string Arg(string name, string fallback) => ImageCluster.Bench.BenchArgs.Value(args, name, fallback);
int k = int.Parse(Arg("--k", "10"), CultureInfo.InvariantCulture);
string? modelName = Arg("--model", "") is { Length: > 0 } m ? m : null;
string cli = Arg("--cli", ImageCluster.Bench.BenchArgs.ReleaseCli());
int[] batchSizes = Arg("--batch-sizes", "32").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
int limit = int.Parse(Arg("--limit", "0"), CultureInfo.InvariantCulture);

var model = ModelResolver.Resolve(modelName);
foreach (var note in model.Notes) Console.Error.WriteLine(note);
var d = model.Descriptor;
var files = ImageScanner.Scan(folder).Where(f => f.Problem is null).ToList();
if (limit > 0) files = files.Take(limit).ToList();
int n = files.Count;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"set: {folder} ({n} images), model {d.Name} ({model.CacheKey})");

// Read the files once so D measures decoding, not the page cache warming up.
var bytes = files.Select(f => File.ReadAllBytes(f.FullPath)).ToArray();
int inputLength = d.Width * d.Height * 3;

// D: decode + preprocess on every core, into per-thread buffers as the pipeline does.
int kept = Math.Min(n, 256);
var inputs = new float[kept][];
var sw = Stopwatch.StartNew();
Parallel.For(0, n, () => (new byte[inputLength], new float[inputLength]), (i, _, buffers) =>
{
    ImageDecoder.DecodeRgb(bytes[i], d.Width, d.Height, d.Resize, buffers.Item1);
    TensorPreprocessor.Fill(d, buffers.Item1, buffers.Item2);
    if (i < kept) inputs[i] = (float[])buffers.Item2.Clone();
    return buffers;
}, _ => { });
double decodePerSecond = n / sw.Elapsed.TotalSeconds;
Console.WriteLine($"D decode+preprocess: {decodePerSecond:F0} images/s ({sw.Elapsed.TotalSeconds:F2} s)");

// I: inference only, per batch size, cycling through the first decoded tensors for all n images.
var inference = new Dictionary<int, double>();
using (var embedder = EmbedderFactory.Create(model))
{
    foreach (int batch in batchSizes)
    {
        var input = new float[batch * inputLength];
        var output = new float[batch * embedder.Dimension];
        for (int j = 0; j < batch; j++) inputs[j % kept].CopyTo(input, j * inputLength);
        embedder.Embed(input, batch, output); // warm-up
        sw.Restart();
        int done = 0;
        for (int start = 0; start < n; start += batch)
        {
            int count = Math.Min(batch, n - start);
            for (int j = 0; j < count; j++) inputs[(start + j) % kept].CopyTo(input, j * inputLength);
            embedder.Embed(input.AsMemory(0, count * inputLength), count, output);
            done += count;
        }
        inference[batch] = done / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"I inference batch {batch}: {inference[batch]:F0} images/s ({sw.Elapsed.TotalSeconds:F2} s)");
    }
}
inputs = null;
bytes = null;
GC.Collect();

// E: the real command, cold (fresh run folder) and warm (same folder again).
string runInput = folder;
if (limit > 0)
{
    runInput = Path.Combine(Path.GetTempPath(), "imagecluster-bench-input");
    if (Directory.Exists(runInput)) Directory.Delete(runInput, true);
    foreach (var f in files)
    {
        string target = Path.Combine(runInput, f.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.CreateSymbolicLink(target, f.FullPath);
    }
}
string outDir = Path.Combine(Path.GetTempPath(), "imagecluster-bench-run");
if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
// Its own embedding store, emptied first: "cold" must embed every image, whatever the user's store holds.
if (Directory.Exists(outDir + "-store")) Directory.Delete(outDir + "-store", true);
var cold = RunCli(cli, runInput, outDir, k, modelName);
var warm = RunCli(cli, runInput, outDir, k, modelName);
var otherK = RunCli(cli, runInput, outDir, k + 1, modelName);
int defaultBatch = new EmbeddingOptions().BatchSize;
double iDefault = inference.TryGetValue(defaultBatch, out var v) ? v : inference.Values.Max();
double ideal = 1 / (1 / decodePerSecond + 1 / iDefault);
Console.WriteLine($"E cluster (cold): {n / cold.Seconds:F0} images/s whole command ({cold.Seconds:F2} s; embed stage {cold.EmbedSeconds:F2} s = {n / cold.EmbedSeconds:F0} images/s; k-means {cold.ClusterSeconds:F2} s); peak RSS {cold.PeakRssMb:F0} MB");
Console.WriteLine($"ideal 1/(1/D+1/I) at batch {defaultBatch}: {ideal:F0} images/s; embed stage reaches {100 * (n / cold.EmbedSeconds) / ideal:F0} %, whole command {100 * (n / cold.Seconds) / ideal:F0} %");
Console.WriteLine($"identical rerun: {warm.Seconds:F2} s, embedded {warm.Embedded}, clustering from cache {warm.ClusteringFromCache}; {cold.Seconds / warm.Seconds:F1}x faster than cold; peak RSS {warm.PeakRssMb:F0} MB");
Console.WriteLine($"rerun with k={k + 1}: {otherK.Seconds:F2} s, embedded {otherK.Embedded}, k-means {otherK.ClusterSeconds:F2} s; {cold.Seconds / otherK.Seconds:F1}x faster than cold");
return 0;

static CliRun RunCli(string cli, string input, string outDir, int k, string? model)
{
    var psi = new ProcessStartInfo("/usr/bin/time", ["-f", "%M", cli, "cluster", input, "--k", k.ToString(CultureInfo.InvariantCulture), "--out", outDir,
        "--store", Path.Combine(outDir + "-store", "store.db"), "--json"])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    if (model is not null) { psi.ArgumentList.Add("--model"); psi.ArgumentList.Add(model); }
    var sw = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    var stdout = p.StandardOutput.ReadToEndAsync();
    var stderr = p.StandardError.ReadToEndAsync();
    p.WaitForExit();
    double seconds = sw.Elapsed.TotalSeconds;
    if (p.ExitCode != 0) throw new InvalidOperationException($"imagecluster failed ({p.ExitCode}): {stderr.Result}");
    double peakKb = double.Parse(stderr.Result.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    using var json = JsonDocument.Parse(stdout.Result);
    var timings = json.RootElement.GetProperty("timingsSeconds");
    return new CliRun(seconds, timings.GetProperty("embed").GetDouble(), timings.GetProperty("cluster").GetDouble(),
        json.RootElement.GetProperty("counts").GetProperty("embedded").GetInt32(), peakKb / 1024,
        json.RootElement.GetProperty("clusteringFromCache").GetBoolean());
}

internal sealed record CliRun(double Seconds, double EmbedSeconds, double ClusterSeconds, int Embedded, double PeakRssMb, bool ClusteringFromCache);
