using System.Numerics.Tensors;
using ImageCluster.Diagnostics;

namespace ImageCluster.Review;

/// <summary>One neighbour found by <see cref="SimilarImages.Nearest"/>.</summary>
/// <param name="Path">Relative to the input folder.</param>
/// <param name="Similarity">Cosine similarity to the query image (1 = same direction).</param>
internal sealed record SimilarImage(string Path, float Similarity);

/// <summary>
/// Cosine nearest neighbours and cluster cohesion over a run's stored embeddings, by brute force: one pass over every
/// row per query (O(n·d)), which is quick enough up to ~100 000 images and needs no index to keep in step with moves and splits.
/// </summary>
internal sealed class SimilarImages
{
    private readonly string[] _paths;
    private readonly float[] _unit; // rows scaled to length 1, so a dot product is the cosine
    private readonly int _dimension;
    private readonly Dictionary<string, int> _row;

    /// <summary>Builds the index from <see cref="ReviewSession.LoadEmbeddings"/> (or any path → vector map of one dimension).</summary>
    public SimilarImages(IReadOnlyDictionary<string, float[]> embeddings)
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
    }

    /// <summary>True when <paramref name="path"/> has an embedding.</summary>
    public bool Contains(string path) => _row.ContainsKey(path);

    /// <summary>The <paramref name="count"/> images most similar to <paramref name="path"/> (itself excluded), most similar first.</summary>
    /// <exception cref="ImageClusterException"><paramref name="path"/> has no stored embedding.</exception>
    public IReadOnlyList<SimilarImage> Nearest(string path, int count)
    {
        if (!_row.TryGetValue(path, out int query)) throw new ImageClusterException($"{path} has no stored embedding; cluster the folder again");
        var q = Row(query);
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
}
