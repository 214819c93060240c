using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using ImageCluster.Export;

namespace ImageCluster.Bench;

/// <summary>
/// Which features cluster best: every feature extractor spec × every labelled set of ../shared/datasets, embedded by the
/// real <c>imagecluster embed</c> in a child process (cold store; the embed stage's images/s), then K-Means NMI with
/// MODELS.md's protocol computed here: L2-normalised rows (raw pixels mean-centred first, as MODELS.md's baseline),
/// k = number of classes, n_init 10, mean of seeds 0–4.
/// Usage: bench models [--specs a,b@LAYER:POOL,…] [--sets oxford17_flowers,…] [--work DIR] [--cli PATH] [--shared DIR] [--seeds 5] [--no-reduce]
///        [--methods kmeans,leiden,…] (each clusters the same features at k = number of classes: kmeans as above; leiden =
///        Leiden on the 15-NN fuzzy graph with its resolution searched for k communities; leiden-kN = N neighbours)
/// A spec is a model name (its pooled penultimate output), <c>pixels</c>, <c>pixelsN</c>, <c>colorhist</c>, or
/// <c>MODEL@LAYER:POOL</c>, which runs <c>embed --layer LAYER --pool POOL</c>. Features are cached per (spec, set) in
/// the work folder, so a rerun only clusters; delete <c>WORK/features/SPEC</c> to embed again.
/// </summary>
internal static class ModelsBench
{
    internal static readonly string[] AllSets = ["oxford17_flowers", "coil100", "cifar10_test_subset", "flowers5_kaggle_subset", "umist_faces", "near_duplicates"];

    /// <summary>A feature extractor: a model (or baseline) name, and optionally a layer and pooling.</summary>
    internal sealed record Spec(string Text, string Model, string? Layer, string? Pool)
    {
        /// <summary>Raw pixels are mean-centred before the L2 normalisation, as MODELS.md's baseline is.</summary>
        public bool Centred => Layer is null && Regex.IsMatch(Model, "^pixels[0-9]*$", RegexOptions.IgnoreCase);

        public string FileName => Regex.Replace(Text, "[^A-Za-z0-9._-]", "_");

        public static Spec Parse(string text)
        {
            int at = text.IndexOf('@');
            if (at < 0) return new Spec(text, text, null, null);
            string[] layerPool = text[(at + 1)..].Split(':');
            if (layerPool.Length != 2 || layerPool[0].Length == 0 || layerPool[1] is not ("avg" or "max" or "flatten"))
                throw new ArgumentException($"spec '{text}': expected MODEL@LAYER:avg|max|flatten");
            return new Spec(text, text[..at], layerPool[0], layerPool[1]);
        }
    }

    /// <summary>The features of one (spec, set) and how fast the CLI embedded them.</summary>
    internal sealed record Features(string[] Paths, FeatureMatrix Matrix, double EmbedSeconds, double CommandSeconds, bool Cached);

    private sealed record Score(string Set, int Images, int Classes, double Nmi, double NmiStd, double EmbedImagesPerSecond, string? Error);

    /// <summary>
    /// What the benches over ../shared's labelled sets read alike: ../shared (<c>--shared</c>, else
    /// <c>$IMAGECLUSTER_SHARED</c>, else beside the repository), its models, the Release CLI (<c>--cli</c>), the features
    /// cache (<c>--work</c>), the sets (<c>--sets</c>) and the environment that lets the CLI find ../shared's models.
    /// </summary>
    internal sealed record Setting(string Shared, string Models, string Cli, string Work, string[] Sets, Dictionary<string, string> Environment)
    {
        public static Setting Read(string[] args)
        {
            string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
            string root = BenchArgs.RepoRoot();
            string shared = Path.GetFullPath(Arg("--shared", System.Environment.GetEnvironmentVariable("IMAGECLUSTER_SHARED") is { Length: > 0 } s ? s : Path.Combine(root, "..", "shared")));
            string models = Path.Combine(shared, "models");
            if (!File.Exists(Path.Combine(models, "MODELS.md"))) throw new InvalidOperationException($"../shared is missing: no {models}/MODELS.md (pass --shared DIR)");
            string cli = Path.GetFullPath(Arg("--cli", BenchArgs.ReleaseCli()));
            if (!File.Exists(cli)) throw new InvalidOperationException($"no imagecluster at {cli}: run 'dotnet build -c Release src/ImageCluster.Cli' or pass --cli PATH");
            string work = Directory.CreateDirectory(Arg("--work", Path.Combine(Path.GetTempPath(), "imagecluster-bench-models"))).FullName;
            var sets = Arg("--sets", string.Join(",", AllSets)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            // Every name in ../shared/models resolves without a user setting; an explicit IMAGECLUSTER_MODELS wins.
            var environment = new Dictionary<string, string>
            {
                ["IMAGECLUSTER_MODELS"] = System.Environment.GetEnvironmentVariable("IMAGECLUSTER_MODELS") is { Length: > 0 } m ? m : models,
            };
            return new Setting(shared, models, cli, work, sets, environment);
        }
    }

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        var (shared, models, cli, work, sets, environment) = Setting.Read(args);
        int seeds = int.Parse(Arg("--seeds", "5"), CultureInfo.InvariantCulture);
        // --no-reduce clusters the full-width vectors, to check that the Gram-matrix isometry changes nothing.
        bool reduce = !args.Contains("--no-reduce");
        // --float16 also clusters every vector rounded to float16 (what a half-size store would hold) and prints both NMIs.
        bool float16 = args.Contains("--float16");
        // Default: the pooled penultimate output of every model in ../shared/models, the built-in resnet18, and the baselines.
        string defaultSpecs = string.Join(",", Directory.GetFiles(models, "*.onnx").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)
            .Append("resnet18").Append("pixels").Append("pixels128").Append("colorhist"));
        var specs = Arg("--specs", defaultSpecs).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Spec.Parse).ToList();
        var methods = Arg("--methods", "kmeans").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var method in methods) _ = Clusterer(method, 2, 0);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"cli: {cli}; work: {work}; K-Means n_init 10, seeds 0..{seeds - 1}");
        var results = new List<(Spec Spec, int Dimension, List<Score> Scores)>();
        bool failed = false;
        foreach (var spec in specs)
        foreach (var method in methods)
        {
            var scores = new List<Score>();
            int dimension = 0;
            foreach (string set in sets)
            {
                try
                {
                    var (input, labels) = Prepare(shared, set, work);
                    var features = Embed(cli, environment, spec, set, input, work);
                    dimension = features.Matrix.Columns;
                    var (nmi, std, classes) = Nmi(spec, features, labels, seeds, reduce, method);
                    double speed = features.Paths.Length / features.EmbedSeconds;
                    scores.Add(new Score(set, features.Paths.Length, classes, nmi, std, speed, null));
                    Console.Error.WriteLine(FormattableString.Invariant(
                        $"  {spec.Text} {method} {set}: NMI {nmi:F3} ± {std:F3} ({features.Paths.Length} images, {dimension}-d), embed {speed:F0} img/s{(features.Cached ? " (cached)" : $" (command {features.CommandSeconds:F1} s)")}"));
                    if (float16)
                    {
                        var rounded = features.Matrix.Clone();
                        float largestError = 0;
                        for (int i = 0; i < rounded.Data.Length; i++)
                        {
                            float v = rounded.Data[i];
                            rounded.Data[i] = (float)(Half)v;
                            largestError = Math.Max(largestError, Math.Abs(rounded.Data[i] - v) / Math.Max(Math.Abs(v), 1e-6f));
                        }
                        var (nmi16, std16, _) = Nmi(spec, features with { Matrix = rounded }, labels, seeds, reduce, method);
                        Console.WriteLine(FormattableString.Invariant(
                            $"float16 {spec.Text} {set}: NMI float32 {nmi:F4} ± {std:F4}, float16 {nmi16:F4} ± {std16:F4}, difference {nmi16 - nmi:+0.0000;-0.0000;0.0000}, largest relative rounding {largestError:E1}"));
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or ImageClusterException or ArgumentException or IOException)
                {
                    failed = true;
                    scores.Add(new Score(set, 0, 0, double.NaN, double.NaN, double.NaN, e.Message));
                    Console.Error.WriteLine($"  {spec.Text} {set}: FAILED: {e.Message}");
                }
            }
            results.Add((methods.Length == 1 ? spec : spec with { Text = $"{spec.Text} {method}" }, dimension, scores));
        }

        PrintTables(results, sets, models);
        WriteFiles(results, work);
        return failed ? 1 : 0;
    }

    /// <summary>The folder to embed and its labels (path relative to that folder → label); coil100 as MODELS.md measures it.</summary>
    internal static (string Input, Dictionary<string, string> Labels) Prepare(string shared, string set, string work)
    {
        string folder = Path.Combine(shared, "datasets", set);
        var labels = ReadLabels(Path.Combine(folder, "labels.csv"));
        string input = Path.Combine(folder, "images");
        if (set != "coil100") return (input, labels);
        // MODELS.md: 12 views per object, the first 12 rows of each object in labels.csv (as tests/QualityTests.cs does).
        input = Path.Combine(work, "inputs", "coil100-12-views");
        var views = labels.GroupBy(kv => kv.Value).SelectMany(g => g.Take(12)).ToDictionary();
        foreach (var path in views.Keys)
        {
            string link = Path.Combine(input, path);
            if (File.Exists(link)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            // A copy: the scanner refuses symbolic links that lead out of the input folder.
            File.Copy(Path.Combine(folder, "images", path), link);
        }
        return (input, views);
    }

    private static Dictionary<string, string> ReadLabels(string file)
    {
        using var reader = new StreamReader(file);
        var rows = Csv.Read(reader).Where(r => r is not [""]).ToList();
        int column = Array.IndexOf(rows[0], "label") is var l and >= 0 ? l : Array.IndexOf(rows[0], "group");
        if (column < 0) throw new InvalidOperationException($"{file} has neither a label nor a group column");
        return rows.Skip(1).ToDictionary(r => r[0].StartsWith("images/", StringComparison.Ordinal) ? r[0]["images/".Length..] : r[0], r => r[column]);
    }

    /// <summary>Runs <c>imagecluster embed</c> on a cold store, or reads the cached result of an earlier run.</summary>
    internal static Features Embed(string cli, Dictionary<string, string> environment, Spec spec, string set, string input, string work)
    {
        string folder = Directory.CreateDirectory(Path.Combine(work, "features", spec.FileName)).FullName;
        string binary = Path.Combine(folder, set + ".f32"), meta = Path.Combine(folder, set + ".json");
        if (File.Exists(binary) && File.Exists(meta))
        {
            var m = JsonSerializer.Deserialize<CachedMeta>(File.ReadAllText(meta))!;
            var data = new float[m.Paths.Length * m.Columns];
            var bytes = File.ReadAllBytes(binary);
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
            return new Features(m.Paths, new FeatureMatrix(m.Paths.Length, m.Columns, data), m.EmbedSeconds, m.CommandSeconds, true);
        }

        string csv = Path.Combine(folder, set + ".csv"), store = Path.Combine(folder, set + ".db");
        foreach (var stale in new[] { csv, store, store + "-wal", store + "-shm" }) File.Delete(stale);
        string[] layer = spec.Layer is null ? [] : ["--layer", spec.Layer, "--pool", spec.Pool!];
        var (embedSeconds, commandSeconds) = RunEmbed(cli, environment, ["embed", input, "--out", csv, "--store", store, "--model", spec.Model, .. layer], spec);
        var table = FeaturesFile.Read(csv);
        var paths = table.Paths.ToArray();
        var raw = new byte[table.Features.Data.Length * sizeof(float)];
        Buffer.BlockCopy(table.Features.Data, 0, raw, 0, raw.Length);
        File.WriteAllBytes(binary, raw);
        File.WriteAllText(meta, JsonSerializer.Serialize(new CachedMeta(paths, table.Features.Columns, embedSeconds, commandSeconds)));
        // The CSV of pixels128 is hundreds of megabytes; the binary copy is all a rerun needs.
        foreach (var done in new[] { csv, store, store + "-wal", store + "-shm", Path.ChangeExtension(csv, ".errors.csv") }) File.Delete(done);
        return new Features(paths, table.Features, embedSeconds, commandSeconds, false);
    }

    private sealed record CachedMeta(string[] Paths, int Columns, double EmbedSeconds, double CommandSeconds);

    /// <summary>
    /// Runs the command and times its embed stage from the first progress line ("embed 0/N", printed before the model
    /// loads) to the last ("embed N/N"): model load, decoding and inference, not process start, scanning or the CSV.
    /// </summary>
    private static (double EmbedSeconds, double CommandSeconds) RunEmbed(string cli, Dictionary<string, string> environment, string[] arguments, Spec spec)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        double first = double.NaN, last = double.NaN;
        var stderr = new StringBuilder();
        using var p = new Process { StartInfo = start };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            double now = clock.Elapsed.TotalSeconds;
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
                var m = Regex.Match(e.Data, @"^embed (\d+)/(\d+) images");
                if (!m.Success) return;
                if (m.Groups[1].Value == "0") first = now;
                if (m.Groups[1].Value == m.Groups[2].Value) last = now;
            }
        };
        p.Start();
        p.BeginErrorReadLine();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double command = clock.Elapsed.TotalSeconds;
        string errors = stderr.ToString().Trim();
        if (p.ExitCode != 0)
        {
            // Before the --layer merge the CLI does not know these options: say so instead of showing a parser dump.
            if (spec.Layer is not null && Regex.IsMatch(errors, "--layer|--pool|Unrecognized", RegexOptions.IgnoreCase))
                throw new InvalidOperationException($"imagecluster rejected --layer {spec.Layer} --pool {spec.Pool} (exit {p.ExitCode}): this CLI predates --layer/--pool; " +
                                                    $"build the current one or pass --cli to one that has them. It said: {FirstLine(errors)}");
            throw new InvalidOperationException($"imagecluster {string.Join(' ', arguments)} failed (exit {p.ExitCode}): {FirstLine(errors)} {FirstLine(stdout)}");
        }
        if (double.IsNaN(first) || double.IsNaN(last))
            throw new InvalidOperationException($"imagecluster embed printed no embed progress lines (stderr: {FirstLine(errors)})");
        return (last - first, command);
    }

    private static string FirstLine(string text) => text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";

    /// <summary>MODELS.md's protocol: K-Means on L2-normalised rows, k = classes, n_init 10, mean (and SD) over the seeds.</summary>
    /// <summary>The clusterer a <c>--methods</c> name stands for, at <paramref name="k"/> clusters.</summary>
    private static IClusterer Clusterer(string method, int k, int seed) => method switch
    {
        "kmeans" => new KMeans(new KMeansOptions { NClusters = k, NInit = 10, Seed = seed }),
        "leiden" => new Leiden(new LeidenOptions { NClusters = k, Seed = seed }),
        _ when method.StartsWith("leiden-k", StringComparison.Ordinal) && int.TryParse(method["leiden-k".Length..], CultureInfo.InvariantCulture, out int n) =>
            new Leiden(new LeidenOptions { NClusters = k, Seed = seed, NNeighbors = n }),
        "spectral" => new Spectral(new SpectralOptions { NClusters = k, Seed = seed }),
        // Label-free: the number of clusters is what Leiden finds at resolution 1, not the number of classes.
        "leiden-free" => new Leiden(new LeidenOptions { Seed = seed }),
        _ => throw new ArgumentException($"--methods: '{method}' is not one of kmeans, leiden, leiden-kN, leiden-free, spectral"),
    };

    private static (double Mean, double Std, int Classes) Nmi(Spec spec, Features features, Dictionary<string, string> labels, int seeds, bool reduce,
        string method = "kmeans")
    {
        var truth = features.Paths.Select(p => labels.TryGetValue(p, out var l) ? l
            : throw new InvalidOperationException($"{p} has no label in labels.csv")).ToList();
        if (truth.Count != labels.Count)
            throw new InvalidOperationException($"embedded {truth.Count} of {labels.Count} labelled images (some could not be read)");
        int k = truth.Distinct().Count();
        var x = features.Matrix.Clone();
        if (spec.Centred) CentreColumns(x);
        x.NormalizeRowsInPlace();
        if (reduce) x = Isometry.Reduce(x);
        var nmis = new double[seeds];
        var found = new int[seeds];
        var clock = Stopwatch.StartNew();
        for (int seed = 0; seed < seeds; seed++)
        {
            var r = Clusterer(method, k, seed).Fit(x);
            found[seed] = r.NClusters;
            nmis[seed] = ClusteringMetrics.NormalizedMutualInformation(truth, r.Labels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList());
        }
        Console.Error.WriteLine(FormattableString.Invariant(
            $"    {method}: {clock.Elapsed.TotalSeconds / seeds:F2} s per fit, clusters found {string.Join(" ", found)} (classes {k})"));
        double mean = nmis.Average();
        double std = Math.Sqrt(nmis.Sum(v => (v - mean) * (v - mean)) / nmis.Length);
        return (mean, std, k);
    }

    private static void CentreColumns(FeatureMatrix x)
    {
        var mean = new double[x.Columns];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.ReadRow(i);
            for (int j = 0; j < row.Length; j++) mean[j] += row[j];
        }
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (int j = 0; j < row.Length; j++) row[j] -= (float)(mean[j] / x.Rows);
        }
    }

    private static void PrintTables(List<(Spec Spec, int Dimension, List<Score> Scores)> results, string[] sets, string models)
    {
        Console.WriteLine();
        Console.WriteLine($"| features | dim | {string.Join(" | ", sets)} | embed img/s |");
        Console.WriteLine($"|---|---|{string.Concat(sets.Select(_ => "---|"))}---|");
        foreach (var (spec, dimension, scores) in results)
        {
            var ok = scores.Where(s => s.Error is null).ToList();
            // Overall speed: all images over all embed-stage seconds, so the big sets weigh what they cost.
            double speed = ok.Count == 0 ? double.NaN : ok.Sum(s => s.Images) / ok.Sum(s => s.Images / s.EmbedImagesPerSecond);
            string cells = string.Join(" | ", sets.Select(set => scores.First(s => s.Set == set) is var s && s.Error is null ? Inv($"{s.Nmi:F3}") : "failed"));
            Console.WriteLine($"| `{spec.Text}`{(spec.Centred ? " (centred)" : "")} | {(dimension > 0 ? dimension : "?")} | {cells} | {(double.IsNaN(speed) ? "–" : Inv($"{speed:F0}"))} |");
        }

        // Reproduction of MODELS.md: its columns are the model names, and "raw pixels" is `pixels`.
        var lines = File.ReadAllLines(Path.Combine(models, "MODELS.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith("## Clustering quality", StringComparison.Ordinal));
        if (start < 0) return;
        var header = lines.Skip(start).First(l => l.StartsWith("| set", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
        var reference = lines.Skip(start).SkipWhile(l => !l.StartsWith("|---", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|').Select(c => c.Trim().Trim('*')).ToList()).ToDictionary(c => c[1].Split(' ', ',')[0]);
        Console.WriteLine();
        Console.WriteLine("| features | set | NMI here (mean ± SD of 5 seeds) | MODELS.md | difference |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (spec, _, scores) in results.Where(r => r.Spec.Layer is null))
        {
            int column = header.IndexOf(spec.Model == "pixels" ? "raw pixels" : spec.Model);
            if (column < 0) continue;
            foreach (var s in scores.Where(s => s.Error is null && reference.ContainsKey(s.Set)))
            {
                double expected = double.Parse(reference[s.Set][column], CultureInfo.InvariantCulture);
                Console.WriteLine(Inv($"| `{spec.Text}` | {s.Set} | {s.Nmi:F3} ± {s.NmiStd:F3} | {expected:F3} | {s.Nmi - expected:+0.000;-0.000;0.000} |"));
            }
        }
    }

    private static void WriteFiles(List<(Spec Spec, int Dimension, List<Score> Scores)> results, string work)
    {
        string csv = Path.Combine(work, "models.csv"), json = Path.Combine(work, "models.json");
        var text = new StringBuilder("spec,model,layer,pool,centred,dimension,set,images,classes,nmi_mean,nmi_sd,embed_images_per_second,error\n");
        foreach (var (spec, dimension, scores) in results)
            foreach (var s in scores)
                text.AppendLine(string.Join(',', new[] { spec.Text, spec.Model, spec.Layer ?? "", spec.Pool ?? "", spec.Centred ? "true" : "false", Inv($"{dimension}"), s.Set,
                    Inv($"{s.Images}"), Inv($"{s.Classes}"), Inv($"{s.Nmi:F4}"), Inv($"{s.NmiStd:F4}"), Inv($"{s.EmbedImagesPerSecond:F1}"), s.Error ?? "" }.Select(Csv.Escape)));
        File.WriteAllText(csv, text.ToString());
        var rows = results.Select(r => new
        {
            spec = r.Spec.Text, model = r.Spec.Model, layer = r.Spec.Layer, pool = r.Spec.Pool, centred = r.Spec.Centred, dimension = r.Dimension,
            sets = r.Scores.Select(s => new { set = s.Set, images = s.Images, classes = s.Classes, nmiMean = Finite(s.Nmi), nmiSd = Finite(s.NmiStd), embedImagesPerSecond = Finite(s.EmbedImagesPerSecond), error = s.Error }),
        });
        File.WriteAllText(json, JsonSerializer.Serialize(new
        {
            protocol = "K-Means (n_init 10, k = classes) on L2-normalised features (raw pixels mean-centred first), mean over seeds; NMI arithmetic",
            machine = $"{Environment.ProcessorCount} cores, load average {LoadAverage()}",
            dateUtc = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            rows,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine();
        Console.WriteLine($"written: {csv}, {json}");
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
