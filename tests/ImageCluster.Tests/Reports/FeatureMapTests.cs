using System.Text.Json;
using ImageCluster.Embedding;
using ImageCluster.Reports;
using SkiaSharp;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster featuremaps</c> and <see cref="FeatureMapGrid"/>: size, grid layout, tiles that differ.</summary>
public class FeatureMapTests
{
    private static string ReferenceImage => Path.Combine(SharedData.Models, "reference", "images", "ref_00.png");

    private static uint[] TilePixels(SKBitmap bitmap, FeatureMapGridImage grid, int index)
    {
        var (x0, y0) = grid.TileOrigin(index);
        var pixels = new uint[grid.TileWidth * grid.TileHeight];
        for (int y = 0; y < grid.TileHeight; y++)
            for (int x = 0; x < grid.TileWidth; x++)
                pixels[y * grid.TileWidth + x] = (uint)bitmap.GetPixel(x0 + x, y0 + y);
        return pixels;
    }

    [Fact]
    public void Grid_of_a_hand_made_map_has_the_expected_size_layout_and_scaling()
    {
        // 5 channels of 4×3 (H×W): channel c holds c·x + y, so every channel but 0 has its own gradient.
        const int channels = 5, height = 4, width = 3;
        var values = new float[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    values[(c * height + y) * width + x] = c * x + y;
        var map = new LayerMap("t", "Conv", [channels, height, width], TensorLayout.Nchw, values);
        var grid = FeatureMapGrid.Render(map, new FeatureMapGridOptions { TargetTileSize = 16, Gap = 2 });

        Assert.Equal((3, 2), (grid.Columns, grid.Rows)); // ⌈√5⌉ = 3 columns
        Assert.Equal(4, grid.Scale); // 16 / max(4, 3)
        Assert.Equal((12, 16), (grid.TileWidth, grid.TileHeight));
        Assert.Equal(2 + 3 * (12 + 2), grid.Width);
        Assert.Equal(2 + 2 * (16 + grid.LabelHeight + 2), grid.Height);
        using var bitmap = SKBitmap.Decode(grid.Png);
        Assert.Equal((grid.Width, grid.Height), (bitmap.Width, bitmap.Height));

        // Channel 1 (x + y): its own minimum (top-left) is the darkest colour, its maximum (bottom-right) the brightest.
        var (x0, y0) = grid.TileOrigin(1);
        var darkest = bitmap.GetPixel(x0, y0);
        var brightest = bitmap.GetPixel(x0 + grid.TileWidth - 1, y0 + grid.TileHeight - 1);
        Assert.Equal(new SKColor(68, 1, 84), darkest);
        Assert.Equal(new SKColor(253, 231, 37), brightest);
        // Nearest neighbour: each map value fills a 4×4 block.
        Assert.Equal(bitmap.GetPixel(x0 + 4, y0 + 4), bitmap.GetPixel(x0 + 7, y0 + 7));
        Assert.NotEqual(bitmap.GetPixel(x0 + 4, y0 + 4), bitmap.GetPixel(x0 + 8, y0 + 4));
        // The sixth cell of the 3×2 grid stays background.
        var (ex, ey) = grid.TileOrigin(5);
        Assert.Equal(SKColors.White, bitmap.GetPixel(ex + 1, ey + 1));
    }

    [SharedFact]
    public async Task Featuremaps_command_draws_64_channels_of_a_conv_layer_in_an_8x8_grid()
    {
        using var temp = new TempFolder();
        string png = temp.Combine("maps.png");
        var run = await CliRunner.RunAsync("featuremaps", ReferenceImage, "--model", "mobilenetv2_12_int8", "--conv-index", "7", "--out", png, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal("492_quantized", root.GetProperty("layer").GetString()); // convolution 7: 144×56×56
        Assert.Equal(64, root.GetProperty("channels").GetInt32());
        Assert.Equal((8, 8), (root.GetProperty("columns").GetInt32(), root.GetProperty("rows").GetInt32()));

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(root.GetProperty("width").GetInt32(), bitmap.Width);
        Assert.Equal(root.GetProperty("height").GetInt32(), bitmap.Height);
        int scale = root.GetProperty("scale").GetInt32();
        Assert.Equal(2, scale);
        int gridLeft = root.GetProperty("gridLeft").GetInt32(), gridTop = root.GetProperty("gridTop").GetInt32();
        var grid = new FeatureMapGridImage([], bitmap.Width, bitmap.Height, 64, 8, 8, scale, 56 * scale, 56 * scale, 14, 4, gridLeft, gridTop);
        // The layout the command used is the one reconstructed here: the grid ends at the right and bottom edges.
        Assert.Equal(bitmap.Width, gridLeft + 4 + 8 * (56 * scale + 4));
        Assert.Equal(bitmap.Height, gridTop + 4 + 8 * (56 * scale + 14 + 4));
        // A title above (text: dark pixels) and the input image to the left (the reference bowl is far from white).
        Assert.True(gridTop >= 30 && gridLeft >= 224, $"no room for the title or the input: grid at ({gridLeft}, {gridTop})");
        Assert.True(CountPixels(bitmap, 0, 0, bitmap.Width, gridTop, p => p.Red + p.Green + p.Blue < 200) > 200, "no title text");
        Assert.True(CountPixels(bitmap, 0, gridTop, gridLeft, bitmap.Height, p => p.Red + p.Green + p.Blue < 600) > 224 * 224, "no input image beside the grid");
        var tiles = Enumerable.Range(0, 64).Select(i => TilePixels(bitmap, grid, i)).ToList();
        var distinct = tiles.Select(t => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan())))).Distinct().Count();
        Assert.True(distinct >= 48, $"only {distinct} of 64 channel tiles differ from each other");
    }

    [Fact]
    public void Figure_has_the_grid_the_input_at_its_pixels_and_a_title()
    {
        const int channels = 4, height = 6, width = 6;
        var values = new float[channels * height * width];
        for (int i = 0; i < values.Length; i++) values[i] = i % 7 * (i / (height * width) + 1);
        var map = new LayerMap("t", "Conv", [channels, height, width], TensorLayout.Nchw, values);
        var options = new FeatureMapGridOptions { TargetTileSize = 60 };
        // A 40×30 input: left half red, right half blue.
        var rgb = new byte[40 * 30 * 3];
        for (int i = 0; i < 40 * 30; i++) { bool left = i % 40 < 20; rgb[3 * i] = (byte)(left ? 220 : 10); rgb[3 * i + 2] = (byte)(left ? 10 : 220); }
        var figure = FeatureMapFigure.Render(map, new FeatureMapCaption("model · layer t · image.png", "channels 0–3", rgb, 40, 30, "input"), options);
        var bare = FeatureMapGrid.Render(map, options);
        var g = figure.Grid;
        using var bitmap = SKBitmap.Decode(g.Png);
        using var alone = SKBitmap.Decode(bare.Png);
        Assert.Equal((g.Width, g.Height), (bitmap.Width, bitmap.Height));
        Assert.Equal(bare.Width, g.Width - g.GridLeft);

        // Every tile pixel is the bare grid's, moved by the offset.
        for (int t = 0; t < channels; t++)
        {
            var (fx, fy) = g.TileOrigin(t);
            var (bx, by) = bare.TileOrigin(t);
            Assert.Equal((fx - g.GridLeft, fy - g.GridTop), (bx, by));
            for (int y = 0; y < g.TileHeight; y += 7)
                for (int x = 0; x < g.TileWidth; x += 7)
                    Assert.Equal(alone.GetPixel(bx + x, by + y), bitmap.GetPixel(fx + x, fy + y));
        }
        // The input at a whole scale, nearest neighbour: its pixels exactly, left of the grid.
        int s = figure.InputScale;
        Assert.True(s >= 1 && figure.InputLeft + 40 * s <= g.GridLeft);
        Assert.Equal(new SKColor(220, 0, 10), bitmap.GetPixel(figure.InputLeft + 5 * s, figure.InputTop + 10 * s));
        Assert.Equal(new SKColor(10, 0, 220), bitmap.GetPixel(figure.InputLeft + 35 * s, figure.InputTop + 10 * s));
        Assert.Equal(new SKColor(10, 0, 220), bitmap.GetPixel(figure.InputLeft + 40 * s - 1, figure.InputTop + 30 * s - 1));
        // The title is written above both.
        Assert.True(CountPixels(bitmap, 0, 0, g.Width, Math.Min(figure.InputTop, g.GridTop), p => p.Red + p.Green + p.Blue < 200) > 50, "no title text");
        Assert.Throws<ArgumentException>(() => FeatureMapFigure.Render(map, new FeatureMapCaption("t", null, rgb, 41, 30), options));
    }

    private static int CountPixels(SKBitmap bitmap, int x0, int y0, int x1, int y1, Func<SKColor, bool> predicate)
    {
        int count = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (predicate(bitmap.GetPixel(x, y))) count++;
        return count;
    }

    [SharedFact]
    public async Task Featuremaps_by_layer_name_with_fewer_channels_and_bad_requests()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("featuremaps", ReferenceImage, "--model", "resnet18", "--layer", "ReLU253_Output_0", "--channels", "10",
            "--out", temp.Combine("r.png"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("10 channels in a 4×3 grid", run.Stdout, StringComparison.Ordinal);

        var both = await CliRunner.RunAsync("featuremaps", ReferenceImage, "--layer", "x", "--conv-index", "1", "--out", temp.Combine("b.png"));
        Assert.Equal(2, both.ExitCode);
        var beyond = await CliRunner.RunAsync("featuremaps", ReferenceImage, "--model", "mobilenetv2_12_int8", "--conv-index", "99", "--out", temp.Combine("c.png"));
        Assert.Equal(2, beyond.ExitCode);
        Assert.Contains("between 1 and 52", beyond.Stderr, StringComparison.Ordinal);
        var vector = await CliRunner.RunAsync("featuremaps", ReferenceImage, "--model", "mobilenetv2_12_int8", "--layer", "embedding", "--out", temp.Combine("d.png"));
        Assert.Equal(2, vector.ExitCode);
        Assert.Contains("not a feature map", vector.Stderr, StringComparison.Ordinal);
    }
}
