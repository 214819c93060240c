using System.Buffers;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// The samples as k-means works on them: a centred copy (as scikit-learn does, so that the
/// ‖x‖² − 2x·c + ‖c‖² expansion loses less precision) plus the shared parallel building blocks.
/// Work is split into fixed-size row blocks and column chunks that do not depend on the thread
/// count, and partial results are combined in block order, so every result is reproducible.
/// </summary>
internal sealed class KMeansData
{
    /// <summary>Rows per work item; also bounds the per-thread distance buffer.</summary>
    public const int BlockRows = 256;

    private const int ColumnChunk = 64;

    public KMeansData(FeatureMatrix x, ParallelOptions parallel)
    {
        N = x.Rows;
        D = x.Columns;
        Parallel = parallel;
        Mean = new float[D];
        X = (float[])x.Data.Clone();
        AllRows = Enumerable.Range(0, N).ToArray();

        var sums = new double[D];
        var squares = new double[D];
        ForColumnChunks(range =>
        {
            for (int i = 0; i < N; i++)
            {
                var row = x.Data.AsSpan(i * D, D);
                for (int j = range.Start.Value; j < range.End.Value; j++)
                {
                    double v = row[j];
                    sums[j] += v;
                    squares[j] += v * v;
                }
            }
        });
        double varianceTotal = 0;
        for (int j = 0; j < D; j++)
        {
            double mean = sums[j] / N;
            Mean[j] = (float)mean;
            varianceTotal += Math.Max(0, squares[j] / N - mean * mean);
        }
        MeanFeatureVariance = D == 0 ? 0 : varianceTotal / D;

        SquaredNorms = new float[N];
        ForBlocks(N, (start, count) =>
        {
            for (int i = start; i < start + count; i++)
            {
                var row = X.AsSpan(i * D, D);
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, Mean, row);
                SquaredNorms[i] = DotKernel.Dot(row, row);
            }
        });
    }

    public int N { get; }
    public int D { get; }
    public float[] X { get; }
    public float[] Mean { get; }
    public float[] SquaredNorms { get; }
    public int[] AllRows { get; }
    public double MeanFeatureVariance { get; }
    public ParallelOptions Parallel { get; }

    public int BlockCount(int rows) => (rows + BlockRows - 1) / BlockRows;

    public ReadOnlySpan<float> Row(int i) => X.AsSpan(i * D, D);

    /// <summary>Runs <paramref name="body"/>(start, count) over fixed row blocks of [0, rows).</summary>
    public void ForBlocks(int rows, Action<int, int> body) =>
        System.Threading.Tasks.Parallel.For(0, BlockCount(rows), Parallel, b =>
        {
            int start = b * BlockRows;
            body(start, Math.Min(BlockRows, rows - start));
        });

    /// <summary>Runs <paramref name="body"/> over fixed column chunks of [0, D).</summary>
    public void ForColumnChunks(Action<Range> body) =>
        System.Threading.Tasks.Parallel.For(0, (D + ColumnChunk - 1) / ColumnChunk, Parallel, c =>
            body(new Range(c * ColumnChunk, Math.Min(D, (c + 1) * ColumnChunk))));

    /// <summary>Squared norm of each of the <paramref name="k"/> centre rows.</summary>
    public float[] CentreNorms(float[] centres, int k)
    {
        var norms = new float[k];
        for (int j = 0; j < k; j++)
        {
            var c = centres.AsSpan(j * D, D);
            norms[j] = DotKernel.Dot(c, c);
        }
        return norms;
    }

    /// <summary>
    /// Nearest centre of every sample (ties go to the lowest centre index) and the squared distance to it,
    /// via the blocked x·cᵀ product.
    /// </summary>
    public void Assign(float[] centres, int k, int[] labels, float[] nearestSquared)
    {
        float[] centreNorms = CentreNorms(centres, k);
        System.Threading.Tasks.Parallel.For(0, BlockCount(N), Parallel,
            () => ArrayPool<float>.Shared.Rent(BlockRows * k),
            (b, _, products) =>
            {
                int start = b * BlockRows, count = Math.Min(BlockRows, N - start);
                DotKernel.RowsTimesTransposed(X, D, AllRows.AsSpan(start, count), centres, k, products);
                for (int r = 0; r < count; r++)
                {
                    var g = products.AsSpan(r * k, k);
                    int best = 0;
                    float bestValue = centreNorms[0] - 2 * g[0];
                    for (int j = 1; j < k; j++)
                    {
                        float value = centreNorms[j] - 2 * g[j];
                        if (value < bestValue) { bestValue = value; best = j; }
                    }
                    labels[start + r] = best;
                    nearestSquared[start + r] = Math.Max(0f, SquaredNorms[start + r] + bestValue);
                }
                return products;
            },
            products => ArrayPool<float>.Shared.Return(products));
    }

    /// <summary>
    /// Per-cluster member counts and coordinate sums (in double). Each cluster's members are added in
    /// row order by one worker, so the sums do not depend on the thread count.
    /// </summary>
    public void SumByCluster(int[] labels, int k, double[] sums, int[] counts)
    {
        Array.Clear(counts);
        foreach (int label in labels) counts[label]++;
        var offsets = new int[k + 1];
        for (int j = 0; j < k; j++) offsets[j + 1] = offsets[j] + counts[j];
        var members = new int[N];
        var cursor = offsets.AsSpan(0, k).ToArray();
        for (int i = 0; i < N; i++) members[cursor[labels[i]]++] = i;
        System.Threading.Tasks.Parallel.For(0, k, Parallel, j =>
        {
            var target = sums.AsSpan(j * D, D);
            target.Clear();
            for (int m = offsets[j]; m < offsets[j + 1]; m++) AddWidened(Row(members[m]), target);
        });
    }

    private static void AddWidened(ReadOnlySpan<float> source, Span<double> target)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= source.Length; i += 8)
            {
                var v = Vector256.Create(source.Slice(i, 8));
                var lo = Vector256.Create(target.Slice(i, 4)) + Vector256.WidenLower(v);
                var hi = Vector256.Create(target.Slice(i + 4, 4)) + Vector256.WidenUpper(v);
                lo.CopyTo(target.Slice(i, 4));
                hi.CopyTo(target.Slice(i + 4, 4));
            }
        }
        for (; i < source.Length; i++) target[i] += source[i];
    }

    /// <summary>Exact Euclidean distance of each sample to its assigned centre (no expansion).</summary>
    public float[] ExactDistances(float[] centres, int[] labels)
    {
        var distances = new float[N];
        ForBlocks(N, (start, count) =>
        {
            for (int i = start; i < start + count; i++)
                distances[i] = System.Numerics.Tensors.TensorPrimitives.Distance(Row(i), centres.AsSpan(labels[i] * D, D));
        });
        return distances;
    }
}
