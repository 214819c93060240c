namespace ImageCluster.Clustering;

/// <summary>
/// OPTICS (Ankerst et al. 1999) as scikit-learn 1.2.1's <c>OPTICS</c>: the same ordering, reachability, core distances
/// and predecessors, and the same Xi or DBSCAN-style extraction (<see cref="OpticsExtraction"/>).
/// </summary>
/// <remarks>
/// <para>
/// Distances are exact float64 values computed from the float32 features (differences and products accumulated in float64),
/// rounded to 15 decimals as scikit-learn does; the ordering's tie rule is scikit-learn's (lowest index). Values agree with
/// scikit-learn's float64 results to about 1e-15 relative; only an exact tie in scikit-learn that the two summation orders
/// break differently could reorder samples.
/// </para>
/// <para>
/// Time O(N² · d): a blocked k-nearest-neighbour pass for the core distances, then N steps that each score the current
/// sample against all unprocessed samples (scikit-learn's brute force does the same). Memory O(N · (d + MinSamples)): two
/// float32 working copies of the rows (one kept compact for the unprocessed samples) and the k nearest scores, plus
/// O(block) scratch per worker; never N × N.
/// </para>
/// </remarks>
public sealed class Optics : IClusterer
{
    private readonly OpticsOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Optics(OpticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Orders the rows of <paramref name="x"/> and extracts clusters; label −1 marks noise.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public OpticsResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public OpticsResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var parallel = DensityTiles.Options(_options.MaxDegreeOfParallelism, cancellation);
        var space = new DensitySpace(x, _options.Metric);
        double[] core = OpticsGraph.CoreDistances(space, _options.MinSamples, _options.MaxEps, parallel, progress);
        var (ordering, reachability, predecessor) = OpticsGraph.Order(space, core, _options.MaxEps, parallel, progress);

        if (_options.ClusterMethod == OpticsClusterMethod.Dbscan)
        {
            int[] dbscan = OpticsExtraction.Dbscan(reachability, core, ordering, _options.Eps ?? _options.MaxEps);
            return new OpticsResult(LabelOrder.BySize(dbscan), ordering, reachability, core, predecessor, null);
        }
        var clusters = OpticsExtraction.XiClusters(reachability, predecessor, ordering, _options.Xi, _options.MinSamples,
            _options.MinClusterSize ?? _options.MinSamples, _options.PredecessorCorrection);
        int[] labels = OpticsExtraction.XiLabels(ordering, clusters);
        return new OpticsResult(LabelOrder.BySize(labels), ordering, reachability, core, predecessor, clusters.ToArray());
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
