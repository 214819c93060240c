namespace ImageCluster.Diagnostics;

/// <summary>Options of <see cref="KDistance"/>.</summary>
internal sealed record KDistanceOptions
{
    /// <summary>
    /// DBSCAN's <c>min_samples</c> (5, scikit-learn's default), counting the point itself: the curve is each point's
    /// distance to its <c>MinSamples</c>-th nearest sample including itself, i.e. to its (MinSamples − 1)-th nearest other
    /// sample — the last column of scikit-learn's <c>NearestNeighbors(n_neighbors=min_samples).kneighbors(X)</c>. A point
    /// is then a DBSCAN core point exactly when its k-distance is ≤ eps.
    /// </summary>
    public int MinSamples { get; init; } = 5;

    /// <summary>
    /// Compute the curve for a random subset of this many points (each still against all samples); null = every point.
    /// The cost is O(scored · N · d), so the default 10 000 keeps large sets quick while the curve's shape is unchanged.
    /// </summary>
    public int? SampleSize { get; init; } = 10_000;

    /// <summary>Seed of the subset choice.</summary>
    public int Seed { get; init; }

    /// <summary>Distance between samples; cosine works on unit-length rows, as scikit-learn.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>Kneedle's sensitivity S for the suggested eps (see <see cref="Kneedle"/>).</summary>
    public double Sensitivity { get; init; } = 1.0;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (MinSamples < 1 || MinSamples > nSamples)
            throw new ArgumentException($"MinSamples must be between 1 and the number of samples ({nSamples}) (got {MinSamples}).", nameof(MinSamples));
        if (SampleSize is < 1)
            throw new ArgumentException($"SampleSize must be at least 1, or unset for all samples (got {SampleSize}).", nameof(SampleSize));
        if (!(Sensitivity >= 0) || double.IsInfinity(Sensitivity))
            throw new ArgumentException($"Sensitivity must be a finite number ≥ 0 (got {Sensitivity}).", nameof(Sensitivity));
    }
}

/// <summary>The k-distance curve and the eps it suggests.</summary>
/// <param name="Samples">The scored samples (indices into the input, ascending).</param>
/// <param name="Distances">Each scored sample's k-distance, aligned with <paramref name="Samples"/>.</param>
/// <param name="SortedDistances">The same values ascending: the curve to plot.</param>
/// <param name="KneeIndex">Index of the knee in <paramref name="SortedDistances"/>, or null when the curve has none.</param>
/// <param name="SuggestedEps">The k-distance at the knee: an eps for DBSCAN with the same MinSamples, or null.</param>
/// <param name="MinSamples">The MinSamples the curve was computed for.</param>
internal sealed record KDistanceResult(int[] Samples, double[] Distances, double[] SortedDistances, int? KneeIndex,
    double? SuggestedEps, int MinSamples);

/// <summary>
/// The sorted k-distance plot for choosing DBSCAN's eps (Ester et al. 1996): points inside clusters have small k-distances,
/// noise has large ones, and the knee of the rising curve (found by <see cref="Kneedle"/>) is a natural eps. Blocked
/// brute-force neighbour search: time O(scored · N · d), memory O(scored · MinSamples) — no N × N matrix.
/// </summary>
internal static class KDistance
{
    /// <summary>Computes the curve of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or a NaN/infinite row.</exception>
    public static KDistanceResult Compute(FeatureMatrix x, KDistanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new KDistanceOptions();
        options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        bool cosine = options.Metric == DistanceMetric.Cosine;
        var data = cosine ? x.UnitRows() : x;
        int[] samples = Sampling.Subset(x.Rows, options.SampleSize, options.Seed);
        var queries = Sampling.Rows(data, samples);
        int k = options.MinSamples;
        var (distances, _) = NearestNeighbours.Query(data, queries, k, cancellation: cancellation);
        var curve = new double[samples.Length];
        for (int s = 0; s < samples.Length; s++)
        {
            double euclidean = distances[s * k + k - 1];
            // For unit rows, cosine distance 1 − a·b is half the squared Euclidean distance.
            curve[s] = cosine ? euclidean * euclidean / 2 : euclidean;
        }
        var sorted = (double[])curve.Clone();
        Array.Sort(sorted);
        var ranks = Enumerable.Range(0, sorted.Length).Select(i => (double)i).ToArray();
        int? knee = Kneedle.FindKnee(ranks, sorted, CurveDirection.Increasing, options.Sensitivity);
        return new KDistanceResult(samples, curve, sorted, knee, knee is int i ? sorted[i] : null, k);
    }
}
