namespace ImageCluster.Clustering;

/// <summary>
/// Principal component analysis by eigen-decomposition of the sample covariance matrix (divisor n − 1),
/// matching scikit-learn's <c>PCA</c> up to floating-point error. Memory is O(D²), independent of the
/// number of samples. When there are fewer samples than features, the covariance has rank at most n − 1,
/// so components beyond that carry (numerically) zero variance.
/// </summary>
public static class Pca
{
    /// <summary>Fits a model to the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    public static PcaModel Fit(FeatureMatrix x, PcaOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(x.Rows, x.Columns);
        foreach (float v in x.Data)
            if (!float.IsFinite(v))
                throw new ArgumentException("The feature matrix contains a NaN or infinite value.", nameof(x));

        int d = x.Columns;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        var (covariance, mean) = CovarianceAccumulator.Compute(x, parallel);
        double totalVariance = 0;
        for (int f = 0; f < d; f++) totalVariance += covariance[f * d + f];
        var (values, vectors) = SymmetricEigen.Decompose(covariance, d, cancellation);

        int available = Math.Min(x.Rows, d);
        var ratios = new double[available];
        for (int c = 0; c < available; c++)
        {
            values[c] = Math.Max(0, values[c]); // tiny negative eigenvalues are rounding noise
            ratios[c] = totalVariance > 0 ? values[c] / totalVariance : 0;
        }
        int keep = options.Components >= 1 ? (int)options.Components : CountReaching(ratios, options.Components);

        var components = new FeatureMatrix(keep, d);
        for (int c = 0; c < keep; c++)
        {
            var vector = vectors.AsSpan(c * d, d);
            // scikit-learn's svd_flip convention: the largest-magnitude entry of each component is positive.
            int largest = 0;
            for (int f = 1; f < d; f++)
                if (Math.Abs(vector[f]) > Math.Abs(vector[largest])) largest = f;
            double sign = vector[largest] < 0 ? -1 : 1;
            var row = components.Row(c);
            for (int f = 0; f < d; f++) row[f] = (float)(sign * vector[f]);
        }
        return new PcaModel(
            mean.Select(m => (float)m).ToArray(),
            components,
            values.AsSpan(0, keep).ToArray(),
            ratios.AsSpan(0, keep).ToArray(),
            options.Whiten);
    }

    /// <summary>Smallest count whose cumulative ratio reaches <paramref name="fraction"/> (all, if none does).</summary>
    private static int CountReaching(double[] ratios, double fraction)
    {
        double cumulative = 0;
        for (int c = 0; c < ratios.Length; c++)
        {
            cumulative += ratios[c];
            if (cumulative >= fraction) return c + 1;
        }
        return ratios.Length;
    }
}
