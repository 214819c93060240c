namespace ImageCluster.Clustering;

/// <summary>
/// Outcome of <see cref="Agglomerative.Fit(FeatureMatrix, CancellationToken)"/>: the flat clustering and the full merge tree in SciPy's linkage form
/// (row m of SciPy's Z is <c>Children[m].Left, Children[m].Right, Distances[m], Counts[m]</c>).
/// </summary>
public sealed class AgglomerativeResult : IClusteringResult
{
    internal AgglomerativeResult(int[] labels, MergeTree tree, double cutDistance, double maxPairwiseDistance)
    {
        Labels = labels;
        int clusters = 0;
        foreach (int label in labels) clusters = Math.Max(clusters, label + 1);
        NClusters = clusters;
        Children = new (int Left, int Right)[tree.Left.Length];
        for (int m = 0; m < Children.Length; m++) Children[m] = (tree.Left[m], tree.Right[m]);
        Distances = tree.Heights;
        Counts = tree.Counts;
        CutDistance = cutDistance;
        MaxPairwiseDistance = maxPairwiseDistance;
    }

    /// <inheritdoc />
    public int[] Labels { get; }

    /// <inheritdoc />
    public int NClusters { get; }

    /// <summary>
    /// The N − 1 merges in order of height (SciPy numbering: samples are nodes 0..N − 1, merge m creates node N + m;
    /// the smaller node id comes first). Equal heights keep the order in which the algorithm found them.
    /// </summary>
    public (int Left, int Right)[] Children { get; }

    /// <summary>Height of each merge, non-decreasing (SciPy <c>Z[:, 2]</c>, scikit-learn <c>distances_</c>).</summary>
    public double[] Distances { get; }

    /// <summary>Number of samples under each merge (SciPy <c>Z[:, 3]</c>).</summary>
    public int[] Counts { get; }

    /// <summary>
    /// Where the tree was cut: <see cref="AgglomerativeOptions.DistanceThreshold"/> itself; for
    /// <see cref="AgglomerativeOptions.Sim"/> the distance <c>MaxPairwiseDistance × (1 − Sim)</c>; for
    /// <see cref="AgglomerativeOptions.NClusters"/> = k the height of the first merge left undone,
    /// <c>Distances[N − k]</c> (+∞ for k = 1, where nothing is undone).
    /// </summary>
    public double CutDistance { get; }

    /// <summary>Largest distance between two samples (0 for a single sample); the scale of the <see cref="AgglomerativeOptions.Sim"/> cut.</summary>
    public double MaxPairwiseDistance { get; }
}
