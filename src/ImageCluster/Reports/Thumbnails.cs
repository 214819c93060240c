using ImageCluster.Images;
using SkiaSharp;

namespace ImageCluster.Reports;

/// <summary>Small JPEG thumbnails for the report, decoded with <see cref="ImageDecoder"/> (EXIF orientation, alpha on white).</summary>
internal static class Thumbnails
{
    /// <summary>
    /// A JPEG of <paramref name="file"/> whose longer side is <paramref name="size"/> pixels (never enlarged), or null
    /// when the file cannot be read or decoded: the report shows a placeholder rather than failing.
    /// </summary>
    public static byte[]? Make(string file, int size, int quality)
    {
        try
        {
            byte[] encoded = File.ReadAllBytes(file);
            if (ImageDecoder.ReadDisplaySize(encoded) is not { } display || display.Width <= 0 || display.Height <= 0) return null;
            double scale = Math.Min(1.0, (double)size / Math.Max(display.Width, display.Height));
            int w = Math.Max(1, (int)Math.Round(display.Width * scale)), h = Math.Max(1, (int)Math.Round(display.Height * scale));
            // Squash to a size of the same aspect ratio = an aspect-preserving resize.
            byte[] rgb = ImageDecoder.DecodeRgb(encoded, w, h, ResizeMode.Squash);
            return EncodeJpeg(rgb, w, h, quality);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageDecodeException)
        {
            return null;
        }
    }

    /// <summary>JPEG-encodes packed RGB bytes.</summary>
    public static byte[] EncodeJpeg(ReadOnlySpan<byte> rgb, int width, int height, int quality)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            pixels[j] = rgb[i];
            pixels[j + 1] = rgb[i + 1];
            pixels[j + 2] = rgb[i + 2];
            pixels[j + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
