namespace ImageCluster.Diagnostics;

/// <summary>Which way a convex curve given to <see cref="Kneedle"/> runs.</summary>
internal enum CurveDirection
{
    /// <summary>Falling and flattening out, like inertia against k (the "elbow").</summary>
    Decreasing,

    /// <summary>Flat first and then rising steeply, like sorted k-distances (the "knee").</summary>
    Increasing,
}

/// <summary>
/// The knee of a convex monotone curve by the Kneedle rule (Satopää, Albrecht, Irwin &amp; Raghavan 2011):
/// <list type="number">
/// <item>normalise x and y to [0, 1] (min–max);</item>
/// <item>difference curve D = how far the chord between the end points lies above the curve: D = 1 − x − y for a
/// decreasing curve, D = x − y for an increasing one (the paper's flipped form, without flipping, so x need not be
/// evenly spaced);</item>
/// <item>the knee is the first point where D is largest, accepted only if that maximum exceeds
/// <c>sensitivity × mean spacing of the normalised x</c> — Kneedle's threshold, which the curve then reaches at
/// the end point (D = 0 there), so a straight or concave curve has no knee.</item>
/// </list>
/// Unlike the <c>kneed</c> package this takes the global maximum of D, not the first local maximum that passes the
/// threshold; the two differ only on wavy curves. Time and memory O(n).
/// </summary>
internal static class Kneedle
{
    /// <summary>Index of the knee in <paramref name="x"/>/<paramref name="y"/>, or null when the curve has none.</summary>
    /// <param name="x">Strictly increasing positions (k values, or ranks 0..n−1).</param>
    /// <param name="y">Curve values, one per position.</param>
    /// <param name="direction">Whether the curve falls (elbow of inertia) or rises (k-distance).</param>
    /// <param name="sensitivity">Kneedle's S (1 by default, as the paper and <c>kneed</c>); larger is more conservative.</param>
    /// <exception cref="ArgumentException">Lengths differ, x is not increasing, a value is not finite, or S &lt; 0.</exception>
    public static int? FindKnee(IReadOnlyList<double> x, IReadOnlyList<double> y, CurveDirection direction, double sensitivity = 1.0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} positions but {y.Count} values.", nameof(y));
        if (!(sensitivity >= 0) || double.IsInfinity(sensitivity))
            throw new ArgumentException($"The knee sensitivity must be a finite number ≥ 0 (got {sensitivity}).", nameof(sensitivity));
        int n = x.Count;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) throw new ArgumentException($"Point {i} of the curve is not finite.");
            if (i > 0 && x[i] <= x[i - 1]) throw new ArgumentException("The curve's positions must be strictly increasing.", nameof(x));
        }
        if (n < 3) return null;
        double yMin = y.Min(), yMax = y.Max();
        if (yMax == yMin) return null;
        double xSpan = x[n - 1] - x[0];
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double xn = (x[i] - x[0]) / xSpan, yn = (y[i] - yMin) / (yMax - yMin);
            double difference = direction == CurveDirection.Decreasing ? 1 - xn - yn : xn - yn;
            if (difference > bestValue) (best, bestValue) = (i, difference);
        }
        double meanSpacing = 1.0 / (n - 1);
        return bestValue > sensitivity * meanSpacing ? best : null;
    }
}
