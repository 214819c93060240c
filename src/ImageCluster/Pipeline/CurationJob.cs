using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Curation;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;
using ImageCluster.Neighbours;
using ImageCluster.Runs;
using ImageCluster.Store;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="CurationJob"/>: a folder of images or a features file, and how duplicates and issues are judged.</summary>
internal sealed record CurationJobOptions
{
    /// <summary>Folder of images (searched recursively); or <see cref="Features"/>.</summary>
    public string? Input { get; init; }

    /// <summary>A features CSV (<c>path,f0,…</c>): duplicates by embedding only, no pixel issues; or <see cref="Input"/>.</summary>
    public string? Features { get; init; }

    /// <summary>Run folder; null = the one <c>cluster</c> would use for the same input, so the findings sit beside its clusters.</summary>
    public string? Output { get; init; }

    /// <summary>The shared embedding store; null = <see cref="StoreLocation.Resolve"/>.</summary>
    public string? Store { get; init; }

    /// <summary>Model name or path; null = the default model.</summary>
    public string? Model { get; init; }

    /// <summary>Folders where model names are looked up.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule.</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>Batch size, threads and per-file limits of embedding.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();

    /// <summary>Least cosine similarity of a near-duplicate pair, in [0, 1]; null = the model's calibrated default.</summary>
    public double? Threshold { get; init; }

    /// <summary>Which image of a group is kept; null = <see cref="KeepRule.Largest"/> for images, <see cref="KeepRule.First"/> for a features file.</summary>
    public KeepRule? Keep { get; init; }

    /// <summary>
    /// Images: most bits (of 64) in which the perceptual hashes of a near-duplicate pair may differ, so that two photos of the
    /// same kind of subject, which embeddings put close, are not called duplicates; null = the embedding alone decides. 18
    /// separates both calibration sets (docs/benchmarks.md): re-encodes, resizes, mirrors and 90 % crops differ by at most
    /// 18, different photos above 0.8 similarity by at least 20 (the distance is always even).
    /// </summary>
    public int? MaxHashDistance { get; init; } = DefaultMaxHashDistance;

    /// <summary>The default of <see cref="MaxHashDistance"/>.</summary>
    public const int DefaultMaxHashDistance = 18;

    /// <summary>Neighbours asked of every image (duplicates link through them; outliers and label issues are judged on them).</summary>
    public int Neighbours { get; init; } = 10;

    /// <summary>A <c>path,label</c> CSV: adds <c>label_issue</c> for images whose neighbours overwhelmingly carry another label.</summary>
    public string? Labels { get; init; }

    /// <summary>Where the issues are flagged.</summary>
    public IssueThresholds Thresholds { get; init; } = new();

    /// <summary>The caller (a cluster run writing into the same folder) already holds the run folder's lock.</summary>
    internal bool RunFolderLocked { get; init; }

    /// <summary>Rows up to which neighbours come from an exact scan; above, from an HNSW index (measured recall@10 ≥ 0.996 on real embeddings).</summary>
    public int ExactNeighboursUpTo { get; init; } = 10_000;

    internal void Validate()
    {
        if ((Input is null) == (Features is null))
            throw new ArgumentException(Input is null ? "Input: give a folder of images or a features file" : "Input: give a folder of images or a features file, not both", nameof(Input));
        if (Threshold is { } t && !(t >= 0 && t <= 1))
            throw new ArgumentException($"Threshold must be a cosine similarity between 0 and 1 (got {t.ToString(CultureInfo.InvariantCulture)})", nameof(Threshold));
        if (MaxHashDistance is < 0 or > 64) throw new ArgumentException($"MaxHashDistance must be between 0 and 64 bits (got {MaxHashDistance})", nameof(MaxHashDistance));
        if (Neighbours is < 1 or > 1000) throw new ArgumentException($"Neighbours must be between 1 and 1000 (got {Neighbours})", nameof(Neighbours));
        if (Features is not null && Keep is { } keep && keep != KeepRule.First)
            throw new ArgumentException($"Keep {keep.ToString().ToLowerInvariant()} compares the images themselves; a features file has only vectors, so only first applies", nameof(Keep));
        Embedding.Validate();
    }
}

/// <summary>What <c>duplicates</c> found and wrote.</summary>
internal sealed record DuplicatesSummary(string Command, string? Input, string? Features, string Output, string DuplicatesFile, string? ErrorsFile, string Model,
    double Threshold, string ThresholdSource, int? MaxHashDistance, KeepRule Keep, int Images, int Errors, int Groups, int InGroups, int ToDiscard, int ExactDuplicates, int NearDuplicates,
    string Neighbours, IReadOnlyDictionary<string, double> TimingsSeconds);

/// <summary>What <c>issues</c> found and wrote: how many images carry each issue.</summary>
internal sealed record IssuesSummary(string Command, string? Input, string? Features, string Output, string IssuesFile, string MeasuresFile, string? ErrorsFile,
    string Model, double Threshold, string ThresholdSource, int? MaxHashDistance, KeepRule Keep, int Images, int Errors, int WithIssues, IReadOnlyDictionary<string, int> Counts,
    IssueThresholds Thresholds, string Neighbours, IReadOnlyDictionary<string, double> TimingsSeconds);

/// <summary>
/// <c>duplicates</c> and <c>issues</c>: embed a folder (or read a features file), find neighbours without an N × N
/// matrix, group duplicates and judge every image; the run folder gets <c>duplicates.csv</c> (or <c>issues.csv</c> and
/// <c>measures.csv</c>) and a summary, all written after everything is computed.
/// </summary>
internal static class CurationJob
{
    /// <summary>
    /// The saved neighbour index of a features file, <c>neighbours.*</c> in the run folder (a folder's is beside the store,
    /// <see cref="SavedNeighbourIndex.BesideStore"/>).
    /// </summary>
    internal const string NeighbourIndexName = "neighbours";

    /// <summary>Calibrated near-duplicate thresholds per model (bench near-duplicates on the shared near_duplicates set).</summary>
    private static readonly Dictionary<string, double> CalibratedThresholds = new(StringComparer.Ordinal)
    {
        ["mobilenetv2_12_int8"] = 0.90,
    };

    /// <summary>The threshold used when none is given for <paramref name="model"/>, and where it comes from.</summary>
    internal static (double Threshold, string Source) DefaultThreshold(string model) =>
        CalibratedThresholds.TryGetValue(model, out double t)
            ? (t, $"calibrated for {model}")
            : (CalibratedThresholds[ModelCatalog.DefaultModel], $"not calibrated for {model}; the default model's");

    /// <summary>Finds the duplicate groups and writes <c>duplicates.csv</c>.</summary>
    public static async Task<DuplicatesSummary> DuplicatesAsync(CurationJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null,
        CancellationToken ct = default)
    {
        var timings = new Dictionary<string, double>();
        var total = Stopwatch.StartNew();
        var (data, output) = Prepare(o, notice);
        return await InRunFolder(output, o.RunFolderLocked, notice, async () =>
        {
            var loaded = await LoadAsync(o, data, output, measure: o.Input is not null, timings, progress, notice, ct);
            var (duplicates, neighbours, kind) = Group(o, loaded, timings, progress, notice, ct);
            var sw = Stopwatch.StartNew();
            string file = Path.Combine(output, CurationFiles.Duplicates);
            WriteDuplicates(file, loaded.Paths, duplicates);
            string? errors = WriteErrors(output, loaded.Errors);
            timings["write"] = sw.Elapsed.TotalSeconds;
            timings["total"] = total.Elapsed.TotalSeconds;
            int toDiscard = Enumerable.Range(0, loaded.Paths.Count).Count(i => duplicates.Group[i] >= 0 && duplicates.Kept[duplicates.Group[i]] != i);
            int exact = Enumerable.Range(0, loaded.Paths.Count).Count(i => duplicates.Group[i] >= 0 && duplicates.Kept[duplicates.Group[i]] != i && duplicates.Exact[i]);
            var summary = new DuplicatesSummary("duplicates", data.Input, data.Features, output, file, errors, loaded.Model, loaded.Threshold, loaded.ThresholdSource,
                loaded.Quality is null ? null : o.MaxHashDistance, loaded.Keep, loaded.Paths.Count, loaded.Errors.Count, duplicates.Kept.Length, duplicates.Members, toDiscard, exact, toDiscard - exact, kind, timings);
            Csv.WriteAtomically(Path.Combine(output, CurationFiles.DuplicatesSummary), w => w.Write(JsonSerializer.Serialize(summary, RunFolder.Json)));
            return summary;
        });
    }

    /// <summary>Finds every issue of every image and writes <c>issues.csv</c> and <c>measures.csv</c>.</summary>
    public static async Task<IssuesSummary> IssuesAsync(CurationJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null,
        CancellationToken ct = default)
    {
        var timings = new Dictionary<string, double>();
        var total = Stopwatch.StartNew();
        var (data, output) = Prepare(o, notice);
        var labelFile = o.Labels is null ? null : LabelFile.Read(o.Labels); // a wrong labels file fails before any work
        return await InRunFolder(output, o.RunFolderLocked, notice, async () =>
        {
            var loaded = await LoadAsync(o, data, output, measure: o.Input is not null, timings, progress, notice, ct);
            if (o.Features is not null) notice?.Invoke("a features file has no pixels: only duplicates, outliers and label issues are judged");
            var (duplicates, neighbours, kind) = Group(o, loaded, timings, progress, notice, ct);
            var sw = Stopwatch.StartNew();
            var labels = labelFile is null ? null : loaded.Paths.Select(labelFile.Find).ToList();
            var found = IssueFinder.Find(loaded.Paths.Count, loaded.Quality, neighbours, duplicates, labels, o.Thresholds);
            timings["issues"] = sw.Elapsed.TotalSeconds;
            sw.Restart();
            string file = Path.Combine(output, CurationFiles.Issues), measures = Path.Combine(output, CurationFiles.Measures);
            WriteIssues(file, loaded, found);
            WriteMeasures(measures, loaded, IssueFinder.MeanDistances(neighbours, loaded.Paths.Count));
            string? errors = WriteErrors(output, loaded.Errors);
            timings["write"] = sw.Elapsed.TotalSeconds;
            timings["total"] = total.Elapsed.TotalSeconds;
            var counts = IssueNames.All.ToDictionary(n => n, n => found.Count(f => f.Issue == n));
            counts[IssueNames.Corrupt] = loaded.Corrupt.Count;
            int with = found.Select(f => f.Row).Distinct().Count() + loaded.Corrupt.Count;
            var summary = new IssuesSummary("issues", data.Input, data.Features, output, file, measures, errors, loaded.Model, loaded.Threshold, loaded.ThresholdSource,
                loaded.Quality is null ? null : o.MaxHashDistance, loaded.Keep, loaded.Paths.Count, loaded.Errors.Count, with, counts, o.Thresholds, kind, timings);
            Csv.WriteAtomically(Path.Combine(output, CurationFiles.IssuesSummary), w => w.Write(JsonSerializer.Serialize(summary, RunFolder.Json)));
            return summary;
        });
    }

    private sealed record Source(string? Input, string? Features);

    // Checks everything that can be checked before any work, and picks the run folder.
    private static (Source Data, string Output) Prepare(CurationJobOptions o, Action<string>? notice)
    {
        o.Validate();
        if (o.Input is not null)
        {
            string input = RunFolders.RequireInputFolder(o.Input);
            string output = Path.GetFullPath(o.Output ?? RunFolders.DefaultFor(input));
            RunFolders.RequireSafeRunFolder(input, output);
            return (new Source(input, null), output);
        }
        string features = Path.GetFullPath(o.Features!);
        if (!File.Exists(features))
            throw new ImageClusterException(Directory.Exists(features) ? $"features file {o.Features} is a folder, not a CSV file" : $"features file not found: {o.Features}");
        string folder = Path.GetFullPath(o.Output ?? Path.Combine(Path.GetDirectoryName(features)!, Path.GetFileNameWithoutExtension(features) + "-clusters"));
        RunFolders.RequireSafeRunFolder(Path.GetDirectoryName(features)!, folder);
        return (new Source(null, features), folder);
    }

    // Runs the work with the run folder locked; a folder the run created goes again if it fails.
    private static async Task<T> InRunFolder<T>(string output, bool locked, Action<string>? notice, Func<Task<T>> work)
    {
        if (locked) return await work();
        string? created = RunFolders.FirstMissing(output);
        RunFolderLock? held = null;
        try
        {
            RunFolders.Create(output);
            held = RunFolderLock.Acquire(output, notice);
            return await work();
        }
        catch
        {
            held?.Dispose();
            held = null;
            RunFolders.RemoveCreated(created, notice);
            throw;
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>The rows judged: unit vectors, and for images their hashes, file facts and pixel measurements.</summary>
    private sealed record Loaded(IReadOnlyList<string> Paths, FeatureMatrix Unit, IReadOnlyList<string>? Hashes, KeepFacts Facts,
        IReadOnlyList<ImageQuality?>? Quality, IReadOnlyList<FileError> Errors, IReadOnlyList<FileError> Corrupt, string Model, double Threshold,
        string ThresholdSource, KeepRule Keep, string IndexBase);

    private static async Task<Loaded> LoadAsync(CurationJobOptions o, Source data, string output, bool measure, Dictionary<string, double> timings,
        IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        if (data.Features is not null)
        {
            var table = FeaturesFile.Read(data.Features);
            timings["read"] = sw.Elapsed.TotalSeconds;
            double assumed = o.Threshold ?? DefaultThreshold(ModelCatalog.DefaultModel).Threshold;
            if (o.Threshold is null)
                notice?.Invoke($"threshold {assumed.ToString(CultureInfo.InvariantCulture)}: calibrated for {ModelCatalog.DefaultModel}; a features file does not say its model, so give the threshold for another");
            return new Loaded(table.Paths, table.Features.NormalizeRowsInPlace(), null, new KeepFacts(table.Paths), null, [], [], "features file", assumed,
                o.Threshold is null ? $"calibrated for {ModelCatalog.DefaultModel} (assumed)" : "given", o.Keep ?? KeepRule.First,
                Path.Combine(output, NeighbourIndexName));
        }

        string input = data.Input!;
        var model = ModelResolver.Resolve(o.Model, o.ModelFolders).WithResize(o.Resize);
        foreach (var note in model.Notes) notice?.Invoke(note);
        var files = ImageScanner.Scan(input).ToList();
        notice?.Invoke($"found {files.Count} image files in {input}");
        string storePath = StoreLocation.Resolve(o.Store);
        using var store = EmbeddingStores.Open(storePath);
        var embedded = await new EmbeddingPipeline(store, model, () => EmbedderFactory.Create(model, o.Embedding.InferenceThreads), o.Embedding)
            .RunAsync(input, files, progress, ct);
        timings["embed"] = embedded.Timings.WallSeconds;
        if (embedded.Paths.Count == 0)
            throw new NoUsableImagesException(files.Count == 0
                ? $"no image files found in {input} (looked for {string.Join(", ", ImageScanner.DecodableExtensions)})"
                : $"none of the {files.Count} image files could be read; {embedded.Errors[0].Path}: {embedded.Errors[0].Error}" +
                  (embedded.Errors.Count > 1 ? $" (and {embedded.Errors.Count - 1} more)" : ""));
        var byPath = files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
        var scanned = embedded.Paths.Select(p => byPath[p]).ToList();
        sw.Restart();
        var quality = measure ? await MeasureAsync(store, scanned, embedded.ContentHashes, o.Embedding, progress, ct) : null;
        if (measure) timings["measure"] = sw.Elapsed.TotalSeconds;
        // The scan's own verdicts (links, FIFOs, formats it does not read) are not the file's damage; everything else is.
        var scanProblems = files.Where(f => f.Problem is not null).Select(f => f.RelativePath).ToHashSet(StringComparer.Ordinal);
        var corrupt = embedded.Errors.Where(e => !scanProblems.Contains(e.Path)).ToList();
        var (threshold, thresholdSource) = o.Threshold is { } t ? (t, "given") : DefaultThreshold(model.Descriptor.Name);
        if (o.Threshold is null && !CalibratedThresholds.ContainsKey(model.Descriptor.Name))
            notice?.Invoke($"no near-duplicate threshold is calibrated for {model.Descriptor.Name}; using {threshold.ToString(CultureInfo.InvariantCulture)}; give a threshold to choose another");
        var facts = new KeepFacts(embedded.Paths, quality, scanned.Select(f => f.Length).ToList(), scanned.Select(f => f.LastWriteUtc).ToList());
        // Beside the store, one per folder and model: the embeddings it indexes live there, and other runs of the folder reuse it.
        string indexBase = SavedNeighbourIndex.BesideStore(storePath, input, model.CacheKey);
        return new Loaded(embedded.Paths, embedded.Features.NormalizeRowsInPlace(), embedded.ContentHashes, facts, quality, embedded.Errors, corrupt, model.Descriptor.Name,
            threshold, thresholdSource, o.Keep ?? KeepRule.Largest, indexBase);
    }

    // Pixel measurements of every row, from the store where an earlier run made them.
    private static async Task<ImageQuality?[]> MeasureAsync(IEmbeddingStore store, IReadOnlyList<ScannedFile> files, IReadOnlyList<string> hashes,
        EmbeddingOptions options, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        var known = store.GetEmbeddings(hashes.Distinct(StringComparer.Ordinal), ImageQuality.StoreKey, ImageQuality.StoreOutput);
        var quality = new ImageQuality?[files.Count];
        var pending = new List<int>();
        for (int i = 0; i < files.Count; i++)
            if (known.TryGetValue(hashes[i], out var v) && ImageQuality.FromVector(v) is { } q) quality[i] = q;
            else pending.Add(i);
        if (pending.Count == 0) return quality;
        var budget = new DecodeBudget(options.DecodeMemoryBytes);
        var meter = WorkMeter.Start(progress, "measure", pending.Count);
        var fresh = new System.Collections.Concurrent.ConcurrentBag<(string, float[])>();
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = options.DecodeThreads > 0 ? options.DecodeThreads : Environment.ProcessorCount, CancellationToken = ct },
            async (i, token) =>
            {
                try
                {
                    var bytes = await EmbeddingPipeline.ReadCapped(files[i].FullPath, options.MaxFileBytes, token);
                    quality[i] = ImageQuality.Measure(bytes, budget, token);
                    fresh.Add((hashes[i], quality[i]!.ToVector()));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // It was decoded a moment ago for its embedding: a failure now (the file changed, memory) leaves it unmeasured.
                }
                meter.Add(1);
            });
        meter.Finish();
        store.PutEmbeddings(fresh, ImageQuality.StoreKey, ImageQuality.StoreOutput);
        return quality;
    }

    private static (DuplicateGroups Groups, AllNeighbours Neighbours, string Kind) Group(CurationJobOptions o, Loaded loaded, Dictionary<string, double> timings,
        IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        int n = loaded.Paths.Count, k = Math.Min(o.Neighbours, Math.Max(1, n - 1));
        bool exact = n <= o.ExactNeighboursUpTo;
        SavedNeighbourIndex.Outcome? saved = null;
        INeighbourIndex index;
        if (exact) index = new ExactNeighbourIndex(loaded.Unit, DistanceMetric.Cosine);
        // An image is its content (for one model): its vector's key survives renames, moves and rounding.
        else (index, saved) = SavedNeighbourIndex.Open(loaded.IndexBase, loaded.Unit, DistanceMetric.Cosine, loaded.Hashes, notice: notice, progress: progress, ct: ct);
        using var _ = index;
        timings["index"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var neighbours = AllNeighbours.Of(index, loaded.Unit, k, progress, ct);
        timings["neighbours"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var groups = DuplicateGroups.Find(loaded.Unit, neighbours, loaded.Threshold, loaded.Hashes, loaded.Keep, loaded.Facts, o.MaxHashDistance);
        timings["group"] = sw.Elapsed.TotalSeconds;
        return (groups, neighbours, exact ? $"exact scan, k = {k}" : $"HNSW index (USearch; {saved!.Describe()}), k = {k}");
    }

    private static string Score(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    // path,group,similarity,keep: every grouped image, by group, the kept one first.
    private static void WriteDuplicates(string file, IReadOnlyList<string> paths, DuplicateGroups groups)
    {
        var rows = Enumerable.Range(0, paths.Count).Where(i => groups.Group[i] >= 0)
            .OrderBy(i => groups.Group[i]).ThenBy(i => groups.Kept[groups.Group[i]] != i).ThenBy(i => paths[i], StringComparer.Ordinal);
        Csv.WriteAtomically(file, w =>
        {
            w.WriteLine("path,group,similarity,keep");
            foreach (int i in rows)
                w.WriteLine($"{Csv.Escape(paths[i])},{groups.Group[i]},{Score(groups.Similarity[i])},{(groups.Kept[groups.Group[i]] == i ? "true" : "false")}");
        });
    }

    private static void WriteIssues(string file, Loaded loaded, List<ImageIssue> found)
    {
        Csv.WriteAtomically(file, w =>
        {
            w.WriteLine("path,issue,score");
            foreach (var e in loaded.Corrupt) w.WriteLine($"{Csv.Escape(e.Path)},{IssueNames.Corrupt},1");
            foreach (var issue in found) w.WriteLine($"{Csv.Escape(loaded.Paths[issue.Row])},{issue.Issue},{Score(issue.Score)}");
        });
    }

    // Every measurement of every image, so a user can judge by other thresholds than ours.
    private static void WriteMeasures(string file, Loaded loaded, double[] knn)
    {
        Csv.WriteAtomically(file, w =>
        {
            w.WriteLine(loaded.Quality is null ? "path,knn_distance" : "path,width,height,dark_end,bright_end,sharpness,entropy,colourfulness,phash,phash_mirrored,knn_distance");
            for (int i = 0; i < loaded.Paths.Count; i++)
            {
                w.Write(Csv.Escape(loaded.Paths[i]));
                if (loaded.Quality is not null)
                {
                    if (loaded.Quality[i] is { } q)
                        w.Write($",{q.Width},{q.Height},{Score(q.DarkEnd)},{Score(q.BrightEnd)},{q.Sharpness.ToString("0.######", CultureInfo.InvariantCulture)},{Score(q.Entropy)},{Score(q.Colourfulness)},{q.PerceptualHash:x16},{q.MirroredHash:x16}");
                    else w.Write(",,,,,,,,,");
                }
                w.WriteLine($",{Score(knn[i])}");
            }
        });
    }

    private static string? WriteErrors(string output, IReadOnlyList<FileError> errors)
    {
        string file = Path.Combine(output, RunFolder.ErrorsFileName);
        if (errors.Count == 0) return null;
        RunOutputs.WriteErrors(file, errors);
        return file;
    }
}
