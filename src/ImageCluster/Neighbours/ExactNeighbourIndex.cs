using System.Numerics.Tensors;

namespace ImageCluster.Neighbours;

/// <summary>
/// Nearest neighbours by scanning every row: exact, O(N·D) per query. For small sets, and the truth the HNSW index's
/// recall is measured against. Cosine follows <see cref="DistanceMetric.Cosine"/>: an all-zero row is at distance 1 from
/// everything.
/// </summary>
internal sealed class ExactNeighbourIndex : INeighbourIndex
{
    private readonly FeatureMatrix _rows;
    private readonly float[] _norms;

    public ExactNeighbourIndex(FeatureMatrix rows, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(rows);
        (_rows, Metric) = (rows, metric);
        _norms = new float[rows.Rows];
        if (metric == DistanceMetric.Cosine)
            for (int i = 0; i < rows.Rows; i++) _norms[i] = TensorPrimitives.Norm(rows.ReadRow(i));
    }

    public int Count => _rows.Rows;

    public int Dimensions => _rows.Columns;

    public DistanceMetric Metric { get; }

    /// <summary>One per core: a scan keeps no state between calls.</summary>
    public int SearchThreads => Environment.ProcessorCount;

    public int Search(ReadOnlySpan<float> query, Span<int> rows, Span<float> distances)
    {
        int k = Math.Min(rows.Length, Count);
        float queryNorm = Metric == DistanceMetric.Cosine ? TensorPrimitives.Norm(query) : 0;
        int found = 0;
        // A sorted insertion list of k: k is small (10–50) next to N, so this beats a heap in practice.
        for (int i = 0; i < Count; i++)
        {
            float d = Distance(query, queryNorm, i);
            if (found == k && d >= distances[k - 1]) continue; // rows come in order: on a tie the earlier one stays
            int at = found < k ? found++ : k - 1;
            while (at > 0 && distances[at - 1] > d)
            {
                distances[at] = distances[at - 1];
                rows[at] = rows[at - 1];
                at--;
            }
            (distances[at], rows[at]) = (d, i);
        }
        return found;
    }

    private float Distance(ReadOnlySpan<float> query, float queryNorm, int row)
    {
        var r = _rows.ReadRow(row);
        if (Metric == DistanceMetric.Euclidean) return TensorPrimitives.Distance(query, r);
        float norms = queryNorm * _norms[row];
        return norms == 0 ? 1 : 1 - TensorPrimitives.Dot(query, r) / norms;
    }

    public void Dispose()
    {
    }
}
