namespace ImageCluster.Images;

/// <summary>
/// The memory all decoders of a run may hold at once, whatever the files claim: each decode reserves what it will
/// allocate before allocating it and waits while the others hold the rest, and a file that alone needs more than the whole
/// budget is refused. A 69-byte PNG can declare 13 000 × 13 000 pixels (676 MB of RGBA); with four decode threads and no
/// budget that is 2.7 GB.
/// </summary>
internal sealed class DecodeBudget(long bytes)
{
    private readonly object _gate = new();
    private long _available = bytes;

    /// <summary>The whole budget.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>Blocks until <paramref name="need"/> bytes are free, then holds them until the result is disposed.</summary>
    /// <exception cref="DecodeBudgetException">More than the whole budget.</exception>
    public Reservation Reserve(long need, string what, CancellationToken ct = default)
    {
        if (need > Bytes)
            throw new DecodeBudgetException($"{what} needs about {need / 1048576.0:F0} MB to decode, above the {Bytes / 1048576.0:F0} MB decode memory budget");
        lock (_gate)
        {
            while (_available < need)
            {
                ct.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 100);
            }
            _available -= need;
        }
        return new Reservation(this, need);
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _available += bytes;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Bytes held by one decode.</summary>
    public readonly struct Reservation(DecodeBudget budget, long bytes) : IDisposable
    {
        /// <summary>Gives the bytes back.</summary>
        public void Dispose() => budget?.Release(bytes);
    }
}

/// <summary>
/// An image refused by the run's decode budget: the user's setting, not the file's fault, so unlike an
/// <see cref="ImageDecodeException"/> it is not remembered for the file.
/// </summary>
internal sealed class DecodeBudgetException(string message) : Exception(message);
