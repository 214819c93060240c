using System.Reflection;
using Cloud.Unum.USearch;

namespace ImageCluster.Neighbours;

/// <summary>Options of <see cref="HnswNeighbourIndex"/> (USearch's names; its defaults where we have no measurement).</summary>
internal sealed record HnswOptions
{
    /// <summary>Links per node of the graph (USearch <c>connectivity</c>, HNSW's M).</summary>
    public int Connectivity { get; init; } = 16;

    /// <summary>Candidates kept while inserting (<c>expansion_add</c>, efConstruction): higher builds slower and finds more.</summary>
    public int ExpansionAdd { get; init; } = 128;

    /// <summary>Candidates kept while searching (<c>expansion_search</c>, ef): higher searches slower and finds more.</summary>
    public int ExpansionSearch { get; init; } = 64;

    /// <summary>Threads that insert and search; 0 = one per core.</summary>
    public int Threads { get; init; }

    internal int ThreadCount => Threads > 0 ? Threads : Environment.ProcessorCount;
}

/// <summary>
/// Approximate nearest neighbours from a USearch HNSW graph (<c>Cloud.Unum.USearch</c>): O(log N) per query, built in
/// parallel. Distances are converted to the metric's own: Euclidean (USearch gives its square), cosine 1 − cos.
/// </summary>
internal sealed class HnswNeighbourIndex : INeighbourIndex
{
    private readonly USearchIndex _index;
    private readonly int _threads;

    private HnswNeighbourIndex(USearchIndex index, DistanceMetric metric, int dimensions, int threads) =>
        (_index, Metric, Dimensions, _threads) = (index, metric, dimensions, threads);

    public int Count => (int)_index.Size();

    public int Dimensions { get; }

    public DistanceMetric Metric { get; }

    /// <summary>Builds the graph of every row of <paramref name="rows"/> (keys = row numbers).</summary>
    /// <exception cref="ArgumentException">Non-finite values (the graph would be meaningless).</exception>
    public static HnswNeighbourIndex Build(FeatureMatrix rows, DistanceMetric metric, HnswOptions? options = null,
        IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new HnswOptions();
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(rows.Data))
            throw new ArgumentException("The features hold NaN or infinite values; a neighbour index cannot be built on them.", "nSamples");
        var index = new USearchIndex(metric == DistanceMetric.Cosine ? MetricKind.Cos : MetricKind.L2sq, ScalarKind.Float32,
            (ulong)rows.Columns, (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch, false);
        var built = new HnswNeighbourIndex(index, metric, rows.Columns, options.ThreadCount);
        try
        {
            built.Add(rows, progress, ct);
            return built;
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    /// <summary>Loads a graph written by <see cref="Save"/>.</summary>
    public static HnswNeighbourIndex Load(string path, DistanceMetric metric, int dimensions, HnswOptions? options = null)
    {
        var index = new USearchIndex(path, false);
        ulong stored = index.Dimensions();
        if (stored != (ulong)dimensions)
        {
            index.Dispose();
            throw new InvalidDataException($"{path} holds a neighbour index of {stored} dimensions, not {dimensions}");
        }
        return new HnswNeighbourIndex(index, metric, dimensions, (options ?? new HnswOptions()).ThreadCount);
    }

    /// <summary>Writes the graph (with its vectors) to <paramref name="path"/>.</summary>
    public void Save(string path) => _index.Save(path);

    private void Add(FeatureMatrix rows, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        int n = rows.Rows, start = Count;
        var meter = Clustering.WorkMeter.Start(progress, "neighbour index", n);
        // USearch inserts from several threads only into capacity reserved ahead; its C# wrapper reserves one row per call
        // unless told the total. Without that (a wrapper that renamed it), insert on one thread: slower, same graph quality.
        bool reserved = ReserveCapacity(_index, (ulong)(start + n));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = reserved ? _threads : 1, CancellationToken = ct };
        Parallel.For(0, n, parallel, () => new float[rows.Columns], (i, _, vector) =>
        {
            rows.ReadRow(i).CopyTo(vector);
            _index.Add((ulong)(start + i), vector);
            meter.Add(1);
            return vector;
        }, _ => { });
        meter.Finish();
    }

    private static bool ReserveCapacity(USearchIndex index, ulong capacity)
    {
        var reserve = typeof(USearchIndex).GetMethod("IncreaseCapacity", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(ulong)]);
        if (reserve is null) return false;
        ulong more = capacity - index.Size();
        reserve.Invoke(index, [more]);
        return index.Capacity() >= capacity;
    }

    /// <inheritdoc />
    public int Search(ReadOnlySpan<float> query, Span<int> rows, Span<float> distances)
    {
        // The wrapper takes arrays and allocates its results: one small array per query, next to a graph walk.
        int found = _index.Search(query.ToArray(), rows.Length, out ulong[] keys, out float[] raw);
        for (int j = 0; j < found; j++)
        {
            rows[j] = (int)keys[j];
            distances[j] = Metric == DistanceMetric.Euclidean ? MathF.Sqrt(Math.Max(0, raw[j])) : raw[j];
        }
        return found;
    }

    /// <summary>The threads reserved at build or load: USearch keeps one search context per reserved thread.</summary>
    public int SearchThreads => _threads;

    public void Dispose() => _index.Dispose();
}
