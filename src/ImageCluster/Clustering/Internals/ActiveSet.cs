namespace ImageCluster.Clustering;

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
