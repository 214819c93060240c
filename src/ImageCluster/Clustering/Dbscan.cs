namespace ImageCluster.Clustering;

/// <summary>
/// DBSCAN (Ester et al. 1996) with exactly scikit-learn's <c>DBSCAN</c> result: the same core samples, clusters and noise,
/// including which cluster a border point reachable from two clusters joins.
/// </summary>
/// <remarks>
/// <para>
/// scikit-learn's <c>dbscan_inner</c> starts a depth-first search at every still unlabelled core sample in index order and
/// labels everything the search reaches; a search never relabels a sample. Each search therefore labels one whole connected
/// component of the core samples (neighbours within eps) plus the unlabelled non-core neighbours of that component, and the
/// components are searched in increasing order of their lowest core index. So a border point ends in the component with
/// the lowest minimal core index among the components of its core neighbours, whatever the stack order inside a search.
/// This class computes exactly that, without storing neighbourhoods:
/// </para>
/// <list type="number">
/// <item>count every sample's neighbours (blocked, each unordered pair once) → core flags;</item>
/// <item>union-find over core–core neighbour pairs, linking towards the lower index, so every root is its component's
/// lowest core index;</item>
/// <item>each non-core sample takes the lowest root among its core neighbours (or stays noise).</item>
/// </list>
/// <para>
/// Time O(N² · d) (about N²/2 + C²/2 + (N − C)·C pair scores for C core samples), in parallel over row blocks.
/// Memory O(N · d) for float32 working copies (all rows, and the core rows gathered) plus O(N · workers) integers and
/// O(block) scratch per worker; never N × N.
/// Distances on the eps boundary are decided in float64 (see <see cref="DensitySpace"/>), so "≤ eps" matches scikit-learn.
/// </para>
/// </remarks>
public sealed class Dbscan : IClusterer
{
    private readonly DbscanOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Dbscan(DbscanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>; label −1 marks noise.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public DbscanResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public DbscanResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var parallel = DensityTiles.Options(_options.MaxDegreeOfParallelism, cancellation);
        var space = new DensitySpace(x, _options.Metric);
        double threshold = space.ScoreOf(_options.Eps);

        int[] counts = DbscanPasses.CountNeighbours(space, threshold, parallel, progress);
        var coreIds = Enumerable.Range(0, x.Rows).Where(i => counts[i] >= _options.MinSamples).ToArray();
        var cores = space.Gather(coreIds);
        int[] root = DbscanPasses.ConnectCores(space, cores, threshold, parallel, progress);

        // Components in the order scikit-learn discovers them: by lowest core index (= root, as core ids ascend).
        var component = new int[x.Rows];
        Array.Fill(component, -1);
        for (int c = 0; c < coreIds.Length; c++) component[coreIds[c]] = coreIds[root[c]];
        // A count of 1 is the sample itself (an all-zero row under cosine is nobody's neighbour below eps = 1): no core neighbour.
        var borderIds = Enumerable.Range(0, x.Rows).Where(i => counts[i] > 1 && counts[i] < _options.MinSamples).ToArray();
        int[] nearestRoot = DbscanPasses.LowestNeighbouringRoot(space, cores, root, borderIds, threshold, parallel, progress);
        for (int b = 0; b < borderIds.Length; b++) component[borderIds[b]] = nearestRoot[b];
        return new DbscanResult(LabelOrder.BySize(component), coreIds);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
