using SkiaSharp;

namespace ImageCluster.Images;

/// <summary>How an image is fitted to a model's square (or fixed) input.</summary>
public enum ResizeMode
{
    /// <summary>The whole image stretched to the target size (aspect ratio not kept).</summary>
    Squash,

    /// <summary>Scaled so that it covers the target, then the centre cut out (torchvision's Resize + CenterCrop).</summary>
    CenterCrop,
}

/// <summary>A file that could not be turned into pixels; the message is meant for the user.</summary>
internal sealed class ImageDecodeException(string message) : Exception(message);

/// <summary>
/// Decodes any image SkiaSharp reads into 8-bit RGB of an exact size: EXIF orientation applied, first frame of
/// animations, alpha composited on white, JPEGs decoded at a reduced scale when the target is much smaller.
/// Thread-safe; no state.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>Images above this many pixels (after any scaled JPEG decode) are refused instead of decoded.</summary>
    public const long MaxPixels = 178_956_970; // Pillow's decompression-bomb limit, so both tools refuse the same files.

    /// <summary>The colour alpha is composited on.</summary>
    public static readonly SKColor Background = SKColors.White;

    /// <summary>Decodes <paramref name="encoded"/> to <paramref name="width"/>×<paramref name="height"/> packed RGB bytes.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a readable image.</exception>
    public static byte[] DecodeRgb(ReadOnlySpan<byte> encoded, int width, int height, ResizeMode mode)
    {
        var rgb = new byte[width * height * 3];
        DecodeRgb(encoded, width, height, mode, rgb);
        return rgb;
    }

    /// <summary>Decodes into a caller-provided buffer of <c>width × height × 3</c> bytes.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a readable image.</exception>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="width">Target width.</param>
    /// <param name="height">Target height.</param>
    /// <param name="mode">How the image is fitted to the target.</param>
    /// <param name="rgb">The output, <c>width × height × 3</c> bytes.</param>
    /// <param name="budget">Memory shared with the other decoders of the run (null: only <see cref="MaxPixels"/> limits a decode).</param>
    /// <param name="ct">Cancels a wait for the budget.</param>
    public static void DecodeRgb(ReadOnlySpan<byte> encoded, int width, int height, ResizeMode mode, Span<byte> rgb, DecodeBudget? budget = null,
        CancellationToken ct = default)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException("Buffer size does not match width × height × 3.", nameof(rgb));
        if (encoded.Length == 0) throw new ImageDecodeException("empty file (0 bytes)");

        using var data = SKData.CreateCopy(encoded);
        // The codec takes ownership of the stream (also when creation fails), so the stream is not disposed here.
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var createResult)
            ?? throw new ImageDecodeException(DescribeUnreadable(encoded, createResult));

        var origin = codec.EncodedOrigin;
        var stored = codec.Info.Size;
        if ((long)stored.Width * stored.Height <= 0) throw new ImageDecodeException("image has no pixels");

        byte frame = codec.EncodedFormat == SKEncodedImageFormat.Jpeg ? JpegFrameMarker(encoded) : (byte)0;
        if (IsHuffmanCoded(frame) && LeastHuffmanBytes(stored) > encoded.Length)
            throw new ImageDecodeException(
                $"corrupt header: it declares {stored.Width}×{stored.Height}, which needs at least {Size(LeastHuffmanBytes(stored))} of image data; the file has {Size(encoded.Length)}");

        bool swapsAxes = SwapsAxes(origin);
        // Target size expressed in stored (unrotated) axes, to pick a JPEG decode scale.
        int needW = swapsAxes ? height : width, needH = swapsAxes ? width : height;
        var decodeSize = ChooseDecodeSize(codec, stored, needW, needH);
        long decodePixels = (long)decodeSize.Width * decodeSize.Height;
        if (decodePixels > MaxPixels)
            throw new ImageDecodeException(
                $"image too large: {stored.Width}×{stored.Height} ({decodePixels / 1e6:F0} Mpx) is above the {MaxPixels / 1e6:F0} Mpx limit for this format");

        // What the decode allocates: its RGBA bitmap (a third more with mipmaps), the target, and for a progressive JPEG the
        // coefficients libjpeg keeps for the whole stored image (two bytes per component sample) whatever the output scale.
        bool shrinksMuch = decodeSize.Width > 2 * needW || decodeSize.Height > 2 * needH;
        long need = decodePixels * 4 * (shrinksMuch ? 4 : 3) / 3 + (long)width * height * 4;
        if (IsProgressive(frame)) need += (long)stored.Width * stored.Height * 3 * 2;
        using var held = budget?.Reserve(need, $"this {stored.Width}×{stored.Height} image", ct) ?? default;

        using var source = new SKBitmap(new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(source.Info, source.GetPixels());
        if (result is not SKCodecResult.Success)
            throw new ImageDecodeException(result switch
            {
                SKCodecResult.IncompleteInput => "truncated file: the image data ends early",
                SKCodecResult.ErrorInInput => "corrupt image data",
                SKCodecResult.InvalidInput => "corrupt image data: the decoder refused the image's parameters",
                _ => $"cannot decode ({result})",
            });

        using var image = SKImage.FromBitmap(source);
        using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(Background);
            canvas.SetMatrix(PlacementMatrix(origin, decodeSize, width, height, mode));
            using var paint = new SKPaint();
            // Mipmaps prevent aliasing when shrinking more than 2×, but building them costs 3× the whole draw, so
            // plain bilinear serves enlargements and mild reductions (most inputs, after scaled JPEG decoding).
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, shrinksMuch ? SKMipmapMode.Linear : SKMipmapMode.None);
            canvas.DrawImage(image, 0, 0, sampling, paint);
        }

        var rgba = target.GetPixelSpan();
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3)
        {
            rgb[q] = rgba[p];
            rgb[q + 1] = rgba[p + 1];
            rgb[q + 2] = rgba[p + 2];
        }
    }

    /// <summary>True when the JPEG's frame is progressive (SOF2, 6, 10, 14), read from its markers up to the first scan.</summary>
    internal static bool IsProgressiveJpeg(ReadOnlySpan<byte> b) => IsProgressive(JpegFrameMarker(b));

    private static bool IsProgressive(byte frame) => frame is 0xC2 or 0xC6 or 0xCA or 0xCE;

    /// <summary>Frames whose scans are Huffman-coded (SOF0–3, 5–7); arithmetic coding (SOF9 and up) has no per-block floor.</summary>
    private static bool IsHuffmanCoded(byte frame) => frame is >= 0xC0 and <= 0xC7 and not 0xC4;

    /// <summary>
    /// The fewest bytes a Huffman-coded JPEG of this size can hold: every 8×8 block of the full-resolution component needs at
    /// least one code of at least one bit (its DC difference). A header that declares more pixels than the file can carry is a
    /// lie the decoder would otherwise paper over with grey, clustering a forged file as if it were an image.
    /// </summary>
    private static long LeastHuffmanBytes(SKSizeI stored) => ((stored.Width + 7L) / 8) * ((stored.Height + 7L) / 8) / 8;

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes / 1048576.0:F1} MB",
        >= 100 << 10 => $"{bytes / 1024.0:F0} KB",
        >= 1 << 10 => $"{bytes / 1024.0:F1} KB",
        _ => $"{bytes} bytes",
    };

    /// <summary>The JPEG's frame marker (0xC0–0xCF, not DHT/JPG/DAC), read from its markers up to the first scan; 0 when none.</summary>
    private static byte JpegFrameMarker(ReadOnlySpan<byte> b)
    {
        if (b.Length < 4 || b[0] != 0xFF || b[1] != 0xD8) return 0;
        int i = 2;
        while (i + 4 <= b.Length)
        {
            if (b[i] != 0xFF) return 0;
            byte marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) { i += 2; continue; } // markers without a length
            if (marker is 0xDA or 0xD9) return 0; // a scan or the end before any frame header
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return marker;
            i += 2 + ((b[i + 2] << 8) | b[i + 3]);
        }
        return 0;
    }

    /// <summary>Reads only the header: the displayed size (after EXIF orientation).</summary>
    public static SKSizeI? ReadDisplaySize(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        var size = codec.Info.Size;
        return SwapsAxes(codec.EncodedOrigin)
            ? new SKSizeI(size.Height, size.Width)
            : size;
    }

    /// <summary>True for the EXIF orientations that turn the image by 90°, so width and height trade places.</summary>
    private static bool SwapsAxes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    internal static SKSizeI ChooseDecodeSize(SKCodec codec, SKSizeI stored, int needW, int needH)
    {
        // Scaled JPEG decoding (1/2, 1/4, 1/8 in the DCT) is both faster and a better low-pass filter than resampling
        // the full image. Keep the smallest scale that still covers the target in both axes; this holds for squash
        // and centre-crop alike, since a crop scales uniformly to cover the target too.
        var best = stored;
        foreach (float scale in new[] { 0.5f, 0.25f, 0.125f })
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (scaled.Width < needW || scaled.Height < needH || scaled == best) break;
            best = scaled;
        }
        return best;
    }

    private static SKMatrix PlacementMatrix(SKEncodedOrigin origin, SKSizeI decoded, int width, int height, ResizeMode mode)
    {
        float w = decoded.Width, h = decoded.Height;
        var orient = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        bool swapsAxes = SwapsAxes(origin);
        float displayW = swapsAxes ? h : w, displayH = swapsAxes ? w : h;

        float srcX = 0, srcY = 0, srcW = displayW, srcH = displayH;
        if (mode == ResizeMode.CenterCrop)
        {
            float scale = Math.Max(width / displayW, height / displayH);
            srcW = width / scale;
            srcH = height / scale;
            srcX = (displayW - srcW) / 2;
            srcY = (displayH - srcH) / 2;
        }
        var fitToTarget = SKMatrix.CreateTranslation(-srcX, -srcY).PostConcat(SKMatrix.CreateScale(width / srcW, height / srcH));
        return orient.PostConcat(fitToTarget);
    }

    private static string DescribeUnreadable(ReadOnlySpan<byte> bytes, SKCodecResult result)
    {
        if (bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8))
            return "unsupported format TIFF (the decoder reads JPEG, PNG, WebP, GIF and BMP); convert it first";
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8))
            return "unsupported format HEIF/AVIF (the decoder reads JPEG, PNG, WebP, GIF and BMP); convert it first";
        return result switch
        {
            SKCodecResult.IncompleteInput => "truncated file: too short to hold an image header",
            _ => "not an image: the content is not a format the decoder recognises",
        };
    }
}
