using System.Numerics.Tensors;
using ImageCluster.Diagnostics;

namespace ImageCluster.Review;

/// <summary>One neighbour found by <see cref="SimilarImages.Nearest"/>.</summary>
/// <param name="Path">Relative to the input folder.</param>
/// <param name="Similarity">Cosine similarity to the query image (1 = same direction).</param>
internal sealed record SimilarImage(string Path, float Similarity);

/// <summary>
/// Cosine nearest neighbours and cluster cohesion over a run's stored embeddings. Up to <see cref="DefaultExactUpTo"/>
/// images by brute force (one pass over every row per query, O(n·d): a few milliseconds); above, from the neighbour
/// index the duplicates and issues jobs keep for the same folder and model (see <see cref="ReviewSession.OpenSimilar"/>).
/// Neither depends on the clusters, so moves and splits leave them as they are.
/// </summary>
internal sealed class SimilarImages : IDisposable
{
    /// <summary>Images up to which a query scans every row.</summary>
    public const int DefaultExactUpTo = 50_000;

    private readonly string[] _paths;
    private readonly float[] _unit; // rows scaled to length 1, so a dot product is the cosine
    private readonly int _dimension;
    private readonly Dictionary<string, int> _row;
    private readonly Neighbours.INeighbourIndex? _index;

    /// <summary>Builds the index from <see cref="ReviewSession.LoadEmbeddings"/> (or any path → vector map of one dimension).</summary>
    /// <param name="embeddings">Vectors by path.</param>
    /// <param name="index">Given the unit rows and their paths (in row order), an index over them; used above <paramref name="exactUpTo"/> rows.</param>
    /// <param name="exactUpTo">Rows up to which a query scans every row.</param>
    public SimilarImages(IReadOnlyDictionary<string, float[]> embeddings,
        Func<FeatureMatrix, IReadOnlyList<string>, Neighbours.INeighbourIndex>? index = null, int exactUpTo = DefaultExactUpTo)
    {
        _paths = [.. embeddings.Keys.Order(StringComparer.Ordinal)];
        _dimension = _paths.Length == 0 ? 0 : embeddings[_paths[0]].Length;
        _unit = new float[_paths.Length * _dimension];
        _row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _paths.Length; i++)
        {
            var v = embeddings[_paths[i]];
            if (v.Length != _dimension) throw new ArgumentException($"{_paths[i]} has {v.Length} features, others {_dimension}", nameof(embeddings));
            var row = _unit.AsSpan(i * _dimension, _dimension);
            float norm = TensorPrimitives.Norm(v);
            if (norm > 0) TensorPrimitives.Divide(v, norm, row);
            _row[_paths[i]] = i;
        }
        if (index is not null && _paths.Length > exactUpTo) _index = index(new FeatureMatrix(_paths.Length, _dimension, _unit), _paths);
    }

    /// <summary>The unit rows, one per path of <see cref="RowPaths"/> (shared, not a copy: do not write to it).</summary>
    internal FeatureMatrix UnitRows => new(_paths.Length, _dimension, _unit);

    /// <summary>The path of each row of <see cref="UnitRows"/>.</summary>
    internal IReadOnlyList<string> RowPaths => _paths;

    /// <summary>
    /// UMAP's fuzzy graph of every row's <paramref name="neighbours"/> nearest rows (what proposals spread over): from this
    /// object's index when it has one — the saved graph of the folder, so only the queries are paid, not a build —
    /// else from an exact scan or an index built for the call (<see cref="Clustering.FuzzyNeighbourGraph.Of"/>).
    /// </summary>
    internal Clustering.WeightedGraph NeighbourGraph(int neighbours, CancellationToken ct = default) =>
        Clustering.FuzzyNeighbourGraph.Of(UnitRows, neighbours, DistanceMetric.Cosine, threads: 0, progress: null, ct, _index);

    /// <summary>True when queries are answered by the neighbour index rather than a scan.</summary>
    public bool Indexed => _index is not null;

    /// <summary>True when <paramref name="path"/> has an embedding.</summary>
    public bool Contains(string path) => _row.ContainsKey(path);

    /// <summary>The <paramref name="count"/> images most similar to <paramref name="path"/> (itself excluded), most similar first.</summary>
    /// <exception cref="ImageClusterException"><paramref name="path"/> has no stored embedding.</exception>
    public IReadOnlyList<SimilarImage> Nearest(string path, int count)
    {
        if (!_row.TryGetValue(path, out int query)) throw new ImageClusterException($"{path} has no stored embedding; cluster the folder again");
        var q = Row(query);
        if (_index is not null) return FromIndex(query, count);
        var best = new PriorityQueue<int, float>(); // min-heap of the best so far: the root is the one to drop
        for (int i = 0; i < _paths.Length; i++)
        {
            if (i == query) continue;
            float s = TensorPrimitives.Dot(q, Row(i));
            if (best.Count < count) best.Enqueue(i, s);
            else if (count > 0 && best.TryPeek(out _, out float worst) && s > worst) best.EnqueueDequeue(i, s);
        }
        var result = new List<SimilarImage>(best.Count);
        while (best.TryDequeue(out int i, out float s)) result.Add(new SimilarImage(_paths[i], s));
        result.Reverse();
        return result;
    }

    /// <summary>
    /// How tight a set of images is, as the report defines it (<see cref="ClusterCohesion"/>): their mean cosine
    /// similarity to their mean direction. Images without an embedding are left out; null when none has one.
    /// </summary>
    public double? Cohesion(IEnumerable<string> paths) =>
        ClusterCohesion.Of(new FeatureMatrix(_paths.Length, _dimension, _unit), paths.Where(_row.ContainsKey).Select(p => _row[p]));

    private ReadOnlySpan<float> Row(int i) => _unit.AsSpan(i * _dimension, _dimension);

    private List<SimilarImage> FromIndex(int query, int count)
    {
        var rows = new int[count + 1];
        var distances = new float[count + 1];
        int found = _index!.Search(Row(query), rows, distances);
        // The index gives 1 − cos; the similarity is the dot product itself, as the scan computes it.
        return [.. rows.Take(found).Where(r => r != query).Take(count).Select(r => new SimilarImage(_paths[r], TensorPrimitives.Dot(Row(query), Row(r))))];
    }

    /// <inheritdoc />
    public void Dispose() => _index?.Dispose();
}
