using System.Numerics.Tensors;

namespace ImageCluster.Bench;

/// <summary>
/// Maps n rows of dimension D &gt; n to n rows of dimension ≤ n with the same pairwise inner products (hence distances),
/// by a pivoted Cholesky factorisation of the Gram matrix. K-Means only sees distances and means, so it finds the same
/// clusters, but each iteration costs O(n·k·n) instead of O(n·k·D): for pixels128 (49 152-d) on 1360 images that is
/// 36× less work, and the difference between minutes and hours on 2 cores.
/// </summary>
internal static class Isometry
{
    /// <summary><paramref name="x"/> itself when it has no more columns than rows, else the reduced copy.</summary>
    public static FeatureMatrix Reduce(FeatureMatrix x)
    {
        int n = x.Rows;
        if (x.Columns <= n) return x;
        var gram = new double[n * n];
        Parallel.For(0, n, i =>
        {
            var a = x.ReadRow(i);
            for (int j = 0; j <= i; j++) gram[i * n + j] = gram[j * n + i] = TensorPrimitives.Dot(a, x.ReadRow(j));
        });

        // Pivoting on the largest remaining diagonal keeps every entry of L bounded by the pivot, so a rank-deficient
        // Gram matrix (mean-centred rows have rank n − 1) stops cleanly instead of dividing rounding noise by itself.
        var residual = new double[n];
        for (int i = 0; i < n; i++) residual[i] = gram[i * n + i];
        double tolerance = 1e-12 * residual.Max();
        var l = new double[n * n]; // row i = the new coordinates of sample i
        var used = new bool[n];
        int rank = 0;
        for (; rank < n; rank++)
        {
            int pivot = -1;
            for (int i = 0; i < n; i++)
                if (!used[i] && (pivot < 0 || residual[i] > residual[pivot])) pivot = i;
            if (pivot < 0 || residual[pivot] <= tolerance) break;
            used[pivot] = true;
            double root = Math.Sqrt(residual[pivot]);
            int column = rank;
            Parallel.For(0, n, i =>
            {
                if (used[i] && i != pivot) return;
                double v = gram[i * n + pivot] - TensorPrimitives.Dot<double>(l.AsSpan(i * n, column), l.AsSpan(pivot * n, column));
                l[i * n + column] = i == pivot ? root : v / root;
            });
            for (int i = 0; i < n; i++)
                if (!used[i]) residual[i] = Math.Max(0, residual[i] - l[i * n + column] * l[i * n + column]);
        }

        var reduced = new FeatureMatrix(n, rank);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < rank; c++) reduced.Row(i)[c] = (float)l[i * n + c];
        return reduced;
    }
}
