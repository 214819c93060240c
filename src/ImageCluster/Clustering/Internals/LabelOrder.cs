namespace ImageCluster.Clustering;

/// <summary>The library-wide cluster numbering: largest cluster first, equal sizes by their lowest sample index.</summary>
internal static class LabelOrder
{
    /// <summary>Renumbers arbitrary ids to 0, 1, … in the order they first appear; <paramref name="count"/> = distinct ids.</summary>
    public static int[] ByFirstAppearance(int[] ids, out int count)
    {
        var map = new Dictionary<int, int>();
        var dense = new int[ids.Length];
        for (int j = 0; j < ids.Length; j++)
        {
            if (!map.TryGetValue(ids[j], out int value)) map[ids[j]] = value = map.Count;
            dense[j] = value;
        }
        count = map.Count;
        return dense;
    }

    /// <summary>Renumbers arbitrary non-negative cluster ids to 0, 1, … by that rule; −1 (noise, left out) stays −1.</summary>
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
        var (sizes, firstMember) = Census(labels, clusterCount);
        var rank = Ranks(sizes, firstMember);
        order = new int[clusterCount];
        for (int j = 0; j < clusterCount; j++) order[rank[j]] = j;
        var renumbered = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) renumbered[i] = labels[i] < 0 ? -1 : rank[labels[i]];
        return renumbered;
    }

    /// <summary>Size and lowest member index (<see cref="long.MaxValue"/> when empty) of each of <paramref name="count"/> ids.</summary>
    public static (long[] Sizes, long[] FirstMember) Census(int[] labels, int count)
    {
        var sizes = new long[count];
        var firstMember = new long[count];
        Array.Fill(firstMember, long.MaxValue);
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            if (sizes[label]++ == 0) firstMember[label] = i;
        }
        return (sizes, firstMember);
    }

    /// <summary>New number of each id: by <paramref name="sizes"/> descending, then by <paramref name="tieKey"/> ascending, then by id.</summary>
    public static int[] Ranks(long[] sizes, long[] tieKey)
    {
        var ids = new int[sizes.Length];
        for (int j = 0; j < ids.Length; j++) ids[j] = j;
        Array.Sort(ids, (a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a])
            : tieKey[a] != tieKey[b] ? tieKey[a].CompareTo(tieKey[b]) : a.CompareTo(b));
        var rank = new int[sizes.Length];
        for (int r = 0; r < ids.Length; r++) rank[ids[r]] = r;
        return rank;
    }

    /// <summary>Number of distinct non-negative labels in a <see cref="BySize(int[])"/> numbering.</summary>
    public static int Count(int[] labels)
    {
        int max = -1;
        foreach (int label in labels) max = Math.Max(max, label);
        return max + 1;
    }
}
