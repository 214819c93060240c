using System.Security.Cryptography;
using System.Text;

namespace ImageCluster.Neighbours;

/// <summary>
/// An HNSW index kept on disk between runs over the same collection, so a second job (or the next run after a few images
/// were added) does not build the graph again. A key is the identity of a vector (a hash of its bytes), so an image that
/// did not change keeps its place whatever its row: new vectors are added to the saved graph, and when a vector of the
/// saved graph is gone (a file deleted or changed) the graph is built again, since USearch's removal leaves holes that
/// cost recall. The files are <c>BASE.usearch</c> (USearch's own) and <c>BASE.keys</c> (one identity per key, in key order).
/// </summary>
internal static class SavedNeighbourIndex
{
    private const string Header = "imagecluster-neighbour-index v1";

    /// <summary>How the index of a run came about.</summary>
    /// <param name="Reused">Vectors found in the saved graph.</param>
    /// <param name="Added">Vectors added to it (all of them when it was built).</param>
    /// <param name="Built">True when the graph was built from nothing (none saved, unreadable, or a vector gone).</param>
    public sealed record Outcome(int Reused, int Added, bool Built)
    {
        /// <summary>One phrase for a run summary.</summary>
        public string Describe() => Built ? $"built for {Added} vectors and saved" : Added == 0 ? $"saved index reused ({Reused} vectors)" : $"saved index reused ({Reused} vectors), {Added} added";
    }

    /// <summary>
    /// The index over the rows of <paramref name="x"/> (answering with row numbers, as the other indexes do), from the files
    /// at <paramref name="basePath"/> where they fit and saved back there when anything changed.
    /// </summary>
    /// <param name="basePath">Where the files are (without their extensions).</param>
    /// <param name="x">The rows to index.</param>
    /// <param name="metric">The metric of the graph.</param>
    /// <param name="identities">What each row is, stable across runs (e.g. the content hash of its image, for one model);
    /// null = a hash of the row's bytes.</param>
    /// <param name="keepVectorsNotInRows">Use a saved graph that also holds vectors <paramref name="x"/> does not have (a
    /// review of a run made before images were added), searching a little deeper to make up for them, instead of building
    /// it again: for readers, so that they do not undo the graph the jobs keep for the whole folder.</param>
    /// <param name="options">Graph options.</param>
    /// <param name="notice">Hears why a saved graph was not used.</param>
    /// <param name="progress">Progress of building or adding.</param>
    /// <param name="ct">Cancels.</param>
    public static (INeighbourIndex Index, Outcome Outcome) Open(string basePath, FeatureMatrix x, DistanceMetric metric, IReadOnlyList<string>? identities = null,
        bool keepVectorsNotInRows = false, HnswOptions? options = null, Action<string>? notice = null, IProgress<StageProgress>? progress = null,
        CancellationToken ct = default)
    {
        if (identities is not null && identities.Count != x.Rows) throw new ArgumentException($"{identities.Count} identities for {x.Rows} rows", nameof(identities));
        identities ??= [.. Enumerable.Range(0, x.Rows).Select(i => Identity(x.ReadRow(i)))];
        string indexFile = basePath + ".usearch", keysFile = basePath + ".keys";
        var (graph, keys) = TryLoad(indexFile, keysFile, x.Columns, metric, options, notice);
        var keyOf = new Dictionary<string, int>(StringComparer.Ordinal);
        if (keys is not null)
            for (int k = 0; k < keys.Count; k++) keyOf[keys[k]] = k;
        var present = identities.ToHashSet(StringComparer.Ordinal);
        if (graph is not null && !keepVectorsNotInRows && keys!.Any(k => !present.Contains(k)))
        {
            notice?.Invoke($"neighbour index {indexFile}: images were removed or changed since it was saved; building it again");
            graph.Dispose();
            (graph, keys) = (null, null);
            keyOf.Clear();
        }
        int reused = keys?.Count(present.Contains) ?? 0;
        keys ??= [];
        bool built = graph is null;
        // New identities get the next keys, in row order: the graph adds them under the same numbers below.
        int firstNew = keys.Count;
        var fresh = new List<int>();
        for (int i = 0; i < x.Rows; i++)
            if (keyOf.TryAdd(identities[i], keys.Count))
            {
                keys.Add(identities[i]);
                fresh.Add(i);
            }
        try
        {
            graph ??= HnswNeighbourIndex.Create(x.Columns, metric, options);
            if (fresh.Count > 0)
            {
                graph.Add(x, [.. fresh], firstNew, progress, ct);
                Save(graph, keys, indexFile, keysFile, notice);
            }
            var rowsOfKey = new int[keys.Count][];
            foreach (var group in Enumerable.Range(0, x.Rows).GroupBy(i => keyOf[identities[i]]))
                rowsOfKey[group.Key] = [.. group];
            return (new KeyedIndex(graph, rowsOfKey, rowsOfKey.Count(r => r is null)), new Outcome(reused, fresh.Count, built));
        }
        catch
        {
            graph?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where the index of a folder's images for one model lives: beside the store that holds their embeddings, so every
    /// job and the review of that folder share it.
    /// </summary>
    public static string BesideStore(string storePath, string input, string modelCacheKey) =>
        // A server store has no folder beside it here: this machine's user cache keeps its graphs.
        Path.Combine(Store.StoreLocation.IsServer(storePath) ? UserFolders.Cache : Path.GetDirectoryName(Path.GetFullPath(storePath))!, "neighbours",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(input) + "\n" + modelCacheKey)))[..24]);

    /// <summary>The identity of a vector: the first 128 bits of the SHA-256 of its bytes, in hex.</summary>
    internal static string Identity(ReadOnlySpan<float> vector) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector))[..16]);

    // The saved graph and its keys, or nothing when they are missing, unreadable or do not belong together.
    private static (HnswNeighbourIndex? Graph, List<string>? Keys) TryLoad(string indexFile, string keysFile, int dimensions, DistanceMetric metric,
        HnswOptions? options, Action<string>? notice)
    {
        if (!File.Exists(indexFile) || !File.Exists(keysFile)) return (null, null);
        HnswNeighbourIndex? graph = null;
        try
        {
            var lines = File.ReadAllLines(keysFile);
            if (lines.Length == 0 || lines[0] != $"{Header} {metric.ToString().ToLowerInvariant()} {dimensions}")
            {
                notice?.Invoke($"neighbour index {indexFile} is for another metric or dimension; building it again");
                return (null, null);
            }
            graph = HnswNeighbourIndex.Load(indexFile, metric, dimensions, options);
            var keys = lines.Skip(1).ToList();
            // The keys are written before the graph: a run stopped between the two leaves keys the graph lacks.
            if (graph.Count != keys.Count || Enumerable.Range(0, keys.Count).Any(k => !graph.Contains(k)))
            {
                notice?.Invoke($"neighbour index {indexFile} does not match {keysFile}; building it again");
                graph.Dispose();
                return (null, null);
            }
            return (graph, keys);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Cloud.Unum.USearch.USearchException)
        {
            graph?.Dispose();
            notice?.Invoke($"neighbour index {indexFile} cannot be read ({e.Message}); building it again");
            return (null, null);
        }
    }

    private static void Save(HnswNeighbourIndex graph, List<string> keys, string indexFile, string keysFile, Action<string>? notice)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(indexFile)!);
            Csv.WriteAtomically(keysFile, w =>
            {
                w.WriteLine($"{Header} {graph.Metric.ToString().ToLowerInvariant()} {graph.Dimensions}");
                foreach (var k in keys) w.WriteLine(k);
            });
            string temp = indexFile + ".tmp-" + Environment.ProcessId;
            graph.Save(temp);
            File.Move(temp, indexFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The run goes on with the graph in memory; only the next run pays for building it again.
            notice?.Invoke($"neighbour index not saved to {indexFile} ({e.Message})");
        }
    }

    /// <summary>A graph whose keys are vector identities, answering with the rows that hold them.</summary>
    private sealed class KeyedIndex(HnswNeighbourIndex graph, int[][] rowsOfKey, int keysWithoutRows) : INeighbourIndex
    {
        public int Count { get; } = rowsOfKey.Sum(r => r?.Length ?? 0);

        public int Dimensions => graph.Dimensions;

        public DistanceMetric Metric => graph.Metric;

        public int SearchThreads => graph.SearchThreads;

        public int Search(ReadOnlySpan<float> query, Span<int> rows, Span<float> distances)
        {
            // Keys of vectors the rows do not have take places in the answer: ask for more, at most 4 × as many.
            int asked = rows.Length + Math.Min(keysWithoutRows, 3 * rows.Length);
            var keys = new int[asked];
            var keyDistances = new float[asked];
            int found = graph.Search(query, keys, keyDistances), written = 0;
            // Equal vectors share a key: each stands for all its rows, at the same distance.
            for (int j = 0; j < found && written < rows.Length; j++)
                foreach (int row in rowsOfKey[keys[j]] ?? [])
                {
                    if (written == rows.Length) break;
                    rows[written] = row;
                    distances[written++] = keyDistances[j];
                }
            return written;
        }

        public void Dispose() => graph.Dispose();
    }
}
