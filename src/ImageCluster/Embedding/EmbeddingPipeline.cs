using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using ImageCluster.Images;
using ImageCluster.Store;

namespace ImageCluster.Embedding;

/// <summary>Options of <see cref="EmbeddingPipeline"/>.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>Images per inference call. 32 measured best on 2 cores (docs/benchmarks.md).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Threads that read, hash and decode; 0 = one per core.</summary>
    public int DecodeThreads { get; init; }

    /// <summary>ONNX Runtime intra-op threads; 0 = one per core.</summary>
    public int InferenceThreads { get; init; }

    /// <summary>
    /// Files larger than this many bytes are listed as errors instead of read (a file is read whole to hash and decode it):
    /// 512 MB by default, far above any camera's JPEG and most scans.
    /// </summary>
    public long MaxFileBytes { get; init; } = 512L << 20;

    /// <summary>
    /// Memory all decode threads together may hold for pixels at once (512 MB by default): a decode waits while others
    /// hold it, and an image that alone needs more is refused. A non-JPEG is decoded at full size, 4 bytes per pixel, so
    /// the default refuses PNG, WebP, GIF and BMP above ≈ 95 Mpx (4 bytes per pixel and a third more for the mipmaps of a large
    /// reduction); JPEGs decode at a reduced scale, except that a progressive one also needs 6 bytes per stored pixel.
    /// </summary>
    public long DecodeMemoryBytes { get; init; } = 512L << 20;

    /// <summary>
    /// Longest one file may take to decode (60 s by default; the slowest of 10 000 fuzzed files took 0.8 s on 2 cores): a file still decoding then is
    /// listed as an error and the run goes on without it, so one file that sends the decoder into a loop cannot hang the run.
    /// </summary>
    public TimeSpan FileTimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Most bytes of vectors a result holds in memory (1 GB by default: 200 000 vectors of 1280 floats); beyond it the
    /// vectors stay in the store and are read back in blocks (<see cref="StoredVectors"/>), e.g. through a streaming PCA.
    /// </summary>
    internal long VectorMemoryBytes { get; init; } = 1L << 30;

    /// <summary>Largest accepted batch: 1024 images of 224×224 already take 600 MB of input tensor.</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>Validates the options, with a message naming the bad one.</summary>
    public void Validate()
    {
        if (BatchSize is < 1 or > MaxBatchSize) throw new ArgumentException($"BatchSize must be between 1 and {MaxBatchSize} (got {BatchSize})", nameof(BatchSize));
        if (DecodeThreads < 0) throw new ArgumentException($"DecodeThreads must be 0 (one per core) or more (got {DecodeThreads})", nameof(DecodeThreads));
        if (DecodeMemoryBytes < 1 << 20) throw new ArgumentException($"DecodeMemoryBytes must be at least 1 MB (got {DecodeMemoryBytes} bytes)", nameof(DecodeMemoryBytes));
        if (MaxFileBytes < 1) throw new ArgumentException($"MaxFileBytes must be at least 1 (got {MaxFileBytes})", nameof(MaxFileBytes));
        if (FileTimeLimit <= TimeSpan.Zero) throw new ArgumentException($"FileTimeLimit must be positive (got {FileTimeLimit})", nameof(FileTimeLimit));
        if (InferenceThreads < 0) throw new ArgumentException($"InferenceThreads must be 0 (one per core) or more (got {InferenceThreads})", nameof(InferenceThreads));
    }
}

/// <summary>A file that could not be used, with the reason shown to the user.</summary>
public sealed record FileError(string Path, string Error);

/// <summary>Seconds spent per stage of <see cref="EmbeddingPipeline"/>.</summary>
internal sealed record EmbeddingTimings(double ReadHashSeconds, double DecodeSeconds, double InferenceSeconds, double WallSeconds, double LoadModelSeconds,
    double SlowestDecodeSeconds);

/// <summary>
/// The vectors of every usable file, in scan order (with their content hashes), and what happened to the others. The
/// vectors are in memory (<paramref name="Loaded"/>) or, when too many for the memory budget, left in the store
/// (<paramref name="Stored"/>, read in blocks); <see cref="Features"/> gives them in memory either way.
/// </summary>
internal sealed record EmbeddingResult(
    IReadOnlyList<string> Paths,
    IReadOnlyList<string> ContentHashes,
    FeatureMatrix? Loaded,
    IReadOnlyList<FileError> Errors,
    int Embedded,
    int FromCache,
    EmbeddingTimings Timings,
    StoredVectors? Stored = null)
{
    private FeatureMatrix? _features = Loaded;

    /// <summary>Every vector in one matrix; read from the store on first use when they were left there.</summary>
    public FeatureMatrix Features => _features ??= Stored!.ReadAll();

    /// <summary>Values per vector.</summary>
    public int Dimension => Loaded?.Columns ?? Stored!.Dimension;
}

/// <summary>
/// Turns scanned files into embeddings, reusing the store: an unchanged file (same size and time) is not even read,
/// a changed or moved file whose content hash is known is not decoded, and only new content reaches the model.
/// Decoding runs on worker threads and overlaps inference of the previous batch.
/// </summary>
internal sealed class EmbeddingPipeline(IEmbeddingStore store, ResolvedModel model, Func<IEmbedder> createEmbedder, EmbeddingOptions? options = null)
{
    /// <summary>
    /// The file's bytes, refusing one larger than <paramref name="limit"/> before reading it, and one that grows past it
    /// while read (the size from the scan may be stale).
    /// </summary>
    internal static async Task<byte[]> ReadCapped(string path, long limit, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        long length = stream.Length;
        if (length > limit) throw new FileTooLargeException(length, limit);
        var buffer = new byte[length];
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) throw new IOException($"the file shrank while it was read ({read} of {length} bytes)");
            read += n;
        }
        if (stream.ReadByte() >= 0) throw new IOException("the file grew while it was read");
        return buffer;
    }

    private readonly EmbeddingOptions _options = options ?? new EmbeddingOptions();

    /// <summary>Embeds <paramref name="files"/> found under <paramref name="root"/>.</summary>
    public async Task<EmbeddingResult> RunAsync(string root, IReadOnlyList<ScannedFile> files, IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        _options.Validate();
        var wall = Stopwatch.StartNew();
        root = Path.GetFullPath(root);
        var descriptor = model.Descriptor;
        string key = model.CacheKey, output = model.FeatureOutput;

        var embeddedHashes = store.GetEmbeddedHashes(key, output);
        var hashes = new string?[files.Count];
        var errors = new string?[files.Count];
        var pending = Pending(root, files, embeddedHashes, hashes, errors);

        // Every file that may end up a row has a slot in one matrix, filled as batches arrive (fresh vectors) and at the end
        // (stored ones), so the vectors are held once, not as arrays and then as their copy. Null while the width is unknown,
        // and for good when the rows exceed the memory budget (then they are read back from the store in blocks).
        var slot = new int[files.Count];
        int candidates = 0;
        for (int i = 0; i < files.Count; i++) slot[i] = errors[i] is null ? candidates++ : -1;
        FeatureMatrix? matrix = null;
        int dimension = 0;
        var embeddedNow = new HashSet<int>();
        var newRecords = new List<FileRecord>();
        long readHashTicks = 0, decodeTicks = 0, slowestDecodeTicks = 0;
        double inferenceSeconds = 0, loadSeconds = 0;
        int done = 0, failed = 0, total = pending.Count;
        progress?.Report(new StageProgress("embed", 0, total, 0));

        if (pending.Count > 0)
        {
            int inputLength = descriptor.Width * descriptor.Height * 3;
            var channel = Channel.CreateBounded<(int Index, float[] Input)>(new BoundedChannelOptions(_options.BatchSize * 2)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            int decodeThreads = _options.DecodeThreads > 0 ? _options.DecodeThreads : Environment.ProcessorCount;
            var recordsLock = new object();
            long l0 = Stopwatch.GetTimestamp();
            using var embedder = createEmbedder();
            loadSeconds = Stopwatch.GetElapsedTime(l0).TotalSeconds;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

            var budget = new DecodeBudget(_options.DecodeMemoryBytes);
            var producer = Task.Run(async () =>
            {
                try
                {
                    await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = decodeThreads, CancellationToken = stop.Token }, async (i, token) =>
                    {
                        var f = files[i];
                        long t0 = Stopwatch.GetTimestamp();
                        byte[] bytes;
                        try
                        {
                            bytes = await ReadCapped(f.FullPath, _options.MaxFileBytes, token);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // Any failure to read one file is that file's line, never the end of the run.
                            errors[i] = e is FileTooLargeException ? e.Message : $"cannot read: {e.Message}";
                            Interlocked.Increment(ref failed);
                            Interlocked.Increment(ref done);
                            return;
                        }
                        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
                        hashes[i] = hash;
                        long t1 = Stopwatch.GetTimestamp();
                        Interlocked.Add(ref readHashTicks, t1 - t0);
                        string? error = null;
                        bool cacheError = false;
                        float[]? input = null;
                        if (!embeddedHashes.Contains(hash))
                        {
                            var decoding = Task.Run(() => DecodeInput(bytes, descriptor, inputLength, budget, token), token);
                            try
                            {
                                input = await decoding.WaitAsync(_options.FileTimeLimit, token);
                            }
                            catch (TimeoutException)
                            {
                                // The decoder cannot be interrupted: it finishes (or not) on its own thread, which then returns
                                // the buffer; a timeout is the machine's state as much as the file's, so it is not remembered.
                                error = $"decoding took longer than the {Seconds(_options.FileTimeLimit)} limit for one file";
                                _ = decoding.ContinueWith(t => { if (t.IsCompletedSuccessfully) ArrayPool<float>.Shared.Return(t.Result); },
                                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                            }
                            catch (Exception e) when (e is not OperationCanceledException)
                            {
                                error = e is ImageDecodeException or DecodeBudgetException ? e.Message : $"decoder failed: {e.Message}";
                                cacheError = e is ImageDecodeException;
                            }
                            long ticks = Stopwatch.GetTimestamp() - t1;
                            Interlocked.Add(ref decodeTicks, ticks);
                            for (long seen = Volatile.Read(ref slowestDecodeTicks); ticks > seen; seen = Volatile.Read(ref slowestDecodeTicks))
                                if (Interlocked.CompareExchange(ref slowestDecodeTicks, ticks, seen) == seen) break;
                        }
                        // Only the decoder's own verdicts are remembered; anything unexpected is retried next run.
                        if (error is null || cacheError)
                            lock (recordsLock) newRecords.Add(new FileRecord(root, f.RelativePath, f.Length, f.LastWriteUtc.Ticks, hash, error));
                        if (error is not null)
                        {
                            errors[i] = error;
                            Interlocked.Increment(ref failed);
                        }
                        if (input is not null) await channel.Writer.WriteAsync((i, input), token);
                        else Interlocked.Increment(ref done);
                    });
                    channel.Writer.Complete();
                }
                catch (Exception e)
                {
                    channel.Writer.Complete(e);
                    throw;
                }
            }, stop.Token);

            try
            {
                var batch = new List<(int Index, float[] Input)>(_options.BatchSize);
                var reader = channel.Reader;
                while (await reader.WaitToReadAsync(ct))
                {
                    while (batch.Count < _options.BatchSize && reader.TryRead(out var item)) batch.Add(item);
                    // Wait for a full batch unless the producers are finished.
                    if (batch.Count < _options.BatchSize && !reader.Completion.IsCompleted && await reader.WaitToReadAsync(ct)) continue;
                    if (batch.Count == 0) continue;
                    long s0 = Stopwatch.GetTimestamp();
                    var vectors = EmbedBatch(embedder, batch, inputLength);
                    inferenceSeconds += Stopwatch.GetElapsedTime(s0).TotalSeconds;
                    store.PutEmbeddings(batch.Select((b, j) => (hashes[b.Index]!, vectors[j])), key, output);
                    // The files read so far are remembered with every batch, so a process killed half-way (a shard job that
                    // died) reads none of them again when it is rerun: it continues where it stopped.
                    List<FileRecord> read;
                    lock (recordsLock) (read, newRecords) = (newRecords, []);
                    store.PutFiles(read);
                    // Into their slots when the matrix fits the budget; otherwise they are only stored, and read back in blocks.
                    if (dimension == 0) (dimension, matrix) = (vectors[0].Length, MatrixWithinBudget(candidates, vectors[0].Length));
                    for (int j = 0; j < batch.Count; j++)
                    {
                        if (matrix is not null) vectors[j].CopyTo(matrix.Row(slot[batch[j].Index]));
                        embeddedNow.Add(batch[j].Index);
                    }
                    Interlocked.Add(ref done, batch.Count);
                    progress?.Report(new StageProgress("embed", Volatile.Read(ref done), total, Volatile.Read(ref failed)));
                    batch.Clear();
                }
                await producer;
            }
            catch
            {
                // Producers blocked on a full channel would wait forever once the consumer is gone.
                await stop.CancelAsync();
                try { await producer; } catch (OperationCanceledException) { }
                throw;
            }
            store.PutFiles(newRecords);
            progress?.Report(new StageProgress("embed", total, total, failed));
        }

        var paths = new List<string>();
        var contentHashes = new List<string>();
        var fileErrors = new List<FileError>();
        for (int i = 0; i < files.Count; i++)
        {
            if (errors[i] is { } e) { fileErrors.Add(new FileError(files[i].RelativePath, e)); continue; }
            paths.Add(files[i].RelativePath);
            contentHashes.Add(hashes[i]!);
        }
        int embeddedCount = embeddedNow.Count;
        double tick = Stopwatch.Frequency;
        var timings = new EmbeddingTimings(readHashTicks / tick, decodeTicks / tick, inferenceSeconds, wall.Elapsed.TotalSeconds, loadSeconds, slowestDecodeTicks / tick);
        if (paths.Count == 0) return new EmbeddingResult(paths, contentHashes, new FeatureMatrix(0, 0), fileErrors, embeddedCount, 0, timings);
        if (dimension == 0) (dimension, matrix) = (StoredDimension(contentHashes, key, output), null);
        matrix ??= MatrixWithinBudget(candidates, dimension);
        if (matrix is null)
            return new EmbeddingResult(paths, contentHashes, null, fileErrors, embeddedCount, paths.Count - embeddedCount, timings,
                new StoredVectors(store, key, output, contentHashes, dimension));

        // The stored vectors into their slots, a block of hashes per query.
        var cachedRows = Enumerable.Range(0, files.Count).Where(i => errors[i] is null && !embeddedNow.Contains(i)).ToList();
        foreach (var block in cachedRows.Chunk(StoredVectors.BlockRows))
        {
            var cached = store.GetEmbeddings(block.Select(i => hashes[i]!), key, output);
            foreach (int i in block)
            {
                var v = cached[hashes[i]!];
                if (v.Length != dimension)
                    throw new ImageClusterException($"the stored embedding of {files[i].RelativePath} has {v.Length} values where the others have {dimension}; prune the store and run again");
                v.CopyTo(matrix.Row(slot[i]));
            }
        }
        if (paths.Count == candidates) return new EmbeddingResult(paths, contentHashes, matrix, fileErrors, embeddedCount, paths.Count - embeddedCount, timings);

        // Some files failed while embedding: their slots go, the later rows move up (a copy, only in this case).
        var rows = new FeatureMatrix(paths.Count, dimension);
        for (int i = 0, row = 0; i < files.Count; i++)
            if (errors[i] is null) matrix.ReadRow(slot[i]).CopyTo(rows.Row(row++));
        return new EmbeddingResult(paths, contentHashes, rows, fileErrors, embeddedCount, paths.Count - embeddedCount, timings);
    }

    // One matrix for every candidate row, or null when that exceeds the memory budget.
    private FeatureMatrix? MatrixWithinBudget(int rows, int dimension) =>
        (long)rows * dimension * sizeof(float) > _options.VectorMemoryBytes ? null : new FeatureMatrix(rows, dimension);

    // The files that must be read: new, changed, or without a vector. Kept out of RunAsync so the remembered records (a
    // million of them take hundreds of MB) are garbage once it returns, not fields of the async state machine.
    private List<int> Pending(string root, IReadOnlyList<ScannedFile> files, HashSet<string> embeddedHashes, string?[] hashes, string?[] errors)
    {
        var known = store.GetFiles(root);
        var pending = new List<int>();
        for (int i = 0; i < files.Count; i++)
        {
            var f = files[i];
            if (f.Problem is not null) { errors[i] = f.Problem; continue; }
            if (known.TryGetValue(f.RelativePath, out var rec) && rec.Length == f.Length && rec.LastWriteUtcTicks == f.LastWriteUtc.Ticks)
            {
                if (rec.Error is not null) { errors[i] = rec.Error; continue; }
                // The set's own instance of the hash, so the records' copies go with them.
                if (embeddedHashes.TryGetValue(rec.Sha256, out var hash)) { hashes[i] = hash; continue; }
            }
            pending.Add(i);
        }
        return pending;
    }

    // The length of the stored vectors, from the first one (0 when there is none).
    private int StoredDimension(List<string> contentHashes, string key, string output) =>
        contentHashes.Count == 0 ? 0 : store.GetEmbeddings(contentHashes.Take(1), key, output).Values.FirstOrDefault()?.Length ?? 0;

    private static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? $"{t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s"
        : $"{t.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ms";

    // The model's input tensor for one file, in a pooled array (a 224×224 tensor is 600 kB, and fresh arrays that size churn
    // the large-object heap); the caller returns it to the pool.
    private static float[] DecodeInput(byte[] bytes, ModelDescriptor descriptor, int inputLength, DecodeBudget budget, CancellationToken ct)
    {
        var rgb = ArrayPool<byte>.Shared.Rent(inputLength);
        var input = ArrayPool<float>.Shared.Rent(inputLength);
        try
        {
            ImageDecoder.DecodeRgb(bytes, descriptor.Width, descriptor.Height, descriptor.Resize, rgb.AsSpan(0, inputLength), budget, ct);
            TensorPreprocessor.Fill(descriptor, rgb.AsSpan(0, inputLength), input.AsSpan(0, inputLength));
            return input;
        }
        catch
        {
            ArrayPool<float>.Shared.Return(input);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    private static float[][] EmbedBatch(IEmbedder embedder, List<(int Index, float[] Input)> batch, int inputLength)
    {
        var inputs = ArrayPool<float>.Shared.Rent(batch.Count * inputLength);
        for (int j = 0; j < batch.Count; j++)
        {
            batch[j].Input.AsSpan(0, inputLength).CopyTo(inputs.AsSpan(j * inputLength));
            ArrayPool<float>.Shared.Return(batch[j].Input);
        }
        // Pooled too: a batch's outputs (32 × 1280 floats) are a large-object-heap array, and a new one per batch is garbage
        // that only a full collection frees, so it piled up in proportion to the run (measured: ~3.8 KB per image).
        int outputLength = batch.Count * embedder.Dimension;
        var outputs = ArrayPool<float>.Shared.Rent(outputLength);
        try
        {
            embedder.Embed(inputs.AsMemory(0, batch.Count * inputLength), batch.Count, outputs.AsSpan(0, outputLength));
            var vectors = new float[batch.Count][];
            for (int j = 0; j < batch.Count; j++) vectors[j] = outputs.AsSpan(j * embedder.Dimension, embedder.Dimension).ToArray();
            return vectors;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputs);
            ArrayPool<float>.Shared.Return(outputs);
        }
    }
}

/// <summary>A file above <see cref="EmbeddingOptions.MaxFileBytes"/>: listed as an error, never read.</summary>
internal sealed class FileTooLargeException(long length, long limit)
    : IOException($"file too large: {length / 1048576.0:F0} MB, above the {limit / 1048576.0:F0} MB limit for one image");
