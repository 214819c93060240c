using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// Distances between the rows of one matrix: Euclidean, or cosine on unit-length rows (½‖a − b‖², and 1 against an
/// all-zero row, as scikit-learn). The kernels work on a monotone "key" of the distance — the squared Euclidean distance
/// (2 for a pair with an all-zero row under cosine) — so searches compare keys and take one root at the end.
/// </summary>
/// <remarks>
/// The squared differences are summed directly rather than through ‖a‖² + ‖b‖² − 2a·b: that identity loses most digits of
/// small distances between long vectors, and HDBSCAN's core distances are exactly such small distances. Every pair is
/// summed lane-wise in the same order whether alone, in a block or against a copy of the rows, so a pair's distance found
/// by the nearest-neighbour search (a core distance) is bit-identical to the same pair's distance in the spanning tree:
/// ties of the mutual reachability graph stay ties, as they are in R.
/// </remarks>
internal sealed unsafe class PointDistances
{
    private readonly bool _cosine;
    private readonly bool _hasZeroRows;

    public PointDistances(FeatureMatrix x, DistanceMetric metric)
    {
        Count = x.Rows;
        Dimensions = x.Columns;
        _cosine = metric == DistanceMetric.Cosine;
        Data = _cosine ? x.UnitRows().Data : x.Data;
        Zero = new bool[Count];
        for (int i = 0; _cosine && i < Count; i++)
            _hasZeroRows |= Zero[i] = !Data.AsSpan(i * Dimensions, Dimensions).ContainsAnyExcept(0f);
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Number of features per row.</summary>
    public int Dimensions { get; }

    /// <summary>The rows the distances are computed on (unit-length copies under cosine), row-major.</summary>
    public float[] Data { get; }

    /// <summary>Which rows are all zero under cosine (all false for Euclidean).</summary>
    public bool[] Zero { get; }

    /// <summary>The distance whose key is <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float FromKey(float key) => _cosine ? 0.5f * key : MathF.Sqrt(key);

    /// <summary>The key of a pair from its squared Euclidean distance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Key(float squared, bool zeroA, bool zeroB) => zeroA || zeroB ? 2f : squared;

    /// <summary>
    /// Writes the key of every row in <c>[rowStart, rowStart + rowCount)</c> against every row in
    /// <c>[colStart, colStart + colCount)</c> into <paramref name="output"/> (row-major, <c>rowCount × colCount</c>).
    /// </summary>
    public void BlockKeys(int rowStart, int rowCount, int colStart, int colCount, Span<float> output)
    {
        int d = Dimensions;
        fixed (float* p = Data)
        fixed (float* o = output)
        {
            int r = 0;
            for (; r + 4 <= rowCount; r += 4)
            {
                float* x0 = p + (long)(rowStart + r) * d;
                int c = 0;
                for (; c + 2 <= colCount; c += 2)
                    Block4x2(x0, d, p + (long)(colStart + c) * d, o + (long)r * colCount + c, colCount);
                for (; c < colCount; c++)
                    for (int a = 0; a < 4; a++)
                        o[(long)(r + a) * colCount + c] = Squared(x0 + (long)a * d, p + (long)(colStart + c) * d, d);
            }
            for (; r < rowCount; r++)
                for (int c = 0; c < colCount; c++)
                    o[(long)r * colCount + c] = Squared(p + (long)(rowStart + r) * d, p + (long)(colStart + c) * d, d);
        }
        if (!_hasZeroRows) return;
        for (int r = 0; r < rowCount; r++)
            for (int c = 0; c < colCount; c++)
                output[r * colCount + c] = Key(output[r * colCount + c], Zero[rowStart + r], Zero[colStart + c]);
    }

    /// <summary>Squared Euclidean distance of two rows of <paramref name="d"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Squared(float* a, float* b, int d)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= d; i += 8)
        {
            var t = Vector256.Load(a + i) - Vector256.Load(b + i);
            acc = Vector256.FusedMultiplyAdd(t, t, acc);
        }
        return Tail(Vector256.Sum(acc), a, b, i, d);
    }

    /// <summary>Squared Euclidean distances of one row to four others, each summed exactly as <see cref="Squared"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Squared1x4(float* q, float* c0, float* c1, float* c2, float* c3, int d, float* output)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 8 <= d; i += 8)
        {
            var u = Vector256.Load(q + i);
            var t0 = u - Vector256.Load(c0 + i);
            var t1 = u - Vector256.Load(c1 + i);
            var t2 = u - Vector256.Load(c2 + i);
            var t3 = u - Vector256.Load(c3 + i);
            a0 = Vector256.FusedMultiplyAdd(t0, t0, a0); a1 = Vector256.FusedMultiplyAdd(t1, t1, a1);
            a2 = Vector256.FusedMultiplyAdd(t2, t2, a2); a3 = Vector256.FusedMultiplyAdd(t3, t3, a3);
        }
        output[0] = Tail(Vector256.Sum(a0), q, c0, i, d);
        output[1] = Tail(Vector256.Sum(a1), q, c1, i, d);
        output[2] = Tail(Vector256.Sum(a2), q, c2, i, d);
        output[3] = Tail(Vector256.Sum(a3), q, c3, i, d);
    }

    // Four rows against two columns: 8 accumulators + 2 column vectors + row and difference registers fit the 16 AVX2
    // registers, and each loaded vector is used two or four times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x2(float* x0, int d, float* c0, float* o, int ldo)
    {
        float* x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, c1 = c0 + d;
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        int i = 0;
        for (; i + 8 <= d; i += 8)
        {
            var v0 = Vector256.Load(c0 + i);
            var v1 = Vector256.Load(c1 + i);
            var u = Vector256.Load(x0 + i);
            var t0 = u - v0; var t1 = u - v1;
            a00 = Vector256.FusedMultiplyAdd(t0, t0, a00); a01 = Vector256.FusedMultiplyAdd(t1, t1, a01);
            u = Vector256.Load(x1 + i);
            t0 = u - v0; t1 = u - v1;
            a10 = Vector256.FusedMultiplyAdd(t0, t0, a10); a11 = Vector256.FusedMultiplyAdd(t1, t1, a11);
            u = Vector256.Load(x2 + i);
            t0 = u - v0; t1 = u - v1;
            a20 = Vector256.FusedMultiplyAdd(t0, t0, a20); a21 = Vector256.FusedMultiplyAdd(t1, t1, a21);
            u = Vector256.Load(x3 + i);
            t0 = u - v0; t1 = u - v1;
            a30 = Vector256.FusedMultiplyAdd(t0, t0, a30); a31 = Vector256.FusedMultiplyAdd(t1, t1, a31);
        }
        o[0] = Tail(Vector256.Sum(a00), x0, c0, i, d); o[1] = Tail(Vector256.Sum(a01), x0, c1, i, d);
        o[ldo] = Tail(Vector256.Sum(a10), x1, c0, i, d); o[ldo + 1] = Tail(Vector256.Sum(a11), x1, c1, i, d);
        o[2 * ldo] = Tail(Vector256.Sum(a20), x2, c0, i, d); o[2 * ldo + 1] = Tail(Vector256.Sum(a21), x2, c1, i, d);
        o[3 * ldo] = Tail(Vector256.Sum(a30), x3, c0, i, d); o[3 * ldo + 1] = Tail(Vector256.Sum(a31), x3, c1, i, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float sum, float* a, float* b, int i, int d)
    {
        for (; i < d; i++)
        {
            float t = a[i] - b[i];
            sum = MathF.FusedMultiplyAdd(t, t, sum);
        }
        return sum;
    }
}
