namespace ImageCluster.Clustering;

/// <summary>
/// Chooses the flat clusters from a <see cref="ClusterTree"/> and labels the samples. O(N + clusters · depth).
/// </summary>
/// <remarks>
/// EOM without epsilon and without a single cluster is R dbscan's <c>extractUnsupervised</c> (1.1-11), which agrees with
/// scikit-learn: children replace their parent only when their summed stability is strictly larger, and the root is
/// never a cluster. R has no leaf selection, no epsilon and no single cluster; those follow scikit-learn's
/// <c>_get_clusters</c>, <c>epsilon_search</c> and <c>do_labelling</c>, applied to R's tree.
/// </remarks>
internal static class ClusterSelection
{
    /// <summary>Cluster id (in <paramref name="tree"/>) of each sample, or −1 for noise.</summary>
    public static int[] Labels(ClusterTree tree, HdbscanOptions options)
    {
        // Fewer samples than a cluster needs cannot be a cluster, not even the single one.
        bool allowSingle = options.AllowSingleCluster && tree.SampleCount >= options.MinClusterSize;
        var selected = options.ClusterSelectionMethod == ClusterSelectionMethod.Leaf
            ? Leaves(tree, allowSingle)
            : ExcessOfMass(tree, allowSingle);
        double epsilon = options.ClusterSelectionEpsilon;
        bool onlyRoot = selected.Count == 1 && selected.Contains(0);
        if (epsilon > 0 && !onlyRoot && selected.Count > 0) selected = EpsilonSearch(tree, selected, epsilon, allowSingle);
        return Assign(tree, selected, epsilon);
    }

    /// <summary>R's membership probabilities: (m − core distance) / m, m the largest core distance in the cluster.</summary>
    public static double[] Probabilities(int[] labels, float[] core)
    {
        var largest = new Dictionary<int, float>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0) largest[labels[i]] = Math.Max(largest.GetValueOrDefault(labels[i]), core[i]);
        var result = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) continue;
            double m = largest[labels[i]];
            result[i] = m > 0 ? (m - core[i]) / m : 1; // R divides 0 by 0 for a cluster of duplicates; all are full members
        }
        return result;
    }

    private static HashSet<int> ExcessOfMass(ClusterTree tree, bool allowSingleCluster)
    {
        // Bottom-up (children have higher ids than their parents): does a cluster beat the best selection below it?
        var score = new double[tree.Count];
        var keepsItself = new bool[tree.Count];
        for (int c = tree.Count - 1; c >= 0; c--)
        {
            double own = c == 0 ? RootStability(tree) : tree.Stability[c];
            if (tree.IsLeaf(c))
            {
                (score[c], keepsItself[c]) = (own, true);
                continue;
            }
            var (left, right) = tree.Children(c);
            double children = score[left] + score[right];
            keepsItself[c] = !(own < children) && (c != 0 || allowSingleCluster);
            score[c] = keepsItself[c] ? own : children;
        }
        // Top-down: the highest clusters that keep themselves, below the root unless a single cluster is allowed.
        var selected = new HashSet<int>();
        var covered = new bool[tree.Count];
        for (int c = 0; c < tree.Count; c++)
        {
            covered[c] = c > 0 && (covered[tree.Parent(c)] || selected.Contains(tree.Parent(c)));
            if (!covered[c] && keepsItself[c] && (c != 0 || allowSingleCluster)) selected.Add(c);
        }
        return selected;
    }

    // scikit-learn's root is born at λ = 0 (distance ∞); R never scores the root, so its convention (born at the top
    // merge) would only shrink the root's stability.
    private static double RootStability(ClusterTree tree)
    {
        double stability = 0;
        for (int i = 0; i < tree.SampleCount; i++)
            if (tree.ClusterOf[i] == 0) stability += 1 / tree.SampleEps[i];
        if (!tree.IsLeaf(0)) stability += (tree.Size(tree.Children(0).Left) + tree.Size(tree.Children(0).Right)) / tree.Death(0);
        return stability;
    }

    private static HashSet<int> Leaves(ClusterTree tree, bool allowSingleCluster)
    {
        // With no split at all the root is the only leaf: a cluster only when a single cluster is allowed (scikit-learn
        // drops it even then, which its maintainers call a bug: scikit-learn-contrib/hdbscan#476).
        if (tree.IsLeaf(0)) return allowSingleCluster ? [0] : [];
        var leaves = new HashSet<int>();
        for (int c = 1; c < tree.Count; c++)
            if (tree.IsLeaf(c)) leaves.Add(c);
        return leaves;
    }

    private static HashSet<int> EpsilonSearch(ClusterTree tree, HashSet<int> chosen, double epsilon, bool allowSingleCluster)
    {
        var result = new HashSet<int>();
        var processed = new HashSet<int>();
        foreach (int leaf in chosen.Order())
        {
            if (tree.Birth(leaf) >= epsilon)
            {
                result.Add(leaf);
                continue;
            }
            if (processed.Contains(leaf)) continue;
            int up = TraverseUpwards(tree, leaf, epsilon, allowSingleCluster);
            result.Add(up);
            var below = new Stack<int>([up]);
            while (below.Count > 0)
            {
                int c = below.Pop();
                if (c != up) processed.Add(c);
                if (tree.IsLeaf(c)) continue;
                var (left, right) = tree.Children(c);
                below.Push(left);
                below.Push(right);
            }
        }
        return result;
    }

    private static int TraverseUpwards(ClusterTree tree, int leaf, double epsilon, bool allowSingleCluster)
    {
        while (true)
        {
            int parent = tree.Parent(leaf);
            if (parent == 0) return allowSingleCluster ? 0 : leaf;
            if (tree.Birth(parent) > epsilon) return parent;
            leaf = parent;
        }
    }

    private static int[] Assign(ClusterTree tree, HashSet<int> selected, double epsilon)
    {
        // Each cluster's nearest selected ancestor-or-self (−1 if none below the root).
        var owner = new int[tree.Count];
        for (int c = 0; c < tree.Count; c++)
            owner[c] = selected.Contains(c) && c != 0 ? c : c == 0 ? -1 : owner[tree.Parent(c)];
        bool rootAlone = selected.Count == 1 && selected.Contains(0);
        double threshold = epsilon > 0 ? 1 / epsilon : RootMaxLambda(tree);
        var labels = new int[tree.SampleCount];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = owner[tree.ClusterOf[i]];
            // scikit-learn's single cluster keeps only the samples that stay until the root's last drop-out or split
            // (or until 1/epsilon): the samples that leave the root earlier are noise.
            if (labels[i] < 0 && rootAlone && Lambda(tree.SampleEps[i]) >= threshold) labels[i] = 0;
        }
        return labels;
    }

    private static double RootMaxLambda(ClusterTree tree)
    {
        double max = tree.IsLeaf(0) ? 0 : Lambda(tree.Birth(tree.Children(0).Left));
        for (int i = 0; i < tree.SampleCount; i++)
            if (tree.ClusterOf[i] == 0) max = Math.Max(max, Lambda(tree.SampleEps[i]));
        return max;
    }

    private static double Lambda(double eps) => eps > 0 ? 1 / eps : double.PositiveInfinity;
}
