namespace ImageCluster.Clustering;

/// <summary>
/// A clustering algorithm ready to run with its options (scikit-learn's estimator): <see cref="Fit(FeatureMatrix, CancellationToken)"/> partitions the rows
/// of a <see cref="FeatureMatrix"/>. Each algorithm also has a typed <c>Fit</c> that returns its own result (centres,
/// medoids, reachability, merge tree); this interface is what code that takes "any algorithm" holds.
/// </summary>
public interface IClusterer
{
    /// <summary>The options the algorithm runs with.</summary>
    ClustererOptions Options { get; }

    /// <summary>Clusters the rows of <paramref name="x"/>; does no I/O.</summary>
    /// <exception cref="ArgumentException">Options that do not fit this data (e.g. more clusters than rows), named by <see cref="ArgumentException.ParamName"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    IClusteringResult Fit(FeatureMatrix x, CancellationToken cancellation = default);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far the algorithm's long passes have got
    /// (<see cref="StageProgress.Stage"/> names the pass, e.g. <c>dbscan neighbours</c>); a pass that ends within a second reports nothing.</summary>
    IClusteringResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default);
}
