namespace ImageCluster.Clustering;

/// <summary>scikit-learn 1.2.1's <c>_split_node</c>: divides an overfull CF-node around its farthest pair of subclusters.</summary>
internal static class CFSplit
{
    /// <summary>
    /// Builds two nodes (taking the old node's place in the leaf chain) and their two parent subclusters. Each
    /// subcluster goes to the side of the farthest pair whose member it is strictly closer to, ties to the first.
    /// </summary>
    public static (CFSubcluster First, CFSubcluster Second) SplitNode(CFNode node)
    {
        int d = node.D;
        var first = new CFSubcluster(d);
        var second = new CFSubcluster(d);
        var node1 = new CFNode(node.Threshold, node.BranchingFactor, node.IsLeaf, d);
        var node2 = new CFNode(node.Threshold, node.BranchingFactor, node.IsLeaf, d);
        first.Child = node1;
        second.Child = node2;
        if (node.IsLeaf)
        {
            if (node.PrevLeaf is { } prev) prev.NextLeaf = node1;
            node1.PrevLeaf = node.PrevLeaf;
            node1.NextLeaf = node2;
            node2.PrevLeaf = node1;
            node2.NextLeaf = node.NextLeaf;
            if (node.NextLeaf is { } next) next.PrevLeaf = node2;
        }

        int count = node.Subclusters.Count;
        var distances = SquaredDistances(node, count);
        // Row-major argmax, first occurrence, as np.unravel_index(dist.argmax(), ...).
        int farthest = 0;
        for (int p = 1; p < distances.Length; p++)
            if (distances[p] > distances[farthest]) farthest = p;
        int a = farthest / count, b = farthest % count;
        for (int j = 0; j < count; j++)
        {
            // The first of the pair stays on its own side even when every distance is zero (all duplicates).
            bool toFirst = j == a || distances[a * count + j] < distances[b * count + j];
            var subcluster = node.Subclusters[j];
            (toFirst ? node1 : node2).AppendSubcluster(subcluster);
            (toFirst ? first : second).Update(subcluster);
        }
        return (first, second);
    }

    // euclidean_distances(centroids, squared=True) as scikit-learn computes it for float64: the norms are recomputed
    // from the centroids (the passed Y_norm_squared is ignored when Y is X), (−2·G + |cᵢ|²) + |cⱼ|², clipped at 0,
    // and a zero diagonal.
    private static double[] SquaredDistances(CFNode node, int count)
    {
        var norms = new double[count];
        for (int i = 0; i < count; i++) norms[i] = CFSubcluster.Dot(node.Centroid(i), node.Centroid(i));
        var distances = new double[count * count];
        for (int i = 0; i < count; i++)
        {
            for (int j = i + 1; j < count; j++)
            {
                double twice = -2 * CFSubcluster.Dot(node.Centroid(i), node.Centroid(j));
                distances[i * count + j] = Math.Max(twice + norms[i] + norms[j], 0);
                distances[j * count + i] = Math.Max(twice + norms[j] + norms[i], 0);
            }
        }
        return distances;
    }
}
