using System.Collections.Concurrent;
using ImageCluster.Images;
using SkiaSharp;

namespace ImageCluster.Web;

/// <summary>
/// Small JPEG thumbnails (centre-cropped squares, EXIF orientation applied) made on first request and kept in memory:
/// a 10 000-image cluster scrolled end to end costs about 40 MB. Decodes run at most one per core so a fast scroll
/// cannot queue hundreds of full-size decodes at once.
/// </summary>
internal sealed class Thumbnails
{
    /// <summary>Edge length in pixels (twice the tile size, for sharp tiles on high-density screens).</summary>
    public const int Size = 192;

    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _decoders = new(Environment.ProcessorCount);

    /// <summary>The thumbnail of <paramref name="fullPath"/>, keyed by its size and time so an edited file gets a new one.</summary>
    /// <exception cref="ImageDecodeException">Not a readable image.</exception>
    public async Task<(byte[] Jpeg, string ETag)> GetAsync(string fullPath, CancellationToken ct)
    {
        var info = new FileInfo(fullPath);
        string key = $"{fullPath}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        string etag = $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"";
        if (_cache.TryGetValue(key, out var cached)) return (cached, etag);
        await _decoders.WaitAsync(ct);
        try
        {
            byte[] encoded = await File.ReadAllBytesAsync(fullPath, ct);
            byte[] jpeg = Encode(ImageDecoder.DecodeRgb(encoded, Size, Size, ResizeMode.CenterCrop));
            _cache[key] = jpeg;
            return (jpeg, etag);
        }
        finally
        {
            _decoders.Release();
        }
    }

    private static byte[] Encode(byte[] rgb)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, o = 0; i < rgb.Length; i += 3, o += 4)
        {
            pixels[o] = rgb[i];
            pixels[o + 1] = rgb[i + 1];
            pixels[o + 2] = rgb[i + 2];
            pixels[o + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }
}
