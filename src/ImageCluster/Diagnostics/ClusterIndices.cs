namespace ImageCluster.Diagnostics;

/// <summary>Options of <see cref="DaviesBouldin"/> and <see cref="CalinskiHarabasz"/>.</summary>
internal sealed record ClusterIndexOptions
{
    /// <summary>
    /// Leave samples labelled −1 (noise of DBSCAN, OPTICS, HDBSCAN) out of the score. False (the default) treats −1 as
    /// one more cluster, exactly as scikit-learn's <c>davies_bouldin_score</c> and <c>calinski_harabasz_score</c> do;
    /// that lumps scattered noise into one wide "cluster" and usually makes the score look worse than the clusters are.
    /// </summary>
    public bool IgnoreNoise { get; init; }
}

/// <summary>
/// Davies–Bouldin index (Davies &amp; Bouldin 1979) as scikit-learn's <c>davies_bouldin_score</c>: for each cluster,
/// the worst ratio (sᵢ + sⱼ) / d(cᵢ, cⱼ) over the other clusters, averaged; sᵢ = mean Euclidean distance of the members
/// to their centroid. Lower is better, 0 is the minimum. Time O(N·d + k²·d), memory O(k·d).
/// </summary>
internal static class DaviesBouldin
{
    /// <summary>Scores <paramref name="labels"/> on <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 or more than n − 1 clusters, mismatched lengths, or a NaN row.</exception>
    public static double Score(FeatureMatrix x, IReadOnlyList<int> labels, ClusterIndexOptions? options = null)
    {
        var clusters = ClusterCentroids.Build(x, labels, options?.IgnoreNoise ?? false, "Davies–Bouldin index");
        int k = clusters.Count, d = x.Columns;
        var spread = new double[k];
        foreach (int i in clusters.Members)
            spread[clusters.Cluster[i]] += Distance(x.ReadRow(i), clusters.Centroid(clusters.Cluster[i]));
        for (int c = 0; c < k; c++) spread[c] /= clusters.Sizes[c];

        var between = new double[k * k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                between[a * k + b] = Distance(clusters.Centroid(a), clusters.Centroid(b));
        // scikit-learn: np.allclose(…, 0) uses an absolute tolerance of 1e-8.
        if (spread.All(s => Math.Abs(s) <= 1e-8) || between.All(s => Math.Abs(s) <= 1e-8)) return 0;

        double total = 0;
        for (int a = 0; a < k; a++)
        {
            double worst = 0;
            for (int b = 0; b < k; b++)
                if (b != a && between[a * k + b] != 0) worst = Math.Max(worst, (spread[a] + spread[b]) / between[a * k + b]);
            total += worst;
        }
        return total / k;
    }

    private static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++) sum += (a[j] - b[j]) * (a[j] - b[j]);
        return Math.Sqrt(sum);
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
}

/// <summary>
/// Calinski–Harabasz index (variance ratio criterion, Caliński &amp; Harabasz 1974) as scikit-learn's
/// <c>calinski_harabasz_score</c>: [between-cluster dispersion / (k − 1)] / [within-cluster dispersion / (n − k)];
/// 1 when the within-cluster dispersion is 0. Higher is better. Time O(N·d), memory O(k·d).
/// </summary>
internal static class CalinskiHarabasz
{
    /// <summary>Scores <paramref name="labels"/> on <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 or more than n − 1 clusters, mismatched lengths, or a NaN row.</exception>
    public static double Score(FeatureMatrix x, IReadOnlyList<int> labels, ClusterIndexOptions? options = null)
    {
        var clusters = ClusterCentroids.Build(x, labels, options?.IgnoreNoise ?? false, "Calinski–Harabasz index");
        int k = clusters.Count, d = x.Columns, n = clusters.Members.Length;
        var mean = new double[d];
        for (int c = 0; c < k; c++)
        {
            var centroid = clusters.Centroid(c);
            for (int j = 0; j < d; j++) mean[j] += centroid[j] * clusters.Sizes[c] / n;
        }
        double between = 0, within = 0;
        for (int c = 0; c < k; c++)
        {
            var centroid = clusters.Centroid(c);
            double squared = 0;
            for (int j = 0; j < d; j++) squared += (centroid[j] - mean[j]) * (centroid[j] - mean[j]);
            between += clusters.Sizes[c] * squared;
        }
        foreach (int i in clusters.Members)
        {
            var row = x.ReadRow(i);
            var centroid = clusters.Centroid(clusters.Cluster[i]);
            for (int j = 0; j < d; j++) within += (row[j] - centroid[j]) * (row[j] - centroid[j]);
        }
        return within == 0 ? 1 : between * (n - k) / (within * (k - 1.0));
    }
}
