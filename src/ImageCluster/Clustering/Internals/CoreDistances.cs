using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// Core distances by blocked brute-force k-nearest-neighbour search: for every sample, the distance to its
/// <c>minSamples</c>-th nearest neighbour counting the sample itself (so to its (minSamples − 1)-th nearest other sample).
/// O(N²·d / 2) time — each pair is measured once and offered to both ends — and O(N·k) memory plus a fixed scratch
/// block per worker.
/// </summary>
/// <remarks>
/// Square blocks of rows are paired (I ≤ J) and spread over the workers; a row's heap of its k smallest keys may be
/// fed from two blocks at once, so each block of heaps has a lock. The k smallest values do not depend on the order in
/// which they arrive, so the result is the same whatever the thread count.
/// </remarks>
internal static class CoreDistances
{
    private const int Block = 128;

    public static float[] Compute(PointDistances distances, int minSamples, ParallelOptions parallel, IProgress<StageProgress>? progress = null)
    {
        int n = distances.Count;
        var core = new float[n];
        int k = minSamples - 1;
        if (k == 0) return core; // the sample itself is its own first neighbour

        int blocks = (n + Block - 1) / Block;
        var heaps = new float[checked(n * k)];
        var counts = new int[n];
        var locks = new object[blocks];
        for (int b = 0; b < blocks; b++) locks[b] = new object();
        long pairs = (long)blocks * (blocks + 1) / 2;
        // Pairs of blocks, as the work is split; beyond int.MaxValue pairs (≈ 8 million rows) the count stops at the end.
        var meter = WorkMeter.Start(progress, "hdbscan core distances", (int)Math.Min(pairs, int.MaxValue), "blocks");
        Parallel.For(0L, pairs, parallel,
            () => new float[Block * Block],
            (pair, _, keys) =>
            {
                var (i, j) = BlockPair(pair, blocks);
                int rowStart = i * Block, rowCount = Math.Min(Block, n - rowStart);
                int colStart = j * Block, colCount = Math.Min(Block, n - colStart);
                var tile = keys.AsSpan(0, rowCount * colCount);
                distances.BlockKeys(rowStart, rowCount, colStart, colCount, tile);
                lock (locks[i])
                    for (int r = 0; r < rowCount; r++)
                        OfferRow(tile.Slice(r * colCount, colCount), i == j ? r : -1,
                            heaps.AsSpan((rowStart + r) * k, k), ref counts[rowStart + r]);
                meter.Add(1);
                if (i == j) return keys; // the diagonal block already holds both orders of every pair
                lock (locks[j])
                    OfferColumns(tile, rowCount, colCount, heaps.AsSpan(colStart * k, colCount * k), counts.AsSpan(colStart, colCount));
                return keys;
            },
            _ => { });
        meter.Finish();
        // The root (or halving) of the largest kept key: the same float as the pair's own distance.
        for (int i = 0; i < n; i++) core[i] = distances.FromKey(heaps[i * k]);
        return core;
    }

    // Pair number p of the upper triangle (i ≤ j), row by row.
    private static (int I, int J) BlockPair(long p, int blocks)
    {
        int i = 0;
        long rowLength = blocks;
        while (p >= rowLength)
        {
            p -= rowLength;
            i++;
            rowLength--;
        }
        return (i, i + (int)p);
    }

    // Once the heap is full almost every key is above its maximum: test eight at a time and look closer only at hits.
    private static void OfferRow(ReadOnlySpan<float> keys, int self, Span<float> heap, ref int count)
    {
        int c = 0;
        while (c < keys.Length)
        {
            if (count == heap.Length && c + 8 <= keys.Length
                && !Vector256.LessThanAny(Vector256.Create(keys.Slice(c, 8)), Vector256.Create(heap[0])))
            {
                c += 8;
                continue;
            }
            int end = Math.Min(c + 8, keys.Length);
            for (; c < end; c++)
                if (c != self) Offer(heap, ref count, keys[c]);
        }
    }

    // The same for the columns of a block, eight columns at a time against their eight heaps' maxima.
    private static void OfferColumns(ReadOnlySpan<float> tile, int rows, int columns, Span<float> heaps, Span<int> counts)
    {
        int k = heaps.Length / columns;
        Span<float> maxima = stackalloc float[8];
        for (int c = 0; c < columns; c += 8)
        {
            int width = Math.Min(8, columns - c);
            if (width == 8 && !counts.Slice(c, 8).ContainsAnyExcept(k))
            {
                for (int t = 0; t < 8; t++) maxima[t] = heaps[(c + t) * k];
                var threshold = Vector256.Create<float>(maxima);
                bool any = false;
                for (int r = 0; r < rows && !any; r++)
                    any = Vector256.LessThanAny(Vector256.Create(tile.Slice(r * columns + c, 8)), threshold);
                if (!any) continue;
            }
            for (int t = c; t < c + width; t++)
                for (int r = 0; r < rows; r++)
                    Offer(heaps.Slice(t * k, k), ref counts[t], tile[r * columns + t]);
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
