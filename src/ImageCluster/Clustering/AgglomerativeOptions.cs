namespace ImageCluster.Clustering;

/// <summary>How <see cref="Agglomerative"/> measures the distance between two clusters (scikit-learn's <c>linkage</c>).</summary>
public enum Linkage
{
    /// <summary>
    /// Merge the pair that least increases the total within-cluster sum of squares. The merge height is
    /// √(2 · increase), the Lance–Williams ward distance that SciPy and scikit-learn report. Euclidean only.
    /// </summary>
    Ward,

    /// <summary>Largest distance between a member of one cluster and a member of the other.</summary>
    Complete,

    /// <summary>Mean distance over all pairs of members (UPGMA).</summary>
    Average,

    /// <summary>Smallest distance between a member of one cluster and a member of the other.</summary>
    Single,
}

/// <summary>
/// Settings for <see cref="Agglomerative"/>, named after scikit-learn's <c>AgglomerativeClustering</c>, plus the
/// similarity cut of elcorto/imagecluster (<see cref="Sim"/>, <see cref="MinCsize"/>). Exactly one way to cut the
/// merge tree applies: <see cref="NClusters"/>, <see cref="DistanceThreshold"/> or <see cref="Sim"/>.
/// </summary>
public sealed record AgglomerativeOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Agglomerative(this);

    /// <summary>Largest allowed <see cref="MaxSamples"/>: the condensed distance array must fit one .NET array.</summary>
    public const int MaxSamplesLimit = 65_000;

    /// <summary>
    /// Number of clusters: the tree is cut by undoing its last <c>NClusters − 1</c> merges (scikit-learn's
    /// <c>n_clusters</c>). Null (the default) means 2, as in scikit-learn, unless <see cref="DistanceThreshold"/> or
    /// <see cref="Sim"/> is set; setting it together with either of those is an error.
    /// </summary>
    public int? NClusters { get; init; }

    /// <summary>Cluster distance; scikit-learn's default is <see cref="Clustering.Linkage.Ward"/>.</summary>
    public Linkage Linkage { get; init; } = Linkage.Ward;

    /// <summary>
    /// Distance between samples. <see cref="Clustering.Linkage.Ward"/> needs <see cref="DistanceMetric.Euclidean"/>.
    /// Cosine distances are 1 − cos as in SciPy's <c>pdist</c>; an all-zero row is at distance 1 from every other row.
    /// </summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>
    /// scikit-learn's <c>distance_threshold</c> (≥ 0): performs exactly the merges whose height is strictly below the
    /// threshold (<c>n_clusters_ = count(distances ≥ threshold) + 1</c>). Note the strict comparison, unlike
    /// <see cref="Sim"/>, which follows SciPy's <c>fcluster</c> and also performs merges whose height equals the cut.
    /// </summary>
    public double? DistanceThreshold { get; init; }

    /// <summary>
    /// imagecluster's similarity cut, in [0, 1] (elcorto/imagecluster <c>calc.cluster</c>): the cut distance is
    /// <c>t = (largest pairwise sample distance) × (1 − Sim)</c>, and clusters are the subtrees whose merge heights are
    /// all ≤ t (SciPy <c>fcluster(Z, t, criterion='distance')</c>, a non-strict comparison). Sim = 1 gives t = 0: every
    /// sample alone, except exact duplicates (distance 0), which stay together. Sim = 0 gives t = the largest pairwise
    /// distance: one cluster (the root) with single, complete and average linkage, whose merge heights never exceed it;
    /// ward heights can exceed the largest pairwise distance (they grow with cluster size), so with ward the top merges
    /// may stay undone. Clusters with fewer than <see cref="MinCsize"/> members are not reported (label −1).
    /// imagecluster's own default linkage is <see cref="Clustering.Linkage.Average"/>.
    /// </summary>
    public double? Sim { get; init; }

    /// <summary>
    /// Smallest cluster size that is reported (imagecluster's <c>min_csize</c>, ≥ 1): members of smaller clusters get
    /// label −1 ("not reported"). Null (the default) means 2 when <see cref="Sim"/> is used, as in imagecluster, and 1
    /// (keep every cluster) with the other cuts.
    /// </summary>
    public int? MinCsize { get; init; }

    /// <summary>
    /// Refuse data sets with more samples than this (default 20 000, at most <see cref="MaxSamplesLimit"/>): the
    /// algorithm keeps all N(N − 1)/2 pairwise distances as 8-byte doubles, 1.6 GB at 20 000 samples.
    /// </summary>
    public int MaxSamples { get; init; } = 20_000;


    /// <summary>The number of clusters actually requested: <see cref="NClusters"/>, its default 2, or null for a distance cut.</summary>
    internal int? EffectiveNClusters => NClusters ?? (DistanceThreshold is null && Sim is null ? 2 : null);

    /// <summary>The minimum reported cluster size after applying the defaults of <see cref="MinCsize"/>.</summary>
    internal int EffectiveMinCsize => MinCsize ?? (Sim is null ? 1 : 2);

    /// <summary>Bytes of the condensed distance array for <paramref name="nSamples"/> samples.</summary>
    public static long DistanceBytes(int nSamples) => (long)nSamples * (nSamples - 1) / 2 * sizeof(double);

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        int cuts = (NClusters is null ? 0 : 1) + (DistanceThreshold is null ? 0 : 1) + (Sim is null ? 0 : 1);
        if (cuts > 1)
            throw new ArgumentException(
                $"Agglomerative takes one cut: set only one of NClusters, DistanceThreshold and Sim (got NClusters = {Show(NClusters)}, " +
                $"DistanceThreshold = {Show(DistanceThreshold)}, Sim = {Show(Sim)}).", nameof(NClusters));
        if (EffectiveNClusters < 1)
            throw new ArgumentException($"NClusters must be at least 1 (got {EffectiveNClusters}).", nameof(NClusters));
        if (EffectiveNClusters > nSamples)
            throw new ArgumentException(
                $"NClusters = {EffectiveNClusters} is outside 1..{nSamples} (the number of images).", nameof(NClusters));
        if (DistanceThreshold is double threshold && !(threshold >= 0 && double.IsFinite(threshold)))
            throw new ArgumentException($"DistanceThreshold must be a finite number ≥ 0 (got {threshold}).", nameof(DistanceThreshold));
        if (Sim is double sim && !(sim >= 0 && sim <= 1))
            throw new ArgumentException($"Sim must be between 0 and 1 (got {sim}).", nameof(Sim));
        if (MinCsize is int minCsize && minCsize < 1)
            throw new ArgumentException($"MinCsize must be at least 1 (got {minCsize}).", nameof(MinCsize));
        if (!Enum.IsDefined(Linkage))
            throw new ArgumentException($"Unknown linkage {Linkage}; use Ward, Complete, Average or Single.", nameof(Linkage));
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Unknown metric {Metric}; use Euclidean or Cosine.", nameof(Metric));
        if (Linkage == Linkage.Ward && Metric != DistanceMetric.Euclidean)
            throw new ArgumentException(
                $"Ward linkage works only with Euclidean distances (Metric = {Metric}); use Linkage Average, Complete or Single for {Metric}.",
                nameof(Metric));
        if (MaxSamples < 1 || MaxSamples > MaxSamplesLimit)
            throw new ArgumentException($"MaxSamples must be between 1 and {MaxSamplesLimit} (got {MaxSamples}).", nameof(MaxSamples));
        if (nSamples is int n && n > MaxSamples)
            throw new ArgumentException(
                $"Agglomerative clustering of {n} images needs {DistanceBytes(n):N0} bytes " +
                $"({DistanceBytes(n) / (double)(1L << 30):F1} GiB) for its {(long)n * (n - 1) / 2:N0} pairwise " +
                $"distances, more than MaxSamples = {MaxSamples} allows; raise MaxSamples (memory O(N²)) or use Birch or K-Means.",
                nameof(MaxSamples));
    }

    private static string Show<T>(T? value) where T : struct => value?.ToString() ?? "null";
}
