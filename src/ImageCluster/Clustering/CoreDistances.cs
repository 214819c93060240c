using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// Core distances by blocked brute-force k-nearest-neighbour search: for every sample, the distance to its
/// <c>minSamples</c>-th nearest neighbour counting the sample itself (so to its (minSamples − 1)-th nearest other sample).
/// O(N²·d) time, O(N·k) memory plus a fixed scratch block per worker.
/// </summary>
internal static class CoreDistances
{
    private const int RowBlock = 32;
    private const int ColumnTile = 512;

    public static float[] Compute(PointDistances distances, int minSamples, ParallelOptions parallel)
    {
        int n = distances.Count;
        var core = new float[n];
        int k = minSamples - 1;
        if (k == 0) return core; // the sample itself is its own first neighbour

        int blocks = (n + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, parallel,
            () => new Scratch(k),
            (block, _, scratch) =>
            {
                int rowStart = block * RowBlock, rowCount = Math.Min(RowBlock, n - rowStart);
                Array.Clear(scratch.Counts);
                for (int colStart = 0; colStart < n; colStart += ColumnTile)
                {
                    int colCount = Math.Min(ColumnTile, n - colStart);
                    var tile = scratch.Keys.AsSpan(0, rowCount * colCount);
                    distances.BlockKeys(rowStart, rowCount, colStart, colCount, tile);
                    for (int r = 0; r < rowCount; r++)
                        OfferRow(tile.Slice(r * colCount, colCount), rowStart + r - colStart,
                            scratch.Heaps.AsSpan(r * k, k), ref scratch.Counts[r]);
                }
                // The root (or halving) of the largest kept key: the same float as the pair's own distance.
                for (int r = 0; r < rowCount; r++) core[rowStart + r] = distances.FromKey(scratch.Heaps[r * k]);
                return scratch;
            },
            _ => { });
        return core;
    }

    private sealed class Scratch(int k)
    {
        public readonly float[] Keys = new float[RowBlock * ColumnTile];
        public readonly float[] Heaps = new float[RowBlock * k];
        public readonly int[] Counts = new int[RowBlock];
    }

    // Once the heap is full almost every key is above its maximum: test eight at a time and look closer only at hits.
    private static void OfferRow(ReadOnlySpan<float> keys, int self, Span<float> heap, ref int count)
    {
        int c = 0;
        while (c < keys.Length)
        {
            if (count == heap.Length && c + 8 <= keys.Length
                && Vector256.LessThanAny(Vector256.Create(keys.Slice(c, 8)), Vector256.Create(heap[0])) == false)
            {
                c += 8;
                continue;
            }
            int end = Math.Min(c + 8, keys.Length);
            for (; c < end; c++)
                if (c != self) Offer(heap, ref count, keys[c]);
        }
    }

    // A max-heap of the k smallest keys seen so far.
    private static void Offer(Span<float> heap, ref int count, float value)
    {
        if (count < heap.Length)
        {
            int i = count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (heap[parent] >= value) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
            return;
        }
        if (value >= heap[0]) return;
        int at = 0;
        while (true)
        {
            int child = 2 * at + 1;
            if (child >= heap.Length) break;
            if (child + 1 < heap.Length && heap[child + 1] > heap[child]) child++;
            if (heap[child] <= value) break;
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = value;
    }
}
