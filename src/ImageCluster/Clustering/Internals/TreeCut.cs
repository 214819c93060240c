namespace ImageCluster.Clustering;

/// <summary>Flat clusterings read off a <see cref="MergeTree"/>; each returns one cluster id per sample (not yet renumbered).</summary>
internal static class TreeCut
{
    /// <summary>scikit-learn's <c>_hc_cut</c>: undo the last <paramref name="k"/> − 1 merges, i.e. perform the first N − k.</summary>
    public static int[] ByCount(MergeTree tree, int k) => Perform(tree, m => m < tree.N - k);

    /// <summary>
    /// scikit-learn's <c>distance_threshold</c>: <c>n_clusters_ = count(heights ≥ threshold) + 1</c>, then
    /// <see cref="ByCount"/>; with heights sorted ascending this performs exactly the merges strictly below the threshold.
    /// </summary>
    public static int[] BelowThreshold(MergeTree tree, double threshold, out int nClusters)
    {
        int atOrAbove = 0;
        foreach (double height in tree.Heights) if (height >= threshold) atOrAbove++;
        nClusters = atOrAbove + 1;
        return ByCount(tree, Math.Min(nClusters, tree.N));
    }

    /// <summary>
    /// SciPy's <c>fcluster(Z, t, criterion='distance')</c>: a flat cluster is a maximal subtree whose largest merge height
    /// (SciPy's <c>get_max_dist_for_each_cluster</c>) is ≤ <paramref name="t"/>.
    /// </summary>
    public static int[] AtMostDistance(MergeTree tree, double t)
    {
        int n = tree.N;
        var maxDistance = new double[tree.Heights.Length];
        for (int m = 0; m < maxDistance.Length; m++)
        {
            double max = tree.Heights[m];
            if (tree.Left[m] >= n) max = Math.Max(max, maxDistance[tree.Left[m] - n]);
            if (tree.Right[m] >= n) max = Math.Max(max, maxDistance[tree.Right[m] - n]);
            maxDistance[m] = max;
        }
        // A node within the cut has every descendant within it too, so performing those merges builds the clusters.
        return Perform(tree, m => maxDistance[m] <= t);
    }

    /// <summary>Members of clusters smaller than <paramref name="minSize"/> become −1.</summary>
    public static void DropSmall(int[] labels, int minSize)
    {
        if (minSize <= 1) return;
        var sizes = new Dictionary<int, int>();
        foreach (int label in labels) sizes[label] = sizes.GetValueOrDefault(label) + 1;
        for (int i = 0; i < labels.Length; i++)
            if (sizes[labels[i]] < minSize) labels[i] = -1;
    }

    // Walks the tree from the root down, handing each performed merge's cluster id to its children. Valid because every
    // cut here is closed downwards: the children of a performed merge are performed merges or leaves. O(N).
    private static int[] Perform(MergeTree tree, Func<int, bool> performed)
    {
        int n = tree.N;
        var cluster = new int[Math.Max(2 * n - 1, 1)];
        Array.Fill(cluster, -1);
        for (int m = tree.Heights.Length - 1; m >= 0; m--)
        {
            int node = n + m;
            if (cluster[node] < 0) cluster[node] = node;
            if (!performed(m)) continue;
            cluster[tree.Left[m]] = cluster[node];
            cluster[tree.Right[m]] = cluster[node];
        }
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = cluster[i] < 0 ? i : cluster[i];
        return labels;
    }
}
