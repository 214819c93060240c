namespace ImageCluster;

/// <summary>
/// Disjoint sets over 0 … n − 1 that always link the higher root under the lower one, so each set's root is its lowest
/// member whatever order the unions come in (which makes merging per-worker forests deterministic).
/// </summary>
internal sealed class UnionFind
{
    private readonly int[] _parent;

    public UnionFind(int n)
    {
        _parent = new int[n];
        for (int i = 0; i < n; i++) _parent[i] = i;
    }

    /// <summary>The lowest member of <paramref name="i"/>'s set.</summary>
    public int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]]; // path halving
            i = _parent[i];
        }
        return i;
    }

    /// <summary>Merges the sets of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb) return;
        if (ra < rb) _parent[rb] = ra;
        else _parent[ra] = rb;
    }
}
