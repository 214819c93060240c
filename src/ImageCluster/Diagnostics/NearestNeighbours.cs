using System.Buffers;
using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>
/// Blocked brute-force k nearest neighbours: for every query row, the k data rows at the smallest Euclidean distance.
/// The float32 dot-product kernel (on copies centred at the data mean, which keeps ‖a‖² + ‖b‖² − 2a·b accurate)
/// shortlists <c>k + Margin</c> candidates; their distances are then recomputed exactly in double, so the reported
/// values equal the exact distances of the chosen rows, and ties are ordered by the lower data index.
/// Time O(queries · rows · d); memory O(queries · k) plus one QueryBlock × DataBlock scratch per worker — never N × N.
/// </summary>
internal static class NearestNeighbours
{
    private const int QueryBlock = 64;
    private const int DataBlock = 1024;

    // Extra float32 candidates kept so that rounding cannot push a true neighbour out of the shortlist.
    private const int Margin = 4;

    /// <summary>
    /// Returns, per query, its <paramref name="k"/> nearest data rows (flat arrays, query-major, nearest first).
    /// <paramref name="exclude"/>[q], when given and ≥ 0, is a data row that query q may not pick (itself).
    /// </summary>
    public static (double[] Distances, int[] Indices) Query(FeatureMatrix data, FeatureMatrix queries, int k,
        int[]? exclude = null, CancellationToken cancellation = default)
    {
        int n = data.Rows, d = data.Columns, q = queries.Rows;
        int available = n - (exclude is null ? 0 : 1);
        if (k < 1 || k > available) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} neighbours among {available} candidates.");
        int shortlist = Math.Min(available, k + Margin);
        var mean = new float[d];
        var sums = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = data.ReadRow(i);
            for (int j = 0; j < d; j++) sums[j] += row[j];
        }
        for (int j = 0; j < d; j++) mean[j] = (float)(sums[j] / n);
        var (centredData, dataNorms) = Centre(data, mean);
        var (centredQueries, queryNorms) = Centre(queries, mean);

        var distances = new double[q * k];
        var indices = new int[q * k];
        var parallel = new ParallelOptions { CancellationToken = cancellation };
        Parallel.For(0, (q + QueryBlock - 1) / QueryBlock, parallel, block =>
        {
            int start = block * QueryBlock, count = Math.Min(QueryBlock, q - start);
            var rows = new int[count];
            for (int r = 0; r < count; r++) rows[r] = start + r;
            float[] products = ArrayPool<float>.Shared.Rent(QueryBlock * DataBlock);
            var bestValue = new float[count * shortlist];
            var bestIndex = new int[count * shortlist];
            var filled = new int[count];
            try
            {
                for (int dataStart = 0; dataStart < n; dataStart += DataBlock)
                {
                    cancellation.ThrowIfCancellationRequested();
                    int dataCount = Math.Min(DataBlock, n - dataStart);
                    DotKernel.RowsTimesTransposed(centredQueries, d, rows, centredData.AsSpan(dataStart * d, dataCount * d),
                        dataCount, products);
                    for (int r = 0; r < count; r++)
                    {
                        int skip = exclude is null ? -1 : exclude[start + r];
                        var values = bestValue.AsSpan(r * shortlist, shortlist);
                        var ids = bestIndex.AsSpan(r * shortlist, shortlist);
                        for (int c = 0; c < dataCount; c++)
                        {
                            int index = dataStart + c;
                            if (index == skip) continue;
                            float squared = queryNorms[start + r] + dataNorms[index] - 2 * products[r * dataCount + c];
                            Insert(values, ids, ref filled[r], squared, index);
                        }
                    }
                }
                for (int r = 0; r < count; r++)
                    Refine(data, queries.ReadRow(start + r), bestIndex.AsSpan(r * shortlist, shortlist), k,
                        distances.AsSpan((start + r) * k, k), indices.AsSpan((start + r) * k, k));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(products);
            }
        });
        return (distances, indices);
    }

    private static (float[] Rows, float[] Norms) Centre(FeatureMatrix x, float[] mean)
    {
        int d = x.Columns;
        var rows = (float[])x.Data.Clone();
        var norms = new float[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = rows.AsSpan(i * d, d);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, mean, row);
            norms[i] = DotKernel.Dot(row, row);
        }
        return (rows, norms);
    }

    // Sorted insertion into a short list; equal values keep the earlier (lower) index, as rows arrive in index order.
    private static void Insert(Span<float> values, Span<int> ids, ref int filled, float value, int index)
    {
        if (filled == values.Length && value >= values[filled - 1]) return;
        int position = filled == values.Length ? filled - 1 : filled++;
        while (position > 0 && values[position - 1] > value)
        {
            values[position] = values[position - 1];
            ids[position] = ids[position - 1];
            position--;
        }
        values[position] = value;
        ids[position] = index;
    }

    private static void Refine(FeatureMatrix data, ReadOnlySpan<float> query, Span<int> candidates, int k,
        Span<double> distances, Span<int> indices)
    {
        var exact = new (double Distance, int Index)[candidates.Length];
        for (int c = 0; c < candidates.Length; c++) exact[c] = (ExactDistance(query, data.ReadRow(candidates[c])), candidates[c]);
        Array.Sort(exact);
        for (int j = 0; j < k; j++) (distances[j], indices[j]) = exact[j];
    }

    /// <summary>Euclidean distance accumulated in double from the float values.</summary>
    public static double ExactDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double difference = (double)a[j] - b[j];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }
}
