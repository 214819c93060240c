using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;
using SkiaSharp;

namespace ImageCluster.Tests;

/// <summary>The model-free baselines: <c>pixelsN</c> and the <c>colorhist</c> HSV histogram, on hand-made squares and on ../shared images.</summary>
public class BaselineEmbedderTests
{
    /// <summary>A PNG of <paramref name="size"/>×<paramref name="size"/>; <paramref name="right"/> fills the right half when given.</summary>
    private static byte[] Square(SKColor color, SKColor? right = null, int size = 64)
    {
        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(color);
            if (right is { } r) canvas.DrawRect(size / 2, 0, size / 2, size, new SKPaint { Color = r });
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Decodes and embeds as the pipeline does: the descriptor's size, layout and scaling, then the embedder.</summary>
    private static float[] Embed(ModelDescriptor d, byte[] encoded)
    {
        var rgb = ImageDecoder.DecodeRgb(encoded, d.Width, d.Height, d.Resize);
        var input = new float[rgb.Length];
        TensorPreprocessor.Fill(d, rgb, input);
        using var embedder = FeatureBaselines.Create(d);
        var output = new float[embedder.Dimension];
        embedder.Embed(input, 1, output);
        return output;
    }

    private static float[] Histogram(byte[] encoded) => Embed(ColorHistogramEmbedder.Descriptor, encoded);

    [Theory]
    [InlineData(255, 0, 0, 0)]     // red: hue 0°
    [InlineData(0, 255, 0, 3)]     // green: 120° is nearest the bin centred on 135°
    [InlineData(0, 0, 255, 5)]     // blue: 240° rounds to 225°
    [InlineData(255, 0, 20, 0)]    // crimson at 355°: wraps round into red's bin, not into the last one
    [InlineData(255, 255, 0, 1)]   // yellow: 60° rounds to 45°
    public void A_saturated_bright_square_fills_one_bin(byte r, byte g, byte b, int hueBin)
    {
        var h = Histogram(Square(new SKColor(r, g, b)));
        int expected = ColorHistogramEmbedder.Index(hueBin, ColorHistogramEmbedder.SaturationBins - 1, ColorHistogramEmbedder.ValueBins - 1);
        Assert.Equal(1f, h[expected], 5);
        Assert.Equal(1f, h.Sum(), 5);
    }

    [Fact]
    public void A_grey_square_spreads_over_every_hue_at_zero_saturation_and_its_value()
    {
        // (130,125,128): 5 levels of chroma, as JPEG noise leaves on grey; value 130/255 = 0.51 → value bin 2.
        var h = Histogram(Square(new SKColor(130, 125, 128)));
        for (int hue = 0; hue < ColorHistogramEmbedder.HueBins; hue++)
            Assert.Equal(1f / ColorHistogramEmbedder.HueBins, h[ColorHistogramEmbedder.Index(hue, 0, 2)], 5);
        Assert.Equal(1f, h.Sum(), 5);
    }

    [Fact]
    public void Black_and_white_are_greys_of_the_lowest_and_highest_value()
    {
        var black = Histogram(Square(SKColors.Black));
        var white = Histogram(Square(SKColors.White));
        Assert.Equal(1f, Enumerable.Range(0, ColorHistogramEmbedder.HueBins).Sum(hue => black[ColorHistogramEmbedder.Index(hue, 0, 0)]), 5);
        Assert.Equal(1f, Enumerable.Range(0, ColorHistogramEmbedder.HueBins).Sum(hue => white[ColorHistogramEmbedder.Index(hue, 0, 3)]), 5);
    }

    [Fact]
    public void Half_red_half_blue_gives_half_in_each_bin()
    {
        var h = Histogram(Square(SKColors.Red, SKColors.Blue));
        // Upscaling 64 → 128 blends the two columns at the border into purple: 2 of 128 columns.
        Assert.InRange(h[ColorHistogramEmbedder.Index(0, 3, 3)], 0.48f, 0.5f);
        Assert.InRange(h[ColorHistogramEmbedder.Index(5, 3, 3)], 0.48f, 0.5f);
        Assert.Equal(1f, h.Sum(), 5);
    }

    [Fact]
    public void Dark_desaturated_red_lands_in_low_saturation_and_value_bins()
    {
        // (100,70,70): chroma 30 (not grey), saturation 0.3 → bin 1, value 0.39 → bin 1.
        var h = Histogram(Square(new SKColor(100, 70, 70)));
        Assert.Equal(1f, h[ColorHistogramEmbedder.Index(0, 1, 1)], 5);
    }

    [Fact]
    public void Pixels_of_a_size_are_the_squashed_image_in_0_to_1()
    {
        var d = FeatureBaselines.Find("pixels8")!;
        Assert.Equal(8 * 8 * 3, d.Dimension);
        var v = Embed(d, Square(SKColors.Red, SKColors.Blue, size: 16));
        // Row 0: the left four pixels red, the right four blue (NHWC, RGB).
        Assert.Equal([1f, 0f, 0f], v[..3]);
        Assert.Equal([0f, 0f, 1f], v[(7 * 3)..(8 * 3)]);
    }

    [Fact]
    public void Pixel_sizes_resolve_to_their_own_store_keys()
    {
        var pixels = ModelResolver.Resolve("pixels");
        var pixels32 = ModelResolver.Resolve("PIXELS32");
        var pixels128 = ModelResolver.Resolve("pixels128");
        var colorhist = ModelResolver.Resolve("colorhist");
        Assert.Equal("pixels", pixels32.Descriptor.Name);
        Assert.Equal(pixels.CacheKey, pixels32.CacheKey);
        Assert.Equal(128 * 128 * 3, pixels128.Descriptor.Dimension);
        Assert.Equal("pixels128", pixels128.Descriptor.Name);
        Assert.Equal(3, new[] { pixels.CacheKey, pixels128.CacheKey, colorhist.CacheKey }.Distinct().Count());
        Assert.Null(colorhist.Path);
    }

    [Theory]
    [InlineData("pixels1")]
    [InlineData("pixels257")]
    [InlineData("pixels99999999999")]
    public void Out_of_range_pixel_sizes_are_refused_with_the_range(string name)
    {
        var e = Assert.Throws<ImageClusterException>(() => ModelResolver.Resolve(name));
        Assert.Contains("between 2 and 256", e.Message);
    }

    [Fact]
    public void Baseline_names_are_reserved()
    {
        Assert.True(FeatureBaselines.IsReserved("colorhist"));
        Assert.True(FeatureBaselines.IsReserved("pixels64"));
        Assert.True(FeatureBaselines.IsReserved("pixels9999"));
        Assert.False(FeatureBaselines.IsReserved("pixelsnet"));
        Assert.False(FeatureBaselines.IsReserved("mobilenetv2_12_int8"));
    }

    [Theory]
    [InlineData("colorhist")]
    [InlineData("pixels128")]
    public async Task A_layer_of_a_baseline_is_refused_by_name(string model)
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllBytes(temp.Combine("in", "red.png"), Square(SKColors.Red));
        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("f.csv"), "--model", model, "--layer", "conv1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{model} has no layers", run.Stderr);
    }

    [Fact]
    public async Task Embed_colorhist_on_hand_made_squares_puts_each_in_its_bin()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllBytes(temp.Combine("in", "red.png"), Square(SKColors.Red));
        File.WriteAllBytes(temp.Combine("in", "blue.png"), Square(SKColors.Blue));
        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("f.csv"), "--model", "colorhist");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var table = FeaturesFile.Read(temp.Combine("f.csv"));
        Assert.Equal(128, table.Features.Columns);
        var red = table.Features.ReadRow(table.Paths.ToList().IndexOf("red.png"));
        var blue = table.Features.ReadRow(table.Paths.ToList().IndexOf("blue.png"));
        Assert.Equal(1f, red[ColorHistogramEmbedder.Index(0, 3, 3)], 5);
        Assert.Equal(1f, blue[ColorHistogramEmbedder.Index(5, 3, 3)], 5);
    }

    [SharedFact]
    public async Task Embed_colorhist_and_pixels128_on_shared_near_duplicates()
    {
        // Two groups of near_duplicates: each photo beside its half-size copy and its horizontal flip, whose colours are the same.
        using var temp = new TempFolder();
        string source = Path.Combine(SharedData.Dataset("near_duplicates"), "images");
        string[] files = ["g01/orig.jpg", "g01/resize50.jpg", "g01/hflip.jpg", "g02/orig.jpg", "g02/resize50.jpg", "g02/hflip.jpg"];
        temp.CopyFrom(source, files, temp.Combine("in"));

        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("hist.csv"), "--model", "colorhist");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var hist = FeaturesFile.Read(temp.Combine("hist.csv"));
        Assert.Equal(files.Length, hist.Features.Rows);
        Assert.Equal(128, hist.Features.Columns);
        for (int i = 0; i < hist.Features.Rows; i++)
        {
            var row = hist.Features.ReadRow(i);
            Assert.Equal(1.0, row.ToArray().Sum(), 4);
            Assert.True(row.ToArray().All(v => v >= 0));
        }
        float L1(string a, string b)
        {
            var x = hist.Features.ReadRow(hist.Paths.ToList().IndexOf(a));
            var y = hist.Features.ReadRow(hist.Paths.ToList().IndexOf(b));
            float s = 0;
            for (int j = 0; j < x.Length; j++) s += Math.Abs(x[j] - y[j]);
            return s;
        }
        // A flip moves no colour: the histogram stays (up to resampling); a resize changes it a little; another photo a lot.
        Assert.True(L1("g01/orig.jpg", "g01/hflip.jpg") < 0.05f, $"flip: {L1("g01/orig.jpg", "g01/hflip.jpg")}");
        Assert.True(L1("g01/orig.jpg", "g01/resize50.jpg") < 0.2f, $"resize: {L1("g01/orig.jpg", "g01/resize50.jpg")}");
        Assert.True(L1("g01/orig.jpg", "g02/orig.jpg") > 2 * L1("g01/orig.jpg", "g01/resize50.jpg"));

        run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("pixels.csv"), "--model", "pixels128", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("\"pixels128@none/128x128/", run.Stdout);
        var pixels = FeaturesFile.Read(temp.Combine("pixels.csv"));
        Assert.Equal(128 * 128 * 3, pixels.Features.Columns);
        Assert.InRange(pixels.Features.Data.Max(), 0.5f, 1f);
        Assert.True(pixels.Features.Data.Min() >= 0f);
    }
}
