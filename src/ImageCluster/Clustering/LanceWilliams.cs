namespace ImageCluster.Clustering;

/// <summary>
/// Distance from cluster i to the union of clusters x and y, from their distances before the merge
/// (Lance–Williams), written exactly as SciPy's <c>_hierarchy_distance_update.pxi</c> so rounding matches.
/// </summary>
internal interface ILanceWilliams
{
    static abstract double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni);
}

/// <summary>Ward: √(2 · increase of the within-cluster sum of squares) when the inputs are such distances.</summary>
internal readonly struct Ward : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni)
    {
        double t = 1.0 / (nx + ny + ni);
        return Math.Sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
    }
}

/// <summary>Complete linkage: the larger of the two distances.</summary>
internal readonly struct Complete : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni) => Math.Max(dxi, dyi);
}

/// <summary>Average linkage (UPGMA): size-weighted mean of the two distances.</summary>
internal readonly struct Average : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni) =>
        (nx * dxi + ny * dyi) / (nx + ny);
}

/// <summary>The active cluster ids in ascending order, in pinned memory so the hot loops can index them by pointer.</summary>
internal sealed unsafe class ActiveSet
{
    private readonly int[] _ids;

    public ActiveSet(int n)
    {
        _ids = GC.AllocateUninitializedArray<int>(n, pinned: true);
        for (int i = 0; i < n; i++) _ids[i] = i;
        Count = n;
        Ids = (int*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _ids[0]);
    }

    public int Count { get; private set; }

    public int* Ids { get; }

    public int First => _ids[0];

    /// <summary>Position of the first id ≥ <paramref name="id"/>.</summary>
    public int LowerBound(int id)
    {
        int index = Array.BinarySearch(_ids, 0, Count, id);
        return index >= 0 ? index : ~index;
    }

    public void Remove(int id)
    {
        int index = LowerBound(id);
        _ids.AsSpan(index + 1, Count - index - 1).CopyTo(_ids.AsSpan(index));
        Count--;
    }
}
