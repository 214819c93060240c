using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace ImageCluster.Clustering;

/// <summary>A merge tree in SciPy's linkage form: merge m joins nodes Left[m] and Right[m] into node N + m.</summary>
internal sealed record MergeTree(int N, int[] Left, int[] Right, double[] Heights, int[] Counts);

/// <summary>
/// SciPy's <c>linkage</c> algorithms on a condensed distance matrix: the nearest-neighbour chain (<c>nn_chain</c>) for
/// ward, complete and average linkage and Prim's minimum spanning tree (<c>mst_single_linkage</c>) for single linkage,
/// with SciPy's tie-breaking, stable sort by height and union-find relabelling. Time O(N²), no memory beyond the
/// distances (which the chain overwrites).
/// </summary>
internal static unsafe class LinkageBuilder
{
    // How many active clusters ahead the strided (column) reads of the condensed matrix are prefetched:
    // each such read lands on its own cache line and usually its own page.
    private const int PrefetchDistance = 16;

    public static MergeTree Build(CondensedDistances distances, Linkage linkage, CancellationToken cancellation,
        IProgress<StageProgress>? progress = null)
    {
        int n = distances.N;
        var left = new int[Math.Max(n - 1, 0)];
        var right = new int[left.Length];
        var heights = new double[left.Length];
        if (n >= 2)
        {
            var meter = WorkMeter.Start(progress, "agglomerative merges", n - 1, "merges");
            switch (linkage)
            {
                case Linkage.Ward: NearestNeighbourChain<Ward>(distances, left, right, heights, cancellation, meter); break;
                case Linkage.Complete: NearestNeighbourChain<Complete>(distances, left, right, heights, cancellation, meter); break;
                case Linkage.Average: NearestNeighbourChain<Average>(distances, left, right, heights, cancellation, meter); break;
                default: MinimumSpanningTree(distances, left, right, heights, cancellation, meter); break;
            }
            meter.Finish();
        }
        GC.KeepAlive(distances); // the loops above only hold a raw pointer into it
        return SortAndLabel(n, left, right, heights);
    }

    private static void NearestNeighbourChain<TUpdate>(CondensedDistances distances, int[] left, int[] right,
        double[] heights, CancellationToken cancellation, WorkMeter meter) where TUpdate : struct, ILanceWilliams
    {
        int n = distances.N;
        var size = new int[n];
        Array.Fill(size, 1);
        var active = new ActiveSet(n);
        var chain = new int[n];
        int chainLength = 0;
        double* d = distances.Values;
        fixed (long* rowBase = distances.RowBase)
        {
            for (int k = 0; k < n - 1; k++)
            {
                if ((k & 255) == 0) cancellation.ThrowIfCancellationRequested();
                meter.Add(1);
                if (chainLength == 0) chain[chainLength++] = active.First;
                int x, y;
                double currentMin;
                while (true)
                {
                    x = chain[chainLength - 1];
                    // As SciPy: prefer the previous chain element on ties, so the chain cannot cycle.
                    y = chainLength > 1 ? chain[chainLength - 2] : -1;
                    currentMin = chainLength > 1 ? d[Index(rowBase, x, y)] : double.PositiveInfinity;
                    (currentMin, y) = NearestActive(d, rowBase, active, x, currentMin, y);
                    if (chainLength > 1 && y == chain[chainLength - 2]) break;
                    chain[chainLength++] = y;
                }
                chainLength -= 2;
                if (x > y) (x, y) = (y, x);
                int nx = size[x], ny = size[y];
                left[k] = x;
                right[k] = y;
                heights[k] = currentMin;
                size[x] = 0;
                size[y] = nx + ny;
                active.Remove(x);
                UpdateDistances<TUpdate>(d, rowBase, active, size, x, y, currentMin, nx, ny);
            }
        }
    }

    /// <summary>The active cluster nearest to <paramref name="x"/>, lowest index first on ties, unless the incumbent is as near.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Min, int Arg) NearestActive(double* d, long* rowBase, ActiveSet active, int x, double min, int arg)
    {
        int* ids = active.Ids;
        int count = active.Count, split = active.LowerBound(x);
        // Pairs (i, x) with i < x sit in column x: one cache line each.
        for (int p = 0; p < split; p++)
        {
            if (p + PrefetchDistance < split && Sse.IsSupported)
                Sse.Prefetch0(d + rowBase[ids[p + PrefetchDistance]] + x);
            int i = ids[p];
            double value = d[rowBase[i] + x];
            if (value < min) { min = value; arg = i; }
        }
        // Pairs (x, i) with i > x are contiguous in row x.
        double* row = d + rowBase[x];
        for (int p = split; p < count; p++)
        {
            int i = ids[p];
            if (i == x) continue;
            double value = row[i];
            if (value < min) { min = value; arg = i; }
        }
        return (min, arg);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateDistances<TUpdate>(double* d, long* rowBase, ActiveSet active, int[] size,
        int x, int y, double dxy, int nx, int ny) where TUpdate : struct, ILanceWilliams
    {
        int* ids = active.Ids;
        int count = active.Count;
        double* rowX = d + rowBase[x], rowY = d + rowBase[y];
        for (int p = 0; p < count; p++)
        {
            int i = ids[p];
            if (i == y) continue;
            if (p + PrefetchDistance < count && Sse.IsSupported)
            {
                int ahead = ids[p + PrefetchDistance];
                if (ahead < y) Sse.Prefetch0(d + rowBase[ahead] + y);
                if (ahead < x) Sse.Prefetch0(d + rowBase[ahead] + x);
            }
            double* xi = i < x ? d + rowBase[i] + x : rowX + i;
            double* yi = i < y ? d + rowBase[i] + y : rowY + i;
            *yi = TUpdate.Update(*xi, *yi, dxy, nx, ny, size[i]);
        }
    }

    private static void MinimumSpanningTree(CondensedDistances distances, int[] left, int[] right, double[] heights,
        CancellationToken cancellation, WorkMeter meter)
    {
        int n = distances.N;
        var merged = new bool[n];
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        double* values = distances.Values;
        int x = 0, y = 0;
        for (int k = 0; k < n - 1; k++)
        {
            if ((k & 255) == 0) cancellation.ThrowIfCancellationRequested();
            meter.Add(1);
            double currentMin = double.PositiveInfinity;
            merged[x] = true;
            for (int i = 0; i < n; i++)
            {
                if (merged[i]) continue;
                double distance = values[distances.Index(x, i)];
                if (nearest[i] > distance) nearest[i] = distance;
                if (nearest[i] < currentMin)
                {
                    y = i;
                    currentMin = nearest[i];
                }
            }
            left[k] = x;
            right[k] = y;
            heights[k] = currentMin;
            x = y;
        }
    }

    /// <summary>SciPy's stable sort by height and <c>label</c>: children renamed to their current cluster ids, smaller first.</summary>
    private static MergeTree SortAndLabel(int n, int[] left, int[] right, double[] heights)
    {
        int m = left.Length;
        var order = new int[m];
        for (int i = 0; i < m; i++) order[i] = i;
        var keys = (double[])heights.Clone();
        // Sorting (height, original position) pairs is stable whatever algorithm Array.Sort uses.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        var parent = new int[Math.Max(2 * n - 1, 0)];
        var clusterSize = new int[parent.Length];
        for (int i = 0; i < parent.Length; i++) { parent[i] = i; clusterSize[i] = 1; }
        var sortedLeft = new int[m];
        var sortedRight = new int[m];
        var sortedHeights = new double[m];
        var counts = new int[m];
        for (int r = 0; r < m; r++)
        {
            int a = Find(parent, left[order[r]]), b = Find(parent, right[order[r]]);
            (sortedLeft[r], sortedRight[r]) = a < b ? (a, b) : (b, a);
            sortedHeights[r] = heights[order[r]];
            int node = n + r;
            parent[a] = parent[b] = node;
            counts[r] = clusterSize[node] = clusterSize[a] + clusterSize[b];
        }
        return new MergeTree(n, sortedLeft, sortedRight, sortedHeights, counts);
    }

    private static int Find(int[] parent, int x)
    {
        int root = x;
        while (parent[root] != root) root = parent[root];
        while (parent[x] != root) (x, parent[x]) = (parent[x], root);
        return root;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Index(long* rowBase, int i, int j) => i < j ? rowBase[i] + j : rowBase[j] + i;
}
