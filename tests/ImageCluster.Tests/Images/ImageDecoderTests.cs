using ImageCluster.Images;

namespace ImageCluster.Tests;

/// <summary>Decoding of the awkward files in ../shared/datasets/bad_inputs (see its README).</summary>
public class ImageDecoderTests
{
    private static byte[] Bad(string name) => File.ReadAllBytes(Path.Combine(SharedData.Dataset("bad_inputs"), "images", name));

    private static double MeanAbsDifference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    [SharedTheory]
    [InlineData("zero_bytes.jpg", "empty file")]
    [InlineData("text_not_image.png", "not an image")]
    [InlineData("truncated.jpg", "truncated")]
    [InlineData("huge_20000x20000_1bit.png", "too large")]
    [InlineData("image.tiff", "unsupported format TIFF")]
    public void Unreadable_files_fail_with_a_reason(string file, string reason)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeRgb(Bad(file), 64, 64, ResizeMode.Squash));
        Assert.Contains(reason, e.Message);
    }

    [SharedTheory]
    [InlineData("cmyk.jpg")]
    [InlineData("rgb_16bit.png")]
    [InlineData("image.webp")]
    [InlineData("exif_orientation6.jpg")]
    [InlineData("animated.gif")]
    public void Odd_formats_decode_to_the_same_picture_as_the_plain_bmp(string file)
    {
        // Every one of these was made from the same ant photo as image.bmp (320×240).
        var reference = ImageDecoder.DecodeRgb(Bad("image.bmp"), 64, 48, ResizeMode.Squash);
        var decoded = ImageDecoder.DecodeRgb(Bad(file), 64, 48, ResizeMode.Squash);
        Assert.True(MeanAbsDifference(reference, decoded) < 12, $"{file} differs from image.bmp by {MeanAbsDifference(reference, decoded):F1} on average");
    }

    [SharedFact]
    public void Exif_orientation_is_applied_not_ignored()
    {
        var stored = Bad("exif_orientation6.jpg");
        Assert.Equal(new SkiaSharp.SKSizeI(320, 240), ImageDecoder.ReadDisplaySize(stored));
        // The same pixels without the rotation would not match the upright reference.
        var reference = ImageDecoder.DecodeRgb(Bad("image.bmp"), 48, 48, ResizeMode.Squash);
        var rotated = ImageDecoder.DecodeRgb(stored, 48, 48, ResizeMode.Squash);
        var mirrored = ImageDecoder.DecodeRgb(Bad("image.bmp"), 48, 48, ResizeMode.Squash);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 48; x++)
                for (int c = 0; c < 3; c++)
                    mirrored[(y * 48 + x) * 3 + c] = reference[(x * 48 + y) * 3 + c];
        Assert.True(MeanAbsDifference(reference, rotated) * 3 < MeanAbsDifference(mirrored, rotated));
    }

    [SharedFact]
    public void Alpha_is_composited_on_white()
    {
        // Alpha rises from 0 at the left edge to 1 at the right edge.
        var rgb = ImageDecoder.DecodeRgb(Bad("rgba_alpha.png"), 32, 24, ResizeMode.Squash);
        for (int y = 0; y < 24; y++)
            Assert.All(rgb.AsSpan((y * 32) * 3, 3).ToArray(), v => Assert.True(v >= 240, $"left edge value {v} is not white"));
    }

    [SharedFact]
    public void Grayscale_becomes_three_equal_channels()
    {
        var rgb = ImageDecoder.DecodeRgb(Bad("grayscale.png"), 16, 16, ResizeMode.Squash);
        for (int p = 0; p < rgb.Length; p += 3)
        {
            Assert.Equal(rgb[p], rgb[p + 1]);
            Assert.Equal(rgb[p], rgb[p + 2]);
        }
    }

    [SharedFact]
    public void Jpeg_with_a_png_extension_is_read_by_content()
    {
        var rgb = ImageDecoder.DecodeRgb(Bad("jpeg_with_png_extension.png"), 32, 32, ResizeMode.Squash);
        Assert.Contains(rgb, v => v is > 10 and < 245);
    }

    [Fact]
    public void Center_crop_keeps_the_middle_and_squash_keeps_everything()
    {
        // A 300×100 image: red left third, green middle, blue right third.
        using var bitmap = new SkiaSharp.SKBitmap(300, 100);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            canvas.DrawRect(0, 0, 100, 100, new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Red });
            canvas.DrawRect(100, 0, 100, 100, new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Lime });
            canvas.DrawRect(200, 0, 100, 100, new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Blue });
        }
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var bytes = png.ToArray();

        var crop = ImageDecoder.DecodeRgb(bytes, 30, 30, ResizeMode.CenterCrop);
        var squash = ImageDecoder.DecodeRgb(bytes, 30, 30, ResizeMode.Squash);

        Assert.All(Enumerable.Range(0, 900), p => Assert.True(crop[p * 3 + 1] > 200 && crop[p * 3] < 50, "crop shows only the green middle"));
        Assert.True(squash[0] > 200 && squash[29 * 3 + 2] > 200, "squash keeps the red left and blue right edges");
    }
}

public class ScaledJpegDecodingTests
{
    private static SkiaSharp.SKCodec Codec(SkiaSharp.SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        bitmap.Erase(SkiaSharp.SKColors.Teal);
        var data = bitmap.Encode(format, 90);
        return SkiaSharp.SKCodec.Create(data);
    }

    [Fact]
    public void Large_jpeg_is_decoded_at_the_smallest_dct_scale_that_still_covers_the_target()
    {
        using var codec = Codec(SkiaSharp.SKEncodedImageFormat.Jpeg, 2000, 1500);
        // 1/4 gives 500×375 (covers 224×224); 1/8 would give 250×188, too small in height.
        Assert.Equal(new SkiaSharp.SKSizeI(500, 375), ImageDecoder.ChooseDecodeSize(codec, codec.Info.Size, 224, 224));
    }

    [Fact]
    public void Small_jpeg_and_png_are_decoded_at_full_size()
    {
        using var small = Codec(SkiaSharp.SKEncodedImageFormat.Jpeg, 128, 128);
        Assert.Equal(new SkiaSharp.SKSizeI(128, 128), ImageDecoder.ChooseDecodeSize(small, small.Info.Size, 224, 224));
        using var png = Codec(SkiaSharp.SKEncodedImageFormat.Png, 2000, 1500);
        Assert.Equal(new SkiaSharp.SKSizeI(2000, 1500), ImageDecoder.ChooseDecodeSize(png, png.Info.Size, 224, 224));
    }
}

/// <summary>All eight EXIF orientations, on a JPEG whose stored top-left quadrant is red.</summary>
public class ExifOrientationTests
{
    private static byte[] JpegWithOrientation(int orientation)
    {
        using var bitmap = new SkiaSharp.SKBitmap(64, 32);
        bitmap.Erase(SkiaSharp.SKColors.Blue);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
            canvas.DrawRect(0, 0, 32, 16, new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Red });
        var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 95).ToArray();
        // APP1 "Exif": little-endian TIFF header, one IFD entry 0x0112 (Orientation, SHORT, 1) = orientation.
        byte[] tiff = [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0];
        byte[] exif = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = exif.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. exif];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    [Theory]
    [InlineData(1, "top-left")]
    [InlineData(2, "top-right")]
    [InlineData(3, "bottom-right")]
    [InlineData(4, "bottom-left")]
    [InlineData(5, "top-left")]
    [InlineData(6, "top-right")]
    [InlineData(7, "bottom-right")]
    [InlineData(8, "bottom-left")]
    public void Orientation_moves_the_red_corner_where_the_tag_says(int orientation, string corner)
    {
        var bytes = JpegWithOrientation(orientation);
        var expectedSize = orientation >= 5 ? new SkiaSharp.SKSizeI(32, 64) : new SkiaSharp.SKSizeI(64, 32);
        Assert.Equal(expectedSize, ImageDecoder.ReadDisplaySize(bytes));

        // Decode at the displayed aspect (no squash distortion) and sample the centre of each quadrant.
        int w = expectedSize.Width, h = expectedSize.Height;
        var rgb = ImageDecoder.DecodeRgb(bytes, w, h, ResizeMode.Squash);
        bool Red(int x, int y) => rgb[(y * w + x) * 3] > 180 && rgb[(y * w + x) * 3 + 2] < 80;
        var red = new Dictionary<string, bool>
        {
            ["top-left"] = Red(w / 4, h / 4),
            ["top-right"] = Red(3 * w / 4, h / 4),
            ["bottom-left"] = Red(w / 4, 3 * h / 4),
            ["bottom-right"] = Red(3 * w / 4, 3 * h / 4),
        };
        Assert.Equal([corner], red.Where(kv => kv.Value).Select(kv => kv.Key));
    }
}
