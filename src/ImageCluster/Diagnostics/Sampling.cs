namespace ImageCluster.Diagnostics;

/// <summary>Seeded subsets of samples, chosen the same way by every diagnostic that samples.</summary>
internal static class Sampling
{
    /// <summary>All indices when <paramref name="size"/> is null or ≥ n, else a seeded random subset of that size, ascending.</summary>
    public static int[] Subset(int n, int? size, int seed)
    {
        int[] all = Enumerable.Range(0, n).ToArray();
        if (size is not int s || s >= n) return all;
        new Random(seed).Shuffle(all);
        var subset = all[..s];
        Array.Sort(subset);
        return subset;
    }

    /// <summary>
    /// A second seed for another random stream of the same diagnostic (HashCode.Combine would differ between processes).
    /// </summary>
    public static int Derived(int seed, int salt) => unchecked(seed * (int)0x9E3779B1 + salt);

    /// <summary>The given rows of <paramref name="x"/> as a new matrix (no copy when they are all rows in order).</summary>
    public static FeatureMatrix Rows(FeatureMatrix x, int[] rows)
    {
        if (rows.Length == x.Rows) return x;
        var subset = new FeatureMatrix(rows.Length, x.Columns);
        for (int r = 0; r < rows.Length; r++) x.ReadRow(rows[r]).CopyTo(subset.Row(r));
        return subset;
    }
}
