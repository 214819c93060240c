using System.Diagnostics;
using ImageCluster.Runs;
using ImageCluster.Diagnostics;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="DiagnoseJob"/> (clusterability, elbow, gap statistic and a suggested k).</summary>
internal sealed record DiagnoseJobOptions
{
    /// <summary>Folder of images (embedded through the run folder's store, as <c>cluster</c> does), or null with <see cref="Features"/>.</summary>
    public string? Input { get; init; }

    /// <summary>Features CSV instead of a folder.</summary>
    public string? Features { get; init; }

    /// <summary>Run folder for errors.csv; null = <see cref="RunFolders.DefaultFor"/> (shared with <c>cluster</c>).</summary>
    public string? Output { get; init; }

    /// <summary>Model name or path; null = the default model.</summary>
    public string? Model { get; init; }

    /// <summary>The shared embedding store; null = <see cref="Store.StoreLocation.Resolve"/>.</summary>
    public string? Store { get; init; }

    /// <summary>Folders where model names are looked up; null = the usual search path.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule.</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>An intermediate layer (and its pooling) used as the features instead of the model's embedding; null = the embedding.</summary>
    public Embedding.LayerSelection? Layer { get; init; }

    /// <summary>Batch size and threads of the embedding.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();

    /// <summary>L2-normalise the rows; null = yes for images, no for a features file (as <c>cluster</c>).</summary>
    public bool? Normalize { get; init; }

    /// <summary>PCA before diagnosing, as <see cref="ClusterJobOptions.Pca"/>.</summary>
    public double? Pca { get; init; }

    /// <summary>Scale every PCA component to unit variance (scikit-learn's <c>whiten=True</c>); needs <see cref="Pca"/>.</summary>
    public bool Whiten { get; init; }

    /// <summary>Range of k for the elbow, silhouette, CH, DB and gap.</summary>
    public int KMin { get; init; } = 1;

    /// <summary>Largest k tried.</summary>
    public int KMax { get; init; } = 10;

    /// <summary>min_samples for the k-distance curve (DBSCAN's eps suggestion).</summary>
    public int MinSamples { get; init; } = 5;

    /// <summary>Reference sets of the gap statistic; 0 = skip the gap (the costliest criterion).</summary>
    public int GapReferences { get; init; } = 10;

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }
}

/// <summary>The Hopkins statistic in a <see cref="DiagnoseReport"/>.</summary>
/// <param name="Statistic">H: 0.5 for uniformly random data, towards 1 for clustered data (some tools print 1 − H).</param>
/// <param name="SampleSize">Probe points used.</param>
/// <param name="Exponent">Power applied to the distances (1 = classic).</param>
internal sealed record HopkinsSummary(double Statistic, int SampleSize, int Exponent);

/// <summary>The k-distance curve in a <see cref="DiagnoseReport"/>.</summary>
/// <param name="MinSamples">k of the curve (neighbours counting the point itself, as DBSCAN's min_samples).</param>
/// <param name="Samples">Points whose k-distance was computed.</param>
/// <param name="SuggestedEps">The knee of the sorted curve, or null when it has none.</param>
/// <param name="Curve">The sorted curve, thinned to at most 200 evenly spaced points for plotting.</param>
internal sealed record KDistanceSummary(int MinSamples, int Samples, double? SuggestedEps, double[] Curve);

/// <summary>What <c>diagnose</c> found.</summary>
/// <param name="Input">Folder or features file.</param>
/// <param name="Samples">Rows diagnosed.</param>
/// <param name="Features">Columns after PCA.</param>
/// <param name="Normalized">Whether rows were L2-normalised.</param>
/// <param name="Model">Model, for a folder of images.</param>
/// <param name="Pca">PCA figures, when PCA ran.</param>
/// <param name="Hopkins">Clustering tendency.</param>
/// <param name="SuggestedK">The proposed k (majority of the criteria), or null.</param>
/// <param name="Votes">The k each criterion voted for.</param>
/// <param name="Agreeing">Criteria that voted for <paramref name="SuggestedK"/>.</param>
/// <param name="Evidence">Every criterion's value per k.</param>
/// <param name="KDistance">The eps suggestion for DBSCAN.</param>
/// <param name="Seed">Seed of every random choice.</param>
/// <param name="Seconds">Wall time.</param>
internal sealed record DiagnoseReport(string Input, int Samples, int Features, bool Normalized, ModelInfo? Model, PcaInfo? Pca,
    HopkinsSummary Hopkins, int? SuggestedK, IReadOnlyDictionary<KCriterion, int> Votes,
    IReadOnlyList<KCriterion> Agreeing, IReadOnlyList<KEvidence> Evidence, KDistanceSummary KDistance, int Seed, double Seconds);

/// <summary>
/// Pre-diagnostics without labels (Woźniak &amp; Wrzesiński's silhouette, elbow and Hopkins, plus Calinski–Harabasz,
/// Davies–Bouldin, the gap statistic and the k-distance curve): is there cluster structure, how many clusters, which eps.
/// </summary>
internal static class DiagnoseJob
{
    /// <summary>Runs the diagnostics. User mistakes surface as <see cref="ImageClusterException"/>.</summary>
    public static async Task<DiagnoseReport> RunAsync(DiagnoseJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null,
        CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        if ((o.Input is null) == (o.Features is null))
            throw new ArgumentException(o.Input is null ? "give Input, a folder of images, or Features, a CSV file" : "give either Input, a folder of images, or Features, a CSV file, not both", "Input");
        // Checked by their own names before any image is embedded (the k search would name its own properties, and late).
        if (o.KMin < 1) throw new ArgumentException($"KMin must be at least 1 (got {o.KMin})", nameof(o.KMin));
        if (o.KMax < o.KMin) throw new ArgumentException($"KMax must be at least KMin {o.KMin} (got {o.KMax})", nameof(o.KMax));
        if (o.MinSamples < 1) throw new ArgumentException($"MinSamples must be at least 1 (got {o.MinSamples})", nameof(o.MinSamples));
        if (o.GapReferences < 0) throw new ArgumentException($"GapReferences must be 0 (skip the gap statistic) or more (got {o.GapReferences})", nameof(o.GapReferences));
        FeatureMatrix raw;
        ModelInfo? model = null;
        string source;
        if (o.Features is not null)
        {
            source = Path.GetFullPath(o.Features);
            raw = FeaturesFile.Read(o.Features).Features;
        }
        else
        {
            source = RunFolders.RequireInputFolder(o.Input!);
            o.Embedding.Validate();
            string output = Path.GetFullPath(o.Output ?? RunFolders.DefaultFor(source));
            RunFolders.RequireSafeRunFolder(source, output);
            var (resolved, _, embedded, store) = await ClusterJob.EmbedFolderAsync(source, output, o.Store, o.Model, o.ModelFolders, o.Resize, o.Layer, o.Embedding,
                [], _ => { }, progress, notice, ct);
            store.Dispose();
            raw = embedded.Features;
            model = ClusterJob.Describe(resolved, embedded.Features.Columns);
        }
        bool normalize = o.Normalize ?? o.Features is null;
        var (x, pca) = ClusterJob.Prepare(raw, normalize, o.Pca, o.Whiten, ct);
        notice?.Invoke($"diagnosing {x.Rows} samples × {x.Columns} features (k {o.KMin}–{o.KMax}{(o.GapReferences > 0 ? $", gap with {o.GapReferences} reference sets" : "")})");

        var suggestionOptions = new KSuggestionOptions
        {
            KMin = o.KMin, KMax = Math.Min(o.KMax, x.Rows), Seed = o.Seed, IncludeGap = o.GapReferences > 0,
            // Three restarts per k, not ten: the gap alone runs B + 1 fits per k, and the criteria compare k with k,
            // which needs consistent fits more than the last bit of inertia (R's clusGap uses kmeans' single start).
            KMeans = new Clustering.KMeansOptions { NClusters = 1, NInit = 3, Seed = o.Seed },
            Gap = new GapOptions { B = Math.Max(1, o.GapReferences) },
            KDistance = new KDistanceOptions { MinSamples = o.MinSamples },
        };
        HopkinsResult hopkins;
        KSuggestionResult suggestion;
        try
        {
            hopkins = Hopkins.Compute(x, new HopkinsOptions { Seed = o.Seed }, ct);
            suggestion = KSuggestion.Suggest(x, suggestionOptions, ct);
        }
        catch (ArgumentException e)
        {
            throw new ImageClusterException(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
        }
        var kd = suggestion.KDistance!;
        return new DiagnoseReport(source, x.Rows, x.Columns, normalize, model, pca,
            new HopkinsSummary(hopkins.Statistic, hopkins.SampleSize, hopkins.Exponent),
            suggestion.K, suggestion.Votes, suggestion.Agreeing, suggestion.Evidence,
            new KDistanceSummary(o.MinSamples, kd.Samples.Length, kd.SuggestedEps, Thin(kd.SortedDistances, 200)), o.Seed, sw.Elapsed.TotalSeconds);
    }

    private static double[] Thin(double[] curve, int points) =>
        curve.Length <= points ? curve : Enumerable.Range(0, points).Select(i => curve[(int)((long)i * (curve.Length - 1) / (points - 1))]).ToArray();
}
