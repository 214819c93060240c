namespace ImageCluster.Clustering;

/// <summary>Options of <see cref="Tsne"/>, with scikit-learn's names and defaults where they apply.</summary>
public sealed record TsneOptions
{
    /// <summary>Effective number of neighbours each point attends to (scikit-learn <c>perplexity</c>).</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Gradient steps (scikit-learn <c>max_iter</c>, formerly <c>n_iter</c>).</summary>
    public int MaxIter { get; init; } = 1000;

    /// <summary>Step size; null = scikit-learn's <c>"auto"</c>: max(N / early exaggeration / 4, 50).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Factor on the input affinities during the first 250 steps (scikit-learn <c>early_exaggeration</c>).</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Seed of the random initial layout.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Largest number of points embedded; larger inputs are subsampled (evenly at random, by seed) because exact t-SNE
    /// costs O(N²) memory and time per step.
    /// </summary>
    public int MaxSamples { get; init; } = 1500;
}

/// <summary>A t-SNE layout: 2-D coordinates of the embedded rows.</summary>
/// <param name="Samples">Row indices that were embedded (all rows unless subsampled), ascending.</param>
/// <param name="X">First coordinate of each embedded row.</param>
/// <param name="Y">Second coordinate.</param>
/// <param name="KlDivergence">Kullback–Leibler divergence of the final layout (without exaggeration).</param>
public sealed record TsneResult(int[] Samples, double[] X, double[] Y, double KlDivergence);

/// <summary>
/// Exact t-SNE (van der Maaten &amp; Hinton 2008) in two dimensions: Gaussian input affinities calibrated per point to
/// the perplexity by bisection, Student-t output affinities, gradient descent with momentum 0.5 → 0.8, early
/// exaggeration for 250 steps and per-parameter gains, as scikit-learn's <c>method="exact"</c>. O(N²) time per step and
/// O(N²) memory, hence <see cref="TsneOptions.MaxSamples"/>. Layouts are deterministic for a seed but are not
/// scikit-learn's (its random initialisation comes from NumPy).
/// </summary>
public static class Tsne
{
    /// <summary>Lays out the rows of <paramref name="x"/> in 2-D.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 rows or a perplexity the data cannot support.</exception>
    public static TsneResult Fit(FeatureMatrix x, TsneOptions? options = null, CancellationToken cancellation = default)
    {
        var o = options ?? new TsneOptions();
        if (x.Rows < 2) throw new ArgumentException("t-SNE needs at least 2 rows", nameof(x));
        if (!(o.Perplexity > 0)) throw new ArgumentException($"Perplexity must be positive (got {o.Perplexity})", nameof(options));
        if (o.MaxIter < 1) throw new ArgumentException($"MaxIter must be at least 1 (got {o.MaxIter})", nameof(options));

        var rng = new Random(o.Seed);
        int[] samples = x.Rows <= o.MaxSamples
            ? Enumerable.Range(0, x.Rows).ToArray()
            : Enumerable.Range(0, x.Rows).OrderBy(_ => rng.Next()).Take(o.MaxSamples).Order().ToArray();
        int n = samples.Length;
        // Perplexity above N-1 has no solution; scikit-learn refuses it, a report should still draw something.
        double perplexity = Math.Min(o.Perplexity, (n - 1) / 3.0);

        var p = InputAffinities(x, samples, Math.Max(perplexity, 1), cancellation);
        var y = new double[2 * n];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * Gaussian(rng);

        double learningRate = o.LearningRate ?? Math.Max(n / o.EarlyExaggeration / 4, 50);
        var update = new double[2 * n];
        var gains = Enumerable.Repeat(1.0, 2 * n).ToArray();
        var grad = new double[2 * n];
        var q = new double[n * (long)n > int.MaxValue ? throw new ArgumentException("too many samples for exact t-SNE") : n * n];
        double kl = 0;
        for (int iter = 0; iter < o.MaxIter; iter++)
        {
            cancellation.ThrowIfCancellationRequested();
            bool early = iter < 250;
            double exaggeration = early ? o.EarlyExaggeration : 1;
            double momentum = early ? 0.5 : 0.8;
            kl = Gradient(p, y, q, grad, n, exaggeration, withKl: iter == o.MaxIter - 1);
            for (int i = 0; i < grad.Length; i++)
            {
                gains[i] = Math.Sign(update[i]) != Math.Sign(grad[i]) ? gains[i] + 0.2 : gains[i] * 0.8;
                if (gains[i] < 0.01) gains[i] = 0.01;
                update[i] = momentum * update[i] - learningRate * gains[i] * grad[i];
                y[i] += update[i];
            }
        }
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++) { xs[i] = y[2 * i]; ys[i] = y[2 * i + 1]; }
        return new TsneResult(samples, xs, ys, kl);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Symmetrised, normalised P from squared Euclidean distances, each row's σ set by bisection on the entropy.</summary>
    private static double[] InputAffinities(FeatureMatrix x, int[] samples, double perplexity, CancellationToken ct)
    {
        int n = samples.Length;
        var d = new double[n * n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var a = x.ReadRow(samples[i]);
            for (int j = i + 1; j < n; j++)
            {
                double s = System.Numerics.Tensors.TensorPrimitives.Distance(a, x.ReadRow(samples[j]));
                d[i * n + j] = s * s;
            }
        });
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) d[i * n + j] = d[j * n + i];

        var p = new double[n * n];
        double target = Math.Log(perplexity);
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            double beta = 1, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            var row = p.AsSpan(i * n, n);
            for (int step = 0; step < 100; step++)
            {
                double sum = 0, weighted = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) { row[j] = 0; continue; }
                    double v = Math.Exp(-d[i * n + j] * beta);
                    row[j] = v;
                    sum += v;
                    weighted += d[i * n + j] * v;
                }
                if (sum <= 0) sum = 1e-12;
                double entropy = Math.Log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) row[j] /= sum;
                double diff = entropy - target;
                if (Math.Abs(diff) < 1e-5) break;
                if (diff > 0) { lo = beta; beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2; }
                else { hi = beta; beta = double.IsNegativeInfinity(lo) ? beta / 2 : (beta + lo) / 2; }
            }
        });
        var sym = new double[n * n];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { double v = p[i * n + j] + p[j * n + i]; sym[i * n + j] = v; total += v; }
        for (int k = 0; k < sym.Length; k++) sym[k] = Math.Max(sym[k] / total, 1e-12);
        return sym;
    }

    /// <summary>KL gradient into <paramref name="grad"/>; returns the KL divergence of the exaggerated P when asked (a log per pair costs as much as the gradient).</summary>
    private static double Gradient(double[] p, double[] y, double[] q, double[] grad, int n, double exaggeration, bool withKl)
    {
        double sumQ = 0;
        var partial = new double[n];
        Parallel.For(0, n, i =>
        {
            double s = 0, yi0 = y[2 * i], yi1 = y[2 * i + 1];
            for (int j = 0; j < n; j++)
            {
                if (j == i) { q[i * n + j] = 0; continue; }
                double a = yi0 - y[2 * j], b = yi1 - y[2 * j + 1];
                double v = 1 / (1 + a * a + b * b);
                q[i * n + j] = v;
                s += v;
            }
            partial[i] = s;
        });
        for (int i = 0; i < n; i++) sumQ += partial[i];
        var klParts = new double[n];
        Parallel.For(0, n, i =>
        {
            double g0 = 0, g1 = 0, kl = 0, yi0 = y[2 * i], yi1 = y[2 * i + 1];
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double num = q[i * n + j];
                double qij = Math.Max(num / sumQ, 1e-12);
                double pij = p[i * n + j] * exaggeration;
                double m = (pij - qij) * num;
                g0 += m * (yi0 - y[2 * j]);
                g1 += m * (yi1 - y[2 * j + 1]);
                if (withKl) kl += pij * Math.Log(Math.Max(pij, 1e-12) / qij);
            }
            grad[2 * i] = 4 * g0;
            grad[2 * i + 1] = 4 * g1;
            klParts[i] = kl;
        });
        return klParts.Sum();
    }
}
