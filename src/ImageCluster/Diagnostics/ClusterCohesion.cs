using System.Numerics.Tensors;

namespace ImageCluster.Diagnostics;

/// <summary>
/// The one meaning of "cohesion" that the HTML report and the review page show: the mean cosine similarity of a
/// cluster's images to their mean direction, which equals the length of the mean of their unit vectors. 1 = all point
/// the same way; near 0 = unrelated. It ignores vector length and needs no PCA, so it reads the same for every model and
/// run and can be recomputed cheaply after every move on the review page. Both compute it on the run's stored embeddings
/// (before any PCA). A zero vector counts as similarity 0. O(n · d).
/// </summary>
internal static class ClusterCohesion
{
    /// <summary>The definition as one sentence, for tooltips and legends.</summary>
    public const string Definition =
        "Cohesion: mean cosine similarity of the cluster's images to their mean direction, on the model's embeddings " +
        "(1 = all alike, near 0 = unrelated; higher = tighter).";

    /// <summary>Cohesion of the given rows of <paramref name="x"/>; null when there are none.</summary>
    public static double? Of(FeatureMatrix x, IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        var sum = new float[x.Columns];
        var unit = new float[x.Columns];
        int n = 0;
        foreach (int i in rows)
        {
            var row = x.ReadRow(i);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0)
            {
                TensorPrimitives.Divide(row, norm, unit);
                TensorPrimitives.Add(sum, unit, sum);
            }
            n++;
        }
        return n == 0 ? null : TensorPrimitives.Norm(sum) / n;
    }

    /// <summary>Cohesion of every cluster of <paramref name="labels"/> (noise, −1, left out), by label.</summary>
    public static Dictionary<int, double> PerCluster(FeatureMatrix x, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != x.Rows) throw new ArgumentException($"{labels.Count} labels for {x.Rows} samples.", nameof(labels));
        return Enumerable.Range(0, labels.Count).Where(i => labels[i] >= 0).GroupBy(i => labels[i])
            .ToDictionary(g => g.Key, g => Of(x, g)!.Value);
    }
}
