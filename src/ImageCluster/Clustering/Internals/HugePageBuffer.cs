using System.Runtime.InteropServices;

namespace ImageCluster.Clustering;

/// <summary>
/// Uninitialised native memory for a large array of doubles, on Linux asked to be backed by 2 MB pages. The
/// nearest-neighbour chain reads a column of the condensed distance matrix at a stride of one row: nearly every read
/// lands on another 4 KB page, and address translation, not the data, becomes the bottleneck. With 2 MB pages the
/// whole matrix fits the translation cache; the linkage phase of ward on 10 000 × 64 took 1.5–2× less CPU time so.
/// </summary>
internal sealed unsafe partial class HugePageBuffer : IDisposable
{
    private const nuint HugePage = 2 << 20;
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE

    private double* _pointer;

    public HugePageBuffer(long length)
    {
        Length = length;
        nuint bytes = (nuint)Math.Max(length, 1) * sizeof(double);
        _pointer = (double*)NativeMemory.AlignedAlloc(bytes, HugePage);
        GC.AddMemoryPressure((long)bytes);
        // Only a hint: without transparent huge pages (or off Linux) the memory simply keeps its normal pages.
        if (OperatingSystem.IsLinux() && bytes >= HugePage)
        {
            try { _ = Madvise((nint)_pointer, bytes, MadviseHugePage); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        }
    }

    ~HugePageBuffer() => Free();

    public long Length { get; }

    public double* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(HugePageBuffer));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer == null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        GC.RemoveMemoryPressure((long)((nuint)Math.Max(Length, 1) * sizeof(double)));
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
