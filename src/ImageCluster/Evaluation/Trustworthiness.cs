namespace ImageCluster.Evaluation;

/// <summary>
/// How faithfully a layout keeps each sample's neighbours (Venna &amp; Kaski 2001; scikit-learn's <c>trustworthiness</c>):
/// 1 − 2 / (n·k·(2n − 3k − 1)) · Σ_i Σ_{j among i's k nearest in the layout} max(0, r(i, j) − k), with r(i, j) the rank of j
/// among i's neighbours in the original space. 1 = every layout neighbour is a true neighbour. Euclidean in both spaces;
/// ties in distance go to the lower index. O(n²) time, O(n) memory.
/// </summary>
internal static class Trustworthiness
{
    public static double Of(FeatureMatrix original, FeatureMatrix layout, int k, CancellationToken ct = default)
    {
        int n = original.Rows;
        if (layout.Rows != n) throw new ArgumentException($"the layout has {layout.Rows} rows, the data {n}", nameof(layout));
        if (k < 1 || k >= n / 2.0) throw new ArgumentException($"k must be at least 1 and below n / 2 (got {k} for {n} samples)", nameof(k));
        long penalty = 0;
        var rank = new int[n];
        var order = new int[n];
        var distances = new double[n];
        var near = new int[n];
        for (int i = 0; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            SortedByDistance(original, i, order, distances);
            for (int r = 0; r < n - 1; r++) rank[order[r]] = r + 1;
            SortedByDistance(layout, i, near, distances);
            for (int j = 0; j < k; j++) penalty += Math.Max(0, rank[near[j]] - k);
        }
        return 1 - penalty * (2.0 / (n * (double)k * (2.0 * n - 3.0 * k - 1.0)));
    }

    // Every other row by squared distance from row i, ties by index; row i itself last.
    private static void SortedByDistance(FeatureMatrix x, int i, int[] order, double[] distances)
    {
        var row = x.ReadRow(i);
        for (int j = 0; j < x.Rows; j++)
        {
            order[j] = j;
            if (j == i) { distances[j] = double.PositiveInfinity; continue; }
            var other = x.ReadRow(j);
            double sum = 0;
            for (int d = 0; d < row.Length; d++)
            {
                double diff = (double)row[d] - other[d];
                sum += diff * diff;
            }
            distances[j] = sum;
        }
        Array.Sort(order, (p, q) => distances[p] != distances[q] ? distances[p].CompareTo(distances[q]) : p.CompareTo(q));
    }
}
