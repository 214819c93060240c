using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// All pairwise sample distances in SciPy's condensed order (pair i &lt; j at <c>RowBase[i] + j</c>), as doubles.
/// Filled in parallel row blocks with the blocked float dot-product kernel on centred rows; pairs where the
/// |a|² + |b|² − 2a·b shortcut loses precision to cancellation are recomputed exactly, in double precision and in
/// SciPy <c>pdist</c>'s own summation order. Time O(N² · d / threads), memory 8 · N(N − 1)/2 bytes.
/// </summary>
internal sealed class CondensedDistances
{
    // Below this fraction of |a|² + |b|² the float shortcut's rounding error (about eps · (|a|² + |b|²)) would exceed
    // ~1e-6 of the squared distance, so the pair is recomputed directly. Far pairs keep the fast kernel's value.
    private const float Cancellation = 0.25f;
    private const int BlockRows = 32;

    private CondensedDistances(int n, double[] values, long[] rowBase, double max)
    {
        N = n;
        Values = values;
        RowBase = rowBase;
        Max = max;
    }

    /// <summary>Number of samples.</summary>
    public int N { get; }

    /// <summary>The N(N − 1)/2 distances; the linkage algorithms overwrite them with cluster distances.</summary>
    public double[] Values { get; }

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
        var rowMax = new double[n];
        Parallel.For(0, n, parallel, i =>
        {
            var a = rows.AsSpan(i * d, d);
            double max = 0;
            for (int j = i + 1; j < n; j++)
            {
                var b = rows.AsSpan(j * d, d);
                double sum = 0;
                for (int k = 0; k < d; k++)
                {
                    double difference = a[k] - b[k];
                    sum += difference * difference;
                }
                double distance = Math.Sqrt(sum);
                values[rowBase[i] + j] = distance;
                max = Math.Max(max, distance);
            }
            rowMax[i] = max;
        });
        return new CondensedDistances(n, values, rowBase, n == 0 ? 0 : rowMax.Max());
    }

    /// <summary>Computes every pairwise distance of the rows of <paramref name="x"/>.</summary>
    public static CondensedDistances Compute(FeatureMatrix x, DistanceMetric metric, ParallelOptions parallel)
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

        int blocks = (n + BlockRows - 1) / BlockRows;
        var blockMax = new double[blocks];
        Parallel.For(0, blocks, parallel, () => new float[BlockRows * n], (block, _, products) =>
        {
            int start = block * BlockRows, count = Math.Min(BlockRows, n - start), width = n - start;
            var rows = new int[count];
            for (int r = 0; r < count; r++) rows[r] = start + r;
            DotKernel.RowsTimesTransposed(centred.Data, d, rows, centred.Data.AsSpan(start * d), width, products);
            double max = 0;
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                var row = values.AsSpan((int)(rowBase[i] + i + 1), n - i - 1);
                for (int j = i + 1; j < n; j++)
                {
                    float bound = norms[i] + norms[j];
                    float squared = bound - 2 * products[r * width + (j - start)];
                    double distance;
                    if (cosine && (exactNorms[i] == 0 || exactNorms[j] == 0)) distance = 1;
                    else if (squared >= Cancellation * bound) distance = cosine ? 0.5 * squared : Math.Sqrt(squared);
                    else distance = cosine ? ExactCosine(x, i, j, exactNorms) : ExactEuclidean(x.ReadRow(i), x.ReadRow(j));
                    row[j - i - 1] = distance;
                    if (distance > max) max = distance;
                }
            }
            blockMax[block] = max;
            return products;
        }, _ => { });
        double overall = 0;
        foreach (double m in blockMax) overall = Math.Max(overall, m);
        return new CondensedDistances(n, values, rowBase, overall);
    }

    private static (double[] Values, long[] RowBase) Allocate(int n)
    {
        var rowBase = new long[n];
        for (int i = 0; i < n; i++) rowBase[i] = (long)i * n - (long)i * (i + 1) / 2 - i - 1;
        return (GC.AllocateUninitializedArray<double>(checked((int)((long)n * (n - 1) / 2))), rowBase);
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
