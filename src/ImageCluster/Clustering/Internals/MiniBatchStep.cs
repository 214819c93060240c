using System.Buffers;
using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// The pieces of one mini-batch step (scikit-learn's <c>_mini_batch_step</c>) on rows gathered and centred into a
/// small buffer, so the samples themselves are never copied: nearest centres, the count-weighted centre update and the
/// random reassignment of starved centres. Buffers are O(batch·D + k·D).
/// </summary>
internal sealed class MiniBatchStep
{
    /// <summary>Rows per parallel work item; the split does not depend on the thread count.</summary>
    public const int BlockRows = 256;

    private static readonly int[] Identity = Enumerable.Range(0, BlockRows).ToArray();

    private readonly FeatureMatrix _x;
    private readonly float[] _mean;
    private readonly int _k;
    private readonly ParallelOptions _parallel;
    private readonly double[] _sums;
    private readonly int[] _members;

    public MiniBatchStep(FeatureMatrix x, float[] mean, int k, int batchSize, ParallelOptions parallel)
    {
        _x = x;
        _mean = mean;
        _k = k;
        _parallel = parallel;
        Rows = new float[batchSize * x.Columns];
        Labels = new int[batchSize];
        _sums = new double[k * x.Columns];
        _members = new int[Math.Max(k, batchSize)];
    }

    /// <summary>The current batch, centred on the data mean, one row per drawn sample.</summary>
    public float[] Rows { get; }

    /// <summary>Nearest centre of each batch row after <see cref="Assign"/>.</summary>
    public int[] Labels { get; }

    /// <summary>Copies the samples <paramref name="indices"/>, minus the data mean, into <paramref name="target"/>.</summary>
    public void Gather(ReadOnlySpan<int> indices, Span<float> target)
    {
        int d = _x.Columns;
        for (int r = 0; r < indices.Length; r++)
            TensorPrimitives.Subtract(_x.ReadRow(indices[r]), _mean, target.Slice(r * d, d));
    }

    /// <summary>Copies the consecutive samples from <paramref name="start"/>, minus the data mean, into <see cref="Rows"/>.</summary>
    public void GatherRange(int start, int count)
    {
        int d = _x.Columns;
        for (int r = 0; r < count; r++) TensorPrimitives.Subtract(_x.ReadRow(start + r), _mean, Rows.AsSpan(r * d, d));
    }

    /// <summary>Nearest centre (ties to the lowest index) of the first <paramref name="count"/> batch rows; returns their inertia.</summary>
    public double Assign(int count, float[] centres) => Nearest(Rows, count, _x.Columns, centres, _k, Labels, _parallel);

    /// <summary>
    /// Nearest centre of <paramref name="count"/> contiguous centred rows; returns the sum of squared distances, added
    /// block by block in order so that it does not depend on the thread count.
    /// </summary>
    public static double Nearest(float[] rows, int count, int d, float[] centres, int k, int[] labels, ParallelOptions parallel)
    {
        var centreNorms = new float[k];
        for (int j = 0; j < k; j++) centreNorms[j] = DotKernel.Dot(centres.AsSpan(j * d, d), centres.AsSpan(j * d, d));
        int blocks = (count + BlockRows - 1) / BlockRows;
        var blockInertia = new double[blocks];
        void Block(int b)
        {
            int start = b * BlockRows, rowsInBlock = Math.Min(BlockRows, count - start);
            float[] products = ArrayPool<float>.Shared.Rent(BlockRows * k);
            var block = rows.AsSpan(start * d, rowsInBlock * d);
            DotKernel.RowsTimesTransposed(block, d, Identity.AsSpan(0, rowsInBlock), centres, k, products);
            double inertia = 0;
            for (int r = 0; r < rowsInBlock; r++)
            {
                int best = 0;
                float bestValue = centreNorms[0] - 2 * products[r * k];
                for (int j = 1; j < k; j++)
                {
                    float value = centreNorms[j] - 2 * products[r * k + j];
                    if (value < bestValue) { bestValue = value; best = j; }
                }
                labels[start + r] = best;
                var row = block.Slice(r * d, d);
                inertia += Math.Max(0f, DotKernel.Dot(row, row) + bestValue);
            }
            blockInertia[b] = inertia;
            ArrayPool<float>.Shared.Return(products);
        }
        if (blocks <= 1 || parallel.MaxDegreeOfParallelism == 1)
            for (int b = 0; b < blocks; b++) Block(b);
        else
            System.Threading.Tasks.Parallel.For(0, blocks, parallel, Block);
        double total = 0;
        foreach (double value in blockInertia) total += value;
        return total;
    }

    /// <summary>
    /// Moves each centre that received batch members to the mean of everything it has absorbed so far: its previous
    /// position weighted by its accumulated count, plus the new members (scikit-learn's <c>_minibatch_update_dense</c>).
    /// </summary>
    public void Update(int count, float[] centres, float[] next, double[] counts)
    {
        int d = _x.Columns;
        Array.Clear(_sums);
        Array.Clear(_members, 0, _k);
        for (int r = 0; r < count; r++)
        {
            int j = Labels[r];
            _members[j]++;
            var sum = _sums.AsSpan(j * d, d);
            var row = Rows.AsSpan(r * d, d);
            for (int f = 0; f < d; f++) sum[f] += row[f];
        }
        for (int j = 0; j < _k; j++)
        {
            if (_members[j] == 0)
            {
                centres.AsSpan(j * d, d).CopyTo(next.AsSpan(j * d, d));
                continue;
            }
            double total = counts[j] + _members[j];
            for (int f = j * d; f < (j + 1) * d; f++) next[f] = (float)((centres[f] * counts[j] + _sums[f]) / total);
            counts[j] = total;
        }
    }

    /// <summary>
    /// Moves centres whose count is below <paramref name="ratio"/> × the largest count to distinct random batch rows
    /// (at most half the batch), then lifts their counts to the smallest remaining count so they are not moved again
    /// at once, as scikit-learn does.
    /// </summary>
    public void Reassign(int count, float[] next, double[] counts, double ratio, Random random)
    {
        int d = _x.Columns;
        double largest = counts.Max();
        var starved = new bool[_k];
        int moved = 0;
        for (int j = 0; j < _k; j++)
            if (counts[j] < ratio * largest) { starved[j] = true; moved++; }
        int limit = (int)(0.5 * count);
        if (moved > 0.5 * count)
        {
            int[] byCount = Enumerable.Range(0, _k).OrderBy(j => counts[j]).ThenBy(j => j).ToArray();
            for (int rank = limit; rank < _k; rank++) starved[byCount[rank]] = false;
            moved = limit;
        }
        if (moved == 0) return;

        // Distinct batch rows, uniformly: the first `moved` slots of a partial Fisher–Yates shuffle.
        var positions = _members.AsSpan(0, count);
        for (int r = 0; r < count; r++) positions[r] = r;
        for (int r = 0; r < moved; r++)
        {
            int pick = random.Next(r, count);
            (positions[r], positions[pick]) = (positions[pick], positions[r]);
        }
        int slot = 0;
        double smallestKept = double.PositiveInfinity;
        for (int j = 0; j < _k; j++)
        {
            if (!starved[j]) { smallestKept = Math.Min(smallestKept, counts[j]); continue; }
            Rows.AsSpan(positions[slot++] * d, d).CopyTo(next.AsSpan(j * d, d));
        }
        if (double.IsPositiveInfinity(smallestKept)) return;
        for (int j = 0; j < _k; j++)
            if (starved[j]) counts[j] = smallestKept;
    }
}
