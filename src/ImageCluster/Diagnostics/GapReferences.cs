using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>
/// The gap statistic's null-model samples, drawn as R's <c>clusGap</c> does: centre the data; for
/// <see cref="GapReferenceSpace.ScaledPca"/> rotate it onto its right singular vectors V (here the eigenvectors of
/// XᵀX, the same axes); draw each coordinate uniformly within the rotated data's range; rotate back (z·Vᵀ) and add
/// the mean. Time O(B · N · d²) for the rotation, memory O(N · d) per set.
/// </summary>
internal static class GapReferences
{
    public static FeatureMatrix[] Draw(FeatureMatrix x, int b, GapReferenceSpace space, Random random)
    {
        int n = x.Rows, d = x.Columns;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += x.ReadRow(i)[j] / (double)n;
        var centred = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) centred[i * d + j] = x.ReadRow(i)[j] - mean[j];

        double[]? axes = space == GapReferenceSpace.ScaledPca ? Axes(centred, n, d) : null;
        var rotated = axes is null ? centred : Multiply(centred, n, d, axes, transposed: true);
        var low = new double[d];
        var high = new double[d];
        Array.Fill(low, double.PositiveInfinity);
        Array.Fill(high, double.NegativeInfinity);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                low[j] = Math.Min(low[j], rotated[i * d + j]);
                high[j] = Math.Max(high[j], rotated[i * d + j]);
            }

        var sets = new FeatureMatrix[b];
        var z = new double[n * d];
        for (int set = 0; set < b; set++)
        {
            // Column by column, as R's apply(rng.x1, 2, runif) fills them.
            for (int j = 0; j < d; j++)
                for (int i = 0; i < n; i++) z[i * d + j] = low[j] + (high[j] - low[j]) * random.NextDouble();
            var back = axes is null ? z : Multiply(z, n, d, axes, transposed: false);
            var matrix = new FeatureMatrix(n, d);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) matrix.Data[i * d + j] = (float)(back[i * d + j] + mean[j]);
            sets[set] = matrix;
        }
        return sets;
    }

    /// <summary>Eigenvectors of XᵀX as rows (row-major d × d): the right singular vectors of the centred data.</summary>
    private static double[] Axes(double[] centred, int n, int d)
    {
        var gram = new double[d * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                double value = centred[i * d + a];
                for (int c = 0; c < d; c++) gram[a * d + c] += value * centred[i * d + c];
            }
        return SymmetricEigen.Decompose(gram, d).Vectors;
    }

    /// <summary>
    /// Rows of <paramref name="m"/> times the axes: with <paramref name="transposed"/> the coordinates on each axis
    /// (m · V), otherwise back from axis coordinates (m · Vᵀ).
    /// </summary>
    private static double[] Multiply(double[] m, int n, int d, double[] axes, bool transposed)
    {
        var result = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int c = 0; c < d; c++)
                {
                    // axes[a * d + c] is component c of axis a.
                    if (transposed) result[i * d + a] += m[i * d + c] * axes[a * d + c];
                    else result[i * d + c] += m[i * d + a] * axes[a * d + c];
                }
        return result;
    }
}
