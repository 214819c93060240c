namespace ImageCluster.Clustering;

/// <summary>
/// Graph clustering: the samples' k-nearest-neighbour graph, weighted as UMAP's fuzzy simplicial set, split into
/// communities by the Leiden algorithm (Traag, Waltman &amp; van Eck 2019) on modularity with a resolution — the
/// scanpy recipe (<c>pp.neighbors</c> + <c>tl.leiden</c>). Unlike K-Means it needs no convex, equal-sized clusters: a
/// community is a set of samples more linked among themselves than chance, whatever its shape.
/// </summary>
/// <remarks>
/// Neighbours are exact up to 20 000 samples, from an HNSW index (USearch) above. The graph has at
/// most 2·N·<see cref="LeidenOptions.NNeighbors"/> edges, so memory is O(N·k); each Leiden pass is about linear in the edges.
/// Every sample gets a community (no noise). Same seed and data, same partition.
/// </remarks>
public sealed class Leiden : IClusterer
{
    // Leiden's θ (the refinement's randomness), the value of the paper and leidenalg.
    private const double Randomness = 0.01;

    // Bisection steps of the resolution search; each is one Leiden run.
    private const int MaxResolutionSteps = 40;

    private readonly LeidenOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Leiden(LeidenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public LeidenResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far the neighbour search has got to <paramref name="progress"/>.</summary>
    public LeidenResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var graph = FuzzyNeighbourGraph.Of(x, _options.NNeighbors, _options.Metric, _options.MaxDegreeOfParallelism, progress, cancellation);
        return Partition(graph, _options, cancellation);
    }

    /// <summary>Leiden on <paramref name="graph"/> at the options' resolution, or searched for their number of communities.</summary>
    internal static LeidenResult Partition(WeightedGraph graph, LeidenOptions options, CancellationToken ct)
    {
        int[] Run(double resolution) => new LeidenPartition(resolution, Randomness, options.Seed, ct).Run(graph, iterations: -1);
        if (options.NClusters is not { } wanted)
        {
            int[] labels = Run(options.Resolution);
            return Result(labels, options.Resolution, 1);
        }

        // Communities grow in number with the resolution (not strictly): bracket the wanted count, then bisect log γ.
        int steps = 0;
        (double Resolution, int[] Labels)? best = null;
        int Count(int[] labels) => labels.Length == 0 ? 0 : labels.Max() + 1;
        void Consider(double resolution, int[] labels)
        {
            if (best is null || Math.Abs(Count(labels) - wanted) < Math.Abs(Count(best.Value.Labels) - wanted)) best = (resolution, labels);
        }
        int[] Try(double resolution)
        {
            var labels = Run(resolution);
            steps++;
            Consider(resolution, labels);
            return labels;
        }
        bool Done() => steps >= MaxResolutionSteps || Count(best!.Value.Labels) == wanted;

        // Double (too few communities) or halve (too many) from γ = 1 until the count is passed.
        bool tooFew = Count(Try(1)) < wanted;
        double previous = 1, probe = 1;
        while (!Done())
        {
            (previous, probe) = (probe, tooFew ? probe * 2 : probe / 2);
            int count = Count(Try(probe));
            if (tooFew ? count >= wanted : count <= wanted) break;
        }
        double low = Math.Min(previous, probe), high = Math.Max(previous, probe);
        while (!Done() && high > low)
        {
            double middle = Math.Sqrt(low * high);
            if (Count(Try(middle)) < wanted) low = middle;
            else high = middle;
        }
        return Result(best!.Value.Labels, best.Value.Resolution, steps);

        LeidenResult Result(int[] labels, double resolution, int resolutionSteps) =>
            new(LabelOrder.BySize(labels), resolution, LeidenPartition.Quality(graph, labels, resolution), resolutionSteps);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
