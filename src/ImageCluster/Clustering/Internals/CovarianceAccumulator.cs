using System.Numerics;

namespace ImageCluster.Clustering;

/// <summary>
/// Sample covariance matrix (divisor n − 1) of the rows of a matrix, accumulated in double without ever
/// holding more than one block of rows in double. The work is split over output tiles, never over samples,
/// so each entry is summed in sample order and the result does not depend on the thread count.
/// </summary>
internal static class CovarianceAccumulator
{
    private const int BlockRows = 256;
    private const int Tile = 4;

    /// <summary>The mean of every column, summed in double in row order.</summary>
    public static double[] ColumnMeans(FeatureMatrix x)
    {
        var mean = new double[x.Columns];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.ReadRow(i);
            for (int f = 0; f < mean.Length; f++) mean[f] += row[f];
        }
        for (int f = 0; f < mean.Length; f++) mean[f] /= x.Rows;
        return mean;
    }

    /// <summary>Returns the covariance (row-major D × D, symmetric) and the column means.</summary>
    public static (double[] Covariance, double[] Mean) Compute(FeatureMatrix x, ParallelOptions parallel)
    {
        int n = x.Rows, d = x.Columns;
        var mean = ColumnMeans(x);

        int paddedD = (d + Tile - 1) / Tile * Tile;
        int tiles = paddedD / Tile;
        var gram = new double[paddedD * paddedD];
        // Feature-major block: transposed[f * BlockRows + r] = x[start + r, f] − mean[f]; unused slots stay 0.
        var transposed = new double[paddedD * BlockRows];
        for (int start = 0; start < n; start += BlockRows)
        {
            int count = Math.Min(BlockRows, n - start);
            if (count < BlockRows) Array.Clear(transposed);
            for (int r = 0; r < count; r++)
            {
                var row = x.ReadRow(start + r);
                for (int f = 0; f < d; f++) transposed[f * BlockRows + r] = row[f] - mean[f];
            }
            Parallel.For(0, tiles, parallel, p =>
            {
                for (int q = p; q < tiles; q++) AddTile(transposed, p * Tile, q * Tile, gram, paddedD);
            });
        }

        var covariance = new double[d * d];
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++)
                covariance[p * d + q] = covariance[q * d + p] = gram[p * paddedD + q] / (n - 1);
        return (covariance, mean);
    }

    private static void AddTile(double[] block, int p0, int q0, double[] gram, int stride)
    {
        var rows = block.AsSpan();
        Span<Vector<double>> acc = stackalloc Vector<double>[Tile * Tile];
        acc.Clear();
        int width = Vector<double>.Count;
        for (int s = 0; s < BlockRows; s += width)
        {
            var a0 = new Vector<double>(rows.Slice(p0 * BlockRows + s));
            var a1 = new Vector<double>(rows.Slice((p0 + 1) * BlockRows + s));
            var a2 = new Vector<double>(rows.Slice((p0 + 2) * BlockRows + s));
            var a3 = new Vector<double>(rows.Slice((p0 + 3) * BlockRows + s));
            for (int b = 0; b < Tile; b++)
            {
                var v = new Vector<double>(rows.Slice((q0 + b) * BlockRows + s));
                acc[b] = Vector.FusedMultiplyAdd(a0, v, acc[b]);
                acc[Tile + b] = Vector.FusedMultiplyAdd(a1, v, acc[Tile + b]);
                acc[2 * Tile + b] = Vector.FusedMultiplyAdd(a2, v, acc[2 * Tile + b]);
                acc[3 * Tile + b] = Vector.FusedMultiplyAdd(a3, v, acc[3 * Tile + b]);
            }
        }
        for (int a = 0; a < Tile; a++)
            for (int b = 0; b < Tile; b++)
                gram[(p0 + a) * stride + q0 + b] += Vector.Sum(acc[a * Tile + b]);
    }
}
