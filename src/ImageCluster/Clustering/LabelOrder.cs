namespace ImageCluster.Clustering;

/// <summary>The cluster numbering every result uses: by size, largest first; equal sizes by their lowest sample index.</summary>
internal static class LabelOrder
{
    /// <summary>Labels renumbered by cluster size (largest first, ties by lowest member index); −1 stays −1.</summary>
    public static int[] BySize(int[] labels)
    {
        int count = 0;
        foreach (int label in labels) count = Math.Max(count, label + 1);
        return BySize(labels, count, out _);
    }

    /// <summary>
    /// Labels in <c>[0, <paramref name="clusterCount"/>)</c> (or −1) renumbered by size; <paramref name="order"/>[rank]
    /// is the old label that became <c>rank</c>, so per-cluster data (centres, medoids) can follow. Clusters without
    /// members come last, in their old order.
    /// </summary>
    public static int[] BySize(int[] labels, int clusterCount, out int[] order)
    {
        var sizes = new int[clusterCount];
        var firstMember = new int[clusterCount];
        Array.Fill(firstMember, int.MaxValue);
        for (int i = labels.Length - 1; i >= 0; i--)
        {
            if (labels[i] < 0) continue;
            sizes[labels[i]]++;
            firstMember[labels[i]] = i;
        }
        order = new int[clusterCount];
        for (int j = 0; j < clusterCount; j++) order[j] = j;
        Array.Sort(order, (a, b) =>
        {
            int bySize = sizes[b].CompareTo(sizes[a]);
            if (bySize != 0) return bySize;
            int byFirst = firstMember[a].CompareTo(firstMember[b]);
            return byFirst != 0 ? byFirst : a.CompareTo(b);
        });
        var rankOf = new int[clusterCount];
        for (int rank = 0; rank < clusterCount; rank++) rankOf[order[rank]] = rank;
        var renumbered = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) renumbered[i] = labels[i] < 0 ? -1 : rankOf[labels[i]];
        return renumbered;
    }
}
