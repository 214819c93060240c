using ImageCluster.Curation;

namespace ImageCluster.Tests;

/// <summary>The pixel measurements the quality issues are judged on (issue 15).</summary>
public class ImageQualityTests
{
    // A 64 × 64 RGB image from a function of (x, y) giving (r, g, b).
    private static ImageQuality Measure(Func<int, int, (byte R, byte G, byte B)> pixel, int w = 64, int h = 64)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                (rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2]) = pixel(x, y);
        return ImageQuality.FromPixels(rgb, w, h, w * 10, h * 10);
    }

    private static (byte, byte, byte) Grey(double v) => ((byte)v, (byte)v, (byte)v);

    private static double Checker(int x, int y) => ((x / 4 + y / 4) % 2) * 200 + 20;

    [Fact]
    public void A_flat_colour_has_no_entropy_and_no_sharpness()
    {
        var q = Measure((_, _) => (200, 30, 30));
        Assert.Equal(0, q.Entropy, 6);
        Assert.Equal(0, q.Sharpness, 6);
        Assert.True(q.Colourfulness > 0.6);
        Assert.Equal((640, 640), (q.Width, q.Height));
    }

    [Fact]
    public void A_checkerboard_is_sharp_and_a_smooth_gradient_is_not()
    {
        var sharp = Measure((x, y) => Grey(Checker(x, y)));
        var smooth = Measure((x, _) => Grey(20 + x * 3));
        Assert.True(sharp.Sharpness > 100 * smooth.Sharpness, $"{sharp.Sharpness} vs {smooth.Sharpness}");
        Assert.Equal(0, sharp.Colourfulness, 6); // grey pixels
    }

    [Fact]
    public void Darkening_keeps_the_sharpness_because_it_is_measured_against_the_contrast()
    {
        var bright = Measure((x, y) => Grey(Checker(x, y)));
        var dark = Measure((x, y) => Grey(Checker(x, y) * 0.15));
        Assert.True(dark.BrightEnd < 0.15 && bright.BrightEnd > 0.8);
        Assert.InRange(dark.Sharpness / bright.Sharpness, 0.7, 1.4);
    }

    [Fact]
    public void The_percentiles_see_a_white_page_with_text_as_not_washed_out()
    {
        // 3 % of the pixels black (text), the rest white: the 1st percentile is black, so the page is not "light".
        var page = Measure((x, y) => Grey(y % 8 == 0 && x % 4 == 0 ? 0 : 255));
        Assert.Equal(0, page.DarkEnd, 3);
        Assert.Equal(1, page.BrightEnd, 3);
    }

    [Fact]
    public void The_perceptual_hash_sees_a_mirror_image_as_the_same_and_another_picture_as_different()
    {
        Func<int, int, (byte, byte, byte)> scene = (x, y) => Grey(x < 20 && y > 10 ? 230 : (x * 7 + y * 3) % 90 + y * 2);
        var original = Measure(scene);
        var mirrored = Measure((x, y) => scene(63 - x, y));
        var darker = Measure((x, y) => { var (r, _, _) = scene(x, y); return Grey(r * 0.8); });
        var other = Measure((x, y) => Grey(y < 40 && x > 30 ? 20 : 200 - x - y));

        Assert.Equal(0, original.HashDistance(mirrored));
        Assert.True(original.HashDistance(darker) <= 4, $"{original.HashDistance(darker)}");
        Assert.True(original.HashDistance(other) >= 20, $"{original.HashDistance(other)}");
        Assert.Equal(32, System.Numerics.BitOperations.PopCount(original.PerceptualHash)); // half the bits above the median
    }

    [Fact]
    public void Measurements_round_trip_through_the_store_vector()
    {
        var q = Measure((x, y) => ((byte)x, (byte)y, (byte)(x + y)));
        Assert.Equal(q, ImageQuality.FromVector(q.ToVector()));
        Assert.Null(ImageQuality.FromVector([1, 2, 3]));
    }

    [Fact]
    public void Encoded_bytes_are_measured_at_their_displayed_size_and_damage_is_a_decode_error()
    {
        using var bitmap = new SkiaSharp.SKBitmap(600, 40);
        bitmap.Erase(SkiaSharp.SKColors.Navy);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var q = ImageQuality.Measure(data.ToArray());
        Assert.Equal((600, 40), (q.Width, q.Height));
        Assert.Throws<Images.ImageDecodeException>(() => ImageQuality.Measure("not an image"u8.ToArray()));
    }
}
