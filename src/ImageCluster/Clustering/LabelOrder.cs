namespace ImageCluster.Clustering;

/// <summary>The library-wide cluster numbering: largest cluster first, equal sizes by their lowest sample index.</summary>
internal static class LabelOrder
{
    /// <summary>
    /// Renumbers arbitrary non-negative cluster ids to 0, 1, … by that rule; −1 (noise, left out) stays −1.
    /// </summary>
    public static int[] BySize(int[] labels)
    {
        int maxLabel = -1;
        foreach (int label in labels) maxLabel = Math.Max(maxLabel, label);
        var sizes = new int[maxLabel + 1];
        var firstMember = new int[maxLabel + 1];
        Array.Fill(firstMember, int.MaxValue);
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            if (sizes[label]++ == 0) firstMember[label] = i;
        }
        var used = new List<int>();
        for (int label = 0; label <= maxLabel; label++)
            if (sizes[label] > 0) used.Add(label);
        used.Sort((a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a]) : firstMember[a].CompareTo(firstMember[b]));
        var rank = new int[maxLabel + 1];
        for (int r = 0; r < used.Count; r++) rank[used[r]] = r;
        var result = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) result[i] = labels[i] < 0 ? -1 : rank[labels[i]];
        return result;
    }
}
