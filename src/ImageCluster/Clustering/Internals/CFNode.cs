namespace ImageCluster.Clustering;

/// <summary>
/// A node of the CF-tree (scikit-learn 1.2.1 <c>_CFNode</c>): up to <c>BranchingFactor</c> subclusters, with their
/// centroids and squared norms copied into one array (room for one extra, the entry that triggers a split).
/// </summary>
internal sealed class CFNode
{
    private readonly double _threshold;
    private readonly int _branchingFactor;
    private readonly int _d;

    public CFNode(double threshold, int branchingFactor, bool isLeaf, int d)
    {
        _threshold = threshold;
        _branchingFactor = branchingFactor;
        _d = d;
        IsLeaf = isLeaf;
        Centroids = new double[(branchingFactor + 1) * d];
        SquaredNorms = new double[branchingFactor + 1];
    }

    public bool IsLeaf { get; }

    public List<CFSubcluster> Subclusters { get; } = [];

    /// <summary>Row-major copies of the subclusters' centroids (first <c>Subclusters.Count</c> rows are in use).</summary>
    public double[] Centroids { get; }

    /// <summary>The subclusters' squared centroid norms as of their last copy into this node.</summary>
    public double[] SquaredNorms { get; }

    public CFNode? PrevLeaf { get; set; }

    public CFNode? NextLeaf { get; set; }

    public int D => _d;

    public double Threshold => _threshold;

    public int BranchingFactor => _branchingFactor;

    public ReadOnlySpan<double> Centroid(int index) => Centroids.AsSpan(index * _d, _d);

    public void AppendSubcluster(CFSubcluster subcluster)
    {
        Subclusters.Add(subcluster);
        Store(Subclusters.Count - 1, subcluster);
    }

    /// <summary>Replaces <paramref name="old"/> by the two halves of its split child (<c>update_split_subclusters</c>).</summary>
    public void UpdateSplitSubclusters(CFSubcluster old, CFSubcluster first, CFSubcluster second)
    {
        int index = Subclusters.IndexOf(old);
        Subclusters[index] = first;
        Store(index, first);
        AppendSubcluster(second);
    }

    /// <summary>Inserts a subcluster below this node; true when this node now has too many entries and must be split.</summary>
    public bool InsertCFSubcluster(CFSubcluster subcluster)
    {
        if (Subclusters.Count == 0)
        {
            AppendSubcluster(subcluster);
            return false;
        }
        int closestIndex = Closest(subcluster.Centroid);
        var closest = Subclusters[closestIndex];
        if (closest.Child is { } child)
        {
            if (!child.InsertCFSubcluster(subcluster))
            {
                closest.Update(subcluster);
                Store(closestIndex, closest);
                return false;
            }
            var (first, second) = CFSplit.SplitNode(child);
            UpdateSplitSubclusters(closest, first, second);
            return Subclusters.Count > _branchingFactor;
        }
        if (closest.TryMerge(subcluster, _threshold))
        {
            Store(closestIndex, closest);
            return false;
        }
        AppendSubcluster(subcluster);
        return Subclusters.Count > _branchingFactor;
    }

    // argmin over subclusters of c·x · (−2) + |c|² (|x|² is the same for all), first index on ties, as np.argmin.
    // Four dot products run side by side for instruction-level parallelism; each keeps its own feature order.
    private int Closest(double[] x)
    {
        int best = 0, count = Subclusters.Count, d = _d;
        double bestValue = double.PositiveInfinity;
        var centroids = Centroids;
        int j = 0;
        for (; j + 4 <= count; j += 4)
        {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int c0 = j * d, c1 = c0 + d, c2 = c1 + d, c3 = c2 + d;
            for (int f = 0; f < d; f++)
            {
                double v = x[f];
                s0 += centroids[c0 + f] * v;
                s1 += centroids[c1 + f] * v;
                s2 += centroids[c2 + f] * v;
                s3 += centroids[c3 + f] * v;
            }
            Consider(j, s0);
            Consider(j + 1, s1);
            Consider(j + 2, s2);
            Consider(j + 3, s3);
        }
        for (; j < count; j++) Consider(j, CFSubcluster.Dot(Centroid(j), x));
        return best;

        void Consider(int index, double dot)
        {
            double value = dot * -2.0 + SquaredNorms[index];
            if (value < bestValue || index == 0)
            {
                best = index;
                bestValue = value;
            }
        }
    }

    private void Store(int index, CFSubcluster subcluster)
    {
        subcluster.Centroid.CopyTo(Centroids.AsSpan(index * _d, _d));
        SquaredNorms[index] = subcluster.SqNorm;
    }
}
