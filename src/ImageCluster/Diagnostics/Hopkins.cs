namespace ImageCluster.Diagnostics;

/// <summary>The exponent applied to the distances in <see cref="Hopkins"/>.</summary>
public enum HopkinsPower
{
    /// <summary>Plain distances (Hopkins &amp; Skellam 1954; Lawson &amp; Jurs 1990): the classic form, the default.</summary>
    One,

    /// <summary>
    /// Distances raised to the dimension d (Cross &amp; Jain 1982; the R <c>hopkins</c> package's default), under which
    /// H follows a Beta(m, m) distribution for uniform data whatever d is.
    /// </summary>
    Dimension,
}

/// <summary>Options of <see cref="Hopkins"/>.</summary>
public sealed record HopkinsOptions
{
    /// <summary>
    /// Number m of probe points of each kind; null = ⌈N / 10⌉ clamped to [min(N, 10), N] (R's <c>hopkins</c> uses
    /// ⌈N / 10⌉; the floor of 10 keeps small sets from resting on a handful of distances).
    /// </summary>
    public int? SampleSize { get; init; }

    /// <summary>Exponent of the distances (see <see cref="HopkinsPower"/>).</summary>
    public HopkinsPower Power { get; init; } = HopkinsPower.One;

    /// <summary>Seed of the sampled data points and of the uniform points.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples < 2)
            throw new ArgumentException($"The Hopkins statistic needs at least 2 samples (got {nSamples}).", nameof(nSamples));
        if (SampleSize is int m && (m < 1 || m > nSamples))
            throw new ArgumentException($"SampleSize must be between 1 and the number of samples ({nSamples}) (got {m}).", nameof(SampleSize));
    }

    internal int EffectiveSampleSize(int n) => SampleSize ?? Math.Min(n, Math.Max(10, (n + 9) / 10));
}

/// <summary>A Hopkins statistic and the distances behind it.</summary>
/// <param name="Statistic">H in [0, 1]: about 0.5 for uniformly scattered data, towards 1 for clustered data.</param>
/// <param name="SampleSize">m, the number of probe points of each kind.</param>
/// <param name="Exponent">The power the distances were raised to (1, or the dimension d).</param>
/// <param name="Sample">Indices of the sampled data points, ascending.</param>
/// <param name="U">Distance from each uniform point to its nearest data point.</param>
/// <param name="W">Distance from each sampled data point to its nearest other data point (0 for a duplicate).</param>
public sealed record HopkinsResult(double Statistic, int SampleSize, int Exponent, int[] Sample, double[] U, double[] W);

/// <summary>
/// Hopkins statistic of clustering tendency: H = Σuᵖ / (Σuᵖ + Σwᵖ), with u the distances from m uniform random points in
/// the data's bounding box to their nearest data point, w the distances from m sampled data points (without replacement)
/// to their nearest other data point, and p = 1 or d (<see cref="HopkinsOptions.Power"/>).
/// <para>Convention: H ≈ 0.5 means no more structure than uniform noise, H → 1 means clusterable. Some libraries report
/// 1 − H instead (R <c>clustertend::hopkins</c> before 1.5, pyclustertend), where values near 0 mean clusterable.</para>
/// Blocked brute-force nearest neighbours: time O(m · N · d), memory O(m · d) — no N × N matrix.
/// </summary>
public static class Hopkins
{
    /// <summary>Computes H for <paramref name="x"/> with seeded probe points.</summary>
    /// <exception cref="ArgumentException">Invalid options, a NaN/infinite row, or all samples identical (H undefined).</exception>
    public static HopkinsResult Compute(FeatureMatrix x, HopkinsOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new HopkinsOptions();
        options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        int m = options.EffectiveSampleSize(x.Rows), d = x.Columns;
        int[] sample = Sampling.Subset(x.Rows, m, options.Seed);
        var low = new float[d];
        var high = new float[d];
        x.ReadRow(0).CopyTo(low);
        x.ReadRow(0).CopyTo(high);
        for (int i = 1; i < x.Rows; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Min(low, x.ReadRow(i), low);
            System.Numerics.Tensors.TensorPrimitives.Max(high, x.ReadRow(i), high);
        }
        // A separate stream from the subset's, so changing m does not shift the data sample's seed sequence.
        var random = new Random(Sampling.Derived(options.Seed, 0x486f70));
        var uniform = new FeatureMatrix(m, d);
        for (int r = 0; r < m; r++)
            for (int j = 0; j < d; j++)
                uniform.Row(r)[j] = (float)(low[j] + (high[j] - (double)low[j]) * random.NextDouble());
        return Compute(x, sample, uniform, options.Power == HopkinsPower.One ? 1 : d, cancellation);
    }

    /// <summary>H from given probe points: the data rows <paramref name="sample"/> and the points <paramref name="uniform"/>.</summary>
    internal static HopkinsResult Compute(FeatureMatrix x, int[] sample, FeatureMatrix uniform, int exponent,
        CancellationToken cancellation = default)
    {
        var (u, _) = NearestNeighbours.Query(x, uniform, 1, cancellation: cancellation);
        var (w, _) = NearestNeighbours.Query(x, Sampling.Rows(x, sample), 1, sample, cancellation);
        // Scale by the largest distance before raising to the power d: with d in the hundreds, raw powers overflow.
        double scale = Math.Max(u.Max(), w.Max());
        if (scale == 0) throw new ArgumentException("The Hopkins statistic is undefined when all samples are identical.");
        double sumU = u.Sum(v => Math.Pow(v / scale, exponent));
        double sumW = w.Sum(v => Math.Pow(v / scale, exponent));
        return new HopkinsResult(sumU / (sumU + sumW), sample.Length, exponent, sample, u, w);
    }
}
