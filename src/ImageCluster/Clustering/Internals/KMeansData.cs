using System.Buffers;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// The samples as k-means works on them: centred on their mean (as scikit-learn does, so that the
/// ‖x‖² − 2x·c + ‖c‖² expansion loses less precision), in a copy or in the caller's own matrix,
/// plus the shared parallel building blocks.
/// Work is split into fixed-size row blocks and column chunks that do not depend on the thread
/// count, and partial results are combined in block order, so every result is reproducible.
/// </summary>
internal sealed class KMeansData
{
    /// <summary>Rows per work item; also bounds the per-thread distance buffer.</summary>
    public const int BlockRows = 256;

    /// <param name="x">The samples.</param>
    /// <param name="parallel">How the passes over the samples run.</param>
    /// <param name="centreInPlace">Centre <paramref name="x"/>'s own values instead of a copy; <see cref="RestoreInPlace"/> adds the
    /// mean back. Saves one copy of the data, which at 100 000 × 1280 is 0.5 GB.</param>
    public KMeansData(FeatureMatrix x, ParallelOptions parallel, bool centreInPlace = false)
    {
        N = x.Rows;
        D = x.Columns;
        Parallel = parallel;
        Mean = new float[D];
        X = centreInPlace ? x.Data : (float[])x.Data.Clone();
        AllRows = Enumerable.Range(0, N).ToArray();

        var sums = new double[D];
        var squares = new double[D];
        // Row-wise and vectorised, yet each column still accumulates in row order, as the column-wise
        // loop it replaces did; that loop strode across rows and was slower than everything after it.
        for (int i = 0; i < N; i++) AddWidenedWithSquares(x.Data.AsSpan(i * D, D), sums, squares);
        double varianceTotal = 0;
        for (int j = 0; j < D; j++)
        {
            double mean = sums[j] / N;
            Mean[j] = (float)mean;
            varianceTotal += Math.Max(0, squares[j] / N - mean * mean);
        }
        MeanFeatureVariance = D == 0 ? 0 : varianceTotal / D;

        SquaredNorms = new float[N];
        // Whole or not at all: a matrix centred in place must come back whole however the fit ends.
        UncancellableBlocks((start, count) =>
        {
            for (int i = start; i < start + count; i++)
            {
                var row = X.AsSpan(i * D, D);
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, Mean, row);
                SquaredNorms[i] = DotKernel.Dot(row, row);
            }
        });
    }

    private KMeansData(KMeansData source, ParallelOptions parallel)
    {
        N = source.N;
        D = source.D;
        X = source.X;
        Mean = source.Mean;
        SquaredNorms = source.SquaredNorms;
        AllRows = source.AllRows;
        MeanFeatureVariance = source.MeanFeatureVariance;
        Parallel = parallel;
    }

    /// <summary>
    /// Adds the mean back to every row of a matrix centred in place. A value may come back one unit in the last place away
    /// from what it was, as with scikit-learn's <c>copy_x=False</c>. Not cancellable: it runs when a fit ends, however it ends.
    /// </summary>
    public void RestoreInPlace() => UncancellableBlocks((start, count) =>
    {
        for (int i = start; i < start + count; i++)
        {
            var row = X.AsSpan(i * D, D);
            System.Numerics.Tensors.TensorPrimitives.Add(row, Mean, row);
        }
    });

    // ForBlocks over all rows without the fit's cancellation token.
    private void UncancellableBlocks(Action<int, int> body) =>
        WithParallelism(new ParallelOptions { MaxDegreeOfParallelism = Parallel.MaxDegreeOfParallelism }).ForBlocks(N, body);

    /// <summary>The same samples with other parallel settings (nothing is copied).</summary>
    public KMeansData WithParallelism(ParallelOptions parallel) => new(this, parallel);

    /// <summary>True when work runs inline on the caller's thread, with no Parallel.For machinery.</summary>
    public bool IsSequential => Parallel.MaxDegreeOfParallelism == 1;

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
        ForBlocks(rows, () => 0, (_, start, count, _) => body(start, count), _ => { });

    /// <summary>
    /// Runs <paramref name="body"/>(block, start, count, local) over fixed row blocks of [0, rows), with one
    /// scratch object per worker. A single block or a sequential view runs inline: for the small per-step
    /// work of k-means++ the cost of waking workers would exceed the work itself.
    /// </summary>
    public void ForBlocks<TLocal>(int rows, Func<TLocal> createLocal, Action<int, int, int, TLocal> body,
        Action<TLocal> releaseLocal)
    {
        int blocks = BlockCount(rows);
        if (IsSequential || blocks <= 1)
        {
            TLocal local = createLocal();
            try
            {
                for (int b = 0; b < blocks; b++)
                {
                    Parallel.CancellationToken.ThrowIfCancellationRequested();
                    body(b, b * BlockRows, Math.Min(BlockRows, rows - b * BlockRows), local);
                }
            }
            finally
            {
                releaseLocal(local);
            }
            return;
        }
        System.Threading.Tasks.Parallel.For(0, blocks, Parallel, createLocal, (b, _, local) =>
        {
            body(b, b * BlockRows, Math.Min(BlockRows, rows - b * BlockRows), local);
            return local;
        }, releaseLocal);
    }

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
        ForBlocks(N, () => ArrayPool<float>.Shared.Rent(BlockRows * k),
            (_, start, count, products) =>
            {
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
        if (IsSequential)
        {
            // Row order is each cluster's member order, so this matches the partitioned sums exactly.
            Array.Clear(sums);
            for (int i = 0; i < N; i++) AddWidened(Row(i), sums.AsSpan(labels[i] * D, D));
            return;
        }
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

    private static void AddWidenedWithSquares(ReadOnlySpan<float> source, Span<double> sums, Span<double> squares)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= source.Length; i += 4)
            {
                var v = Vector256.Create(source[i], source[i + 1], source[i + 2], source[i + 3]);
                (Vector256.Create(sums.Slice(i, 4)) + v).CopyTo(sums.Slice(i, 4));
                // Multiply then add, not fused, to round exactly like the scalar tail.
                (Vector256.Create(squares.Slice(i, 4)) + v * v).CopyTo(squares.Slice(i, 4));
            }
        }
        for (; i < source.Length; i++)
        {
            double v = source[i];
            sums[i] += v;
            squares[i] += v * v;
        }
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
