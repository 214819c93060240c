using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>Where the gap statistic's uniform reference sets are drawn (R <c>clusGap</c>'s <c>spaceH0</c>).</summary>
internal enum GapReferenceSpace
{
    /// <summary>
    /// Uniform in the box of the data's principal axes (Tibshirani et al.'s recommended form b, R's default):
    /// follows the data's orientation, so elongated data are not mistaken for clusters.
    /// </summary>
    ScaledPca,

    /// <summary>Uniform in the box of the original features (form a).</summary>
    Original,
}

/// <summary>How the number of clusters is read off the gap curve (R <c>cluster::maxSE</c>'s methods).</summary>
internal enum GapSelection
{
    /// <summary>
    /// The smallest k whose gap is within one SE of the first local maximum (R's default and the recommended rule).
    /// </summary>
    FirstSEMax,

    /// <summary>Tibshirani et al. (2001): the smallest k with Gap(k) ≥ Gap(k+1) − SE(k+1).</summary>
    Tibs2001SEMax,

    /// <summary>The smallest k whose gap is within one SE of the global maximum.</summary>
    GlobalSEMax,

    /// <summary>The first local maximum of the gap.</summary>
    FirstMax,

    /// <summary>The global maximum of the gap.</summary>
    GlobalMax,
}

/// <summary>Options of <see cref="GapStatistic"/>, named after R's <c>clusGap</c> and <c>maxSE</c>.</summary>
internal sealed record GapOptions
{
    /// <summary>Smallest k (≥ 1; R always starts at 1, and the 1-SE rules need it to judge "no clusters").</summary>
    public int KMin { get; init; } = 1;

    /// <summary>Largest k (R's <c>K.max</c>).</summary>
    public int KMax { get; init; } = 10;

    /// <summary>
    /// Number of uniform reference sets. R's default is 100; 10 here keeps the cost at 11 × (KMax − KMin + 1) K-Means
    /// fits. SE.sim carries the extra uncertainty; raise B when the chosen k sits on a 1-SE borderline.
    /// </summary>
    public int B { get; init; } = 10;

    /// <summary>Seed of the reference draws and of the subset choice.</summary>
    public int Seed { get; init; }

    /// <summary>Reference distribution (R's <c>spaceH0</c>).</summary>
    public GapReferenceSpace SpaceH0 { get; init; } = GapReferenceSpace.ScaledPca;

    /// <summary>
    /// Power of the within-cluster distances in W_k (R's <c>d.power</c>, default 1). 2 gives the K-Means objective
    /// (W_k = half the inertia), computed in O(N · d); other powers need all within-cluster pairs, O(Σ n_c² · d).
    /// </summary>
    public int DPower { get; init; } = 1;

    /// <summary>Rule that picks k from the curve (R's <c>maxSE(method=)</c>).</summary>
    public GapSelection Method { get; init; } = GapSelection.FirstSEMax;

    /// <summary>Multiple of SE.sim used by the 1-SE rules (R's <c>SE.factor</c>).</summary>
    public double SEFactor { get; init; } = 1;

    /// <summary>
    /// K-Means settings for the data and every reference set (NClusters is replaced by each k); null = K-Means' defaults.
    /// R's example uses <c>kmeans</c> with one random start; several k-means++ starts make W_k less noisy.
    /// </summary>
    public KMeansOptions? KMeans { get; init; }

    /// <summary>
    /// Compute on a seeded random subset of this many samples (null = all). With DPower = 1 each W_k costs
    /// O(Σ n_c² · d), so large sets are sampled; 2000 by default.
    /// </summary>
    public int? SampleSize { get; init; } = 2000;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples < 1) throw new ArgumentException("There are no samples.", nameof(nSamples));
        if (SampleSize is < 2)
            throw new ArgumentException($"SampleSize must be at least 2, or unset for all samples (got {SampleSize}).", nameof(SampleSize));
        int used = Math.Min(nSamples, SampleSize ?? nSamples);
        // k = n makes every cluster a single point: W = 0 and log W = −∞ for data and references alike.
        if (KMin < 1 || KMin > KMax || KMax > used - 1)
            throw new ArgumentException(
                $"The k range must satisfy 1 ≤ KMin ≤ KMax ≤ samples used − 1 ({used - 1}) (got KMin = {KMin}, KMax = {KMax}).", nameof(KMax));
        if (B < 2) throw new ArgumentException($"B (reference sets) must be at least 2 for a standard error (got {B}).", nameof(B));
        if (DPower < 1) throw new ArgumentException($"DPower must be at least 1 (got {DPower}).", nameof(DPower));
        if (!(SEFactor >= 0) || double.IsInfinity(SEFactor))
            throw new ArgumentException($"SEFactor must be a finite number ≥ 0 (got {SEFactor}).", nameof(SEFactor));
        (KMeans ?? new KMeansOptions { NClusters = 1 }).With(KMax).Validate(used);
    }
}

/// <summary>A gap statistic curve (R <c>clusGap</c>'s <c>Tab</c>) and the k chosen from it.</summary>
/// <param name="Ks">The k values, ascending.</param>
/// <param name="LogW">log W_k of the data.</param>
/// <param name="ELogW">Mean log W_k over the reference sets.</param>
/// <param name="Gap">E.logW − logW: larger means more structure than uniform noise.</param>
/// <param name="SESim">Simulation standard error: sd(reference log W_k) · √(1 + 1/B).</param>
/// <param name="ChosenK">The k picked by <paramref name="Method"/>.</param>
/// <param name="Method">The selection rule used.</param>
/// <param name="B">Number of reference sets.</param>
/// <param name="SamplesUsed">Samples the statistic was computed on (after <see cref="GapOptions.SampleSize"/>).</param>
internal sealed record GapResult(int[] Ks, double[] LogW, double[] ELogW, double[] Gap, double[] SESim, int ChosenK,
    GapSelection Method, int B, int SamplesUsed);
