using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>Options of <see cref="Elbow"/>.</summary>
internal sealed record ElbowOptions
{
    /// <summary>Smallest k tried (≥ 1). Start at 1 so the curve includes the unclustered inertia the knee is judged against.</summary>
    public int KMin { get; init; } = 1;

    /// <summary>Largest k tried (≤ the number of samples).</summary>
    public int KMax { get; init; } = 10;

    /// <summary>
    /// K-Means settings for every k (its <see cref="KMeansOptions.NClusters"/> is replaced by each k); null = K-Means'
    /// defaults (10 k-means++ initialisations, seed 0).
    /// </summary>
    public KMeansOptions? KMeans { get; init; }

    /// <summary>
    /// Samples the silhouette is computed on per k (O(s² · d) each); null = all. Default 2000, so that large sets stay quick.
    /// </summary>
    public int? SilhouetteSampleSize { get; init; } = 2000;

    /// <summary>Seed of the silhouette's sample.</summary>
    public int Seed { get; init; }

    /// <summary>Kneedle's sensitivity S for the knee (see <see cref="Kneedle"/>).</summary>
    public double Sensitivity { get; init; } = 1.0;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples < 1) throw new ArgumentException("There are no samples.", nameof(nSamples));
        if (KMin < 1 || KMin > KMax || KMax > nSamples)
            throw new ArgumentException(
                $"The k range must satisfy 1 ≤ KMin ≤ KMax ≤ number of samples ({nSamples}) (got KMin = {KMin}, KMax = {KMax}).", nameof(KMax));
        if (SilhouetteSampleSize is < 2)
            throw new ArgumentException($"SilhouetteSampleSize must be at least 2, or unset for all samples (got {SilhouetteSampleSize}).", nameof(SilhouetteSampleSize));
        if (!(Sensitivity >= 0) || double.IsInfinity(Sensitivity))
            throw new ArgumentException($"Sensitivity must be a finite number ≥ 0 (got {Sensitivity}).", nameof(Sensitivity));
        (KMeans ?? new KMeansOptions { NClusters = 1 }).With(KMax).Validate(nSamples);
    }
}

/// <summary>One k of an elbow curve, with the internal indices of its K-Means partition.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Inertia">K-Means inertia (sum of squared distances to the nearest centre).</param>
/// <param name="Silhouette">Mean silhouette (sampled), or null where undefined (k = 1, or k ≥ the scored samples).</param>
/// <param name="CalinskiHarabasz">Calinski–Harabasz index, or null where undefined (k = 1 or k = N).</param>
/// <param name="DaviesBouldin">Davies–Bouldin index, or null where undefined (k = 1 or k = N).</param>
/// <param name="Labels">The K-Means labels behind the numbers.</param>
internal sealed record ElbowPoint(int K, double Inertia, double? Silhouette, double? CalinskiHarabasz, double? DaviesBouldin, int[] Labels);

/// <summary>The elbow curve and its knee.</summary>
/// <param name="Points">One entry per k, ascending.</param>
/// <param name="KneeK">The k at the knee of the inertia curve, or null when it has none.</param>
internal sealed record ElbowResult(IReadOnlyList<ElbowPoint> Points, int? KneeK)
{
    /// <summary>The k values tried.</summary>
    public int[] Ks => Points.Select(p => p.K).ToArray();

    /// <summary>Inertia per k, aligned with <see cref="Ks"/>.</summary>
    public double[] Inertias => Points.Select(p => p.Inertia).ToArray();
}

/// <summary>
/// The elbow method: K-Means inertia for every k in a range, with the knee of the falling curve found by
/// <see cref="Kneedle"/> (decreasing, convex) and, per k, the sampled silhouette and the Davies–Bouldin and
/// Calinski–Harabasz indices of the same partition. Time: one K-Means fit per k plus O(s² · d) silhouette and
/// O(N · d) indices per k; memory that of K-Means plus s² floats for the silhouette.
/// </summary>
internal static class Elbow
{
    /// <summary>Runs K-Means for each k in [KMin, KMax] on <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or a NaN/infinite row.</exception>
    public static ElbowResult Compute(FeatureMatrix x, ElbowOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new ElbowOptions();
        options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var kMeans = options.KMeans ?? new KMeansOptions { NClusters = 1 };
        var points = new List<ElbowPoint>();
        for (int k = options.KMin; k <= options.KMax; k++)
        {
            var fit = new KMeans(kMeans.With(k)).Fit(x, cancellation);
            points.Add(Score(x, k, fit.Inertia, fit.Labels, options));
        }
        var ks = points.Select(p => (double)p.K).ToArray();
        int? knee = Kneedle.FindKnee(ks, points.Select(p => p.Inertia).ToArray(), CurveDirection.Decreasing, options.Sensitivity);
        return new ElbowResult(points, knee is int i ? points[i].K : null);
    }

    private static ElbowPoint Score(FeatureMatrix x, int k, double inertia, int[] labels, ElbowOptions options)
    {
        if (k < 2 || k > x.Rows - 1) return new ElbowPoint(k, inertia, null, null, null, labels);
        double? silhouette = null;
        int scored = Math.Min(x.Rows, options.SilhouetteSampleSize ?? x.Rows);
        if (k <= scored - 1)
        {
            try
            {
                silhouette = Silhouette.Score(x, labels,
                    new SilhouetteOptions { SampleSize = options.SilhouetteSampleSize, Seed = options.Seed }).Mean;
            }
            catch (ArgumentException)
            {
                // The sample missed all but one cluster (or held only singletons): the silhouette is undefined there.
            }
        }
        return new ElbowPoint(k, inertia, silhouette, CalinskiHarabasz.Score(x, labels), DaviesBouldin.Score(x, labels), labels);
    }
}

internal static class KMeansOptionsExtensions
{
    /// <summary>The same settings for <paramref name="k"/> clusters.</summary>
    public static KMeansOptions With(this KMeansOptions options, int k) => options with { NClusters = k };
}
