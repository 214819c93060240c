namespace ImageCluster.Neighbours;

/// <summary>The k nearest other rows of every row of a matrix, from one index: all-kNN, streamed row by row.</summary>
/// <param name="Rows">Row-major N × K: neighbour j of row i at i·K + j, nearest first; −1 where fewer were found.</param>
/// <param name="Distances">Distances in the same layout (+∞ where none).</param>
/// <param name="K">Neighbours per row.</param>
internal sealed record AllNeighbours(int[] Rows, float[] Distances, int K)
{
    /// <summary>
    /// Asks <paramref name="index"/> for the <paramref name="k"/> nearest rows of each row of <paramref name="x"/> (the
    /// matrix the index was built on), leaving each row itself out.
    /// </summary>
    public static AllNeighbours Of(INeighbourIndex index, FeatureMatrix x, int k, IProgress<StageProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int n = x.Rows;
        var rows = new int[(long)n * k <= Array.MaxLength ? n * k : throw new ArgumentException($"{n} × {k} neighbours do not fit one array", nameof(k))];
        var distances = new float[rows.Length];
        Array.Fill(rows, -1);
        Array.Fill(distances, float.PositiveInfinity);
        var meter = WorkMeter.Start(progress, "neighbours", n);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = index.SearchThreads, CancellationToken = ct };
        Parallel.For(0, n, parallel, () => (new int[k + 1], new float[k + 1]), (i, _, buffers) =>
        {
            var (found, dist) = buffers;
            int count = index.Search(x.ReadRow(i), found, dist), kept = 0;
            // Itself is normally first; an exact duplicate may come first instead, so drop it by number, not position.
            for (int j = 0; j < count && kept < k; j++)
            {
                if (found[j] == i) continue;
                rows[i * k + kept] = found[j];
                distances[i * k + kept] = dist[j];
                kept++;
            }
            meter.Add(1);
            return buffers;
        }, _ => { });
        meter.Finish();
        return new AllNeighbours(rows, distances, k);
    }
}
