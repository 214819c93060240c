using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// Register-blocked product of selected rows of a row-major matrix with the rows of a second matrix
/// (<c>G = X[rows] · Cᵀ</c>). Each output value is the dot product of one pair, computed in the same
/// order whatever the caller's blocking or thread count, so results are bit-reproducible.
/// </summary>
internal static unsafe class DotKernel
{
    /// <summary>
    /// Writes <c>output[r * k + j] = dot(x[rows[r]], c[j])</c> for every selected row r and every j &lt; k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowsTimesTransposed(
        ReadOnlySpan<float> x, int d, ReadOnlySpan<int> rows, ReadOnlySpan<float> c, int k, Span<float> output)
    {
        if (rows.Length == 0 || k == 0) return;
        fixed (float* xp = x)
        fixed (float* cp = c)
        fixed (float* op = output)
        fixed (int* rp = rows)
        {
            int n = rows.Length;
            int r = 0;
            for (; r + 4 <= n; r += 4)
            {
                float* x0 = xp + (long)rp[r] * d, x1 = xp + (long)rp[r + 1] * d;
                float* x2 = xp + (long)rp[r + 2] * d, x3 = xp + (long)rp[r + 3] * d;
                float* o = op + (long)r * k;
                int j = 0;
                for (; j + 4 <= k; j += 4)
                    Block4x4(x0, x1, x2, x3, cp + (long)j * d, d, o + j, k);
                // Leftover columns (k = 6 candidates in k-means++, k = 17, …) still share each row load.
                if (j + 2 <= k)
                {
                    Block4x2(x0, x1, x2, x3, cp + (long)j * d, d, o + j, k);
                    j += 2;
                }
                if (j < k) Block4x1(x0, x1, x2, x3, cp + (long)j * d, d, o + j, k);
            }
            for (; r < n; r++)
            {
                float* xr = xp + (long)rp[r] * d;
                float* o = op + (long)r * k;
                for (int j = 0; j < k; j++) o[j] = Dot(xr, cp + (long)j * d, d);
            }
        }
    }

    /// <summary>Dot product with the same per-pair summation order as the blocked kernel.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        fixed (float* ap = a)
        fixed (float* bp = b)
            return Dot(ap, bp, a.Length);
    }

    // Every path below accumulates lane-wise in the same order as Block4x4 so that a value
    // computed for a single pair equals the value computed inside a 4×4 block.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int d)
    {
        int i = 0;
        float sum;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= d; i += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= d; i += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        else
        {
            sum = 0;
        }
        for (; i < d; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }

    private static void Block4x4(float* x0, float* x1, float* x2, float* x3, float* c0, int d, float* o, int ldo)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Block4x4Avx512(x0, x1, x2, x3, c0, d, o, ldo);
            return;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Block4x4Avx2(x0, x1, x2, x3, c0, d, o, ldo);
            return;
        }
        float*[] xs = [x0, x1, x2, x3];
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                o[a * ldo + b] = Dot(xs[a], c0 + (long)b * d, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4Avx512(float* x0, float* x1, float* x2, float* x3, float* c0, int d, float* o, int ldo)
    {
        float* c1 = c0 + d, c2 = c1 + d, c3 = c2 + d;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        int i = 0;
        for (; i + 16 <= d; i += 16)
        {
            var v0 = Vector512.Load(c0 + i);
            var v1 = Vector512.Load(c1 + i);
            var v2 = Vector512.Load(c2 + i);
            var v3 = Vector512.Load(c3 + i);
            var u = Vector512.Load(x0 + i);
            a00 = Vector512.FusedMultiplyAdd(u, v0, a00); a01 = Vector512.FusedMultiplyAdd(u, v1, a01);
            a02 = Vector512.FusedMultiplyAdd(u, v2, a02); a03 = Vector512.FusedMultiplyAdd(u, v3, a03);
            u = Vector512.Load(x1 + i);
            a10 = Vector512.FusedMultiplyAdd(u, v0, a10); a11 = Vector512.FusedMultiplyAdd(u, v1, a11);
            a12 = Vector512.FusedMultiplyAdd(u, v2, a12); a13 = Vector512.FusedMultiplyAdd(u, v3, a13);
            u = Vector512.Load(x2 + i);
            a20 = Vector512.FusedMultiplyAdd(u, v0, a20); a21 = Vector512.FusedMultiplyAdd(u, v1, a21);
            a22 = Vector512.FusedMultiplyAdd(u, v2, a22); a23 = Vector512.FusedMultiplyAdd(u, v3, a23);
            u = Vector512.Load(x3 + i);
            a30 = Vector512.FusedMultiplyAdd(u, v0, a30); a31 = Vector512.FusedMultiplyAdd(u, v1, a31);
            a32 = Vector512.FusedMultiplyAdd(u, v2, a32); a33 = Vector512.FusedMultiplyAdd(u, v3, a33);
        }
        Store(o, i, d, x0, c0, c1, c2, c3, a00, a01, a02, a03);
        Store(o + ldo, i, d, x1, c0, c1, c2, c3, a10, a11, a12, a13);
        Store(o + 2 * ldo, i, d, x2, c0, c1, c2, c3, a20, a21, a22, a23);
        Store(o + 3 * ldo, i, d, x3, c0, c1, c2, c3, a30, a31, a32, a33);
    }

    private static void Block4x2(float* x0, float* x1, float* x2, float* x3, float* c0, int d, float* o, int ldo)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            Block4x1(x0, x1, x2, x3, c0, d, o, ldo);
            Block4x1(x0, x1, x2, x3, c0 + d, d, o + 1, ldo);
            return;
        }
        float* c1 = c0 + d;
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default, a30 = default, a31 = default;
        int i = 0;
        for (; i + 16 <= d; i += 16)
        {
            var v0 = Vector512.Load(c0 + i);
            var v1 = Vector512.Load(c1 + i);
            var u = Vector512.Load(x0 + i);
            a00 = Vector512.FusedMultiplyAdd(u, v0, a00); a01 = Vector512.FusedMultiplyAdd(u, v1, a01);
            u = Vector512.Load(x1 + i);
            a10 = Vector512.FusedMultiplyAdd(u, v0, a10); a11 = Vector512.FusedMultiplyAdd(u, v1, a11);
            u = Vector512.Load(x2 + i);
            a20 = Vector512.FusedMultiplyAdd(u, v0, a20); a21 = Vector512.FusedMultiplyAdd(u, v1, a21);
            u = Vector512.Load(x3 + i);
            a30 = Vector512.FusedMultiplyAdd(u, v0, a30); a31 = Vector512.FusedMultiplyAdd(u, v1, a31);
        }
        o[0] = Tail(Vector512.Sum(a00), x0, c0, i, d); o[1] = Tail(Vector512.Sum(a01), x0, c1, i, d);
        o[ldo] = Tail(Vector512.Sum(a10), x1, c0, i, d); o[ldo + 1] = Tail(Vector512.Sum(a11), x1, c1, i, d);
        o[2 * ldo] = Tail(Vector512.Sum(a20), x2, c0, i, d); o[2 * ldo + 1] = Tail(Vector512.Sum(a21), x2, c1, i, d);
        o[3 * ldo] = Tail(Vector512.Sum(a30), x3, c0, i, d); o[3 * ldo + 1] = Tail(Vector512.Sum(a31), x3, c1, i, d);
    }

    private static void Block4x1(float* x0, float* x1, float* x2, float* x3, float* c0, int d, float* o, int ldo)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            o[0] = Dot(x0, c0, d); o[ldo] = Dot(x1, c0, d); o[2 * ldo] = Dot(x2, c0, d); o[3 * ldo] = Dot(x3, c0, d);
            return;
        }
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 16 <= d; i += 16)
        {
            var v = Vector512.Load(c0 + i);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x0 + i), v, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(x1 + i), v, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(x2 + i), v, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Load(x3 + i), v, a3);
        }
        o[0] = Tail(Vector512.Sum(a0), x0, c0, i, d);
        o[ldo] = Tail(Vector512.Sum(a1), x1, c0, i, d);
        o[2 * ldo] = Tail(Vector512.Sum(a2), x2, c0, i, d);
        o[3 * ldo] = Tail(Vector512.Sum(a3), x3, c0, i, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4Avx2(float* x0, float* x1, float* x2, float* x3, float* c0, int d, float* o, int ldo)
    {
        // 16 accumulators + 4 centre vectors + 1 row vector exceed the 16 AVX2 registers,
        // so the block is done as two 4×2 halves instead.
        for (int half = 0; half < 2; half++)
        {
            float* ca = c0 + (long)(2 * half) * d, cb = ca + d;
            Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
            Vector256<float> a2 = default, b2 = default, a3 = default, b3 = default;
            int i = 0;
            for (; i + 8 <= d; i += 8)
            {
                var va = Vector256.Load(ca + i);
                var vb = Vector256.Load(cb + i);
                var u = Vector256.Load(x0 + i);
                a0 = Vector256.FusedMultiplyAdd(u, va, a0); b0 = Vector256.FusedMultiplyAdd(u, vb, b0);
                u = Vector256.Load(x1 + i);
                a1 = Vector256.FusedMultiplyAdd(u, va, a1); b1 = Vector256.FusedMultiplyAdd(u, vb, b1);
                u = Vector256.Load(x2 + i);
                a2 = Vector256.FusedMultiplyAdd(u, va, a2); b2 = Vector256.FusedMultiplyAdd(u, vb, b2);
                u = Vector256.Load(x3 + i);
                a3 = Vector256.FusedMultiplyAdd(u, va, a3); b3 = Vector256.FusedMultiplyAdd(u, vb, b3);
            }
            float* o0 = o + 2 * half;
            o0[0] = Tail(Vector256.Sum(a0), x0, ca, i, d); o0[1] = Tail(Vector256.Sum(b0), x0, cb, i, d);
            o0[ldo] = Tail(Vector256.Sum(a1), x1, ca, i, d); o0[ldo + 1] = Tail(Vector256.Sum(b1), x1, cb, i, d);
            o0[2 * ldo] = Tail(Vector256.Sum(a2), x2, ca, i, d); o0[2 * ldo + 1] = Tail(Vector256.Sum(b2), x2, cb, i, d);
            o0[3 * ldo] = Tail(Vector256.Sum(a3), x3, ca, i, d); o0[3 * ldo + 1] = Tail(Vector256.Sum(b3), x3, cb, i, d);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* o, int i, int d, float* x, float* c0, float* c1, float* c2, float* c3,
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        o[0] = Tail(Vector512.Sum(s0), x, c0, i, d);
        o[1] = Tail(Vector512.Sum(s1), x, c1, i, d);
        o[2] = Tail(Vector512.Sum(s2), x, c2, i, d);
        o[3] = Tail(Vector512.Sum(s3), x, c3, i, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float sum, float* a, float* b, int i, int d)
    {
        for (; i < d; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }
}
