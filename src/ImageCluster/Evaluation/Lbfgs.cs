namespace ImageCluster.Evaluation;

/// <summary>
/// Limited-memory BFGS (Nocedal 1980; two-loop recursion, Nocedal &amp; Wright alg. 7.4) with a backtracking Armijo line
/// search, for smooth convex objectives. Stops when the largest gradient component is at most the tolerance, or when no
/// step decreases the objective any more (the optimum is then pinned to rounding precision).
/// Memory O(m · parameters), m = 10 correction pairs.
/// </summary>
internal static class Lbfgs
{
    private const int Memory = 10;
    private const double Armijo = 1e-4;

    /// <summary>Minimises <paramref name="objective"/>(x, gradient) → value (which fills gradient) from x0.</summary>
    public static (double[] X, int Iterations, bool Converged) Minimize(Func<double[], double[], double> objective,
        double[] x0, int maxIter, double tolerance, CancellationToken cancellation = default)
    {
        int n = x0.Length;
        var x = (double[])x0.Clone();
        var g = new double[n];
        double f = objective(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[n];
        var trial = new double[n];
        var trialGradient = new double[n];
        for (int iteration = 1; iteration <= maxIter; iteration++)
        {
            if (MaxAbs(g) <= tolerance) return (x, iteration - 1, true);
            cancellation.ThrowIfCancellationRequested();
            Direction(g, s, y, rho, direction);
            double slope = Dot(g, direction);
            if (!(slope < 0))
            {
                // Lost descent through rounding: restart from steepest descent.
                s.Clear(); y.Clear(); rho.Clear();
                Direction(g, s, y, rho, direction);
                slope = Dot(g, direction);
            }
            double step = 1, trialValue = double.NaN;
            bool accepted = false;
            for (int halving = 0; halving < 40 && !accepted; halving++, step /= 2)
            {
                for (int i = 0; i < n; i++) trial[i] = x[i] + step * direction[i];
                trialValue = objective(trial, trialGradient);
                // Near the optimum the decrease drops below the rounding of f itself; a step that leaves f unchanged
                // to rounding but shrinks the gradient is still progress (the gradient is exact to far more digits).
                accepted = trialValue <= f + Armijo * step * slope
                    || (Math.Abs(trialValue - f) <= 1e-13 * Math.Abs(f) && MaxAbs(trialGradient) < MaxAbs(g));
            }
            if (!accepted) return (x, iteration, MaxAbs(g) <= tolerance);
            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++) (sk[i], yk[i]) = (trial[i] - x[i], trialGradient[i] - g[i]);
            double sy = Dot(sk, yk);
            // Keep only pairs with positive curvature, so the implicit inverse Hessian stays positive definite.
            if (sy > 1e-12 * Dot(yk, yk))
            {
                if (s.Count == Memory) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); y.Add(yk); rho.Add(1 / sy);
            }
            (x, trial) = (trial, x);
            (g, trialGradient) = (trialGradient, g);
            f = trialValue;
        }
        return (x, maxIter, MaxAbs(g) <= tolerance);
    }

    private static void Direction(double[] g, List<double[]> s, List<double[]> y, List<double> rho, double[] direction)
    {
        int m = s.Count;
        for (int i = 0; i < g.Length; i++) direction[i] = -g[i];
        if (m == 0)
        {
            // First step of unit length, as L-BFGS-B's first iteration.
            double norm = Math.Sqrt(Dot(g, g));
            if (norm > 0) for (int i = 0; i < g.Length; i++) direction[i] /= Math.Max(1, norm);
            return;
        }
        var alpha = new double[m];
        for (int j = m - 1; j >= 0; j--)
        {
            alpha[j] = rho[j] * Dot(s[j], direction);
            Axpy(-alpha[j], y[j], direction);
        }
        double gamma = Dot(s[m - 1], y[m - 1]) / Dot(y[m - 1], y[m - 1]);
        for (int i = 0; i < direction.Length; i++) direction[i] *= gamma;
        for (int j = 0; j < m; j++)
        {
            double beta = rho[j] * Dot(y[j], direction);
            Axpy(alpha[j] - beta, s[j], direction);
        }
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(double[] g) => System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<double>(g) is var m ? Math.Abs(m) : 0;
}
