namespace ImageCluster.Clustering;

/// <summary>
/// The largest eigenpairs of a symmetric operator known only by its product with a vector: Lanczos iteration with full
/// reorthogonalisation, then Rayleigh–Ritz on the tridiagonal matrix (<see cref="SymmetricEigen"/>). A Krylov space
/// too small for the wanted pairs to converge is doubled and the iteration started again, up to 8 times its first size
/// (or the full dimension, where the answer is exact). A single start vector finds only one vector of a repeated eigenvalue (a graph in c separate parts
/// has eigenvalue 0 of its Laplacian c times), so the iteration is repeated in the space orthogonal to the pairs found
/// until it finds nothing larger than the smallest of them. Memory: one vector of length n per Lanczos step; no n × n matrix.
/// </summary>
internal static class Lanczos
{
    /// <summary>Relative residual ‖Av − θv‖ / max(1, |θ|) below which a Ritz pair counts as converged.</summary>
    public const double Tolerance = 1e-8;

    /// <summary>
    /// The <paramref name="count"/> largest eigenvalues (descending) of the n × n symmetric operator <paramref name="apply"/>
    /// (<c>apply(x, y)</c> writes A·x into y) and their unit eigenvectors. The start vector is drawn from
    /// <paramref name="seed"/>, so the same seed gives the same vectors (an eigenvector's sign included).
    /// </summary>
    public static (double[] Values, double[][] Vectors) Largest(int n, Action<double[], double[]> apply, int count, int seed,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, n);
        var found = new List<(double Value, double[] Vector)>();
        var random = new Random(seed);
        while (true)
        {
            var deflated = found.ConvertAll(f => f.Vector);
            int room = n - deflated.Count;
            if (room == 0) break;
            var (values, vectors) = Converged(n, apply, Math.Min(count, room), deflated, random, ct);
            // Pairs of the space left that are larger than the smallest found belong in the answer (a repeated eigenvalue's
            // other vectors); when none is, the answer is complete.
            double smallest = found.Count < count ? double.NegativeInfinity : found[^1].Value;
            double margin = Tolerance * Math.Max(1, Math.Abs(smallest)) * 100;
            var entering = values.Select((v, i) => (Value: v, Vector: vectors[i])).Where(p => found.Count < count || p.Value > smallest + margin).ToList();
            if (entering.Count == 0) break;
            found = [.. found.Concat(entering).OrderByDescending(p => p.Value).Take(count)];
        }
        return ([.. found.Select(f => f.Value)], [.. found.Select(f => f.Vector)]);
    }

    // The largest pairs in the space orthogonal to `deflated`, growing the Krylov space until they converge.
    private static (double[] Values, double[][] Vectors) Converged(int n, Action<double[], double[]> apply, int count, List<double[]> deflated,
        Random random, CancellationToken ct)
    {
        int room = n - deflated.Count;
        int first = Math.Max(2 * count + 20, 60), steps = Math.Min(room, first);
        // Tightly clustered eigenvalues (a graph of many weakly joined parts) converge slowly; the space stops growing at
        // 8 × its first size, whose memory is 8 × (2k + 20) vectors of n: the Ritz vectors then span the cluster, which is
        // what spectral clustering and a start layout need. Unbounded, 20 000 nodes grew to 20 000 steps (3 GB, minutes).
        int cap = Math.Min(room, 8 * first);
        while (true)
        {
            var (values, vectors, converged) = Run(n, apply, count, steps, deflated, random, ct);
            if (converged || steps >= cap) return (values, vectors);
            steps = Math.Min(cap, 2 * steps);
        }
    }

    private static (double[] Values, double[][] Vectors, bool Converged) Run(int n, Action<double[], double[]> apply, int count, int steps,
        List<double[]> deflated, Random random, CancellationToken ct)
    {
        var basis = new double[steps][];
        var alpha = new double[steps];
        var beta = new double[steps];
        var v = RandomUnit(n, random, basis, 0, deflated);
        int built = 0;
        var w = new double[n];
        for (int j = 0; j < steps; j++)
        {
            ct.ThrowIfCancellationRequested();
            basis[j] = v;
            built = j + 1;
            apply(v, w);
            alpha[j] = Dot(v, w);
            // Full reorthogonalisation, twice ("twice is enough"): in floating point the three-term recurrence alone loses
            // orthogonality as soon as a Ritz value converges, and ghost copies of it appear.
            for (int pass = 0; pass < 2; pass++)
            {
                foreach (var d in deflated) Axpy(-Dot(d, w), d, w);
                for (int i = 0; i <= j; i++)
                {
                    double projection = Dot(basis[i], w);
                    Axpy(-projection, basis[i], w);
                }
            }
            if (j == steps - 1)
            {
                beta[j] = Norm(w);
                break;
            }
            double norm = Norm(w);
            beta[j] = norm;
            if (norm < 1e-12)
            {
                // An invariant subspace: carry on from a fresh direction orthogonal to everything so far.
                beta[j] = 0;
                v = RandomUnit(n, random, basis, j + 1, deflated);
            }
            else
            {
                v = new double[n];
                for (int i = 0; i < n; i++) v[i] = w[i] / norm;
            }
        }

        int m = built;
        var tridiagonal = new double[m * m];
        for (int j = 0; j < m; j++)
        {
            tridiagonal[j * m + j] = alpha[j];
            if (j + 1 < m)
            {
                tridiagonal[j * m + j + 1] = beta[j];
                tridiagonal[(j + 1) * m + j] = beta[j];
            }
        }
        var (ritzValues, ritzVectors) = SymmetricEigen.Decompose(tridiagonal, m, ct);
        var values = new double[count];
        var vectors = new double[count][];
        bool converged = true;
        for (int r = 0; r < count; r++)
        {
            values[r] = ritzValues[r];
            var x = new double[n];
            for (int j = 0; j < m; j++) Axpy(ritzVectors[r * m + j], basis[j], x);
            double scale = Norm(x);
            for (int i = 0; i < n; i++) x[i] /= scale;
            vectors[r] = x;
            // The residual of a Ritz pair is |β_m · y_m| (its last coordinate times the next β) without another product.
            double residual = Math.Abs(beta[m - 1] * ritzVectors[r * m + m - 1]);
            if (residual > Tolerance * Math.Max(1, Math.Abs(values[r]))) converged = false;
        }
        return (values, vectors, converged);
    }

    private static double[] RandomUnit(int n, Random random, double[][] against, int count, List<double[]> deflated)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.NextDouble() * 2 - 1;
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var d in deflated) Axpy(-Dot(d, v), d, v);
            for (int i = 0; i < count; i++) Axpy(-Dot(against[i], v), against[i], v);
        }
        double norm = Norm(v);
        for (int i = 0; i < n; i++) v[i] /= norm;
        return v;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static void Axpy(double factor, double[] x, double[] y) =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, factor, y, y);
}
