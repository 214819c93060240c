using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;
using ImageCluster.Review;
using ImageCluster.Store;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="ClusterJob"/> (a folder of images embedded, clustered and written to a run folder).</summary>
public sealed record ClusterJobOptions
{
    /// <summary>Folder of images.</summary>
    public required string Input { get; init; }

    /// <summary>Run folder; null = <see cref="RunFolders.DefaultFor"/> (never inside the input).</summary>
    public string? Output { get; init; }

    /// <summary>The shared embedding store; null = <see cref="StoreLocation.Resolve"/> (<c>$IMAGECLUSTER_STORE</c> or the user cache).</summary>
    public string? Store { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule (squash for every catalogue model).</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>Folders where model names are looked up; null = <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>Model name or path; null = the default model (built into the library).</summary>
    public string? Model { get; init; }

    /// <summary>An intermediate layer (and its pooling) used as the features instead of the model's embedding; null = the embedding.</summary>
    public Embedding.LayerSelection? Layer { get; init; }

    /// <summary>The algorithm and its options (e.g. <c>new KMeansOptions { NClusters = 6 }</c>); null when <see cref="Auto"/> is set.</summary>
    public ClustererOptions? Clustering { get; init; }

    /// <summary>A sweep over algorithms and parameters that keeps the best-ranked result, instead of one <see cref="Clustering"/>.</summary>
    public AutoOptions? Auto { get; init; }

    /// <summary>
    /// Refuse an algorithm whose time grows with N² (DBSCAN, OPTICS, HDBSCAN, agglomerative, K-Medoids) when a trial fit
    /// on a subset predicts a longer fit than this (default 30 minutes); null = no limit. Checked on 16 000 images and more.
    /// </summary>
    public TimeSpan? ClusteringTimeLimit { get; init; } = DefaultClusteringTimeLimit;

    /// <summary>The default <see cref="ClusteringTimeLimit"/>: 30 minutes.</summary>
    public static readonly TimeSpan DefaultClusteringTimeLimit = TimeSpan.FromMinutes(30);

    /// <summary>PCA before clustering: a fraction in (0,1) of variance to keep, or a number of components; null = none.</summary>
    public double? Pca { get; init; }

    /// <summary>Scale every PCA component to unit variance (scikit-learn's <c>whiten=True</c>); needs <see cref="Pca"/>.</summary>
    public bool Whiten { get; init; }

    /// <summary>
    /// UMAP to this many dimensions after normalisation and PCA, before clustering — umap-learn's recipe for clustering
    /// (15 neighbours, min_dist 0, seeded by the run's seed); null = none. Density algorithms (HDBSCAN, DBSCAN) gain most:
    /// UMAP pulls each neighbourhood together and leaves the space between clusters empty.
    /// </summary>
    public int? Umap { get; init; }

    /// <summary>L2-normalise every feature vector before PCA and clustering.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Copy images into the cluster folders instead of symlinking.</summary>
    public bool Copy { get; init; }

    /// <summary>Embedding batch size and threads.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();

    /// <summary>A <c>path,label</c> CSV: the result is scored against it (run.json <c>evaluation</c>); null = no scoring.</summary>
    public string? Labels { get; init; }

    /// <summary>Class of interest for the Quality Metric when <see cref="Labels"/> is given.</summary>
    public string? Positive { get; init; }

    /// <summary>
    /// Also cross-validate supervised classifiers on the same features against <see cref="Labels"/> (run.json
    /// <c>baseline</c>). Off by default: on a large labelled set it can cost more time and memory than the clustering itself.
    /// </summary>
    public bool Baseline { get; init; }

    /// <summary>
    /// Also find the duplicates and issues of the images (as the duplicates and issues jobs do, with their defaults and
    /// <see cref="Labels"/>) into the run folder, and sum them up in run.json <c>findings</c>.
    /// </summary>
    public bool FindDuplicatesAndIssues { get; init; }

    /// <summary>
    /// Cluster every image afresh even when the run folder holds a reviewed clustering with the same options and the
    /// folder has only gained images. Without it such a run embeds and places only the new images (see
    /// <see cref="AddedImagesInfo"/>); with it the decisions that still apply are carried over (<see cref="ReviewCarryOverInfo"/>).
    /// </summary>
    public bool Recluster { get; init; }

    /// <summary>The run folder actually used.</summary>
    public string ResolvedOutput => Path.GetFullPath(Output ?? RunFolders.DefaultFor(Input));
}

/// <summary>No image of the input could be used (exit code 1 in the CLI).</summary>
internal sealed class NoUsableImagesException(string message) : ImageClusterException(message);

/// <summary>
/// The whole <c>cluster</c> job: scan → embed (cached) → normalise → PCA → K-Means → assignments, errors, cluster
/// folders and run.json in the run folder.
/// </summary>
public static class ClusterJob
{
    /// <summary>Runs the job. User mistakes surface as <see cref="ImageClusterException"/>, <see cref="ModelNotFoundException"/>
    /// or <see cref="NoUsableImagesException"/>.</summary>
    public static async Task<RunSummary> RunAsync(ClusterJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        string input = RunFolders.RequireInputFolder(o.Input);
        AlgorithmRunner.Validate(o.Clustering, o.Auto);
        var labelFile = o.Labels is null ? null : LabelFile.Read(o.Labels); // a wrong labels file fails before any work
        if (o.Baseline && labelFile is null) throw new ArgumentException(EvaluateJob.BaselineNeedsLabels, "Baseline");
        if (o.Positive is not null) labelFile?.RequireClass(o.Positive);
        ValidatePreparation(o.Pca, o.Whiten, o.Umap);
        FitBudget.ValidateLimit(o.ClusteringTimeLimit);
        o.Embedding.Validate();
        string output = o.ResolvedOutput;
        RunFolders.RequireSafeRunFolder(input, output);

        string? created = RunFolders.FirstMissing(output);
        ClusterFolders.RequireOurs(Path.Combine(output, ClusterFolders.FolderName)); // a user's file in clusters/ fails now, not after embedding
        RunFolderLock? held = null;
        try
        {
            RunFolders.Create(output);
            held = RunFolderLock.Acquire(output, notice);
            return await RunInFolderAsync(o, input, output, labelFile, started, total, timings, progress, notice, ct);
        }
        catch
        {
            held?.Dispose();
            held = null;
            // A failed run leaves no half-written run folder: one it created goes; an existing one keeps its previous
            // outputs, since nothing is written there before everything has been computed.
            RunFolders.RemoveCreated(created, notice);
            throw;
        }
        finally
        {
            held?.Dispose();
        }
    }

    private static async Task<RunSummary> RunInFolderAsync(ClusterJobOptions o, string input, string output, LabelFile? labelFile, DateTime started,
        Stopwatch total, Dictionary<string, double> timings, IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        var (model, files, embedded, store) = await EmbedFolderAsync(input, output, o.Store, o.Model, o.ModelFolders, o.Resize, o.Layer, o.Embedding, timings,
            fileCount => RequireEnoughRows(o.Clustering, fileCount, "image files"), // fail before minutes of embedding, not after
            progress, notice, ct);
        using var _ = store;
        var sw = Stopwatch.StartNew();
        RequireEnoughRows(o.Clustering, embedded.Paths.Count, "usable images");
        int scannedFiles = files.Count;
        if (!o.Recluster && AddToReviewedRun(o, input, output, model, embedded, store, labelFile, scannedFiles, started, total, timings, notice) is { } added)
            return o.FindDuplicatesAndIssues && added.Added is not null ? await WithFindingsAsync(o, input, output, added, total, timings, progress, notice, ct) : added;
        if (embedded.Loaded is null)
        {
            // A run too large to hold its vectors: the scan's records (hundreds of MB at a million files) are not needed
            // again, and are given back before the reduced matrix is made, so the peak is the larger of the two, not their sum.
            files.Clear();
            files.TrimExcess();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var clustering = Cluster(o, model, embedded, store, timings, progress, notice, ct);

        sw.Restart();
        var evaluation = labelFile is null ? null : EvaluateJob.Evaluate(embedded.Paths, clustering.Labels, labelFile, input, o.Positive);
        BaselineSummary? baseline = null;
        if (o.Baseline)
        {
            notice?.Invoke("supervised baseline: stratified 5-fold logistic regression and 5-NN on the same features");
            baseline = EvaluateJob.Baseline(clustering.Features ?? Prepare(embedded.Features, o.Normalize, o.Pca, o.Whiten, ct).Features,
                embedded.Paths, labelFile!, ct);
            timings["baseline"] = sw.Elapsed.TotalSeconds;
        }

        // Everything is computed: only now is the run folder written, clusters/ first (swapped in whole), run.json last.
        sw.Restart();
        // The review of the clustering about to be replaced: its decisions that still apply go over to the new one.
        var previousReview = ReviewCarryOver.Capture(output, notice);
        var folders = ClusterFolders.Write(output, input, embedded.Paths, clustering.Labels, o.Copy);
        RunOutputs.WriteErrors(Path.Combine(output, RunFolder.ErrorsFileName), embedded.Errors);
        RunOutputs.WriteAssignments(Path.Combine(output, RunFolder.AssignmentsFileName), embedded.Paths, clustering.Labels, clustering.Distances);
        RunFolder.WriteFit(output, clustering.Fit);
        var review = previousReview?.CarryInto(output, input);
        if (review is not null) notice?.Invoke(review.Message);
        timings["write"] = sw.Elapsed.TotalSeconds;
        timings["total"] = total.Elapsed.TotalSeconds;

        var sizes = Sizes(clustering.Labels, folders);
        var summary = new RunSummary
        {
            Command = "cluster",
            Input = input,
            Output = output,
            StartedUtc = started,
            Seed = AlgorithmRunner.SeedOf(o.Clustering, o.Auto),
            Options = new RunOptions
            {
                Model = o.Model, Layer = o.Layer?.Name, Pool = o.Layer?.PoolName, Algorithm = o.Clustering?.AlgorithmName ?? "auto",
                Clustering = o.Clustering, Auto = o.Auto, Seed = AlgorithmRunner.SeedOf(o.Clustering, o.Auto), Pca = o.Pca, Whiten = o.Whiten, Umap = o.Umap,
                Resize = model.Descriptor.Resize.ToString().ToLowerInvariant(), Normalize = o.Normalize, Copy = o.Copy,
                BatchSize = o.Embedding.BatchSize, DecodeThreads = o.Embedding.DecodeThreads, InferenceThreads = o.Embedding.InferenceThreads,
                Output = o.Output, Labels = o.Labels, Positive = o.Positive, Baseline = o.Baseline,
            },
            Model = Describe(model, embedded.Dimension),
            Counts = new RunCounts(scannedFiles, embedded.Embedded, embedded.FromCache, embedded.Errors.Count, embedded.Paths.Count, clustering.Info.Clusters),
            Clusters = sizes,
            Clustering = clustering.Info,
            Evaluation = evaluation,
            Auto = clustering.Auto,
            Baseline = baseline,
            Pca = clustering.Pca,
            ClusteringFromCache = clustering.FromCache,
            Store = store.CachePath,
            TimingsSeconds = timings,
            PeakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Files = new Dictionary<string, string>
            {
                ["assignments"] = RunFolder.AssignmentsFileName, ["errors"] = RunFolder.ErrorsFileName, ["clusters"] = ClusterFolders.FolderName + "/",
                ["store"] = ImageStore.FileName, ["run"] = RunFolder.SummaryFileName,
            }.WithFit(clustering.Fit),
            Review = review,
            Notes = review is null ? model.Notes : [.. model.Notes, review.Message],
            Images = Images(embedded.Paths, clustering.Labels, clustering.Distances),
        };
        string json = RunFolder.Write(output, summary);
        store.AddRun(started, input, model.CacheKey, AlgorithmRunner.SeedOf(o.Clustering, o.Auto), json);
        return o.FindDuplicatesAndIssues ? await WithFindingsAsync(o, input, output, summary, total, timings, progress, notice, ct) : summary;
    }

    // The clustering is complete and written; the findings come from the embeddings and pixels just stored, and run.json
    // is written again with their sum.
    private static async Task<RunSummary> WithFindingsAsync(ClusterJobOptions o, string input, string output, RunSummary summary, Stopwatch total,
        Dictionary<string, double> timings, IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var curation = new CurationJobOptions
        {
            Input = input, Output = output, Store = o.Store, Model = o.Model, ModelFolders = o.ModelFolders, Resize = o.Resize, Embedding = o.Embedding,
            Labels = o.Labels, RunFolderLocked = true,
        };
        var duplicates = await CurationJob.DuplicatesAsync(curation, progress, notice, ct);
        timings["duplicates"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var issues = await CurationJob.IssuesAsync(curation, progress, notice, ct);
        timings["issues"] = sw.Elapsed.TotalSeconds;
        timings["total"] = total.Elapsed.TotalSeconds;
        summary = summary with
        {
            Findings = new RunFindings
            {
                Threshold = duplicates.Threshold, ThresholdSource = duplicates.ThresholdSource, MaxHashDistance = duplicates.MaxHashDistance,
                Keep = duplicates.Keep.ToString().ToLowerInvariant(), DuplicateGroups = duplicates.Groups, ImagesInGroups = duplicates.InGroups,
                DuplicatesToDiscard = duplicates.ToDiscard, ExactDuplicates = duplicates.ExactDuplicates, ImagesWithIssues = issues.WithIssues,
                Issues = issues.Counts.Where(c => c.Value > 0).ToDictionary(),
            },
            Files = new Dictionary<string, string>(summary.Files)
            {
                ["duplicates"] = CurationFiles.Duplicates, ["issues"] = CurationFiles.Issues, ["measures"] = CurationFiles.Measures,
            },
            PeakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
        };
        RunFolder.Write(output, summary);
        return summary;
    }

    /// <summary>
    /// When <paramref name="output"/> holds a reviewed clustering of <paramref name="input"/> with the same model and
    /// options, and the folder has only gained images: places the new ones (<see cref="NewImageAssignment"/>) and keeps
    /// the review — assignments.csv gets the new rows, the review log is carried to the new file with one
    /// <see cref="AddImages"/> after it. Null when that is not the case (then the run clusters everything as usual).
    /// </summary>
    private static RunSummary? AddToReviewedRun(ClusterJobOptions o, string input, string output, ResolvedModel model, EmbeddingResult embedded,
        ImageStore store, LabelFile? labelFile, int scannedFiles, DateTime started, Stopwatch total, Dictionary<string, double> timings, Action<string>? notice)
    {
        string assignmentsFile = Path.Combine(output, RunFolder.AssignmentsFileName), db = Path.Combine(output, ImageStore.FileName);
        if (!File.Exists(Path.Combine(output, RunFolder.SummaryFileName)) || !File.Exists(assignmentsFile) || !File.Exists(db)) return null;
        RunSummary previous;
        try
        {
            previous = RunFolder.Open(output).Summary;
        }
        catch (ImageClusterException)
        {
            return null;
        }
        var modelInfo = Describe(model, embedded.Dimension);
        if (previous.Command != "cluster" || previous.Model is not { } was || was.CacheKey != modelInfo.CacheKey || was.Output != modelInfo.Output
            || previous.Input != input || !SameClustering(previous.Options, o)) return null;

        var sw = Stopwatch.StartNew();
        var (oldPaths, oldLabels, _) = ReviewSession.ReadAssignments(assignmentsFile, input);
        var row = new Dictionary<string, int>(embedded.Paths.Count, StringComparer.Ordinal);
        for (int i = 0; i < embedded.Paths.Count; i++) row[embedded.Paths[i]] = i;
        if (oldPaths.Any(p => !row.ContainsKey(p))) return null; // images went: the clustering no longer describes the folder
        var oldSet = oldPaths.ToHashSet(StringComparer.Ordinal);
        var newRows = Enumerable.Range(0, embedded.Paths.Count).Where(i => !oldSet.Contains(embedded.Paths[i])).ToArray();

        ReviewState state;
        IReadOnlyList<Decision> live;
        try
        {
            using var session = ReviewSession.Open(output, withEmbeddings: false);
            live = session.LiveDecisions();
            state = session.State;
        }
        catch (ImageClusterException)
        {
            return null; // a review that cannot be read is not added to; the full path carries over what it can and says so
        }
        if (live.Count == 0) return null; // nothing reviewed: clustering everything again costs no one anything
        if (newRows.Length == 0)
        {
            if (previous.Added is null) return null;
            notice?.Invoke($"nothing new in {input}: the run is as it was (a full recluster is still possible)");
            return previous;
        }

        // Scaled to unit length where they are (nothing below goes back to the unscaled rows): a copy would double the memory.
        var unit = embedded.Features.NormalizeRowsInPlace();
        var options = new AssignmentOptions();
        var places = NewImageAssignment.Assign(unit, [.. oldPaths.Select(p => row[p])], [.. state.Images.Select(i => i.Cluster)], newRows, options);
        int newGroup = state.NextCluster;
        var asClustered = oldLabels.ToHashSet();
        var addedPaths = newRows.Select(i => embedded.Paths[i]).ToArray();
        var targets = places.Select(p => p.Cluster ?? newGroup).ToArray();
        // A cluster born of a split is not in assignments.csv; its new images are listed in the new group and moved by the log.
        var fileLabels = targets.Select(t => asClustered.Contains(t) ? t : newGroup).ToArray();

        // The review replayed over the new assignments, before anything is written: a log that does not fit stops here.
        var decision = new AddImages(addedPaths, targets, newGroup);
        var after = new ReviewState([.. oldPaths, .. addedPaths], [.. oldLabels, .. fileLabels]);
        foreach (var d in live) after.Apply(d);
        after.Apply(decision);

        var oldDistances = ReadDistances(assignmentsFile);
        var paths = oldPaths.Concat(addedPaths).ToList();
        int[] labels = [.. oldLabels, .. fileLabels];
        float[]? distances = oldDistances is null ? null : [.. oldDistances, .. places.Select(p => p.Distance)];
        // The folders are derived (a later run rewrites them); assignments.csv, its review and run.json are what must agree:
        // everything is worked out first, the review is copied to the new file's key before that file replaces the old one,
        // and run.json follows at once.
        var folders = ClusterFolders.Write(output, input, paths, labels, o.Copy);
        RunOutputs.WriteErrors(Path.Combine(output, RunFolder.ErrorsFileName), embedded.Errors);
        var verdictOf = after.Images.ToDictionary(i => i.Path, i => i.Verdict, StringComparer.Ordinal);
        int keep = addedPaths.Count(p => verdictOf[p] == Verdict.Keep), discard = addedPaths.Count(p => verdictOf[p] == Verdict.Discard);
        int inGroup = targets.Count(t => t == newGroup);
        string rule = $"a cluster takes a new image within the {options.Quantile:0.##} quantile of its own images' cosine distances to its mean direction " +
                      $"(clusters under {options.MinMembers} images: the median of the others)";
        string message = $"added {addedPaths.Length} new images to the reviewed clustering (its {oldPaths.Count} images keep their clusters and decisions): " +
                         $"{addedPaths.Length - inGroup} to the clusters they are near (inherited: keep {keep}, discard {discard}), {inGroup} to new group {newGroup}";
        timings["place"] = sw.Elapsed.TotalSeconds;
        timings["total"] = total.Elapsed.TotalSeconds;

        var sizes = Sizes(labels, folders);
        var summary = previous with
        {
            StartedUtc = started,
            Counts = new RunCounts(scannedFiles, embedded.Embedded, embedded.FromCache, embedded.Errors.Count, paths.Count, sizes.Count),
            Clusters = sizes,
            ClusteringFromCache = false,
            TimingsSeconds = timings,
            PeakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Review = null,
            // Scores and findings of the old images alone would mislead: scored again, or left out (run the findings again).
            Evaluation = labelFile is null ? null : EvaluateJob.Evaluate(paths, labels, labelFile, input, o.Positive),
            Baseline = null,
            Findings = null,
            Added = new AddedImagesInfo(addedPaths.Length, addedPaths.Length - inGroup, newGroup, inGroup, keep, discard, rule, message),
            Notes = [.. model.Notes, message],
            Images = Images(paths, labels, distances),
        };
        string grownFile = assignmentsFile + ".grown-" + Environment.ProcessId;
        try
        {
            RunOutputs.WriteAssignments(grownFile, paths, labels, distances);
            var (_, _, newKey) = ReviewSession.ReadAssignments(grownFile, input);
            using (var log = ImageStore.Open(db))
                if (!log.GetDecisions(newKey).Any(d => !d.Undone))
                {
                    foreach (var d in live) ReviewSession.Append(log, newKey, d);
                    ReviewSession.Append(log, newKey, decision);
                }
            File.Move(grownFile, assignmentsFile, overwrite: true);
        }
        finally
        {
            if (File.Exists(grownFile)) File.Delete(grownFile);
        }
        string json = RunFolder.Write(output, summary);
        store.AddRun(started, input, model.CacheKey, previous.Seed, json);
        notice?.Invoke(message);
        return summary;
    }

    // run.json's clusters: largest first, noise last, each with its folder under clusters/.
    private static List<ClusterInfo> Sizes(IReadOnlyList<int> labels, IReadOnlyDictionary<int, string> folders) =>
        labels.GroupBy(l => l).Select(g => new ClusterInfo(g.Key, g.Count(), $"{ClusterFolders.FolderName}/{folders[g.Key]}"))
            .OrderBy(c => c.Cluster < 0).ThenByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList();

    // The options that decide a clustering (not threads, batch sizes or where the output goes).
    private static bool SameClustering(RunOptions before, ClusterJobOptions o)
    {
        string Json(object? value) => System.Text.Json.JsonSerializer.Serialize(value, RunFolder.Json);
        return before.Model == o.Model && before.Layer == o.Layer?.Name && before.Pool == o.Layer?.PoolName
               && before.Algorithm == (o.Clustering?.AlgorithmName ?? "auto") && Json(before.Clustering) == Json(o.Clustering) && Json(before.Auto) == Json(o.Auto)
               && before.Pca == o.Pca && before.Whiten == o.Whiten && before.Umap == o.Umap && before.Normalize == o.Normalize;
    }

    // The distance column of assignments.csv, or null when it has none.
    private static float[]? ReadDistances(string file)
    {
        using var reader = new StreamReader(file);
        var rows = Csv.Read(reader).ToList();
        if (rows.Count == 0 || rows[0].Length < 3) return null;
        return [.. rows.Skip(1).Select(r => float.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Resolves the model, scans <paramref name="input"/> and embeds every image through the shared store <paramref name="storePath"/>
    /// (cached; null = <see cref="StoreLocation.Resolve"/>); the unusable files are in the result's <c>Errors</c>. The returned
    /// store is the run folder's database with the shared store attached; the caller owns it.
    /// </summary>
    /// <exception cref="NoUsableImagesException">No image could be used.</exception>
    internal static async Task<(ResolvedModel Model, List<ScannedFile> Files, EmbeddingResult Embedded, ImageStore Store)> EmbedFolderAsync(
        string input, string output, string? storePath, string? modelName, IReadOnlyList<string>? modelFolders, ResizeMode? resize, Embedding.LayerSelection? layer,
        EmbeddingOptions embedding,
        Dictionary<string, double> timings, Action<int> checkFileCount, IProgress<StageProgress>? progress, Action<string>? notice,
        CancellationToken ct)
    {
        var model = ModelResolver.Resolve(modelName, modelFolders).WithResize(resize).WithLayer(layer);
        foreach (var note in model.Notes) notice?.Invoke(note);
        RunFolders.Create(output);

        // Opened before the scan: a store that cannot be used (a server that is down) is said at once, not after a long scan.
        var store = ImageStore.OpenRun(Path.Combine(output, ImageStore.FileName), StoreLocation.Resolve(storePath));
        try
        {
            var sw = Stopwatch.StartNew();
            var files = ImageScanner.Scan(input, new ScanOptions { ExcludedDirectories = [output] }).ToList();
            timings["scan"] = sw.Elapsed.TotalSeconds;
            notice?.Invoke($"found {files.Count} image files in {input}");
            checkFileCount(files.Count);

            var pipeline = new EmbeddingPipeline(store, model, () => EmbedderFactory.Create(model, embedding.InferenceThreads), embedding);
            var embedded = await pipeline.RunAsync(input, files, progress, ct);
            timings["readHash"] = embedded.Timings.ReadHashSeconds;
            timings["decodeCpu"] = embedded.Timings.DecodeSeconds;
            timings["slowestDecode"] = embedded.Timings.SlowestDecodeSeconds;
            timings["loadModel"] = embedded.Timings.LoadModelSeconds;
            timings["inference"] = embedded.Timings.InferenceSeconds;
            timings["embed"] = embedded.Timings.WallSeconds;

            // errors.csv is the caller's to write with the other outputs; a run that stops here writes nothing, so say why here.
            if (embedded.Paths.Count == 0)
                throw new NoUsableImagesException(files.Count == 0
                    ? $"no image files found in {input} (looked for {string.Join(", ", ImageScanner.DecodableExtensions)})"
                    : $"none of the {files.Count} image files could be read; {embedded.Errors[0].Path}: {embedded.Errors[0].Error}" +
                      (embedded.Errors.Count > 1 ? $" (and {embedded.Errors.Count - 1} more)" : ""));
            return (model, files, embedded, store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    // Features: the prepared (normalised, PCA) matrix, or null when the result came from the store.
    private sealed record Clustering(int[] Labels, float[]? Distances, ClusteringInfo Info, PcaInfo? Pca, AutoResult? Auto, bool FromCache,
        FitFigures? Fit, FeatureMatrix? Features = null);

    // Fit: null in clusterings cached before the fit's figures were kept (the report then fits again).
    private sealed record StoredFigures(ClusteringInfo Info, PcaInfo? Pca, AutoResult? Auto, FitFigures? Fit = null);

    /// <summary>Normalise, PCA and cluster; or the stored result of an identical earlier clustering.</summary>
    private static Clustering Cluster(ClusterJobOptions o, ResolvedModel model, EmbeddingResult embedded, ImageStore store,
        Dictionary<string, double> timings, IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string key = ClusteringKey(o, model, embedded);
        // A label-ranked sweep depends on the labels file's content, which the key does not cover: never reuse it.
        bool reusable = o.Auto?.Labels is null;
        if (reusable && store.GetClustering(key) is { } stored && JsonSerializer.Deserialize<StoredFigures>(stored.SummaryJson, RunFolder.Json) is { } figures)
        {
            timings["prepare"] = 0;
            timings["cluster"] = sw.Elapsed.TotalSeconds;
            return new Clustering(stored.Labels, stored.Distances.Length == 0 ? null : stored.Distances, figures.Info, figures.Pca, figures.Auto, FromCache: true, figures.Fit);
        }

        string how = o.Clustering?.AlgorithmName ?? (o.Auto?.Ranking == AutoRanking.Stability
            ? $"Leiden at {string.Join(" and ", AutoSweep.StabilityNeighbourCounts)} neighbours, the more stable kept" : "the auto sweep");
        notice?.Invoke($"clustering {embedded.Paths.Count} images with {how}" +
                       (AlgorithmRunner.RequestedClusters(o.Clustering) is int k ? $" into {k} clusters" : "") +
                       $" (seed {AlgorithmRunner.SeedOf(o.Clustering, o.Auto)})");
        var (features, pcaInfo) = embedded is { Loaded: null, Stored: { } vectors } && o.Pca is { } pca
            ? PrepareStored(vectors, o.Normalize, pca, o.Whiten, AlgorithmRunner.SeedOf(o.Clustering, o.Auto), notice, ct)
            // In place: the job owns these vectors, and a copy of 100 000 × 1280 floats is another 0.5 GB at the peak.
            : Prepare(embedded.Features, o.Normalize, o.Pca, o.Whiten, ct, inPlace: true);
        timings["prepare"] = sw.Elapsed.TotalSeconds;
        features = ApplyUmap(features, o.Umap, o.Normalize && o.Pca is null, AlgorithmRunner.SeedOf(o.Clustering, o.Auto), timings, progress, notice, ct);

        sw.Restart();
        var (outcome, auto) = AlgorithmRunner.Run(o.Clustering, o.Auto, features, embedded.Paths,
            new FitContext(o.ClusteringTimeLimit, progress, notice, "; the embeddings are stored, so the rerun does not embed again",
                OwnsFeatures: true), ct);
        timings["cluster"] = sw.Elapsed.TotalSeconds;
        var fit = FitFigures.Of(outcome.Result, outcome.Info.Parameters, features.Rows);
        store.PutClustering(key, new StoredClustering(outcome.Labels, outcome.Distances ?? [],
            JsonSerializer.Serialize(new StoredFigures(outcome.Info, pcaInfo, auto, fit), RunFolder.Json)));
        // The prepared matrix is kept only for the baseline, which fits on it; otherwise it is let go before the outputs are written.
        return new Clustering(outcome.Labels, outcome.Distances, outcome.Info, pcaInfo, auto, FromCache: false, fit, o.Baseline ? features : null);
    }

    /// <summary>The features as the algorithm sees them: optionally L2-normalised, then optionally PCA-reduced.</summary>
    /// <exception cref="ArgumentException">PCA settings that do not fit the data (ParamName <c>Pca</c> or <c>Whiten</c>).</exception>
    /// <remarks>With <c>inPlace</c> the rows of <c>features</c> themselves are normalised instead of a copy.</remarks>
    internal static (FeatureMatrix Features, PcaInfo? Pca) Prepare(FeatureMatrix features, bool normalize, double? pca, bool whiten = false,
        CancellationToken ct = default, bool inPlace = false)
    {
        ValidatePreparation(pca, whiten);
        if (normalize) features = (inPlace ? features : features.Clone()).NormalizeRowsInPlace();
        if (pca is not { } components) return (features, null);
        var model = FitPca(features, components, whiten, ct);
        return (model.Transform(features), new PcaInfo(model.NComponents, model.ExplainedVarianceRatio.Sum()));
    }

    /// <summary>Rows a PCA of vectors left in the store is fitted on: enough for a D × D covariance many times over.</summary>
    internal static int PcaSampleRows(int rows, int dimension) => Math.Min(rows, Math.Max(20_000, 16 * dimension));

    /// <summary>
    /// <see cref="Prepare"/> for vectors left in the store because they do not fit in memory: PCA fitted on a seeded sample of
    /// <see cref="PcaSampleRows"/> rows, then every block of rows read, normalised and projected, so only the reduced matrix is held.
    /// </summary>
    internal static (FeatureMatrix Features, PcaInfo Pca) PrepareStored(StoredVectors vectors, bool normalize, double pca, bool whiten, int seed,
        Action<string>? notice, CancellationToken ct)
    {
        ValidatePreparation(pca, whiten);
        int rows = vectors.Rows, sampleRows = PcaSampleRows(rows, vectors.Dimension);
        var sample = vectors.ReadRows(Diagnostics.Sampling.Subset(rows, sampleRows, seed));
        if (normalize) sample.NormalizeRowsInPlace();
        var model = FitPca(sample, pca, whiten, ct);
        notice?.Invoke($"PCA fitted on {sampleRows:N0} of {rows:N0} vectors, then applied to all of them read from the store in blocks " +
                       $"({(double)rows * vectors.Dimension * sizeof(float) / 1e9:0.0} GB never held at once)");
        var reduced = new FeatureMatrix(rows, model.NComponents);
        for (int start = 0; start < rows; start += StoredVectors.BlockRows)
        {
            ct.ThrowIfCancellationRequested();
            var block = vectors.Read(start, Math.Min(StoredVectors.BlockRows, rows - start));
            if (normalize) block.NormalizeRowsInPlace();
            model.Transform(block).Data.CopyTo(reduced.Data, (long)start * model.NComponents);
        }
        return (reduced, new PcaInfo(model.NComponents, model.ExplainedVarianceRatio.Sum()));
    }

    private static PcaModel FitPca(FeatureMatrix features, double components, bool whiten, CancellationToken ct)
    {
        var pcaOptions = new PcaOptions { Components = components, Whiten = whiten };
        try
        {
            pcaOptions.Validate(features.Rows, features.Columns);
        }
        catch (ArgumentException e) when (e.ParamName == nameof(PcaOptions.Components))
        {
            throw new ArgumentException(e.Message.Replace($" (Parameter '{e.ParamName}')", "").Replace("Components", "Pca"), "Pca");
        }
        return Pca.Fit(features, pcaOptions, ct);
    }

    internal static ClusteredImage[] Images(IReadOnlyList<string> paths, int[] labels, float[]? distances) =>
        [.. paths.Select((p, i) => new ClusteredImage(p, labels[i], distances?[i]))];

    /// <summary>
    /// UMAP of the prepared features to <paramref name="components"/> dimensions (<see cref="ClusterJobOptions.Umap"/>), timed
    /// as <c>umap</c>; the features themselves when null. Cosine on unit rows, Euclidean after a PCA.
    /// </summary>
    internal static FeatureMatrix ApplyUmap(FeatureMatrix features, int? components, bool unitRows, int seed, Dictionary<string, double> timings,
        IProgress<StageProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        if (components is not { } n) return features;
        var sw = Stopwatch.StartNew();
        var options = new UmapOptions { NComponents = n, MinDist = 0, Seed = seed, Metric = unitRows ? DistanceMetric.Cosine : DistanceMetric.Euclidean };
        notice?.Invoke($"umap: {features.Rows} rows × {features.Columns} features to {n} dimensions ({options.NNeighbors} neighbours, min_dist 0, seed {seed})");
        var reduced = Umap.Fit(features, options, progress, ct);
        timings["umap"] = sw.Elapsed.TotalSeconds;
        return reduced;
    }

    /// <summary>The job options' PCA and UMAP settings, checked before any work.</summary>
    /// <exception cref="ArgumentException">ParamName <c>Pca</c>, <c>Whiten</c> or <c>Umap</c>.</exception>
    internal static void ValidatePreparation(double? pca, bool whiten, int? umap = null)
    {
        if (umap is < 1)
            throw new ArgumentException($"Umap must be a number of dimensions of at least 1 (got {umap}).", "Umap");
        if (pca is { } p && (!(p > 0) || (p >= 1 && p != Math.Floor(p))))
            throw new ArgumentException($"Pca must be a variance fraction in (0,1) or a whole number of components (got {p}).", "Pca");
        if (whiten && pca is null)
            throw new ArgumentException("Whiten scales the PCA components: set Pca too (e.g. 0.95, or a number of components).", "Whiten");
    }

    /// <summary>Refuses more clusters than rows as soon as the number of rows is known.</summary>
    internal static void RequireEnoughRows(ClustererOptions? clustering, int rows, string what)
    {
        if (AlgorithmRunner.RequestedClusters(clustering) is int k && k > rows && rows > 0)
            throw new ArgumentException($"NClusters {k} is larger than the number of {what} ({rows}).", "NClusters");
    }

    /// <summary>Everything the clustering result depends on: program version, model, options and the rows' contents in order.</summary>
    private static string ClusteringKey(ClusterJobOptions o, ResolvedModel model, EmbeddingResult embedded)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string header = string.Join('\n', typeof(ClusterJob).Assembly.ManifestModule.ModuleVersionId, model.CacheKey,
            o.Normalize, o.Pca?.ToString("R", CultureInfo.InvariantCulture) ?? "-", o.Whiten, o.Umap?.ToString(CultureInfo.InvariantCulture) ?? "-", JsonSerializer.Serialize(o.Clustering, RunFolder.Json),
            JsonSerializer.Serialize(o.Auto, RunFolder.Json)); // two sweeps over different grids or rankings are different clusterings
        hash.AppendData(Encoding.UTF8.GetBytes(header));
        for (int i = 0; i < embedded.Paths.Count; i++)
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{embedded.Paths[i]}\0{embedded.ContentHashes[i]}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The model part of a run summary; <paramref name="dimension"/> = features per image when known (a layer's differs from the catalogue's).</summary>
    internal static ModelInfo Describe(ResolvedModel model, int? dimension = null) => new(
        model.Descriptor.Name, model.CacheKey, model.Path, model.Sha256, model.Descriptor.BuiltIn,
        dimension ?? model.Descriptor.Dimension, model.FeatureOutput, model.Descriptor.Resize.ToString().ToLowerInvariant(),
        model.Layer?.Name, model.Layer?.PoolName);
}
