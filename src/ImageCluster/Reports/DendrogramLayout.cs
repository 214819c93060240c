using ImageCluster.Clustering;

namespace ImageCluster.Reports;

/// <summary>Lays out the top of a merge tree as SciPy's <c>dendrogram(truncate_mode="lastp")</c> does.</summary>
public static class DendrogramLayout
{
    /// <summary>
    /// The last <paramref name="lastP"/> − 1 merges of <paramref name="tree"/> over <paramref name="n"/> samples, drawn as
    /// U-shaped links; every subtree below them becomes one leaf at height 0 (its size in <see cref="Dendrogram.LeafSizes"/>).
    /// </summary>
    public static Dendrogram Truncate(AgglomerativeResult tree, int n, int lastP)
    {
        int merges = tree.Children.Length;
        int firstDrawn = Math.Max(0, merges - (lastP - 1));
        var segments = new List<(double, double, double, double)>();
        var leafSizes = new List<int>();
        if (merges == 0) return new Dendrogram(segments, [n], double.PositiveInfinity);
        Place(n + merges - 1);
        return new Dendrogram(segments, leafSizes.ToArray(), tree.CutDistance);

        // Returns the node's x (leaf position or the middle of its children) and its height.
        (double X, double H) Place(int node)
        {
            int m = node - n;
            if (m < firstDrawn)
            {
                leafSizes.Add(m < 0 ? 1 : tree.Counts[m]);
                return (leafSizes.Count - 1, 0);
            }
            var (left, right) = tree.Children[m];
            var a = Place(left);
            var b = Place(right);
            double h = tree.Distances[m];
            segments.Add((a.X, a.H, a.X, h));
            segments.Add((b.X, b.H, b.X, h));
            segments.Add((a.X, h, b.X, h));
            return ((a.X + b.X) / 2, h);
        }
    }
}
