using System.Collections.Concurrent;
using ImageCluster.Images;
using SkiaSharp;

namespace ImageCluster.Web;

/// <summary>
/// Small JPEG thumbnails (centre-cropped squares, EXIF orientation applied) made on first request and kept in memory up
/// to <see cref="MemoryLimit"/> bytes; beyond it they are made again when asked (the browser caches them for a day anyway).
/// Decodes run at most one per core so a fast scroll cannot queue hundreds of full-size decodes at once.
/// </summary>
internal sealed class Thumbnails
{
    /// <summary>Edge length in pixels (twice the tile size, for sharp tiles on high-density screens).</summary>
    public const int Size = 192;

    /// <summary>Bytes of thumbnails kept in memory (a photo's thumbnail is 5–15 kB).</summary>
    public const long MemoryLimit = 128L << 20;

    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);
    private long _cachedBytes;
    private readonly SemaphoreSlim _decoders = new(Environment.ProcessorCount);

    /// <summary>The thumbnail of <paramref name="fullPath"/>, keyed by its size and time so an edited file gets a new one.</summary>
    /// <exception cref="ImageDecodeException">Not a readable image.</exception>
    public async Task<byte[]> GetAsync(string fullPath, CancellationToken ct)
    {
        var info = new FileInfo(fullPath);
        string key = $"{fullPath}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        if (_cache.TryGetValue(key, out var cached)) return cached;
        await _decoders.WaitAsync(ct);
        try
        {
            byte[] encoded = await File.ReadAllBytesAsync(fullPath, ct);
            byte[] jpeg = Reports.Thumbnails.EncodeJpeg(ImageDecoder.DecodeRgb(encoded, Size, Size, ResizeMode.CenterCrop), Size, Size, 80);
            if (Interlocked.Add(ref _cachedBytes, jpeg.Length) <= MemoryLimit) _cache[key] = jpeg;
            else Interlocked.Add(ref _cachedBytes, -jpeg.Length);
            return jpeg;
        }
        finally
        {
            _decoders.Release();
        }
    }

    /// <summary>Validator of the thumbnail of a file: changes when the file's size or time does.</summary>
    public static string ETag(string fullPath)
    {
        var info = new FileInfo(fullPath);
        return $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}-{Size}\"";
    }
}
