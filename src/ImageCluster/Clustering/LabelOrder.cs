namespace ImageCluster.Clustering;

/// <summary>The library-wide numbering of clusters: by size, largest first, equal sizes by their lowest sample index.</summary>
internal static class LabelOrder
{
    /// <summary>
    /// Renumbers arbitrary non-negative cluster ids to 0, 1, … by size; −1 (noise) stays −1.
    /// </summary>
    public static int[] BySize(int[] labels)
    {
        var size = new Dictionary<int, int>();
        var first = new Dictionary<int, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            size[label] = size.GetValueOrDefault(label) + 1;
            first.TryAdd(label, i);
        }
        var order = size.Keys.OrderByDescending(l => size[l]).ThenBy(l => first[l]).ToArray();
        var rank = new Dictionary<int, int>(order.Length);
        for (int r = 0; r < order.Length; r++) rank[order[r]] = r;
        var result = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) result[i] = labels[i] < 0 ? -1 : rank[labels[i]];
        return result;
    }

    /// <summary>Number of distinct non-negative labels in a <see cref="BySize"/> numbering.</summary>
    public static int Count(int[] labels)
    {
        int max = -1;
        foreach (int label in labels) max = Math.Max(max, label);
        return max + 1;
    }
}
