namespace ImageCluster.Clustering;

/// <summary>
/// Blocked brute force over pairs of rows: the rows are cut into blocks of <see cref="RowBlock"/>, the columns into tiles of
/// <see cref="DensitySpace.TileColumns"/>, and the approximate scores of one block × tile are handed to a callback. Blocks
/// run in parallel; every block is handled whole by one worker, so per-row state needs no locking.
/// Scratch: <see cref="RowBlock"/> × tile floats per worker — never a full N × N matrix.
/// </summary>
internal static class DensityTiles
{
    /// <summary>Rows scored together against one column tile.</summary>
    public const int RowBlock = 64;

    /// <summary>Receives the approximate scores <c>tile[r * k + j]</c> of <c>rows[r]</c> against columns <c>c0 + j</c>.</summary>
    public delegate void Body<in TLocal>(ReadOnlySpan<int> rows, int c0, int k, ReadOnlySpan<float> tile, TLocal local);

    /// <summary>
    /// Scores <paramref name="rowIds"/> (indices into <paramref name="rows"/>) against the rows of <paramref name="columns"/>.
    /// With <paramref name="upperOnly"/> (rows and columns the same set, <paramref name="rowIds"/> = 0, 1, …), a block
    /// only meets the columns from its own first row on: each unordered pair is seen once (the callback skips j &lt; i
    /// inside the diagonal tile), which halves the work of symmetric passes. <paramref name="meter"/> counts the rows done.
    /// </summary>
    public static void Run<TLocal>(DensitySpace space, DensityRows rows, int[] rowIds, DensityRows columns, bool upperOnly,
        ParallelOptions parallel, Func<TLocal> init, Body<TLocal> body, Action<TLocal> merge, WorkMeter? meter = null)
    {
        int tileColumns = space.TileColumns;
        int blocks = (rowIds.Length + RowBlock - 1) / RowBlock;
        var gate = new object();
        try
        {
            Parallel.For(0, blocks, parallel,
                () => (Local: init(), Tile: new float[RowBlock * tileColumns]),
                (b, _, state) =>
                {
                    int start = b * RowBlock, count = Math.Min(RowBlock, rowIds.Length - start);
                    var block = rowIds.AsSpan(start, count);
                    for (int c0 = upperOnly ? start : 0; c0 < columns.Count; c0 += tileColumns)
                    {
                        int k = Math.Min(tileColumns, columns.Count - c0);
                        var tile = state.Tile.AsSpan(0, count * k);
                        space.Tile(rows, block, columns, c0, k, tile);
                        body(block, c0, k, tile, state.Local);
                    }
                    meter?.Add(count);
                    return state;
                },
                state =>
                {
                    lock (gate) merge(state.Local);
                });
            meter?.Finish();
        }
        catch (AggregateException e)
        {
            parallel.CancellationToken.ThrowIfCancellationRequested();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }

    /// <summary>The options' parallelism with the caller's cancellation token.</summary>
    public static ParallelOptions Options(int maxDegreeOfParallelism, CancellationToken cancellation) =>
        new() { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellation };
}
