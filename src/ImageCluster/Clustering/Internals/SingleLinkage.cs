namespace ImageCluster.Clustering;

/// <summary>
/// The single-linkage hierarchy of a spanning tree, numbered as scipy's linkage: samples are 0 … N − 1 and the cluster
/// formed by merge i is N + i. O(N log N) time, O(N) memory.
/// </summary>
internal static class SingleLinkage
{
    /// <summary>
    /// Merges the edges in ascending weight, equal weights in their given order (R's <c>order()</c> is stable, and
    /// <c>hclustMergeOrder</c> then merges edge by edge): each row holds the clusters of the edge's two ends, in the
    /// edge's order, so the rows equal R's <c>hclust</c> merge matrix.
    /// </summary>
    public static SingleLinkageMerge[] FromSpanningTree(int[] from, int[] to, float[] weight)
    {
        int edges = weight.Length, n = edges + 1;
        var order = new int[edges];
        for (int i = 0; i < edges; i++) order[i] = i;
        Array.Sort(order, (a, b) => weight[a] != weight[b] ? weight[a].CompareTo(weight[b]) : a.CompareTo(b));

        var parent = new int[n];
        var size = new int[n];
        var node = new int[n]; // the hierarchy node each union-find root stands for
        for (int i = 0; i < n; i++) (parent[i], size[i], node[i]) = (i, 1, i);
        var merges = new SingleLinkageMerge[edges];
        for (int k = 0; k < edges; k++)
        {
            int e = order[k];
            int a = Find(parent, from[e]), b = Find(parent, to[e]);
            merges[k] = new SingleLinkageMerge(node[a], node[b], weight[e], size[a] + size[b]);
            if (size[a] < size[b]) (a, b) = (b, a);
            parent[b] = a;
            size[a] += size[b];
            node[a] = n + k;
        }
        return merges;
    }

    private static int Find(int[] parent, int x)
    {
        int root = x;
        while (parent[root] != root) root = parent[root];
        while (parent[x] != root) (parent[x], x) = (root, parent[x]);
        return root;
    }
}
