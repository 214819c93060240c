using System.Text.Json;
using System.Text.Json.Nodes;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Pipeline;

namespace ImageCluster.Reports;

/// <summary>
/// The report's bounded versions of the diagnose job's Hopkins statistic and gap statistic, and a tolerant
/// reader of run.json's optional parts.
/// </summary>
internal static class ReportDiagnostics
{
    /// <summary>Hopkins statistic of <paramref name="x"/> (already sampled by the caller), or null with the reason.</summary>
    public static (HopkinsResult? Result, string? Problem) Hopkins(FeatureMatrix x, int seed, CancellationToken ct)
    {
        if (x.Rows < 2) return (null, "too few images");
        try
        {
            return (Diagnostics.Hopkins.Compute(x, new HopkinsOptions { Seed = seed }, ct), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// The gap statistic (R's clusGap with firstSEmax, as <c>diagnose</c>) for k = 1…<paramref name="kMax"/> on a seeded
    /// random <paramref name="samples"/> of the rows, with <paramref name="references"/> reference sets and one K-Means
    /// start per fit. The sample is first rotated onto its principal axes (<see cref="PrincipalCoordinates"/>): all
    /// distances, and so K-Means and W_k, are unchanged, and the box of the original features in these coordinates is the
    /// box of the principal axes, so the references are drawn as <c>diagnose</c>'s (spaceH0 = scaledPCA) are — without a
    /// d × d eigenproblem and two rotations per reference set.
    /// </summary>
    public static (GapResult? Result, string? Problem) Gap(FeatureMatrix x, int kMax, int samples, int references, int seed, CancellationToken ct)
    {
        var rows = Sampling.Subset(x.Rows, samples, seed);
        var sample = PrincipalCoordinates(Sampling.Rows(x, rows), ct);
        kMax = Math.Min(kMax, sample.Rows - 1);
        if (kMax < 1 || sample.Columns == 0) return (null, "too few distinct images");
        try
        {
            return (GapStatistic.Compute(sample, new GapOptions
            {
                KMin = 1, KMax = kMax, B = references, Seed = seed, SampleSize = null, SpaceH0 = GapReferenceSpace.Original,
                KMeans = new KMeansOptions { NClusters = 1, NInit = 1, Seed = seed },
            }, ct), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// The rows' coordinates on their principal axes with non-zero variance (r ≤ min(n − 1, d) columns, largest variance
    /// first): an exact rotation of the centred rows, so all distances between them are kept. With n ≤ d from the n × n
    /// Gram matrix (X_c = U Σ Vᵀ gives X_c V = U Σ; O(n² · d + n³)), else from the d × d scatter matrix (X_c V;
    /// O(n · d² + d³)).
    /// </summary>
    internal static FeatureMatrix PrincipalCoordinates(FeatureMatrix x, CancellationToken ct)
    {
        int n = x.Rows, d = x.Columns;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int j = 0; j < d; j++) mean[j] += row[j] / (double)n;
        }
        var centred = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int j = 0; j < d; j++) centred[i * d + j] = row[j] - mean[j];
        }
        bool gram = n <= d;
        int m = gram ? n : d;
        // Gram: rows · rows; scatter: columns · columns (a transposed copy keeps both loops contiguous).
        int length = gram ? d : n;
        var vectorsOf = gram ? centred : Transpose(centred, n, d);
        var product = new double[m * m];
        Parallel.For(0, m, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var a = vectorsOf.AsSpan(i * length, length);
            for (int k = 0; k <= i; k++) product[i * m + k] = System.Numerics.Tensors.TensorPrimitives.Dot(a, vectorsOf.AsSpan(k * length, length));
        });
        for (int i = 0; i < m; i++)
            for (int k = i + 1; k < m; k++) product[i * m + k] = product[k * m + i];
        var (values, vectors) = SymmetricEigen.Decompose(product, m, ct);
        // Axes with (numerically) no variance carry no distance: the centred rows have rank ≤ n − 1.
        int r = values.TakeWhile(v => v > Math.Max(values[0], 0) * 1e-10).Count();
        var result = new FeatureMatrix(n, r);
        for (int c = 0; c < r; c++)
        {
            var axis = vectors.AsSpan(c * m, m);
            if (gram)
            {
                double sigma = Math.Sqrt(values[c]);
                for (int i = 0; i < n; i++) result.Data[i * r + c] = (float)(axis[i] * sigma);
            }
            else
                for (int i = 0; i < n; i++) result.Data[i * r + c] = (float)System.Numerics.Tensors.TensorPrimitives.Dot(centred.AsSpan(i * d, d), axis);
        }
        return result;
    }

    private static double[] Transpose(double[] a, int rows, int columns)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) t[j * rows + i] = a[i * columns + j];
        return t;
    }
}
