using System.Diagnostics;
using System.Globalization;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;

namespace ImageCluster.Pipeline;

/// <summary>What <see cref="FitBudget.Estimate"/> expects a fit to take, and what it rests on.</summary>
/// <param name="Seconds">Expected wall-clock seconds of the whole fit: the trial scaled by (N/m)².</param>
/// <param name="UpTo">The slow end of the expectation (above <paramref name="Seconds"/> for the passes that outgrow the cache).</param>
/// <param name="TrialRows">Rows of the trial fit.</param>
/// <param name="TrialSeconds">Seconds the trial fit took (the best of two).</param>
internal sealed record FitEstimate(double Seconds, double UpTo, int TrialRows, double TrialSeconds)
{
    /// <summary>Whether the slow end of the estimate is over <paramref name="limit"/> (never without a limit).</summary>
    public bool Exceeds(TimeSpan? limit) => limit is { } max && UpTo > max.TotalSeconds;

    /// <summary>Whether the wait is long enough to be worth a line before the fit starts.</summary>
    public bool WorthAnnouncing => UpTo >= FitBudget.AnnouncedFrom;

    /// <summary>One line for a person: the estimate and what it rests on.</summary>
    public string Describe(string algorithm, int rows) => FormattableString.Invariant(
        $"estimated {(UpTo > Seconds ? $"{FitBudget.Format(Seconds)} to {FitBudget.Format(UpTo)}" : FitBudget.Format(Seconds))} for {algorithm} on {rows:N0} images (a trial fit on {TrialRows:N0} of them took {TrialSeconds:F2} s; the time grows with the square of the number of images)");
}

/// <summary>
/// The guard before an algorithm whose cost grows with N²: on a data set large enough for that to matter it times the
/// same algorithm on an evenly spaced subset and extrapolates, so a fit that would run for hours is refused in a second
/// with the estimate and the way out, instead of being found out after the hours.
/// </summary>
/// <remarks>
/// The subset is every (N/m)-th row, so it keeps the data's shape; with a fixed eps a subset's neighbour lists shrink
/// by m/N, so neighbour work scales like the distance work, with N², and the estimate is t(m)·(N/m)². DBSCAN's tiled
/// passes then land within 10 % (docs/benchmarks.md). OPTICS and HDBSCAN work step by step and scan every open row at
/// each step: a trial's rows fit in the cache, the full set's stream from memory, and their fits measured 1.3–2.2 × the
/// estimate (50 000 and 100 000 × 128, 32 MB of L3). For them the estimate is a range up to <see cref="StepwiseFactor"/>
/// times, and the limit is held against its slow end: a refusal costs a rerun, a fit let through costs hours.
/// </remarks>
internal static class FitBudget
{
    /// <summary>Rows of the trial fit.</summary>
    public const int TrialRows = 4_000;

    /// <summary>Below this many rows no estimate is made: the fit itself is at most 16 trials long.</summary>
    public const int SmallestEstimated = 4 * TrialRows;

    /// <summary>Estimates from this many seconds on are announced before the fit starts.</summary>
    internal const double AnnouncedFrom = 10;

    /// <summary>How much slower than the trial's scaling OPTICS and HDBSCAN can run once their rows outgrow the cache (measured ≤ 2.2).</summary>
    internal const double StepwiseFactor = 2.5;

    /// <summary>The algorithms whose time grows with N² (their memory is guarded by their own MaxSamples where it does too).</summary>
    public static bool IsQuadratic(ClustererOptions options) =>
        options is DbscanOptions or OpticsOptions or HdbscanOptions or AgglomerativeOptions or KMedoidsOptions;

    /// <summary>
    /// The expected time of fitting <paramref name="options"/> on <paramref name="x"/>; null for linear algorithms, small
    /// data, or options a subset cannot be fitted with (k larger than the trial, say — the real fit then says why).
    /// </summary>
    public static FitEstimate? Estimate(ClustererOptions options, FeatureMatrix x, CancellationToken ct = default)
    {
        if (!IsQuadratic(options) || x.Rows < SmallestEstimated) return null;
        try
        {
            Fit(options, EvenlySpaced(x, TrialRows / 8), ct); // compiles the code paths, so the timed trial is not the JIT's
        }
        catch (ArgumentException)
        {
            // Options the small warm-up cannot take (k above its rows) may still fit the trial.
        }
        try
        {
            // The best of two: a trial is short enough for one hiccup of the machine to double it.
            var trial = EvenlySpaced(x, TrialRows);
            double seconds = Math.Min(Fit(options, trial, ct), Fit(options, trial, ct));
            double scale = (double)x.Rows / TrialRows, expected = seconds * scale * scale;
            return new FitEstimate(expected, options is OpticsOptions or HdbscanOptions ? expected * StepwiseFactor : expected, TrialRows, seconds);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses a fit expected to take longer than <paramref name="limit"/>; otherwise says what is expected when the
    /// wait is long enough to be worth a line.
    /// </summary>
    /// <remarks><paramref name="afterword"/> is appended to a refusal, e.g. that the embeddings are kept for the rerun.</remarks>
    /// <exception cref="ArgumentException">Over the limit (ParamName <c>ClusteringTimeLimit</c>), with the estimate and the alternatives.</exception>
    public static void Check(ClustererOptions options, FeatureMatrix x, TimeSpan? limit, Action<string>? notice, string afterword = "",
        CancellationToken ct = default)
    {
        if (Estimate(options, x, ct) is not { } estimate) return;
        string line = estimate.Describe(options.AlgorithmName, x.Rows);
        if (estimate.Exceeds(limit))
            throw new ArgumentException(
                $"{line}: over ClusteringTimeLimit = {Format(limit!.Value.TotalSeconds)}; use an algorithm that grows linearly " +
                $"(kmeans, minibatch-kmeans, birch), fewer features (Pca) or a higher ClusteringTimeLimit{afterword}",
                "ClusteringTimeLimit");
        if (estimate.WorthAnnouncing) notice?.Invoke(line);
    }

    /// <summary>A limit that is set must be positive.</summary>
    /// <exception cref="ArgumentException">ParamName <c>ClusteringTimeLimit</c>.</exception>
    public static void ValidateLimit(TimeSpan? limit)
    {
        if (limit is { } l && l <= TimeSpan.Zero)
            throw new ArgumentException($"ClusteringTimeLimit must be positive (got {l}), or unset for no limit", "ClusteringTimeLimit");
    }

    /// <summary>Every (N/<paramref name="rows"/>)-th row of <paramref name="x"/>.</summary>
    private static FeatureMatrix EvenlySpaced(FeatureMatrix x, int rows)
    {
        var indices = new int[rows];
        for (int i = 0; i < rows; i++) indices[i] = (int)((long)i * x.Rows / rows);
        return Sampling.Rows(x, indices);
    }

    private static double Fit(ClustererOptions options, FeatureMatrix x, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        options.CreateClusterer().Fit(x, ct);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds as a person reads them: "40 s", "12 min", "3.5 h".</summary>
    internal static string Format(double seconds) => seconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:F1} h"),
    };
}
