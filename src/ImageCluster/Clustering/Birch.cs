namespace ImageCluster.Clustering;

/// <summary>
/// BIRCH clustering, a port of scikit-learn 1.2.1's <c>Birch</c>: one pass builds a CF-tree of subclusters (each a
/// count, linear sum and squared sum, never the samples), then ward <see cref="Agglomerative"/> groups the leaf
/// subclusters' centroids into <see cref="BirchOptions.NClusters"/> clusters, and each sample takes the cluster of its
/// nearest subcluster. Time O(N · depth · BranchingFactor · d) for the tree, O(S²) for the global step over S
/// subclusters, O(N · S · d / threads) for the labels; memory O(S · d) plus O(S²) in the global step, never O(N²).
/// </summary>
public sealed class Birch : IClusterer
{
    private readonly BirchOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Birch(BirchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>, one sample at a time in row order (the order matters, as in scikit-learn).</summary>
    /// <exception cref="ArgumentException">Invalid options, too many subclusters for the global step, or non-finite values.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public BirchResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public BirchResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfNotFinite();
        _options.Validate(x.Rows);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        var (centres, subclusterSizes) = BuildTree(x, cancellation);
        int s = subclusterSizes.Length;
        int d = x.Columns;

        int[] global;
        bool skipped = _options.NClusters is int wanted && s < wanted;
        if (_options.NClusters is int k && !skipped)
        {
            if (s > _options.MaxSubclusters)
                throw new ArgumentException(
                    $"BIRCH found {s} subclusters, more than MaxSubclusters = {_options.MaxSubclusters} for its global agglomerative step " +
                    $"({AgglomerativeOptions.DistanceBytes(s):N0} bytes); raise Threshold (fewer, larger subclusters), set NClusters = null, or raise MaxSubclusters.",
                    nameof(BirchOptions.MaxSubclusters));
            using var distances = CondensedDistances.ComputeExact(centres, s, d, parallel);
            var tree = LinkageBuilder.Build(distances, Linkage.Ward, cancellation);
            global = TreeCut.ByCount(tree, k);
        }
        else
        {
            global = new int[s];
            for (int j = 0; j < s; j++) global[j] = j;
        }
        // Tree cuts name clusters by node id; make them 0..clusters − 1 first.
        var dense = LabelOrder.ByFirstAppearance(global, out int clusters);

        int[] labels = [];
        long[] sizes, tieKey;
        if (_options.ComputeLabels)
        {
            var nearest = NearestSubcluster.Assign(x, centres, s, parallel);
            labels = new int[x.Rows];
            for (int i = 0; i < labels.Length; i++) labels[i] = dense[nearest[i]];
            (sizes, tieKey) = LabelOrder.Census(labels, clusters);
        }
        else
        {
            (sizes, tieKey) = (new long[clusters], new long[clusters]);
            Array.Fill(tieKey, long.MaxValue);
            for (int j = 0; j < s; j++)
            {
                sizes[dense[j]] += subclusterSizes[j];
                tieKey[dense[j]] = Math.Min(tieKey[dense[j]], j);
            }
        }
        var rank = LabelOrder.Ranks(sizes, tieKey);
        for (int i = 0; i < labels.Length; i++) labels[i] = rank[labels[i]];
        var subclusterLabels = new int[s];
        for (int j = 0; j < s; j++) subclusterLabels[j] = rank[dense[j]];
        var centreMatrix = new FeatureMatrix(s, d);
        for (int p = 0; p < centres.Length; p++) centreMatrix.Data[p] = (float)centres[p];
        return new BirchResult(labels, clusters, centreMatrix, subclusterLabels, skipped);
    }

    /// <summary>scikit-learn's <c>_fit</c> loop; returns the leaf subclusters' centroids (row-major) and sample counts in leaf-chain order.</summary>
    private (double[] Centres, int[] Sizes) BuildTree(FeatureMatrix x, CancellationToken cancellation)
    {
        int d = x.Columns;
        double threshold = _options.Threshold;
        int branching = _options.BranchingFactor;
        var root = new CFNode(threshold, branching, isLeaf: true, d);
        var dummyLeaf = new CFNode(threshold, branching, isLeaf: true, d) { NextLeaf = root };
        root.PrevLeaf = dummyLeaf;
        for (int i = 0; i < x.Rows; i++)
        {
            if ((i & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            if (!root.InsertCFSubcluster(new CFSubcluster(x.ReadRow(i)))) continue;
            var (first, second) = CFSplit.SplitNode(root);
            root = new CFNode(threshold, branching, isLeaf: false, d);
            root.AppendSubcluster(first);
            root.AppendSubcluster(second);
        }
        var centres = new List<double>();
        var sizes = new List<int>();
        for (var leaf = dummyLeaf.NextLeaf; leaf is not null; leaf = leaf.NextLeaf)
        {
            centres.AddRange(leaf.Centroids.AsSpan(0, leaf.Subclusters.Count * d));
            foreach (var subcluster in leaf.Subclusters) sizes.Add(subcluster.NSamples);
        }
        return (centres.ToArray(), sizes.ToArray());
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
