using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;
using ImageCluster.Store;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="ClusterJob"/> (the <c>imagecluster cluster</c> command).</summary>
public sealed record ClusterJobOptions
{
    /// <summary>Folder of images.</summary>
    public required string Input { get; init; }

    /// <summary>Run folder; null = <c>INPUT/imagecluster</c>.</summary>
    public string? Output { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule (squash for every catalogue model).</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>Folders where model names are looked up; null = <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>Model name or path; null = the default model (built-in fallback when missing).</summary>
    public string? Model { get; init; }

    /// <summary>Number of clusters.</summary>
    public int K { get; init; }

    /// <summary>K-Means restarts.</summary>
    public int NInit { get; init; } = 10;

    /// <summary>K-Means iteration limit per restart.</summary>
    public int MaxIter { get; init; } = 300;

    /// <summary>K-Means relative tolerance.</summary>
    public double Tol { get; init; } = 1e-4;

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>PCA before clustering: a fraction in (0,1) of variance to keep, or a number of components; null = none.</summary>
    public double? Pca { get; init; }

    /// <summary>L2-normalise every feature vector before PCA and clustering.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Copy images into the cluster folders instead of symlinking.</summary>
    public bool Copy { get; init; }

    /// <summary>Embedding batch size and threads.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();

    /// <summary>The run folder actually used.</summary>
    public string ResolvedOutput => Path.GetFullPath(Output ?? Path.Combine(Input, "imagecluster"));
}

/// <summary>No image of the input could be used (exit code 1 in the CLI).</summary>
public sealed class NoUsableImagesException(string message) : Exception(message);

/// <summary>The summary written to <c>run.json</c> and printed by <c>--json</c>.</summary>
public sealed record RunSummary
{
    /// <summary>Always <c>imagecluster</c>.</summary>
    public string Tool { get; init; } = "imagecluster";

    /// <summary>Program version.</summary>
    public string Version { get; init; } = typeof(RunSummary).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The command that produced the run.</summary>
    public required string Command { get; init; }

    /// <summary>Absolute input folder.</summary>
    public required string Input { get; init; }

    /// <summary>Absolute run folder.</summary>
    public required string Output { get; init; }

    /// <summary>Start time, UTC.</summary>
    public DateTime StartedUtc { get; init; }

    /// <summary>Every option as given (after defaults).</summary>
    public required IReadOnlyDictionary<string, object?> Options { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>The model used.</summary>
    public required ModelInfo Model { get; init; }

    /// <summary>How many files went where.</summary>
    public required RunCounts Counts { get; init; }

    /// <summary>Cluster sizes by label, largest first.</summary>
    public IReadOnlyList<ClusterInfo> Clusters { get; init; } = [];

    /// <summary>K-Means figures.</summary>
    public KMeansInfo? KMeans { get; init; }

    /// <summary>PCA figures, when PCA ran.</summary>
    public PcaInfo? Pca { get; init; }

    /// <summary>
    /// True when an earlier run had the same images (by content), model and clustering options, so its deterministic
    /// result was reused instead of clustering again.
    /// </summary>
    public bool ClusteringFromCache { get; init; }

    /// <summary>Seconds per stage.</summary>
    public required IReadOnlyDictionary<string, double> TimingsSeconds { get; init; }

    /// <summary>Peak resident memory of the process so far, in MB (what the run cost in RAM).</summary>
    public double PeakMemoryMb { get; init; }

    /// <summary>Files written, relative to <see cref="Output"/>.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>Things the user was told (model fallback, checksum notes).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Model identity in <see cref="RunSummary"/>.</summary>
public sealed record ModelInfo(string Name, string CacheKey, string? File, string? Sha256, bool BuiltIn, bool Fallback, int Dimension, string Output, string Resize);

/// <summary>File counts in <see cref="RunSummary"/>.</summary>
public sealed record RunCounts(int Scanned, int Embedded, int FromCache, int Errors, int Clustered, int Clusters);

/// <summary>One cluster in <see cref="RunSummary"/>.</summary>
public sealed record ClusterInfo(int Cluster, int Size, string Folder);

/// <summary>K-Means figures in <see cref="RunSummary"/>.</summary>
public sealed record KMeansInfo(double Inertia, int Iterations, int BestInit);

/// <summary>PCA figures in <see cref="RunSummary"/>.</summary>
public sealed record PcaInfo(int Components, double ExplainedVariance);

/// <summary>
/// The whole <c>cluster</c> job: scan → embed (cached) → normalise → PCA → K-Means → assignments, errors, cluster
/// folders and run.json in the run folder.
/// </summary>
public static class ClusterJob
{
    /// <summary>JSON settings of run.json (camelCase, indented).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs the job. User mistakes surface as <see cref="UsageException"/>, <see cref="ModelNotFoundException"/>
    /// or <see cref="NoUsableImagesException"/>.</summary>
    public static async Task<RunSummary> RunAsync(ClusterJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        string input = RunFolders.RequireInputFolder(o.Input);
        if (o.K < 1) throw new UsageException($"--k must be at least 1 (got {o.K})");
        if (o.NInit < 1) throw new UsageException($"--n-init must be at least 1 (got {o.NInit})");
        if (o.MaxIter < 1) throw new UsageException($"--max-iter must be at least 1 (got {o.MaxIter})");
        if (!(o.Tol >= 0) || double.IsInfinity(o.Tol)) throw new UsageException($"--tol must be a finite number ≥ 0 (got {o.Tol})");
        if (o.Pca is { } p && (p <= 0 || (p >= 1 && p != Math.Floor(p))))
            throw new UsageException($"--pca must be a variance fraction in (0,1) or a whole number of components (got {p})");
        o.Embedding.Validate();
        string output = o.ResolvedOutput;
        RunFolders.RequireSafeRunFolder(input, output);

        var model = ModelResolver.Resolve(o.Model, o.ModelFolders).WithResize(o.Resize);
        foreach (var note in model.Notes) notice?.Invoke(note);
        RunFolders.Create(output);

        var sw = Stopwatch.StartNew();
        var files = ImageScanner.Scan(input, new ScanOptions { ExcludedDirectories = [output] }).ToList();
        timings["scan"] = sw.Elapsed.TotalSeconds;
        notice?.Invoke($"found {files.Count} image files in {input}");
        if (o.K > files.Count && files.Count > 0) // fail before minutes of embedding, not after
            throw new UsageException($"--k {o.K} is larger than the number of image files ({files.Count})");

        using var store = ImageStore.Open(Path.Combine(output, ImageStore.FileName));
        var pipeline = new EmbeddingPipeline(store, model, () => EmbedderFactory.Create(model, o.Embedding.InferenceThreads), o.Embedding);
        var embedded = await pipeline.RunAsync(input, files, progress, ct);
        timings["readHash"] = embedded.Timings.ReadHashSeconds;
        timings["decodeCpu"] = embedded.Timings.DecodeSeconds;
        timings["loadModel"] = embedded.Timings.LoadModelSeconds;
        timings["inference"] = embedded.Timings.InferenceSeconds;
        timings["embed"] = embedded.Timings.WallSeconds;

        RunOutputs.WriteErrors(Path.Combine(output, "errors.csv"), embedded.Errors);
        if (embedded.Paths.Count == 0)
            throw new NoUsableImagesException(files.Count == 0
                ? $"no image files found in {input} (looked for {string.Join(", ", ImageScanner.DecodableExtensions)})"
                : $"none of the {files.Count} image files could be read; see {Path.Combine(output, "errors.csv")}");
        if (o.K > embedded.Paths.Count)
            throw new UsageException($"--k {o.K} is larger than the number of usable images ({embedded.Paths.Count})");

        var clustering = Cluster(o, model, embedded, store, timings, notice, ct);

        sw.Restart();
        RunOutputs.WriteAssignments(Path.Combine(output, "assignments.csv"), embedded.Paths, clustering.Labels, clustering.Distances);
        var folders = ClusterFolders.Write(output, input, embedded.Paths, clustering.Labels, o.Copy);
        timings["write"] = sw.Elapsed.TotalSeconds;
        timings["total"] = total.Elapsed.TotalSeconds;

        var sizes = clustering.Labels.GroupBy(l => l).Select(g => new ClusterInfo(g.Key, g.Count(), $"{ClusterFolders.FolderName}/{folders[g.Key]}"))
            .OrderByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList();
        var summary = new RunSummary
        {
            Command = "cluster",
            Input = input,
            Output = output,
            StartedUtc = started,
            Seed = o.Seed,
            Options = new Dictionary<string, object?>
            {
                ["model"] = o.Model, ["k"] = o.K, ["nInit"] = o.NInit, ["maxIter"] = o.MaxIter, ["tol"] = o.Tol, ["seed"] = o.Seed,
                ["pca"] = o.Pca, ["resize"] = model.Descriptor.Resize.ToString().ToLowerInvariant(), ["normalize"] = o.Normalize, ["copy"] = o.Copy, ["batchSize"] = o.Embedding.BatchSize,
                ["decodeThreads"] = o.Embedding.DecodeThreads, ["inferenceThreads"] = o.Embedding.InferenceThreads, ["out"] = o.Output,
            },
            Model = Describe(model),
            Counts = new RunCounts(files.Count, embedded.Embedded, embedded.FromCache, embedded.Errors.Count, embedded.Paths.Count, sizes.Count),
            Clusters = sizes,
            KMeans = clustering.KMeans,
            Pca = clustering.Pca,
            ClusteringFromCache = clustering.FromCache,
            TimingsSeconds = timings,
            PeakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Files = new Dictionary<string, string>
            {
                ["assignments"] = "assignments.csv", ["errors"] = "errors.csv", ["clusters"] = ClusterFolders.FolderName + "/",
                ["store"] = ImageStore.FileName, ["run"] = "run.json",
            },
            Notes = model.Notes,
        };
        string json = JsonSerializer.Serialize(summary, Json);
        Csv.WriteAtomically(Path.Combine(output, "run.json"), w => w.Write(json));
        store.AddRun(started, input, model.CacheKey, o.Seed, json);
        return summary;
    }

    private sealed record Clustering(int[] Labels, float[] Distances, KMeansInfo KMeans, PcaInfo? Pca, bool FromCache);

    private sealed record StoredFigures(KMeansInfo KMeans, PcaInfo? Pca);

    /// <summary>Normalise, PCA and K-Means; or the stored result of an identical earlier clustering.</summary>
    private static Clustering Cluster(ClusterJobOptions o, ResolvedModel model, EmbeddingResult embedded, ImageStore store,
        Dictionary<string, double> timings, Action<string>? notice, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string key = ClusteringKey(o, model, embedded);
        if (store.GetClustering(key) is { } stored && JsonSerializer.Deserialize<StoredFigures>(stored.SummaryJson, Json) is { } figures)
        {
            timings["prepare"] = 0;
            timings["cluster"] = sw.Elapsed.TotalSeconds;
            return new Clustering(stored.Labels, stored.Distances, figures.KMeans, figures.Pca, FromCache: true);
        }

        notice?.Invoke($"clustering {embedded.Paths.Count} images into {o.K} clusters (K-Means, n_init {o.NInit}, seed {o.Seed})");
        var kmeansOptions = new KMeansOptions { NClusters = o.K, NInit = o.NInit, MaxIter = o.MaxIter, Tol = o.Tol, Seed = o.Seed };
        var pcaOptions = o.Pca is { } components ? new PcaOptions { Components = components, Whiten = false } : null;
        try
        {
            kmeansOptions.Validate(embedded.Paths.Count);
            pcaOptions?.Validate(embedded.Paths.Count, embedded.Features.Columns);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
        }

        var features = embedded.Features;
        if (o.Normalize) features = features.Clone().NormalizeRowsInPlace();
        PcaInfo? pcaInfo = null;
        if (pcaOptions is not null)
        {
            var pca = Pca.Fit(features, pcaOptions, ct);
            features = pca.Transform(features);
            pcaInfo = new PcaInfo(pca.NComponents, pca.ExplainedVarianceRatio.Sum());
        }
        timings["prepare"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var kmeans = new KMeans(kmeansOptions).Fit(features, ct);
        timings["cluster"] = sw.Elapsed.TotalSeconds;
        var info = new KMeansInfo(kmeans.Inertia, kmeans.NIterations, kmeans.BestInit);
        store.PutClustering(key, new StoredClustering(kmeans.Labels, kmeans.Distances, JsonSerializer.Serialize(new StoredFigures(info, pcaInfo), Json)));
        return new Clustering(kmeans.Labels, kmeans.Distances, info, pcaInfo, FromCache: false);
    }

    /// <summary>Everything the clustering result depends on: program version, model, options and the rows' contents in order.</summary>
    private static string ClusteringKey(ClusterJobOptions o, ResolvedModel model, EmbeddingResult embedded)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string header = string.Join('\n', "kmeans", typeof(ClusterJob).Assembly.ManifestModule.ModuleVersionId, model.CacheKey,
            o.Normalize, o.Pca?.ToString("R", CultureInfo.InvariantCulture) ?? "-", o.K, o.NInit, o.MaxIter,
            o.Tol.ToString("R", CultureInfo.InvariantCulture), o.Seed);
        hash.AppendData(Encoding.UTF8.GetBytes(header));
        for (int i = 0; i < embedded.Paths.Count; i++)
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{embedded.Paths[i]}\0{embedded.ContentHashes[i]}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The model part of a run summary.</summary>
    public static ModelInfo Describe(ResolvedModel model) => new(
        model.Descriptor.Name, model.CacheKey, model.Path, model.Sha256, model.Descriptor.BuiltIn, model.IsFallback,
        model.Descriptor.Dimension, model.Descriptor.EmbeddingOutput, model.Descriptor.Resize.ToString().ToLowerInvariant());
}
