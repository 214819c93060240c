using System.Diagnostics;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Export;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="FeaturesClusterJob"/> (clustering a features CSV instead of a folder of images).</summary>
public sealed record FeaturesClusterJobOptions
{
    /// <summary>CSV of features (<c>path,f0,f1,…</c>, as the embed job writes).</summary>
    public required string Features { get; init; }

    /// <summary>Run folder; null = <c>FEATURES-clusters</c> beside the file (extension dropped).</summary>
    public string? Output { get; init; }

    /// <summary>The algorithm and its options; null when <see cref="Auto"/> is set.</summary>
    public Clustering.ClustererOptions? Clustering { get; init; }

    /// <summary>A sweep over algorithms and parameters instead of one <see cref="Clustering"/>.</summary>
    public AutoOptions? Auto { get; init; }

    /// <summary>
    /// Refuse an algorithm whose time grows with N² (DBSCAN, OPTICS, HDBSCAN, agglomerative, K-Medoids) when a trial fit
    /// on a subset predicts a longer fit than this (default 30 minutes); null = no limit. Checked on 16 000 images and more.
    /// </summary>
    public TimeSpan? ClusteringTimeLimit { get; init; } = ClusterJobOptions.DefaultClusteringTimeLimit;

    /// <summary>L2-normalise the rows first (off by default: a given matrix is clustered exactly as given).</summary>
    public bool Normalize { get; init; }

    /// <summary>PCA before clustering: a variance fraction or a number of components; null = none.</summary>
    public double? Pca { get; init; }

    /// <summary>Scale every PCA component to unit variance (scikit-learn's <c>whiten=True</c>); needs <see cref="Pca"/>.</summary>
    public bool Whiten { get; init; }

    /// <summary>
    /// UMAP to this many dimensions after the normalisation and PCA, before clustering — umap-learn's recipe for clustering
    /// (15 neighbours, min_dist 0, seeded by the run's seed); null = none. Density algorithms (HDBSCAN, DBSCAN) gain most:
    /// UMAP pulls each neighbourhood together and leaves the space between clusters empty.
    /// </summary>
    public int? Umap { get; init; }

    /// <summary>A <c>path,label</c> CSV: the result is scored against it (run.json <c>evaluation</c>); null = no scoring.</summary>
    public string? Labels { get; init; }

    /// <summary>Class of interest for the Quality Metric when <see cref="Labels"/> is given.</summary>
    public string? Positive { get; init; }

    /// <summary>Also cross-validate supervised classifiers on the same features against <see cref="Labels"/> (off by default: costly).</summary>
    public bool Baseline { get; init; }

    /// <summary>The run folder actually used.</summary>
    public string ResolvedOutput => Path.GetFullPath(Output ?? Path.ChangeExtension(Features, null) + "-clusters");
}

/// <summary>
/// Clusters a precomputed feature matrix: no images, no model, no store. Writes <c>assignments.csv</c> and
/// <c>run.json</c>; the rows are clustered exactly as given unless normalisation or PCA is asked for.
/// </summary>
public static class FeaturesClusterJob
{
    private static readonly string[] OwnFiles = [RunFolder.AssignmentsFileName, RunFolder.SummaryFileName, RunFolder.FitFileName];

    /// <summary>Runs the job. User mistakes surface as <see cref="ImageClusterException"/>.</summary>
    public static RunSummary Run(FeaturesClusterJobOptions o, Action<string>? notice = null, CancellationToken ct = default) =>
        Run(o, null, notice, ct);

    /// <summary>Runs the job, reporting the progress of a long fit. User mistakes surface as <see cref="ImageClusterException"/>.</summary>
    public static RunSummary Run(FeaturesClusterJobOptions o, IProgress<StageProgress>? progress, Action<string>? notice = null, CancellationToken ct = default)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        AlgorithmRunner.Validate(o.Clustering, o.Auto);
        ClusterJob.ValidatePreparation(o.Pca, o.Whiten, o.Umap);
        FitBudget.ValidateLimit(o.ClusteringTimeLimit);
        var labelFile = o.Labels is null ? null : LabelFile.Read(o.Labels); // a wrong labels file fails before any work
        if (o.Baseline && labelFile is null) throw new ArgumentException(EvaluateJob.BaselineNeedsLabels, "Baseline");
        if (o.Positive is not null) labelFile?.RequireClass(o.Positive);
        string output = o.ResolvedOutput;
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(f => !OwnFiles.Contains(Path.GetFileName(f)) && !RunFolderLock.IsBookkeeping(Path.GetFileName(f))))
            throw new ArgumentException($"Output {output} already holds files that an earlier features run did not write; name a new or empty folder", "Output");

        var sw = Stopwatch.StartNew();
        var table = FeaturesFile.Read(o.Features);
        var timings = new Dictionary<string, double> { ["read"] = sw.Elapsed.TotalSeconds };
        notice?.Invoke($"read {table.Features.Rows} rows × {table.Features.Columns} features from {o.Features}");

        sw.Restart();
        // In place, and K-Means centres in place: the rows read are this job's alone, and each copy of 1 M × 64 is 256 MB.
        var (features, pca) = ClusterJob.Prepare(table.Features, o.Normalize, o.Pca, o.Whiten, ct, inPlace: true);
        timings["prepare"] = sw.Elapsed.TotalSeconds;
        features = ClusterJob.ApplyUmap(features, o.Umap, o.Normalize && o.Pca is null, AlgorithmRunner.SeedOf(o.Clustering, o.Auto), timings, progress, notice, ct);
        sw.Restart();
        var (outcome, auto) = AlgorithmRunner.Run(o.Clustering, o.Auto, features, table.Paths,
            new FitContext(o.ClusteringTimeLimit, progress, notice, OwnsFeatures: true), ct);
        var fit = FitFigures.Of(outcome.Result, outcome.Info.Parameters, features.Rows);
        timings["cluster"] = sw.Elapsed.TotalSeconds;
        var evaluation = labelFile is null ? null : EvaluateJob.Evaluate(table.Paths, outcome.Labels, labelFile, o.Features, o.Positive);
        BaselineSummary? baseline = null;
        if (o.Baseline)
        {
            sw.Restart();
            notice?.Invoke("supervised baseline: stratified 5-fold logistic regression and 5-NN on the same features");
            baseline = EvaluateJob.Baseline(features, table.Paths, labelFile!, ct);
            timings["baseline"] = sw.Elapsed.TotalSeconds;
        }

        timings["total"] = total.Elapsed.TotalSeconds;
        var summary = new RunSummary
        {
            Command = "cluster-features",
            Input = Path.GetFullPath(o.Features),
            Output = output,
            StartedUtc = started,
            Seed = AlgorithmRunner.SeedOf(o.Clustering, o.Auto),
            Options = new RunOptions
            {
                Features = o.Features, Algorithm = o.Clustering?.AlgorithmName ?? "auto", Clustering = o.Clustering, Auto = o.Auto,
                Seed = AlgorithmRunner.SeedOf(o.Clustering, o.Auto), Normalize = o.Normalize, Pca = o.Pca, Whiten = o.Whiten, Umap = o.Umap, Output = o.Output,
                Labels = o.Labels, Positive = o.Positive, Baseline = o.Baseline,
            },
            Model = null,
            Counts = new RunCounts(table.Paths.Count, 0, 0, 0, table.Paths.Count, outcome.Info.Clusters),
            Clusters = outcome.Labels.GroupBy(l => l).Select(g => new ClusterInfo(g.Key, g.Count(), ""))
                .OrderBy(c => c.Cluster < 0).ThenByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList(),
            Clustering = outcome.Info,
            Evaluation = evaluation,
            Auto = auto,
            Baseline = baseline,
            Pca = pca,
            TimingsSeconds = timings,
            PeakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Files = new Dictionary<string, string> { ["assignments"] = RunFolder.AssignmentsFileName, ["run"] = RunFolder.SummaryFileName }.WithFit(fit),
            Images = ClusterJob.Images(table.Paths, outcome.Labels, outcome.Distances),
        };

        // Only now, with everything computed, is the run folder touched; if writing fails, a folder this run created goes.
        string? created = RunFolders.FirstMissing(output);
        try
        {
            RunFolders.Create(output);
            using var held = RunFolderLock.Acquire(output, notice);
            RunOutputs.WriteAssignments(Path.Combine(output, RunFolder.AssignmentsFileName), table.Paths, outcome.Labels, outcome.Distances);
            RunFolder.WriteFit(output, fit);
            RunFolder.Write(output, summary);
        }
        catch
        {
            RunFolders.RemoveCreated(created, notice);
            throw;
        }
        return summary;
    }
}
