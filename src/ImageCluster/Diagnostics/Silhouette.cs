using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>Options of <see cref="Silhouette"/>, named after scikit-learn's <c>silhouette_score</c>.</summary>
public sealed record SilhouetteOptions
{
    /// <summary>Distance between samples.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>
    /// Score a random subset of this many samples (null = all). The cost is O(n² · features), so large sets are
    /// sampled; the subset's size is reported with the score.
    /// </summary>
    public int? SampleSize { get; init; }

    /// <summary>Seed of the subset choice.</summary>
    public int Seed { get; init; }
}

/// <summary>A silhouette result: the mean and the value of every scored sample.</summary>
/// <param name="Mean">Mean silhouette over the scored samples, in [−1, 1]; higher = tighter, better separated clusters.</param>
/// <param name="Samples">Indices (into the input) of the scored samples, ascending.</param>
/// <param name="Values">Silhouette of each scored sample (0 for a sample alone in its cluster, as scikit-learn).</param>
public sealed record SilhouetteResult(double Mean, int[] Samples, double[] Values);

/// <summary>
/// Silhouette coefficient (Rousseeuw 1987) as scikit-learn computes it: for each sample, a = mean distance to the other
/// members of its cluster, b = lowest mean distance to the members of another cluster, s = (b − a) / max(a, b).
/// Noise (label −1) counts as a cluster, as in scikit-learn. Needs 2 ≤ clusters ≤ samples − 1.
/// </summary>
public static class Silhouette
{
    /// <summary>Scores <paramref name="labels"/> on <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 or more than n − 1 clusters, or mismatched lengths.</exception>
    public static SilhouetteResult Score(FeatureMatrix x, IReadOnlyList<int> labels, SilhouetteOptions? options = null)
    {
        options ??= new SilhouetteOptions();
        if (labels.Count != x.Rows) throw new ArgumentException($"{labels.Count} labels for {x.Rows} samples.");
        if (options.SampleSize is < 2) throw new ArgumentException($"The silhouette sample size must be at least 2 (got {options.SampleSize}).");
        int[] samples = Sampling.Subset(x.Rows, options.SampleSize, options.Seed);
        var clusterOf = samples.Select(i => labels[i]).ToArray();
        var clusters = clusterOf.Distinct().Order().ToArray();
        if (clusters.Length < 2 || clusters.Length > samples.Length - 1)
            throw new ArgumentException($"The silhouette needs between 2 and {samples.Length - 1} clusters among the scored samples (got {clusters.Length}).");
        var index = clusters.Select((c, j) => (c, j)).ToDictionary(p => p.c, p => p.j);
        int[] cluster = clusterOf.Select(c => index[c]).ToArray();
        var sizes = new int[clusters.Length];
        foreach (int c in cluster) sizes[c]++;

        var data = Sampling.Rows(x, samples);
        if (options.Metric == DistanceMetric.Cosine) data = data.UnitRows();
        var values = new double[samples.Length];
        PairwiseDistances.ForEachRowBlock(data, options.Metric == DistanceMetric.Cosine, (first, block) =>
        {
            int n = samples.Length;
            var sums = new double[clusters.Length];
            for (int r = 0; r < block.Length / n; r++)
            {
                int i = first + r;
                Array.Clear(sums);
                var row = block.Slice(r * n, n);
                for (int j = 0; j < n; j++) sums[cluster[j]] += row[j];
                int own = cluster[i];
                if (sizes[own] == 1) continue; // scikit-learn: 0 for a singleton
                double a = sums[own] / (sizes[own] - 1);
                double b = double.PositiveInfinity;
                for (int c = 0; c < sums.Length; c++)
                    if (c != own) b = Math.Min(b, sums[c] / sizes[c]);
                values[i] = (b - a) / Math.Max(a, b) is var s && double.IsFinite(s) ? s : 0;
            }
        });
        return new SilhouetteResult(values.Average(), samples, values);
    }
}

/// <summary>
/// All pairwise distances of a matrix, handed out a block of rows at a time through the blocked dot-product kernel, so
/// memory stays at (workers × 64 × n) floats instead of n × n: 20 000 samples need 10 MB per worker, not 1.6 GB.
/// </summary>
internal static class PairwiseDistances
{
    private const int BlockRows = 64;

    /// <summary>
    /// Calls <paramref name="consume"/> (in parallel, each call on its own buffer) with the first row index of a block and
    /// the block's distances to every row, row-major: Euclidean (clipped at 0 before the root, as scikit-learn) or
    /// 1 − dot for unit rows. The diagonal is exactly 0.
    /// </summary>
    public static void ForEachRowBlock(FeatureMatrix x, bool cosineOfUnitRows, BlockConsumer consume)
    {
        int n = x.Rows, d = x.Columns;
        var norms = new float[n];
        for (int i = 0; i < n; i++) norms[i] = System.Numerics.Tensors.TensorPrimitives.Dot(x.ReadRow(i), x.ReadRow(i));
        Parallel.For(0, (n + BlockRows - 1) / BlockRows, () => new float[BlockRows * n], (b, _, buffer) =>
        {
            int start = b * BlockRows, count = Math.Min(BlockRows, n - start);
            var rows = Enumerable.Range(start, count).ToArray();
            var products = buffer.AsSpan(0, count * n);
            DotKernel.RowsTimesTransposed(x.Data, d, rows, x.Data, n, products);
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                var row = products.Slice(r * n, n);
                for (int j = 0; j < n; j++)
                    row[j] = cosineOfUnitRows ? Math.Max(0f, 1f - row[j]) : MathF.Sqrt(Math.Max(0f, norms[i] + norms[j] - 2 * row[j]));
                row[i] = 0;
            }
            consume(start, products);
            return buffer;
        }, _ => { });
    }

    /// <summary>Receives the distances of rows <c>first …</c> to all rows; the span is reused after the call returns.</summary>
    public delegate void BlockConsumer(int first, ReadOnlySpan<float> distances);
}
