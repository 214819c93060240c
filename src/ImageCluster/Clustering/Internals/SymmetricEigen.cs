using System.Numerics;
using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form followed by
/// the implicit QL method (EISPACK tred2/tql2, as in JAMA). The working matrix is kept transposed relative
/// to JAMA's <c>V</c> so that every inner loop runs over contiguous memory and can be vectorised.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the row-major n × n symmetric <paramref name="matrix"/> (which is overwritten).
    /// Returns eigenvalues in descending order and the matching unit eigenvectors as rows (row-major n × n).
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int n, CancellationToken cancellation = default)
    {
        // matrix is symmetric, so it already equals the transposed starting V.
        var t = matrix;
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(t, n, d, e, cancellation);
        DiagonalizeTridiagonal(t, n, d, e, cancellation);

        int[] order = Enumerable.Range(0, n).OrderByDescending(i => d[i]).ThenBy(i => i).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            values[r] = d[order[r]];
            t.AsSpan(order[r] * n, n).CopyTo(vectors.AsSpan(r * n, n));
        }
        return (values, vectors);
    }

    // tred2. Comments "V[a][b]" refer to JAMA's layout; here that element is t[b * n + a].
    private static void Tridiagonalize(double[] t, int n, double[] d, double[] e, CancellationToken cancellation)
    {
        Span<double> Seg(int row, int from, int toExclusive) => t.AsSpan(row * n + from, toExclusive - from);

        for (int j = 0; j < n; j++) d[j] = t[j * n + n - 1];
        for (int i = n - 1; i > 0; i--)
        {
            cancellation.ThrowIfCancellationRequested();
            double scale = TensorPrimitives.SumOfMagnitudes<double>(d.AsSpan(0, i));
            double h = 0;
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = t[j * n + i - 1];
                    t[j * n + i] = 0;
                    t[i * n + j] = 0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                Array.Clear(e, 0, i);
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    t[i * n + j] = f;
                    g = e[j] + t[j * n + j] * f;
                    var column = Seg(j, j + 1, i);
                    g += TensorPrimitives.Dot<double>(column, d.AsSpan(j + 1, i - j - 1));
                    TensorPrimitives.MultiplyAdd<double>(column, f, e.AsSpan(j + 1, i - j - 1), e.AsSpan(j + 1, i - j - 1));
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    var column = Seg(j, j, i);
                    TensorPrimitives.MultiplyAdd<double>(e.AsSpan(j, i - j), -f, column, column);
                    TensorPrimitives.MultiplyAdd<double>(d.AsSpan(j, i - j), -g, column, column);
                    d[j] = t[j * n + i - 1];
                    t[j * n + i] = 0;
                }
            }
            d[i] = h;
        }

        for (int i = 0; i < n - 1; i++)
        {
            t[i * n + n - 1] = t[i * n + i];
            t[i * n + i] = 1;
            double h = d[i + 1];
            var next = Seg(i + 1, 0, i + 1);
            if (h != 0)
            {
                TensorPrimitives.Divide<double>(next, h, d.AsSpan(0, i + 1));
                for (int j = 0; j <= i; j++)
                {
                    var column = Seg(j, 0, i + 1);
                    double g = TensorPrimitives.Dot<double>(next, column);
                    TensorPrimitives.MultiplyAdd<double>(d.AsSpan(0, i + 1), -g, column, column);
                }
            }
            next.Clear();
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = t[j * n + n - 1];
            t[j * n + n - 1] = 0;
        }
        t[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
    }

    // tql2, with each plane rotation applied to two contiguous rows of t.
    private static void DiagonalizeTridiagonal(double[] t, int n, double[] d, double[] e, CancellationToken cancellation)
    {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        double eps = Math.Pow(2, -52);
        for (int l = 0; l < n; l++)
        {
            cancellation.ThrowIfCancellationRequested();
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > 100)
                        throw new InvalidOperationException("The eigen-decomposition did not converge.");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = double.Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
                    double el1 = e[l + 1];
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = double.Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        Rotate(t.AsSpan(i * n, n), t.AsSpan((i + 1) * n, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    /// <summary>(a, b) ← (c·a − s·b, s·a + c·b), element-wise.</summary>
    private static void Rotate(Span<double> a, Span<double> b, double c, double s)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (; k + Vector<double>.Count <= a.Length; k += Vector<double>.Count)
            {
                var va = new Vector<double>(a.Slice(k));
                var vb = new Vector<double>(b.Slice(k));
                (vc * va - vs * vb).CopyTo(a.Slice(k));
                (vs * va + vc * vb).CopyTo(b.Slice(k));
            }
        }
        for (; k < a.Length; k++)
        {
            double h = b[k];
            b[k] = s * a[k] + c * h;
            a[k] = c * a[k] - s * h;
        }
    }
}
