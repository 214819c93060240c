using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>
/// Gap statistic (Tibshirani, Walther &amp; Hastie 2001) as R's <c>cluster::clusGap(x, kmeans, K.max, B, d.power,
/// spaceH0)</c> with <c>cluster::maxSE</c> to pick k. W_k = ½ Σ_clusters (Σ_{i&lt;j in c} d_ijᵖ) / n_c; the gap
/// E*[log W_k] − log W_k compares it with B uniform reference sets clustered the same way.
/// <para>Differences from R, by design: the reference draws come from .NET's seeded generator (R's runif sequence is not
/// reproduced), clustering is this library's K-Means, B defaults to 10 and large inputs are subsampled
/// (<see cref="GapOptions.SampleSize"/>). Given the same reference sets and partitions the numbers equal R's.</para>
/// <para>When a partition puts only identical points together (duplicates), W_k = 0 and log W_k = −∞, as in R.</para>
/// Time: (B + 1) · (KMax − KMin + 1) K-Means fits plus, for DPower ≠ 2, O(Σ n_c² · d) per W_k; memory O(N · d) per
/// reference set, no N × N matrix.
/// </summary>
internal static class GapStatistic
{
    /// <summary>Computes the gap curve of <paramref name="x"/> for k in [KMin, KMax] and chooses k.</summary>
    /// <exception cref="ArgumentException">Invalid options or a NaN/infinite row.</exception>
    public static GapResult Compute(FeatureMatrix x, GapOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new GapOptions();
        options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        return Compute(x, options, null, cancellation);
    }

    /// <summary>
    /// As the public overload, validated already; <paramref name="dataLabels"/>(k), when given, supplies the data's
    /// K-Means labels for k (from an elbow run with the same settings) instead of clustering the data again. It is
    /// ignored when the data are subsampled.
    /// </summary>
    internal static GapResult Compute(FeatureMatrix x, GapOptions options, Func<int, int[]>? dataLabels,
        CancellationToken cancellation)
    {
        int[] subset = Sampling.Subset(x.Rows, options.SampleSize, options.Seed);
        if (subset.Length < x.Rows) dataLabels = null;
        var data = Sampling.Rows(x, subset);
        var references = GapReferences.Draw(data, options.B, options.SpaceH0, new Random(Sampling.Derived(options.Seed, 0x676170)));
        var kMeans = options.KMeans ?? new KMeansOptions { NClusters = 1 };
        return Compute(data, options.KMin, options.KMax, references,
            (set, matrix, k) => set == -1 && dataLabels is not null ? dataLabels(k) : new KMeans(kMeans.With(k)).Fit(matrix, cancellation).Labels,
            options.DPower, options.Method, options.SEFactor, cancellation);
    }

    /// <summary>
    /// The curve from given reference sets and a given clustering: <paramref name="cluster"/>(set, matrix, k) returns the
    /// labels of <paramref name="x"/> (set −1) or of reference set b (set b) for k ≥ 2; k = 1 is one cluster.
    /// </summary>
    internal static GapResult Compute(FeatureMatrix x, int kMin, int kMax, IReadOnlyList<FeatureMatrix> references,
        Func<int, FeatureMatrix, int, int[]> cluster, int dPower, GapSelection method, double seFactor,
        CancellationToken cancellation = default)
    {
        int count = kMax - kMin + 1, b = references.Count;
        var ks = Enumerable.Range(kMin, count).ToArray();
        double LogW(int set, FeatureMatrix matrix, int k)
        {
            cancellation.ThrowIfCancellationRequested();
            int[] labels = k == 1 ? new int[matrix.Rows] : cluster(set, matrix, k);
            return Math.Log(WithinDispersion(matrix, labels, dPower));
        }
        var logW = ks.Select(k => LogW(-1, x, k)).ToArray();
        var referenceLogW = new double[b, count];
        for (int r = 0; r < b; r++)
            for (int c = 0; c < count; c++)
                referenceLogW[r, c] = LogW(r, references[r], ks[c]);
        var eLogW = new double[count];
        var se = new double[count];
        for (int c = 0; c < count; c++)
        {
            double mean = 0, squares = 0;
            for (int r = 0; r < b; r++) mean += referenceLogW[r, c] / b;
            for (int r = 0; r < b; r++) squares += (referenceLogW[r, c] - mean) * (referenceLogW[r, c] - mean);
            eLogW[c] = mean;
            se[c] = Math.Sqrt((1 + 1.0 / b) * squares / (b - 1));
        }
        var gap = eLogW.Zip(logW, (e, l) => e - l).ToArray();
        int chosen = MaxSE(gap, se, method, seFactor);
        return new GapResult(ks, logW, eLogW, gap, se, ks[chosen], method, b, x.Rows);
    }

    /// <summary>
    /// R's <c>cluster::maxSE(f, SE.f, method, SE.factor)</c>: the index (zero-based) of the chosen entry of a curve
    /// <paramref name="f"/> with standard errors <paramref name="se"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Empty or mismatched arrays, or a negative SE or factor.</exception>
    public static int MaxSE(IReadOnlyList<double> f, IReadOnlyList<double> se, GapSelection method, double seFactor = 1)
    {
        int n = f.Count;
        if (n < 1 || se.Count != n) throw new ArgumentException($"maxSE needs equally long, non-empty curves (got {n} and {se.Count}).");
        if (seFactor < 0 || se.Any(s => s < 0)) throw new ArgumentException("Standard errors and SEFactor must be ≥ 0.");
        double Threshold(int k) => f[k] - seFactor * se[k];
        int FirstWithin(int top)
        {
            for (int k = 0; k < top; k++)
                if (f[k] >= Threshold(top)) return k;
            return top;
        }
        int FirstLocalMax()
        {
            for (int k = 0; k + 1 < n; k++)
                if (f[k + 1] <= f[k]) return k;
            return n - 1;
        }
        int GlobalMax()
        {
            int best = 0;
            for (int k = 1; k < n; k++)
                if (f[k] > f[best]) best = k;
            return best;
        }
        switch (method)
        {
            case GapSelection.FirstMax: return FirstLocalMax();
            case GapSelection.GlobalMax: return GlobalMax();
            case GapSelection.FirstSEMax: return FirstWithin(FirstLocalMax());
            case GapSelection.GlobalSEMax: return FirstWithin(GlobalMax());
            case GapSelection.Tibs2001SEMax:
                for (int k = 0; k + 1 < n; k++)
                    if (f[k] >= Threshold(k + 1)) return k;
                return n - 1;
            default: throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown gap selection rule.");
        }
    }

    /// <summary>W_k = ½ Σ_c (Σ_{i&lt;j in c} d_ijᵖ) / n_c, accumulated in double.</summary>
    internal static double WithinDispersion(FeatureMatrix x, int[] labels, int power)
    {
        int d = x.Columns, k = labels.Max() + 1;
        var members = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++) members[labels[i]].Add(i);
        double total = 0;
        foreach (var cluster in members.Where(m => m.Count > 0))
        {
            // Rows widened once, so every pair is an exact double computation.
            var rows = new double[cluster.Count * d];
            for (int r = 0; r < cluster.Count; r++)
                for (int j = 0; j < d; j++) rows[r * d + j] = x.ReadRow(cluster[r])[j];
            double sum = power == 2 ? SquaredPairSum(rows, cluster.Count, d) : PairSum(rows, cluster.Count, d, power);
            total += sum / cluster.Count;
        }
        return 0.5 * total;
    }

    // Σ_{i<j} ‖xᵢ − xⱼ‖² = n · Σᵢ ‖xᵢ − mean‖²: O(n · d) instead of all pairs.
    private static double SquaredPairSum(double[] rows, int n, int d)
    {
        var mean = new double[d];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) mean[j] += rows[r * d + j] / n;
        double sum = 0;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) sum += (rows[r * d + j] - mean[j]) * (rows[r * d + j] - mean[j]);
        return n * sum;
    }

    private static double PairSum(double[] rows, int n, int d, int power)
    {
        var perRow = new double[n];
        Parallel.For(0, n, i =>
        {
            var a = rows.AsSpan(i * d, d);
            double sum = 0;
            for (int j = i + 1; j < n; j++)
            {
                double distance = System.Numerics.Tensors.TensorPrimitives.Distance(a, rows.AsSpan(j * d, d));
                sum += power == 1 ? distance : Math.Pow(distance, power);
            }
            perRow[i] = sum;
        });
        // Summed in row order so the result does not depend on scheduling.
        return perRow.Sum();
    }
}
