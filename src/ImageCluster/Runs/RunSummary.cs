using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Runs;

/// <summary>The summary written to <c>run.json</c>.</summary>
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
    public required RunOptions Options { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>The model used; null when precomputed features were clustered.</summary>
    public required ModelInfo? Model { get; init; }

    /// <summary>How many files went where.</summary>
    public required RunCounts Counts { get; init; }

    /// <summary>Cluster sizes by label, largest first; noise (label −1) last.</summary>
    public IReadOnlyList<ClusterInfo> Clusters { get; init; } = [];

    /// <summary>What the clustering algorithm reported.</summary>
    public ClusteringInfo? Clustering { get; init; }

    /// <summary>Scores against the labels, when labels were given.</summary>
    public EvaluationReport? Evaluation { get; init; }

    /// <summary>Supervised reference accuracies on the same features, when a baseline (with labels) was asked for.</summary>
    public BaselineSummary? Baseline { get; init; }

    /// <summary>The auto sweep's table, when the algorithm was chosen automatically.</summary>
    public AutoResult? Auto { get; init; }

    /// <summary>PCA figures, when PCA ran.</summary>
    public PcaInfo? Pca { get; init; }

    /// <summary>
    /// True when an earlier run had the same images (by content), model and clustering options, so its deterministic
    /// result was reused instead of clustering again.
    /// </summary>
    public bool ClusteringFromCache { get; init; }

    /// <summary>The shared embedding store the features were read from and written to (null for a features file).</summary>
    public string? Store { get; init; }

    /// <summary>Seconds per stage.</summary>
    public required IReadOnlyDictionary<string, double> TimingsSeconds { get; init; }

    /// <summary>Peak resident memory of the process so far, in MB (what the run cost in RAM).</summary>
    public double PeakMemoryMb { get; init; }

    /// <summary>Files written, relative to <see cref="Output"/>.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>What duplicates and issues the run found among its images, when it looked for them; null when it did not.</summary>
    public RunFindings? Findings { get; init; }

    /// <summary>What became of the review of the clustering this run replaced in the same run folder; null when there was none.</summary>
    public ReviewCarryOverInfo? Review { get; init; }

    /// <summary>When this run only added new images to a reviewed clustering, what became of them; null otherwise.</summary>
    public AddedImagesInfo? Added { get; init; }

    /// <summary>Things the user was told (checksum notes, the review carried over).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Every clustered image with its cluster, in memory, as the job wrote them to assignments.csv (which this
    /// summary's JSON does not repeat). Empty for a summary read back from run.json.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ClusteredImage> Images { get; init; } = [];
}

/// <summary>
/// What the duplicates and issues jobs found in a run's images (run.json <c>findings</c>); the rows themselves are in the
/// run folder's <c>duplicates.csv</c> and <c>issues.csv</c>.
/// </summary>
public sealed record RunFindings
{
    /// <summary>Least cosine similarity of a near-duplicate pair.</summary>
    public required double Threshold { get; init; }

    /// <summary>Where the threshold comes from (calibrated for the model, or given).</summary>
    public required string ThresholdSource { get; init; }

    /// <summary>Most bits in which the perceptual hashes of a near-duplicate pair may differ; null = the embedding alone decided.</summary>
    public int? MaxHashDistance { get; init; }

    /// <summary>The rule that picked the image kept of each group (largest, sharpest, oldest, first).</summary>
    public required string Keep { get; init; }

    /// <summary>Duplicate groups.</summary>
    public required int DuplicateGroups { get; init; }

    /// <summary>Images in a group, kept ones included.</summary>
    public required int ImagesInGroups { get; init; }

    /// <summary>Images the rule lets go (all but the kept one of each group).</summary>
    public required int DuplicatesToDiscard { get; init; }

    /// <summary>Of those, byte-identical copies.</summary>
    public required int ExactDuplicates { get; init; }

    /// <summary>Images with at least one issue (unreadable files included, as <c>corrupt</c>).</summary>
    public required int ImagesWithIssues { get; init; }

    /// <summary>Images per issue name (<c>blurry</c>, <c>dark</c>, …).</summary>
    public required IReadOnlyDictionary<string, int> Issues { get; init; }
}

/// <summary>
/// The options a run was made with, as <c>run.json</c> records them (<c>options</c>). Image runs fill the embedding
/// fields, runs of a features file <see cref="Features"/>; what a run did not use is null.
/// </summary>
public sealed record RunOptions
{
    /// <summary>The model name or file asked for (null = the default model).</summary>
    public string? Model { get; init; }

    /// <summary>The intermediate layer used as the features, or null for the embedding output.</summary>
    public string? Layer { get; init; }

    /// <summary>How that layer was pooled (<c>avg</c>, <c>max</c>, <c>flatten</c>), or null.</summary>
    public string? Pool { get; init; }

    /// <summary>The algorithm's name (<see cref="ClustererOptions.AlgorithmName"/>), or <c>auto</c> for the sweep.</summary>
    public required string Algorithm { get; init; }

    /// <summary>The algorithm's options as given; null for the auto sweep.</summary>
    public ClustererOptions? Clustering { get; init; }

    /// <summary>The auto sweep's options; null when one algorithm was named.</summary>
    public AutoOptions? Auto { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>PCA before clustering: components (≥ 1) or the share of variance to keep (&lt; 1); null = none.</summary>
    public double? Pca { get; init; }

    /// <summary>Whether the PCA components were whitened.</summary>
    public bool Whiten { get; init; }

    /// <summary>UMAP dimensions the features were reduced to before clustering (after any PCA); null = none.</summary>
    public int? Umap { get; init; }

    /// <summary>How images were fitted to the model's input (<c>stretch</c>, <c>crop</c>, <c>pad</c>).</summary>
    public string? Resize { get; init; }

    /// <summary>Whether the features were L2-normalised before clustering.</summary>
    public bool Normalize { get; init; }

    /// <summary>Whether the cluster folders hold copies instead of symbolic links.</summary>
    public bool? Copy { get; init; }

    /// <summary>Images per inference call.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Decoding threads (0 = one per core).</summary>
    public int? DecodeThreads { get; init; }

    /// <summary>Inference threads (0 = one per core).</summary>
    public int? InferenceThreads { get; init; }

    /// <summary>The run folder as given (null = the default next to the input).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("out")]
    public string? Output { get; init; }

    /// <summary>The labels CSV scored against, or null.</summary>
    public string? Labels { get; init; }

    /// <summary>The class of interest, or null.</summary>
    public string? Positive { get; init; }

    /// <summary>Whether the supervised baseline was computed.</summary>
    public bool Baseline { get; init; }

    /// <summary>The features CSV clustered instead of images, or null for an image run.</summary>
    public string? Features { get; init; }
}

/// <summary>One image of a run and its cluster.</summary>
/// <param name="Path">Relative to the run's input folder (for a features file: its <c>path</c> column).</param>
/// <param name="Cluster">Cluster label; −1 = noise.</param>
/// <param name="Distance">Distance to the cluster's centre in the clustered space, where the algorithm has centres; for an image
/// added to a reviewed run afterwards (<see cref="RunSummary.Added"/>), its cosine distance to the cluster's mean direction, the
/// measure it was placed by.</param>
public sealed record ClusteredImage(string Path, int Cluster, float? Distance);

/// <summary>Model identity in <see cref="RunSummary"/>.</summary>
/// <param name="Name">Catalogue name.</param>
/// <param name="CacheKey">Key of the features in the store (covers the layer and pool).</param>
/// <param name="File">The model file.</param>
/// <param name="Sha256">Its checksum.</param>
/// <param name="BuiltIn">Shipped with the program.</param>
/// <param name="Dimension">Features per image.</param>
/// <param name="Output">The model output or <c>LAYER/POOL</c> the features come from.</param>
/// <param name="Resize">How images were fitted to the input.</param>
/// <param name="Layer">The intermediate layer used, or null for the embedding output.</param>
/// <param name="Pool">How that layer's map was pooled (<c>avg</c>, <c>max</c>, <c>flatten</c>), or null.</param>
public sealed record ModelInfo(string Name, string CacheKey, string? File, string? Sha256, bool BuiltIn, int Dimension, string Output, string Resize,
    string? Layer = null, string? Pool = null);

/// <summary>File counts in <see cref="RunSummary"/>.</summary>
public sealed record RunCounts(int Scanned, int Embedded, int FromCache, int Errors, int Clustered, int Clusters);

/// <summary>One cluster in <see cref="RunSummary"/>.</summary>
public sealed record ClusterInfo(int Cluster, int Size, string Folder);

/// <summary>PCA figures in <see cref="RunSummary"/>.</summary>
public sealed record PcaInfo(int Components, double ExplainedVariance);

/// <summary>Figures of a clustering in <see cref="RunSummary"/>.</summary>
/// <param name="Algorithm">Name of the algorithm (<see cref="ClustererOptions.AlgorithmName"/>).</param>
/// <param name="Clusters">Clusters found, not counting noise.</param>
/// <param name="Noise">Samples labelled −1.</param>
/// <param name="Inertia">Sum of squared distances to the centres (K-Means family) or of distances to the medoids (K-Medoids).</param>
/// <param name="Iterations">Iterations of the winning run, where the algorithm iterates.</param>
/// <param name="BestInit">Zero-based index of the winning initialisation (K-Means).</param>
/// <param name="Parameters">The algorithm's options record as it ran, every default filled in.</param>
public sealed record ClusteringInfo(string Algorithm, int Clusters, int Noise, double? Inertia = null, int? Iterations = null, int? BestInit = null,
    ClustererOptions? Parameters = null);
