namespace ImageCluster.Clustering;

/// <summary>
/// HDBSCAN's cluster tree (the condensed tree), built top-down from the single-linkage hierarchy as R dbscan's
/// <c>computeStability</c> (1.1-11) builds it, with stabilities and GLOSH scores. O(N) time and memory.
/// </summary>
/// <remarks>
/// Cluster 0 is the root; a merge of two parts that both have at least <c>minClusterSize</c> samples is a split into two
/// new clusters (numbered in order of appearance, the first merged part first). Where R and the Python hdbscan / scikit-
/// learn differ, this follows R, the oracle: a part smaller than <c>minClusterSize</c> stays in its parent cluster and each
/// of its samples drops out at the height where it joins the hierarchy (the height of its own merge), capped at the parent's
/// split height once the parent has split; the Python code drops the whole part at the height where it separates.
/// A cluster's stability is Σ over its samples (1/ε(x) − 1/ε_birth) + (samples in its children) · (1/ε_death − 1/ε_birth).
/// </remarks>
internal sealed class ClusterTree
{
    private readonly List<int> _parent = [-1], _left = [-1], _right = [-1], _size;
    private readonly List<double> _birth, _death = [0.0]; // R: the root's death is 0 until it splits
    private readonly List<bool> _processed = [false];
    private readonly List<int> _childSamples = [0];
    private readonly List<CondensedTreeEdge> _rows = [];

    public ClusterTree(SingleLinkageMerge[] merges, int minClusterSize)
    {
        int n = merges.Length + 1;
        SampleCount = n;
        ClusterOf = new int[n];
        SampleEps = new double[n];
        _size = [n];
        _birth = [merges.Length > 0 ? merges[^1].Distance : double.PositiveInfinity];
        var tracker = new int[merges.Length]; // cluster each merge belongs to, known once its parent merge is visited
        for (int k = merges.Length - 1; k >= 0; k--)
        {
            var (a, b, height, _) = merges[k];
            int c = tracker[k];
            if (a < n && b < n)
            {
                AddSample(c, a, height);
                AddSample(c, b, height);
                if (!_processed[c]) _death[c] = Math.Min(height, _death[c]);
            }
            else if (a < n || b < n)
            {
                AddSample(c, a < n ? a : b, height);
                tracker[(a < n ? b : a) - n] = c;
            }
            else
            {
                int sizeA = merges[a - n].Size, sizeB = merges[b - n].Size;
                if (sizeA >= minClusterSize && sizeB >= minClusterSize)
                {
                    _death[c] = height;
                    _processed[c] = true;
                    _childSamples[c] = sizeA + sizeB;
                    _left[c] = tracker[a - n] = NewCluster(c, height, merges[a - n].Distance, sizeA);
                    _right[c] = tracker[b - n] = NewCluster(c, height, merges[b - n].Distance, sizeB);
                }
                else
                {
                    tracker[a - n] = tracker[b - n] = c;
                }
            }
        }
        // Summed in R's order (each cluster's samples as they were recorded), with R's grouping of the operations.
        Stability = new double[Count];
        foreach (var row in _rows)
            if (row.Child < n) Stability[row.Parent - n] += 1 / SampleEps[row.Child] - 1 / _birth[row.Parent - n];
        for (int c = 0; c < Count; c++)
            Stability[c] += (double)_childSamples[c] / _death[c] - (double)_childSamples[c] / _birth[c];
    }

    /// <summary>Number of samples.</summary>
    public int SampleCount { get; }

    /// <summary>Number of clusters, the root included.</summary>
    public int Count => _parent.Count;

    /// <summary>The cluster each sample drops out of.</summary>
    public int[] ClusterOf { get; }

    /// <summary>The distance at which each sample drops out of <see cref="ClusterOf"/>.</summary>
    public double[] SampleEps { get; }

    /// <summary>Stability (excess of mass) of each cluster; the root's with R's convention (born at the top height).</summary>
    public double[] Stability { get; }

    /// <summary>Rows of the condensed tree, top-down, in scikit-learn's numbering (root = N).</summary>
    public CondensedTreeEdge[] Rows => [.. _rows];

    public int Parent(int c) => _parent[c];

    public bool IsLeaf(int c) => _left[c] < 0;

    public (int Left, int Right) Children(int c) => (_left[c], _right[c]);

    /// <summary>Distance at which the cluster appears (its parent splits).</summary>
    public double Birth(int c) => _birth[c];

    /// <summary>Distance at which the cluster splits, or where its last samples drop out.</summary>
    public double Death(int c) => _death[c];

    /// <summary>Number of samples in the cluster when it appears.</summary>
    public int Size(int c) => _size[c];

    /// <summary>GLOSH scores as R computes them: 1 − ε_max / ε(x), NaN (0 / 0) as 0.</summary>
    public double[] OutlierScores()
    {
        // Children have higher ids than their parent, so one backward pass sees every subtree before its root.
        var epsMax = new double[Count];
        for (int c = Count - 1; c >= 0; c--)
            epsMax[c] = IsLeaf(c) ? _death[c] : Math.Min(epsMax[_left[c]], epsMax[_right[c]]);
        var scores = new double[SampleCount];
        for (int i = 0; i < SampleCount; i++)
        {
            double score = 1 - epsMax[ClusterOf[i]] / SampleEps[i];
            scores[i] = double.IsNaN(score) ? 0 : score;
        }
        return scores;
    }

    private void AddSample(int c, int sample, double height)
    {
        double eps = _processed[c] ? _death[c] : height;
        ClusterOf[sample] = c;
        SampleEps[sample] = eps;
        _rows.Add(new CondensedTreeEdge(SampleCount + c, sample, Lambda(eps), 1));
    }

    private int NewCluster(int parent, double birth, double death, int size)
    {
        int id = Count;
        _parent.Add(parent);
        _left.Add(-1);
        _right.Add(-1);
        _size.Add(size);
        _birth.Add(birth);
        _death.Add(death); // R: the height of the cluster's own top merge, lowered as its samples drop out
        _processed.Add(false);
        _childSamples.Add(0);
        _rows.Add(new CondensedTreeEdge(SampleCount + parent, SampleCount + id, Lambda(birth), size));
        return id;
    }

    private static double Lambda(double eps) => eps > 0 ? 1 / eps : double.PositiveInfinity;
}
