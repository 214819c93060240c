using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// Mini-batch K-Means, a port of scikit-learn 1.2's <c>MiniBatchKMeans</c>: the best of
/// <see cref="MiniBatchKMeansOptions.NInit"/> k-means++ seedings on small random subsets (judged on a validation
/// subset), then steps on random batches that pull each centre towards its new members with a per-centre learning
/// rate of 1/count, random reassignment of starved centres, and early stopping on the smoothed batch inertia.
/// The random draws come from .NET's generator, so results match scikit-learn's statistically, not sample for sample.
/// Time O(steps·batch·k·D + N·k·D); memory O(N) for the labels plus O(k·D + (batch + init size)·D): the samples
/// themselves are never copied.
/// </summary>
public sealed class MiniBatchKMeans : IClusterer
{
    private readonly MiniBatchKMeansOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public MiniBatchKMeans(MiniBatchKMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public MiniBatchKMeansResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public MiniBatchKMeansResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        int n = x.Rows, d = x.Columns, k = _options.NClusters;
        int batch = Math.Min(_options.BatchSize, n);
        int initSize = _options.InitSize ?? 3 * batch;
        if (initSize < k) initSize = 3 * k;
        initSize = Math.Min(initSize, n);
        var (mean, meanVariance) = Moments(x);
        double tolerance = _options.Tol * meanVariance;
        var random = new Random(_options.Seed);

        var step = new MiniBatchStep(x, mean, k, batch, parallel);
        float[] centres = BestSeeding(x, mean, k, initSize, step, random, parallel, cancellation);
        var next = new float[k * d];
        var counts = new double[k];
        var monitor = new Convergence(_options, batch, n, tolerance);
        long maxSteps = (long)_options.MaxIter * n / batch;
        var indices = new int[batch];
        int sinceReassign = 0, steps = 0;
        // Stops early once converged; the meter then jumps to the end.
        var meter = WorkMeter.Start(progress, "minibatch-kmeans", (int)Math.Min(maxSteps, int.MaxValue), "steps");
        for (long s = 0; s < maxSteps; s++)
        {
            cancellation.ThrowIfCancellationRequested();
            meter.Add(1);
            steps++;
            for (int r = 0; r < batch; r++) indices[r] = random.Next(n);
            step.Gather(indices, step.Rows);
            // Every 10·k samples, or at once while some centre has never had a member.
            sinceReassign += batch;
            bool reassign = false;
            if (sinceReassign >= 10 * k || Array.IndexOf(counts, 0.0) >= 0)
            {
                sinceReassign = 0;
                reassign = true;
            }
            double batchInertia = step.Assign(batch, centres);
            step.Update(batch, centres, next, counts);
            if (reassign && _options.ReassignmentRatio > 0) step.Reassign(batch, next, counts, _options.ReassignmentRatio, random);
            double shift = tolerance > 0 ? SquaredShift(centres, next) : 0;
            (centres, next) = (next, centres);
            if (monitor.Converged(s, shift, batchInertia)) break;
        }
        meter.Finish();
        return BuildResult(x, mean, k, centres, steps, parallel);
    }

    /// <summary>
    /// Seeds k-means++ on <see cref="MiniBatchKMeansOptions.NInit"/> random subsets of <paramref name="initSize"/>
    /// samples (all samples when that is N) and keeps the seeding with the lowest inertia on one more random subset.
    /// </summary>
    private float[] BestSeeding(FeatureMatrix x, float[] mean, int k, int initSize, MiniBatchStep step, Random random,
        ParallelOptions parallel, CancellationToken cancellation)
    {
        int n = x.Rows, d = x.Columns;
        var validation = new float[initSize * d];
        step.Gather(Draw(random, n, initSize), validation);
        var labels = new int[initSize];
        float[]? best = null;
        double bestInertia = double.PositiveInfinity;
        for (int init = 0; init < _options.NInit; init++)
        {
            int[] rows = initSize < n ? Draw(random, n, initSize) : Enumerable.Range(0, n).ToArray();
            var subset = new FeatureMatrix(initSize, d);
            for (int r = 0; r < initSize; r++) x.ReadRow(rows[r]).CopyTo(subset.Row(r));
            var data = new KMeansData(subset, parallel);
            float[] centres = KMeansPlusPlus.ChooseCentres(data, k, [random], cancellation)[0];
            // k-means++ worked around the subset's mean; the steps work around the data's mean.
            for (int f = 0; f < centres.Length; f++) centres[f] += data.Mean[f % d] - mean[f % d];
            double inertia = MiniBatchStep.Nearest(validation, initSize, d, centres, k, labels, parallel);
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                best = centres;
            }
        }
        return best!;
    }

    private static int[] Draw(Random random, int n, int count)
    {
        var rows = new int[count];
        for (int r = 0; r < count; r++) rows[r] = random.Next(n);
        return rows;
    }

    /// <summary>Column means, and the mean per-feature variance that scales <see cref="MiniBatchKMeansOptions.Tol"/>.</summary>
    private static (float[] Mean, double MeanVariance) Moments(FeatureMatrix x)
    {
        int n = x.Rows, d = x.Columns;
        var sums = new double[d];
        var squares = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int f = 0; f < d; f++)
            {
                sums[f] += row[f];
                squares[f] += (double)row[f] * row[f];
            }
        }
        var mean = new float[d];
        double variance = 0;
        for (int f = 0; f < d; f++)
        {
            double m = sums[f] / n;
            mean[f] = (float)m;
            variance += Math.Max(0, squares[f] / n - m * m);
        }
        return (mean, d == 0 ? 0 : variance / d);
    }

    private static double SquaredShift(float[] before, float[] after)
    {
        double total = 0;
        for (int f = 0; f < before.Length; f++)
        {
            double delta = (double)after[f] - before[f];
            total += delta * delta;
        }
        return total;
    }

    /// <summary>Labels every sample with its nearest final centre; inertia from exact distances, block sums in order.</summary>
    private static MiniBatchKMeansResult BuildResult(FeatureMatrix x, float[] mean, int k, float[] centres, int steps,
        ParallelOptions parallel)
    {
        int n = x.Rows, d = x.Columns;
        var labels = new int[n];
        int blocks = (n + MiniBatchStep.BlockRows - 1) / MiniBatchStep.BlockRows;
        var blockInertia = new double[blocks];
        System.Threading.Tasks.Parallel.For(0, blocks, parallel,
            () => new MiniBatchStep(x, mean, k, MiniBatchStep.BlockRows, new ParallelOptions { MaxDegreeOfParallelism = 1 }),
            (b, _, local) =>
            {
                int start = b * MiniBatchStep.BlockRows, count = Math.Min(MiniBatchStep.BlockRows, n - start);
                local.GatherRange(start, count);
                local.Assign(count, centres);
                double inertia = 0;
                for (int r = 0; r < count; r++)
                {
                    labels[start + r] = local.Labels[r];
                    float distance = TensorPrimitives.Distance(local.Rows.AsSpan(r * d, d), centres.AsSpan(local.Labels[r] * d, d));
                    inertia += (double)distance * distance;
                }
                blockInertia[b] = inertia;
                return local;
            },
            _ => { });
        double total = 0;
        foreach (double value in blockInertia) total += value;

        int[] ordered = LabelOrder.BySize(labels, k, out int[] order);
        var finalCentres = new FeatureMatrix(k, d);
        for (int rank = 0; rank < k; rank++)
            TensorPrimitives.Add(centres.AsSpan(order[rank] * d, d), mean, finalCentres.Row(rank));
        return new MiniBatchKMeansResult(ordered, finalCentres, total, steps);
    }

    /// <summary>scikit-learn's <c>_mini_batch_convergence</c>: early stopping on an exponentially weighted batch inertia.</summary>
    private sealed class Convergence(MiniBatchKMeansOptions options, int batch, int n, double tolerance)
    {
        private double? _ewa;
        private double? _ewaMin;
        private int _noImprovement;

        public bool Converged(long step, double squaredShift, double batchInertia)
        {
            batchInertia /= batch;
            // The first step's inertia mostly reflects the initialisation.
            if (step == 0) return false;
            if (_ewa is null) _ewa = batchInertia;
            else
            {
                double alpha = Math.Min(batch * 2.0 / (n + 1), 1);
                _ewa = _ewa * (1 - alpha) + batchInertia * alpha;
            }
            if (tolerance > 0 && squaredShift <= tolerance) return true;
            if (_ewaMin is null || _ewa < _ewaMin)
            {
                _noImprovement = 0;
                _ewaMin = _ewa;
            }
            else _noImprovement++;
            return options.MaxNoImprovement is int patience && _noImprovement >= patience;
        }
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
