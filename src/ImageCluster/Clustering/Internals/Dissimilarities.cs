using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// All pairwise dissimilarities of a data set as a full symmetric N×N float matrix (rows contiguous, so a candidate's
/// distances to every sample stream from memory), computed in double from the float samples and then rounded once,
/// so each entry is R's double distance to float precision. Memory 4·N² bytes; time O(N²·D).
/// </summary>
internal sealed class Dissimilarities
{
    private readonly double[] _rows;
    private readonly int _d;
    private readonly DistanceMetric _metric;

    private Dissimilarities(int n, int d, double[] rows, DistanceMetric metric)
    {
        N = n;
        _d = d;
        _rows = rows;
        _metric = metric;
        Values = new float[n * n];
    }

    public int N { get; }

    /// <summary>Row-major N×N values; the diagonal is 0.</summary>
    public float[] Values { get; }

    /// <summary>The largest dissimilarity (0 for a single sample).</summary>
    public double Max { get; private set; }

    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * N, N);

    public float this[int i, int j] => Values[i * N + j];

    /// <summary>
    /// Builds the matrix. Cosine works on unit-length copies of the rows (an all-zero row stays zero, so it is at
    /// distance 1 from everything else, as in scikit-learn).
    /// </summary>
    public static Dissimilarities Compute(FeatureMatrix x, DistanceMetric metric, ParallelOptions parallel,
        IProgress<StageProgress>? progress = null)
    {
        int n = x.Rows, d = x.Columns;
        var rows = new double[n * d];
        for (int i = 0; i < x.Data.Length; i++) rows[i] = x.Data[i];
        if (metric == DistanceMetric.Cosine)
            for (int i = 0; i < n; i++)
            {
                var row = rows.AsSpan(i * d, d);
                double norm = Math.Sqrt(TensorPrimitives.Dot<double>(row, row));
                if (norm > 0) TensorPrimitives.Divide(row, norm, row);
            }
        var matrix = new Dissimilarities(n, d, rows, metric);
        var values = matrix.Values;
        var meter = WorkMeter.Start(progress, "kmedoids distances", n);
        System.Threading.Tasks.Parallel.For(0, n, parallel, i =>
        {
            for (int j = i + 1; j < n; j++) values[i * n + j] = (float)matrix.Exact(i, j);
            meter.Add(1);
        });
        meter.Finish();
        // Mirror in tiles so both the reads and the writes stay within a few cache lines.
        const int tile = 64;
        int tiles = (n + tile - 1) / tile;
        System.Threading.Tasks.Parallel.For(0, tiles, parallel, bi =>
        {
            for (int bj = bi; bj < tiles; bj++)
                for (int i = bi * tile; i < Math.Min(n, (bi + 1) * tile); i++)
                    for (int j = Math.Max(i + 1, bj * tile); j < Math.Min(n, (bj + 1) * tile); j++)
                        values[j * n + i] = values[i * n + j];
        });
        matrix.Max = n > 1 ? TensorPrimitives.Max<float>(values) : 0;
        return matrix;
    }

    /// <summary>The dissimilarity of samples <paramref name="i"/> and <paramref name="j"/> in double, before rounding.</summary>
    public double Exact(int i, int j)
    {
        if (i == j) return 0;
        var a = _rows.AsSpan(i * _d, _d);
        var b = _rows.AsSpan(j * _d, _d);
        return _metric == DistanceMetric.Cosine
            ? Math.Max(0, 1 - TensorPrimitives.Dot<double>(a, b))
            : TensorPrimitives.Distance<double>(a, b);
    }
}
