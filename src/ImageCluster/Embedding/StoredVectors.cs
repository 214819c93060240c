using ImageCluster.Store;

namespace ImageCluster.Embedding;

/// <summary>
/// The vectors of an embedding result left in the store because together they exceed the memory budget: read back in
/// row blocks (by content hash, in row order) when a stage needs them, so a million 1280-d vectors (5 GB) are never all held.
/// </summary>
internal sealed class StoredVectors(IEmbeddingStore store, string model, string output, IReadOnlyList<string> hashes, int dimension)
{
    /// <summary>Rows per read: 4 096 rows × 1280 floats = 20 MB.</summary>
    public const int BlockRows = 4096;

    public int Rows => hashes.Count;

    public int Dimension { get; } = dimension;

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> as one matrix.</summary>
    /// <exception cref="ImageClusterException">A vector vanished from the store since it was embedded.</exception>
    public FeatureMatrix Read(int start, int count) => ReadRows(Enumerable.Range(start, count).ToArray());

    /// <summary>The given rows, in the given order, as one matrix.</summary>
    /// <exception cref="ImageClusterException">A vector vanished from the store since it was embedded.</exception>
    public FeatureMatrix ReadRows(int[] rows)
    {
        var block = new FeatureMatrix(rows.Length, Dimension);
        for (int first = 0; first < rows.Length; first += BlockRows)
        {
            var wanted = rows.Skip(first).Take(BlockRows).Select(i => hashes[i]).ToList();
            var vectors = store.GetEmbeddings(wanted, model, output);
            for (int i = 0; i < wanted.Count; i++)
            {
                if (!vectors.TryGetValue(wanted[i], out var v) || v.Length != Dimension)
                    throw new ImageClusterException($"the stored embedding of content {wanted[i]} is gone or changed since it was read; run again");
                v.CopyTo(block.Row(first + i));
            }
        }
        return block;
    }

    /// <summary>Every row in one matrix (as much memory as the vectors take).</summary>
    /// <exception cref="ImageClusterException">More values than one matrix holds (2³¹): reduce with PCA first.</exception>
    public FeatureMatrix ReadAll()
    {
        if ((long)Rows * Dimension > Array.MaxLength)
            throw new ImageClusterException($"{Rows} vectors of {Dimension} values are {(long)Rows * Dimension:N0} values, more than one matrix holds; " +
                                            "reduce them while reading with PCA (e.g. 128 components)");
        var all = new FeatureMatrix(Rows, Dimension);
        for (int start = 0; start < Rows; start += BlockRows)
        {
            var block = Read(start, Math.Min(BlockRows, Rows - start));
            block.Data.CopyTo(all.Data, (long)start * Dimension);
        }
        return all;
    }
}
