namespace ImageCluster.Clustering;

/// <summary>The label numbering every clustering result uses (see <see cref="IClusteringResult.Labels"/>).</summary>
internal static class LabelOrder
{
    /// <summary>
    /// Renumbers cluster ids (any non-negative values) to 0, 1, … by size, largest first, equal sizes by their lowest
    /// sample index; −1 (noise) stays −1.
    /// </summary>
    public static int[] BySize(int[] labels)
    {
        var sizes = new Dictionary<int, int>();
        var first = new Dictionary<int, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            sizes[label] = sizes.GetValueOrDefault(label) + 1;
            first.TryAdd(label, i);
        }
        var order = sizes.Keys.ToList();
        order.Sort((a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a]) : first[a].CompareTo(first[b]));
        var rank = new Dictionary<int, int>();
        for (int r = 0; r < order.Count; r++) rank[order[r]] = r;
        var result = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) result[i] = labels[i] < 0 ? -1 : rank[labels[i]];
        return result;
    }
}
