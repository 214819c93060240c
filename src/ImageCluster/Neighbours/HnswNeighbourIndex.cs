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
        var built = Create(rows.Columns, metric, options); // Add refuses non-finite rows
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

    /// <summary>An empty graph for rows of <paramref name="dimensions"/> columns.</summary>
    public static HnswNeighbourIndex Create(int dimensions, DistanceMetric metric, HnswOptions? options = null)
    {
        options ??= new HnswOptions();
        var index = new USearchIndex(metric == DistanceMetric.Cosine ? MetricKind.Cos : MetricKind.L2sq, ScalarKind.Float32,
            (ulong)dimensions, (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch, false);
        return new HnswNeighbourIndex(index, metric, dimensions, options.ThreadCount);
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

    /// <summary>Whether <paramref name="key"/> is in the graph (and not removed).</summary>
    public bool Contains(long key) => _index.Contains((ulong)key);

    private void Add(FeatureMatrix rows, IProgress<StageProgress>? progress, CancellationToken ct) =>
        Add(rows, [.. Enumerable.Range(0, rows.Rows)], Count, progress, ct);

    /// <summary>
    /// Inserts rows <paramref name="which"/> of <paramref name="rows"/> under the keys <paramref name="firstKey"/>,
    /// <paramref name="firstKey"/> + 1, … (keys must be new to the graph).
    /// </summary>
    public void Add(FeatureMatrix rows, int[] which, long firstKey, IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        int n = which.Length;
        if (rows.Columns != Dimensions) throw new ArgumentException($"rows of {rows.Columns} columns do not fit an index of {Dimensions}", nameof(rows));
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(rows.Data))
            throw new ArgumentException("The features hold NaN or infinite values; a neighbour index cannot be built on them.", "nSamples");
        var meter = WorkMeter.Start(progress, "neighbour index", n);
        // USearch inserts from several threads only into capacity reserved ahead; its C# wrapper reserves one row per call
        // unless told the total. Without that (a wrapper that renamed it), insert on one thread: slower, same graph quality.
        bool reserved = ReserveCapacity(_index, _index.Size() + (ulong)n);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = reserved ? _threads : 1, CancellationToken = ct };
        Parallel.For(0, n, parallel, () => new float[rows.Columns], (i, _, vector) =>
        {
            rows.ReadRow(which[i]).CopyTo(vector);
            _index.Add((ulong)(firstKey + i), vector);
            meter.Add(1);
            return vector;
        }, _ => { });
        meter.Finish();
    }

    private static bool ReserveCapacity(USearchIndex index, ulong capacity)
    {
        var reserve = typeof(USearchIndex).GetMethod("IncreaseCapacity", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(ulong)]);
        if (reserve is null) return false;
        if (index.Capacity() >= capacity) return true;
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
