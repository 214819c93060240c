using System.Numerics.Tensors;

namespace ImageCluster.Evaluation;

/// <summary>Settings of <see cref="LogisticRegression"/>, named after scikit-learn's <c>LogisticRegression</c>.</summary>
internal sealed record LogisticRegressionOptions
{
    /// <summary>Inverse of the L2 regularisation strength (scikit-learn's default 1.0); smaller = stronger.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Maximum L-BFGS iterations (1000, as the baseline's scikit-learn reference run).</summary>
    public int MaxIter { get; init; } = 1000;

    /// <summary>
    /// Stop when every gradient component of Σ log-loss + ‖W‖²/(2C) is at most this. scikit-learn's 1e-4 (plus SciPy's
    /// relative-decrease stop) leaves coefficients ~1e-4 and intercepts up to ~5e-3 off the optimum; 1e-6 pins it.
    /// </summary>
    public double Tol { get; init; } = 1e-8;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate()
    {
        if (!(C > 0) || double.IsInfinity(C)) throw new ArgumentException($"C must be a finite number > 0 (got {C}).", nameof(C));
        if (MaxIter < 1) throw new ArgumentException($"MaxIter must be at least 1 (got {MaxIter}).", nameof(MaxIter));
        if (!(Tol > 0)) throw new ArgumentException($"Tol must be > 0 (got {Tol}).", nameof(Tol));
    }
}

/// <summary>A fitted multinomial logistic regression.</summary>
/// <param name="Classes">The class labels, ascending; row c of the coefficients belongs to Classes[c].</param>
/// <param name="Coef">Coefficients, row-major classes × features (scikit-learn's <c>coef_</c>; for two classes it
/// reports only row 1 of this symmetric form, which equals −row 0).</param>
/// <param name="Intercept">One intercept per class, summing to 0.</param>
/// <param name="NIterations">L-BFGS iterations run.</param>
/// <param name="Converged">Whether the gradient tolerance was reached.</param>
internal sealed record LogisticRegressionModel(int[] Classes, double[] Coef, double[] Intercept, int NIterations, bool Converged)
{
    /// <summary>The class with the highest score for each row of <paramref name="x"/> (ties: the smaller class).</summary>
    public int[] Predict(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int k = Classes.Length, d = x.Columns;
        if (d * k != Coef.Length) throw new ArgumentException($"The model was fitted on {Coef.Length / k} features, not {d}.", nameof(x));
        var predictions = new int[x.Rows];
        var row = new double[d];
        for (int i = 0; i < x.Rows; i++)
        {
            LogisticRegression.Widen(x.ReadRow(i), row);
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                double score = Intercept[c] + TensorPrimitives.Dot(Coef.AsSpan(c * d, d), row);
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            predictions[i] = Classes[best];
        }
        return predictions;
    }
}

/// <summary>
/// Multinomial (softmax) logistic regression with an L2 penalty on the coefficients and unpenalised intercepts, as
/// scikit-learn's <c>LogisticRegression(multi_class="multinomial", solver="lbfgs")</c>: minimises
/// Σᵢ −log softmax(W·xᵢ + b)[yᵢ] + ‖W‖² / (2C) with L-BFGS from zero. The penalised problem has one optimum for W;
/// the intercepts are defined up to a common shift, fixed here (as scikit-learn's start at zero does) by Σ b = 0.
/// Features are used as given (no standardisation), as scikit-learn would receive them.
/// Time O(iterations · N · classes · d), memory O(N · d) (a double copy) + O(10 · classes · d).
/// </summary>
internal sealed class LogisticRegression
{
    private const int BlockRows = 1024;
    private readonly LogisticRegressionOptions _options;

    /// <summary>Creates a classifier with the given settings.</summary>
    public LogisticRegression(LogisticRegressionOptions? options = null)
    {
        _options = options ?? new LogisticRegressionOptions();
    }

    /// <summary>Fits the model to samples <paramref name="x"/> with class labels <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options, mismatched lengths, fewer than 2 classes, or a NaN row.</exception>
    public LogisticRegressionModel Fit(FeatureMatrix x, IReadOnlyList<int> y, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        _options.Validate();
        if (y.Count != x.Rows) throw new ArgumentException($"{y.Count} labels for {x.Rows} samples.", nameof(y));
        x.ThrowIfNotFinite();
        int[] classes = y.Distinct().Order().ToArray();
        if (classes.Length < 2) throw new ArgumentException($"Logistic regression needs at least 2 classes (got {classes.Length}).", nameof(y));
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        int[] target = y.Select(v => index[v]).ToArray();
        int k = classes.Length, d = x.Columns, n = x.Rows;
        double penalty = 1 / _options.C;

        double Objective(double[] w, double[] gradient)
        {
            int blocks = (n + BlockRows - 1) / BlockRows;
            var losses = new double[blocks];
            var partials = new double[blocks][];
            Parallel.For(0, blocks, b => (losses[b], partials[b]) = Block(x, target, w, k, b * BlockRows, Math.Min(BlockRows, n - b * BlockRows)));
            // Blocks are combined in order, so the result does not depend on the thread count.
            Array.Clear(gradient);
            double loss = 0;
            for (int b = 0; b < blocks; b++)
            {
                loss += losses[b];
                TensorPrimitives.Add(gradient, partials[b], gradient);
            }
            for (int p = 0; p < k * d; p++)
            {
                loss += 0.5 * penalty * w[p] * w[p];
                gradient[p] += penalty * w[p];
            }
            return loss;
        }

        var (solution, iterations, converged) = Lbfgs.Minimize(Objective, new double[k * (d + 1)], _options.MaxIter, _options.Tol, cancellation);
        var intercept = solution[(k * d)..];
        double shift = intercept.Average();
        for (int c = 0; c < k; c++) intercept[c] -= shift;
        return new LogisticRegressionModel(classes, solution[..(k * d)], intercept, iterations, converged);
    }

    // Log-loss and its gradient over rows [start, start + count): parameters are W (k × d, row-major) then b (k).
    private static (double Loss, double[] Gradient) Block(FeatureMatrix x, int[] target, double[] w, int k, int start, int count)
    {
        int d = x.Columns;
        var gradient = new double[w.Length];
        var z = new double[k];
        var row = new double[d];
        double loss = 0;
        for (int i = start; i < start + count; i++)
        {
            Widen(x.ReadRow(i), row);
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                z[c] = w[k * d + c] + TensorPrimitives.Dot(w.AsSpan(c * d, d), row);
                max = Math.Max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(z[c] - max);
            loss += max + Math.Log(sum) - z[target[i]];
            for (int c = 0; c < k; c++)
            {
                double residual = Math.Exp(z[c] - max) / sum - (c == target[i] ? 1 : 0);
                var slice = gradient.AsSpan(c * d, d);
                TensorPrimitives.MultiplyAdd(row, residual, slice, slice);
                gradient[k * d + c] += residual;
            }
        }
        return (loss, gradient);
    }

    /// <summary>Copies float features into a double buffer, so the dot products run in SIMD at the coefficients' precision.</summary>
    internal static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        for (int j = 0; j < source.Length; j++) destination[j] = source[j];
    }
}
