using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// All pairwise sample distances in SciPy's condensed order (pair i &lt; j at <c>RowBase[i] + j</c>), as doubles.
/// Filled in parallel row blocks with the blocked float dot-product kernel on centred rows; pairs where the
/// |a|² + |b|² − 2a·b shortcut loses precision to cancellation are recomputed exactly, in double precision and in
/// SciPy <c>pdist</c>'s own summation order. Time O(N² · d / threads), memory 8 · N(N − 1)/2 bytes.
/// </summary>
internal sealed unsafe class CondensedDistances : IDisposable
{
    // Below this fraction of |a|² + |b|² the float shortcut's rounding error (about eps · (|a|² + |b|²)) would exceed
    // ~1e-6 of the squared distance, so the pair is recomputed directly. Far pairs keep the fast kernel's value.
    private const float Cancellation = 0.25f;
    private const int BlockRows = 128;

    private CondensedDistances(int n, HugePageBuffer values, long[] rowBase, double max)
    {
        N = n;
        _values = values;
        RowBase = rowBase;
        Max = max;
    }

    /// <summary>Number of samples.</summary>
    public int N { get; }

    private readonly HugePageBuffer _values;

    /// <summary>The N(N − 1)/2 distances; the linkage algorithms overwrite them with cluster distances.</summary>
    public double* Values => _values.Pointer;

    /// <summary>Frees the distances.</summary>
    public void Dispose() => _values.Dispose();

    /// <summary><c>RowBase[i] + j</c> is the position of pair (i, j), i &lt; j.</summary>
    public long[] RowBase { get; }

    /// <summary>Largest pairwise distance (0 for fewer than two samples), taken before any linkage step.</summary>
    public double Max { get; }

    /// <summary>Position of pair (i, j) for any i ≠ j.</summary>
    public long Index(int i, int j) => i < j ? RowBase[i] + j : RowBase[j] + i;

    /// <summary>
    /// Euclidean distances of double-precision rows (row-major <paramref name="rows"/>, <paramref name="n"/> × <paramref name="d"/>),
    /// each computed directly as SciPy's <c>pdist</c> does; for small inputs such as Birch's subcluster centroids.
    /// </summary>
    public static CondensedDistances ComputeExact(double[] rows, int n, int d, ParallelOptions parallel)
    {
        var (values, rowBase) = Allocate(n);
        // Samples packed in groups of four, feature-major inside a group: one vector load gives feature k of four
        // consecutive samples j, and a group's d vectors are contiguous. Each lane still sums its own pair in feature
        // order with a separate multiply and add (no fused multiply-add), so every distance is bit-identical to the
        // scalar loop of ExactDistance, i.e. to pdist.
        var packed = new double[(n + 3) / 4 * 4 * d];
        for (int j = 0; j < n; j++)
            for (int k = 0; k < d; k++) packed[j / 4 * 4 * d + k * 4 + j % 4] = rows[j * d + k];
        int blocks = (n + 3) / 4;
        var blockMax = new double[blocks];
        Parallel.For(0, blocks, parallel, block =>
        {
            int i0 = block * 4, count = Math.Min(4, n - i0);
            double max = 0;
            // Rows past the end repeat the last row; their results are not stored.
            int a0 = i0 * d, a1 = Math.Min(i0 + 1, n - 1) * d, a2 = Math.Min(i0 + 2, n - 1) * d, a3 = Math.Min(i0 + 3, n - 1) * d;
            Span<double> sums = stackalloc double[16];
            // Groups start at multiples of four; the first one may hold pairs with j ≤ i, which are skipped.
            int j = i0;
            for (; j + 4 <= n; j += 4)
            {
                GroupSums(rows, packed, d, a0, a1, a2, a3, j, sums);
                for (int r = 0; r < count; r++)
                    for (int lane = 0; lane < 4; lane++)
                        if (j + lane > i0 + r) max = Math.Max(max, values.Pointer[rowBase[i0 + r] + j + lane] = Math.Sqrt(sums[r * 4 + lane]));
            }
            for (; j < n; j++)
                for (int r = 0; r < count && i0 + r < j; r++)
                    max = Math.Max(max, values.Pointer[rowBase[i0 + r] + j] = ExactDistance(rows.AsSpan((i0 + r) * d, d), rows.AsSpan(j * d, d)));
            blockMax[block] = max;
        });
        return new CondensedDistances(n, values, rowBase, n == 0 ? 0 : blockMax.Max());
    }

    private static unsafe void GroupSums(double[] rows, double[] packed, int d, int a0, int a1, int a2, int a3, int j, Span<double> sums)
    {
        fixed (double* r = rows)
        fixed (double* p = packed)
        {
            double* b = p + (long)j * d;
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int k = 0; k < d; k++)
            {
                var column = Vector256.Load(b + 4 * k);
                var t0 = Vector256.Create(r[a0 + k]) - column;
                var t1 = Vector256.Create(r[a1 + k]) - column;
                var t2 = Vector256.Create(r[a2 + k]) - column;
                var t3 = Vector256.Create(r[a3 + k]) - column;
                s0 += t0 * t0;
                s1 += t1 * t1;
                s2 += t2 * t2;
                s3 += t3 * t3;
            }
            s0.CopyTo(sums);
            s1.CopyTo(sums[4..]);
            s2.CopyTo(sums[8..]);
            s3.CopyTo(sums[12..]);
        }
    }

    private static double ExactDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double difference = a[k] - b[k];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Computes every pairwise distance of the rows of <paramref name="x"/>.</summary>
    public static CondensedDistances Compute(FeatureMatrix x, DistanceMetric metric, ParallelOptions parallel,
        IProgress<StageProgress>? progress = null)
    {
        int n = x.Rows, d = x.Columns;
        var (values, rowBase) = Allocate(n);
        bool cosine = metric == DistanceMetric.Cosine;
        // Cosine distance of unit rows is half their squared Euclidean distance, so one kernel serves both metrics.
        var centred = Centred(cosine ? x.UnitRows() : x);
        var norms = new float[n];
        var exactNorms = new double[n];
        for (int i = 0; i < n; i++)
        {
            norms[i] = TensorPrimitives.Dot(centred.ReadRow(i), centred.ReadRow(i));
            if (cosine) exactNorms[i] = Math.Sqrt(SequentialDot(x.ReadRow(i), x.ReadRow(i)));
        }

        int blocks = (n + BlockRows - 1) / BlockRows, tile = TileColumns(d);
        var blockMax = new double[blocks];
        var meter = WorkMeter.Start(progress, "agglomerative distances", n);
        Parallel.For(0, blocks, parallel, () => (new float[BlockRows * tile], new int[BlockRows]), (block, _, scratch) =>
        {
            var (products, rows) = scratch;
            int start = block * BlockRows, count = Math.Min(BlockRows, n - start);
            for (int r = 0; r < count; r++) rows[r] = start + r;
            double max = 0;
            for (int first = start; first < n; first += tile)
            {
                int width = Math.Min(tile, n - first);
                DotKernel.RowsTimesTransposed(centred.Data, d, rows.AsSpan(0, count), centred.Data.AsSpan(first * d, width * d), width, products);
                for (int r = 0; r < count; r++)
                {
                    int i = start + r;
                    for (int j = Math.Max(first, i + 1); j < first + width; j++)
                    {
                        float bound = norms[i] + norms[j];
                        float squared = bound - 2 * products[r * width + (j - first)];
                        double distance;
                        if (cosine && (exactNorms[i] == 0 || exactNorms[j] == 0)) distance = 1;
                        else if (squared >= Cancellation * bound) distance = cosine ? 0.5 * squared : Math.Sqrt(squared);
                        else distance = cosine ? ExactCosine(x, i, j, exactNorms) : ExactEuclidean(x.ReadRow(i), x.ReadRow(j));
                        values.Pointer[rowBase[i] + j] = distance;
                        if (distance > max) max = distance;
                    }
                }
            }
            blockMax[block] = max;
            meter.Add(count);
            return scratch;
        }, _ => { });
        meter.Finish();
        double overall = 0;
        foreach (double m in blockMax) overall = Math.Max(overall, m);
        return new CondensedDistances(n, values, rowBase, overall);
    }

    /// <summary>
    /// Columns per call of the dot kernel: about 32 KB of them, so a tile stays in cache while a whole block of rows
    /// passes over it (without tiling, every four rows would stream all N columns from memory).
    /// </summary>
    internal static int TileColumns(int d) => Math.Clamp(8_192 / Math.Max(d, 1) / 4 * 4, 8, 256);

    private static (HugePageBuffer Values, long[] RowBase) Allocate(int n)
    {
        var rowBase = new long[n];
        for (int i = 0; i < n; i++) rowBase[i] = (long)i * n - (long)i * (i + 1) / 2 - i - 1;
        return (new HugePageBuffer((long)n * (n - 1) / 2), rowBase);
    }

    /// <summary>√Σ(aₖ − bₖ)² in double, summed in feature order as SciPy's <c>pdist</c> does.</summary>
    public static double ExactEuclidean(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double difference = (double)a[k] - b[k];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }

    private static double ExactCosine(FeatureMatrix x, int i, int j, double[] norms) =>
        Math.Clamp(1 - SequentialDot(x.ReadRow(i), x.ReadRow(j)) / (norms[i] * norms[j]), 0, 2);

    private static double SequentialDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += (double)a[k] * b[k];
        return sum;
    }

    // Distances do not change under translation, but the |a|² + |b|² − 2a·b shortcut is far more accurate
    // when the norms are small, i.e. around the mean.
    private static FeatureMatrix Centred(FeatureMatrix x) => Centred(x, ColumnMeans(x));

    /// <summary>Column means of <paramref name="x"/>, accumulated in double.</summary>
    internal static float[] ColumnMeans(FeatureMatrix x)
    {
        int n = x.Rows, d = x.Columns;
        var sum = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int f = 0; f < d; f++) sum[f] += row[f];
        }
        var mean = new float[d];
        for (int f = 0; f < d; f++) mean[f] = n == 0 ? 0 : (float)(sum[f] / n);
        return mean;
    }

    /// <summary>A copy of <paramref name="x"/> with <paramref name="mean"/> subtracted from every row.</summary>
    internal static FeatureMatrix Centred(FeatureMatrix x, float[] mean)
    {
        var centred = new FeatureMatrix(x.Rows, x.Columns);
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Subtract(x.ReadRow(i), mean, centred.Row(i));
        return centred;
    }
}
