namespace ImageCluster.Clustering;

/// <summary>
/// One row of a single-linkage tree, as a row of scipy's linkage matrix: samples are numbered 0 … N − 1 and the cluster
/// formed by row i is N + i.
/// </summary>
/// <param name="ChildA">First merged node (a sample or an earlier row's cluster).</param>
/// <param name="ChildB">Second merged node.</param>
/// <param name="Distance">Mutual reachability distance at which they merge (non-decreasing over the rows).</param>
/// <param name="Size">Number of samples in the merged cluster.</param>
public readonly record struct SingleLinkageMerge(int ChildA, int ChildB, double Distance, int Size);

/// <summary>
/// One row of HDBSCAN's condensed tree, as scikit-learn's <c>condensed_tree_</c>: samples are 0 … N − 1, the root is N
/// and the clusters of the tree are N + 1, N + 2, … in order of appearance.
/// </summary>
/// <param name="Parent">The cluster the child belongs to.</param>
/// <param name="Child">A sample (when <paramref name="ChildSize"/> is 1 and the id is below N) or a child cluster.</param>
/// <param name="Lambda">
/// 1 / distance at which the child leaves the parent: for a cluster, where the parent splits; for a sample, where it
/// drops out (see <see cref="Hdbscan"/> on how that is defined); +∞ for distance 0.
/// </param>
/// <param name="ChildSize">Number of samples in the child.</param>
public readonly record struct CondensedTreeEdge(int Parent, int Child, double Lambda, int ChildSize);

/// <summary>Outcome of <see cref="Hdbscan.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class HdbscanResult : IClusteringResult
{
    internal HdbscanResult(int[] labels, int nClusters, double[] probabilities, double[] outlierScores, double[] coreDistances,
        SingleLinkageMerge[] singleLinkageTree, CondensedTreeEdge[] condensedTree)
    {
        Labels = labels;
        NClusters = nClusters;
        Probabilities = probabilities;
        OutlierScores = outlierScores;
        CoreDistances = coreDistances;
        SingleLinkageTree = singleLinkageTree;
        CondensedTree = condensedTree;
    }

    /// <inheritdoc/>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters { get; }

    /// <summary>
    /// Strength of each sample's membership in its cluster, in [0, 1]; 0 for noise. As R's <c>membership_prob</c>:
    /// (m − core distance) / m, where m is the largest core distance in the cluster, so the densest members score
    /// highest (scikit-learn instead scales the sample's λ by the cluster's largest λ).
    /// </summary>
    public double[] Probabilities { get; }

    /// <summary>
    /// GLOSH outlier score of each sample (Campello et al. 2015), as R's <c>outlier_scores</c>:
    /// 1 − ε_max / ε(x), where ε(x) is the distance at which the sample drops out of its cluster and ε_max the smallest
    /// distance at which that cluster or any cluster below it still exists. Near 0 = inlier, near 1 = outlier.
    /// </summary>
    public double[] OutlierScores { get; }

    /// <summary>
    /// Core distance of each sample: the distance to its <see cref="HdbscanOptions.MinSamples"/>-th nearest neighbour,
    /// counting the sample itself.
    /// </summary>
    public double[] CoreDistances { get; }

    /// <summary>Single-linkage tree of the mutual reachability distances (N − 1 rows).</summary>
    public SingleLinkageMerge[] SingleLinkageTree { get; }

    /// <summary>
    /// The condensed tree: the single-linkage tree seen from the clusters of at least
    /// <see cref="HdbscanOptions.MinClusterSize"/> samples (one row per sample, two per split).
    /// </summary>
    public CondensedTreeEdge[] CondensedTree { get; }
}
