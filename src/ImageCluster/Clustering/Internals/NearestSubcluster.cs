using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// Index of each sample's nearest centre, as scikit-learn's <c>pairwise_distances_argmin</c> (lowest index on ties).
/// Candidates are screened with the blocked float kernel on centred data; every centre whose screened score lies within
/// the kernel's error bound of the best is rescored in double, so the answer is the double-precision one.
/// Time O(N · S · d / threads); memory O(S · (d + block)) besides a centred copy of the data.
/// </summary>
internal static class NearestSubcluster
{
    private const int BlockRows = 64;

    public static int[] Assign(FeatureMatrix x, double[] centres, int s, ParallelOptions parallel)
    {
        int n = x.Rows, d = x.Columns;
        var mean = CondensedDistances.ColumnMeans(x);
        var data = CondensedDistances.Centred(x, mean);
        var shifted = new FeatureMatrix(s, d);
        var exactNorms = new double[s];
        for (int j = 0; j < s; j++)
        {
            var centre = centres.AsSpan(j * d, d);
            var row = shifted.Row(j);
            for (int f = 0; f < d; f++) row[f] = (float)(centre[f] - mean[f]);
            exactNorms[j] = CFSubcluster.Dot(centre, centre);
        }
        var norms = new float[s];
        float maxNorm = 0;
        for (int j = 0; j < s; j++) maxNorm = Math.Max(maxNorm, norms[j] = TensorPrimitives.Dot(shifted.ReadRow(j), shifted.ReadRow(j)));
        // Float rounding of a d-term dot product stays below d · 2⁻²⁴ · (|x|² + |c|²); two scores are compared.
        float relativeError = 2f * (d + 2) * MathF.Pow(2, -24);

        var nearest = new int[n];
        int blocks = (n + BlockRows - 1) / BlockRows;
        int tile = CondensedDistances.TileColumns(d);
        Parallel.For(0, blocks, parallel, () => (new float[BlockRows * s], new int[BlockRows], new double[d], new float[BlockRows * tile]), (block, _, scratch) =>
        {
            var (products, rows, sample, tileProducts) = scratch;
            int start = block * BlockRows, count = Math.Min(BlockRows, n - start);
            for (int r = 0; r < count; r++) rows[r] = start + r;
            // Centre tiles small enough to stay in cache while the block's rows pass over them.
            for (int first = 0; first < s; first += tile)
            {
                int width = Math.Min(tile, s - first);
                DotKernel.RowsTimesTransposed(data.Data, d, rows.AsSpan(0, count), shifted.Data.AsSpan(first * d, width * d), width, tileProducts);
                for (int r = 0; r < count; r++)
                    tileProducts.AsSpan(r * width, width).CopyTo(products.AsSpan(r * s + first, width));
            }
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                var scores = products.AsSpan(r * s, s);
                float best = float.PositiveInfinity;
                for (int j = 0; j < s; j++) best = Math.Min(best, scores[j] = norms[j] - 2 * scores[j]);
                float selfNorm = TensorPrimitives.Dot(data.ReadRow(i), data.ReadRow(i));
                float cutoff = best + relativeError * (selfNorm + maxNorm);
                var row = x.ReadRow(i);
                for (int f = 0; f < d; f++) sample[f] = row[f];
                int arg = -1;
                double bestExact = double.PositiveInfinity;
                for (int j = 0; j < s; j++)
                {
                    if (scores[j] > cutoff) continue;
                    double exact = CFSubcluster.Dot(sample, centres.AsSpan(j * d, d)) * -2 + exactNorms[j];
                    if (exact < bestExact || arg < 0) { bestExact = exact; arg = j; }
                }
                nearest[i] = arg;
            }
            return scratch;
        }, _ => { });
        return nearest;
    }
}
