namespace ImageCluster.Clustering;

/// <summary>
/// HDBSCAN (Campello, Moulavi &amp; Sander 2013): density-based clustering over all density levels at once, with noise.
/// Checked against R's <c>dbscan::hdbscan</c> (Hahsler et al., 1.1-11) and built to scikit-learn's <c>HDBSCAN</c>
/// options.
/// </summary>
/// <remarks>
/// <para>Steps: core distances by brute-force k-nearest neighbours; the minimum spanning tree of the mutual reachability
/// distances max(core(a), core(b), d(a, b)) by Prim's algorithm, computing distances on the fly; its single-linkage
/// hierarchy; the condensed cluster tree with stabilities; the flat clusters by excess of mass or leaves.</para>
/// <para>Cost: O(N²·d) time (two passes over all pairs, the second pruned by core distances), O(N·(d + MinSamples))
/// memory — one copy of the rows and a few arrays, never an N × N matrix, so 50 000 × 128 features need about 30 MB.
/// The pair loops run on all cores; the result does not depend on the number of threads.</para>
/// <para>Where R and scikit-learn / the Python <c>hdbscan</c> differ, this follows R: ties among equal distances resolve
/// as in R's Prim's algorithm; a too-small part of a split cluster stays in it until its samples join the hierarchy
/// (see <see cref="HdbscanResult.CondensedTree"/>), which changes stabilities and may change which clusters are chosen;
/// <see cref="HdbscanResult.Probabilities"/> and <see cref="HdbscanResult.OutlierScores"/> are R's.</para>
/// </remarks>
public sealed class Hdbscan : IClusterer
{
    private readonly HdbscanOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Hdbscan(HdbscanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public HdbscanResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public HdbscanResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfNotFinite();
        _options.Validate(x.Rows);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellation,
        };
        var distances = new PointDistances(x, _options.Metric);
        float[] core = CoreDistances.Compute(distances, _options.EffectiveMinSamples, parallel, progress);
        var (from, to, weight) = MutualReachabilityMst.Build(distances, core, parallel, cancellation, progress);
        var merges = SingleLinkage.FromSpanningTree(from, to, weight);
        var tree = new ClusterTree(merges, _options.MinClusterSize);

        int[] treeLabels = ClusterSelection.Labels(tree, _options);
        double[] probabilities = ClusterSelection.Probabilities(treeLabels, core);
        int[] labels = LabelOrder.BySize(treeLabels);
        int nClusters = labels.Length == 0 ? 0 : labels.Max() + 1;
        // A lone sample has no hierarchy to be an outlier of.
        double[] outlierScores = x.Rows > 1 ? tree.OutlierScores() : [0.0];
        return new HdbscanResult(labels, nClusters, probabilities, outlierScores, Array.ConvertAll(core, c => (double)c),
            merges, tree.Rows);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
