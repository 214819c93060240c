
namespace ImageCluster.Clustering;

/// <summary>Lays out the top of a merge tree as SciPy's <c>dendrogram(truncate_mode="lastp")</c> does.</summary>
internal static class DendrogramLayout
{
    /// <summary>
    /// The last <paramref name="lastP"/> − 1 merges of <paramref name="tree"/> over <paramref name="n"/> samples, drawn as
    /// U-shaped links; every subtree below them becomes one leaf at height 0 (its size in <see cref="Dendrogram.LeafSizes"/>).
    /// </summary>
    /// <param name="tree">The merge tree.</param>
    /// <param name="n">Samples.</param>
    /// <param name="lastP">Leaves drawn.</param>
    /// <param name="kCut">
    /// True when the clusters came from a number of clusters: the tree's cut distance is then the height of the first
    /// merge left undone, and the line is drawn halfway below it so it does not sit on that merge's bar.
    /// </param>
    public static Dendrogram Truncate(AgglomerativeResult tree, int n, int lastP, bool kCut = false)
    {
        int merges = tree.Children.Length;
        int firstDrawn = Math.Max(0, merges - (lastP - 1));
        var segments = new List<(double, double, double, double)>();
        var leafSizes = new List<int>();
        if (merges == 0) return new Dendrogram(segments, [n], double.PositiveInfinity);
        Place(n + merges - 1);
        double cut = tree.CutDistance;
        int undone = Array.IndexOf(tree.Distances, cut);
        if (kCut && undone > 0) cut = (tree.Distances[undone - 1] + cut) / 2;
        return new Dendrogram(segments, leafSizes.ToArray(), cut);

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

/// <summary>A dendrogram truncated to its last merges (SciPy <c>truncate_mode="lastp"</c>), ready to draw.</summary>
/// <param name="Segments">Line segments (x1, y1, x2, y2); leaves at x = 0, 1, 2…</param>
/// <param name="LeafSizes">Images under each drawn leaf, left to right.</param>
/// <param name="CutDistance">Height of the cut that gave the run's clusters (+∞ = no cut drawn).</param>
internal sealed record Dendrogram(IReadOnlyList<(double X1, double Y1, double X2, double Y2)> Segments, int[] LeafSizes, double CutDistance);
