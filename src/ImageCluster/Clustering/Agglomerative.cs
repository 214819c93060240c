namespace ImageCluster.Clustering;

/// <summary>
/// Hierarchical agglomerative clustering as scikit-learn's <c>AgglomerativeClustering</c> (which runs SciPy's
/// <c>linkage</c>), with elcorto/imagecluster's similarity cut as a third way to flatten the tree.
/// Builds the whole merge tree: the nearest-neighbour chain for ward, complete and average linkage, a minimum
/// spanning tree for single linkage. Time O(N² · d) for the distances (parallel) plus O(N²) for the tree;
/// memory 8 · N(N − 1)/2 bytes, hence <see cref="AgglomerativeOptions.MaxSamples"/>.
/// </summary>
public sealed class Agglomerative : IClusterer
{
    private readonly AgglomerativeOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Agglomerative(AgglomerativeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>. A single sample forms one cluster (scikit-learn refuses it).</summary>
    /// <exception cref="ArgumentException">Invalid options, too many samples, or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public AgglomerativeResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public AgglomerativeResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfNotFinite();
        _options.Validate(x.Rows);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellation,
        };
        using var distances = CondensedDistances.Compute(x, _options.Metric, parallel, progress);
        double max = distances.Max;
        var tree = LinkageBuilder.Build(distances, _options.Linkage, cancellation, progress);
        return Cut(tree, max, _options);
    }

    /// <summary>Flattens a finished tree with the cut chosen in <paramref name="options"/>.</summary>
    internal static AgglomerativeResult Cut(MergeTree tree, double maxPairwiseDistance, AgglomerativeOptions options)
    {
        int[] labels;
        double cutDistance;
        if (options.Sim is double sim)
        {
            // imagecluster: t = dfps.max() * (1.0 - sim), then fcluster(Z, t, criterion='distance').
            cutDistance = maxPairwiseDistance * (1.0 - sim);
            labels = TreeCut.AtMostDistance(tree, cutDistance);
        }
        else if (options.DistanceThreshold is double threshold)
        {
            cutDistance = threshold;
            labels = TreeCut.BelowThreshold(tree, threshold, out _);
        }
        else
        {
            int k = options.EffectiveNClusters!.Value;
            cutDistance = k == 1 ? double.PositiveInfinity : tree.Heights[tree.N - k];
            labels = TreeCut.ByCount(tree, k);
        }
        TreeCut.DropSmall(labels, options.EffectiveMinCsize);
        return new AgglomerativeResult(LabelOrder.BySize(labels), tree, cutDistance, maxPairwiseDistance);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
