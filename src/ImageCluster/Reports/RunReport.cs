using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Pipeline;

namespace ImageCluster.Reports;

/// <summary>Options of <see cref="ReportBuilder"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>A <c>path,label</c> CSV: points coloured by label, contingency heat map and scores; null = none.</summary>
    public string? Labels { get; init; }

    /// <summary>Class of interest for precision, recall and the Quality Metric (needs <see cref="Labels"/>).</summary>
    public string? Positive { get; init; }

    /// <summary>Longer side of the embedded thumbnails, in pixels; null = 96, or 64 above <see cref="LargeRun"/> images.</summary>
    public int? ThumbnailSize { get; init; }

    /// <summary>Runs with more images than this get 64-pixel thumbnails by default, which keeps the file and its open time down.</summary>
    public int LargeRun { get; init; } = 5000;

    /// <summary>
    /// Most images a report shows (20 000 by default, ≈ 40 MB of thumbnails): a larger run is shown through a seeded sample,
    /// every cluster in proportion and at least <see cref="SampledPerCluster"/> of each, said in the report's notes; the cluster
    /// sizes stay the whole run's.
    /// </summary>
    public int MaxImages { get; init; } = 20_000;

    /// <summary>Images of every cluster a sampled report keeps at least (all of a smaller cluster).</summary>
    public const int SampledPerCluster = 24;

    /// <summary>JPEG quality of the thumbnails (1–100).</summary>
    public int ThumbnailQuality { get; init; } = 70;

    /// <summary>Thumbnails shown per contact sheet before its "show all" button.</summary>
    public int SheetLimit { get; init; } = 48;

    /// <summary>Images listed as nearest to and farthest from each cluster's centre.</summary>
    public int Extremes { get; init; } = 6;

    /// <summary>t-SNE settings of the 2-D map of runs up to <see cref="TsneOptions.MaxSamples"/> images.</summary>
    public TsneOptions Tsne { get; init; } = new();

    /// <summary>
    /// UMAP settings of the 2-D map of larger runs: every image of the report, where exact t-SNE could show only a random
    /// <see cref="TsneOptions.MaxSamples"/> of them.
    /// </summary>
    public UmapOptions Umap { get; init; } = new();

    /// <summary>Largest k of the elbow curve and the diagnostics table (raised to the run's k + 3, at most 40).</summary>
    public int ElbowKMax { get; init; } = 12;

    /// <summary>Rows of the elbow curve and diagnostics table (a random subset above it; each k is a K-Means fit).</summary>
    public int ElbowSamples { get; init; } = 5000;

    /// <summary>Samples of the silhouette plot (the silhouette is O(N²)).</summary>
    public int SilhouetteSamples { get; init; } = 2000;

    /// <summary>
    /// Images the gap statistic is computed on (a seeded random subset; 0 = no gap). Each k costs
    /// (<see cref="GapReferences"/> + 1) K-Means fits, so this bounds the report's time; the diagnose job
    /// computes it on up to 2000.
    /// </summary>
    public int GapSamples { get; init; } = 500;

    /// <summary>Uniform reference sets of the gap statistic (R's B; diagnose's default too).</summary>
    public int GapReferences { get; init; } = 10;

    /// <summary>Validates the options, naming the bad one.</summary>
    public void Validate()
    {
        if (Positive is not null && Labels is null) throw new ArgumentException("Positive names a class of the labels: give Labels too", nameof(Positive));
        if (ThumbnailSize is < 16 or > 512) throw new ImageClusterException($"the thumbnail size must be 16 to 512 pixels (got {ThumbnailSize})");
        if (MaxImages < 100) throw new ArgumentException($"MaxImages must be at least 100 (got {MaxImages})", nameof(MaxImages));
        if (ThumbnailQuality is < 1 or > 100) throw new ImageClusterException($"the thumbnail quality must be 1 to 100 (got {ThumbnailQuality})");
        if (SheetLimit < 1 || Extremes < 1 || ElbowKMax < 2 || SilhouetteSamples < 2)
            throw new ImageClusterException("sheet limit, extremes, elbow k-max and silhouette samples must be positive");
        if (GapSamples is < 0 or 1 or 2) throw new ArgumentException($"GapSamples must be 0 (no gap statistic) or at least 3 (got {GapSamples})", nameof(GapSamples));
        if (GapReferences < 2) throw new ImageClusterException($"the gap statistic needs at least 2 reference sets (got {GapReferences})");
    }
}

/// <summary>One issue of the run's images in the report.</summary>
/// <param name="Issue">Its name, as in issues.csv.</param>
/// <param name="Images">Clustered images with it.</param>
/// <param name="Worst">Their indices, worst (highest score) first, at most <see cref="ReportBuilder.WorstPerIssue"/>.</param>
internal sealed record ReportIssue(string Issue, int Images, int[] Worst);

/// <summary>One image of a run in the report.</summary>
/// <param name="Path">Path as in assignments.csv (relative to the input folder).</param>
/// <param name="Cluster">Cluster, −1 = noise.</param>
/// <param name="Label">Known label (from <see cref="ReportOptions.Labels"/>), or null.</param>
/// <param name="DistanceToCentre">Euclidean distance to the mean of its cluster in the clustered space (NaN for noise).</param>
internal sealed record ReportImage(string Path, int Cluster, string? Label, double DistanceToCentre);

/// <summary>One cluster in the report.</summary>
/// <param name="Cluster">Cluster number.</param>
/// <param name="Members">Indices into <see cref="RunReport.Images"/>, nearest to the centre first.</param>
/// <param name="Cohesion">
/// Mean cosine similarity of the members to their mean direction on the stored embeddings (<see cref="ClusterCohesion"/>;
/// higher = tighter), the number the review page shows.
/// </param>
/// <param name="Silhouette">Mean silhouette of the members in the silhouette sample, or null when none was sampled.</param>
/// <param name="RunSize">The cluster's size in the whole run when the report shows a sample of it; null = all its members are here.</param>
internal sealed record ReportCluster(int Cluster, int[] Members, double Cohesion, double? Silhouette, int? RunSize = null)
{
    /// <summary>Number of images in the run.</summary>
    public int Size => RunSize ?? Members.Length;
}

/// <summary>A 2-D layout of (some of) the images.</summary>
/// <param name="Name">Shown name (PCA, t-SNE, UMAP).</param>
/// <param name="Samples">Indices into <see cref="RunReport.Images"/>.</param>
/// <param name="X">First coordinate per sample.</param>
/// <param name="Y">Second coordinate per sample.</param>
/// <param name="Note">How it was made (explained variance, subsampling, perplexity).</param>
internal sealed record ReportMap(string Name, int[] Samples, double[] X, double[] Y, string Note);


/// <summary>Everything the report shows about a run; built by <see cref="ReportBuilder"/>, written by <see cref="ReportHtml"/>.</summary>
internal sealed record RunReport
{
    /// <summary>The run's run.json.</summary>
    public required RunSummary Summary { get; init; }

    /// <summary>The run folder.</summary>
    public required string RunFolder { get; init; }

    /// <summary>Every clustered image, in assignments.csv order.</summary>
    public required IReadOnlyList<ReportImage> Images { get; init; }

    /// <summary>JPEG thumbnail per image (null = unreadable now).</summary>
    public required IReadOnlyList<byte[]?> Thumbnails { get; init; }

    /// <summary>Clusters, largest first (noise not included).</summary>
    public required IReadOnlyList<ReportCluster> Clusters { get; init; }

    /// <summary>Indices of the noise/outlier images (label −1).</summary>
    public required int[] Noise { get; init; }

    /// <summary>Files that could not be used (errors.csv).</summary>
    public required IReadOnlyList<(string Path, string Error)> Errors { get; init; }

    /// <summary>2-D maps: PCA, and t-SNE (small runs) or UMAP.</summary>
    public required IReadOnlyList<ReportMap> Maps { get; init; }

    /// <summary>Per-sample silhouettes (sampled), or null when fewer than 2 clusters.</summary>
    public SilhouetteResult? Silhouette { get; init; }

    /// <summary>Elbow curve with its knee, and the indices per k (the diagnostics table).</summary>
    public ElbowResult? Elbow { get; init; }

    /// <summary>Hopkins statistic of the clustered features (on the elbow's sample), or null when undefined.</summary>
    public HopkinsResult? Hopkins { get; init; }

    /// <summary>Images the Hopkins statistic sampled its probes from.</summary>
    public int HopkinsImages { get; init; }

    /// <summary>Gap statistic curve on a sample (<see cref="ReportOptions.GapSamples"/>), or null when off or undefined.</summary>
    public GapResult? Gap { get; init; }

    /// <summary>The supervised baseline that run.json holds, or null when it holds none (or none this version can read).</summary>
    public BaselineSummary? Baseline { get; init; }

    /// <summary>The k-distance curve (density-based runs).</summary>
    public KDistanceResult? KDistance { get; init; }

    /// <summary>min_samples of <see cref="KDistance"/>.</summary>
    public int KDistanceMinSamples { get; init; }

    /// <summary>OPTICS ordering and reachability (OPTICS runs).</summary>
    public ReachabilityFigure? Optics { get; init; }

    /// <summary>The dendrogram (agglomerative runs).</summary>
    public Dendrogram? Dendrogram { get; init; }

    /// <summary>Scores against the labels, when labels were given.</summary>
    public EvaluationReport? Evaluation { get; init; }

    /// <summary>Distinct labels, sorted (empty without labels).</summary>
    public IReadOnlyList<string> LabelNames { get; init; } = [];

    /// <summary>What was left out or approximated, and why.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The duplicate groups of the run folder's duplicates.csv (image indices, the kept one first); null when it has none.</summary>
    public IReadOnlyList<int[]>? DuplicateGroups { get; init; }

    /// <summary>The issues of the run folder's issues.csv with their worst images; null when it has none.</summary>
    public IReadOnlyList<ReportIssue>? Issues { get; init; }

    /// <summary>Seconds per report stage.</summary>
    public IReadOnlyDictionary<string, double> TimingsSeconds { get; init; } = new Dictionary<string, double>();
}
