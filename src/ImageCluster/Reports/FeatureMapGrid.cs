using ImageCluster.Embedding;
using SkiaSharp;

namespace ImageCluster.Reports;

/// <summary>Options of <see cref="FeatureMapGrid"/>.</summary>
internal sealed record FeatureMapGridOptions
{
    /// <summary>How many channels are drawn, from channel 0 on (fewer when the layer has fewer).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Tiles are enlarged by a whole factor (nearest neighbour) until they are about this many pixels across.</summary>
    public int TargetTileSize { get; init; } = 96;

    /// <summary>Pixels between tiles and around the grid.</summary>
    public int Gap { get; init; } = 4;

    /// <summary>Validates the options, with a message naming the bad one.</summary>
    public void Validate()
    {
        if (Channels < 1) throw new ArgumentException($"Channels must be 1 or more (got {Channels})", nameof(Channels));
        if (TargetTileSize < 1) throw new ArgumentOutOfRangeException(nameof(TargetTileSize), TargetTileSize, "must be positive");
        if (Gap < 0) throw new ArgumentOutOfRangeException(nameof(Gap), Gap, "must not be negative");
    }
}

/// <summary>A rendered grid and where its tiles are.</summary>
/// <param name="Png">The image, PNG-encoded.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Channels">Tiles drawn (channels 0 … Channels − 1).</param>
/// <param name="Columns">Tiles per row.</param>
/// <param name="Rows">Rows of tiles.</param>
/// <param name="Scale">Nearest-neighbour enlargement of every map pixel.</param>
/// <param name="TileWidth">Width of one map in the image (map width × scale).</param>
/// <param name="TileHeight">Height of one map in the image (map height × scale), without its label strip.</param>
/// <param name="LabelHeight">Height of the strip above every tile that holds its channel number.</param>
/// <param name="Gap">Pixels between tiles and around the grid.</param>
/// <param name="GridLeft">Left edge of the grid in the image (0 for a bare grid; right of the input in a figure).</param>
/// <param name="GridTop">Top edge of the grid in the image (0 for a bare grid; below the title in a figure).</param>
internal sealed record FeatureMapGridImage(byte[] Png, int Width, int Height, int Channels, int Columns, int Rows, int Scale,
    int TileWidth, int TileHeight, int LabelHeight, int Gap, int GridLeft = 0, int GridTop = 0)
{
    /// <summary>Top-left pixel of the map of tile <paramref name="index"/> (row-major), below its label strip.</summary>
    public (int X, int Y) TileOrigin(int index) =>
        (GridLeft + Gap + index % Columns * (TileWidth + Gap), GridTop + Gap + index / Columns * (TileHeight + LabelHeight + Gap) + LabelHeight);
}

/// <summary>
/// Draws the first channels of a layer's feature map as a near-square grid of tiles (as in the VGG16 8×8 figures of the
/// CNN-features literature): every channel is scaled to 0..255 on its own minimum and maximum (a constant channel is
/// black), coloured with the viridis map, enlarged by nearest neighbour and labelled with its channel number.
/// Labels use a built-in pixel font, so the output is the same on machines without fonts.
/// </summary>
internal static class FeatureMapGrid
{
    private const int DigitScale = 2, DigitWidth = 3, DigitHeight = 5;

    /// <summary>Renders <paramref name="map"/>, which must have three axes (channels and two spatial ones).</summary>
    /// <exception cref="ImageClusterException">The layer is a vector, not a map.</exception>
    public static FeatureMapGridImage Render(LayerMap map, FeatureMapGridOptions? options = null)
    {
        var (pixels, result) = Draw(map, options);
        using var bitmap = ToBitmap(pixels, result.Width, result.Height);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return result with { Png = data.ToArray() };
    }

    /// <summary>Packed RGBA pixels of a bitmap (as <see cref="Draw"/> returns them).</summary>
    internal static SKBitmap ToBitmap(uint[] pixels, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).CopyTo(bitmap.GetPixelSpan());
        return bitmap;
    }

    /// <summary>The grid's pixels (RGBA packed, row-major) and layout, without the PNG.</summary>
    internal static (uint[] Pixels, FeatureMapGridImage Layout) Draw(LayerMap map, FeatureMapGridOptions? options)
    {
        options ??= new FeatureMapGridOptions();
        options.Validate();
        if (map.Shape.Count != 3)
            throw new ImageClusterException($"layer {map.Layer} is not a feature map (shape {string.Join("×", map.Shape)}); pick a convolution or pooling layer");
        int channels = Math.Min(options.Channels, map.Channels);
        int columns = (int)Math.Ceiling(Math.Sqrt(channels));
        int rows = (channels + columns - 1) / columns;
        int scale = Math.Max(1, (int)Math.Round(options.TargetTileSize / (double)Math.Max(map.Width, map.Height)));
        int tileWidth = map.Width * scale, tileHeight = map.Height * scale;
        int labelHeight = DigitHeight * DigitScale + 4, gap = options.Gap;
        int width = gap + columns * (tileWidth + gap), height = gap + rows * (tileHeight + labelHeight + gap);
        var pixels = new uint[width * height];
        Array.Fill(pixels, Pack(255, 255, 255));
        var result = new FeatureMapGridImage([], width, height, channels, columns, rows, scale, tileWidth, tileHeight, labelHeight, gap);

        for (int c = 0; c < channels; c++)
        {
            var (x0, y0) = result.TileOrigin(c);
            DrawNumber(pixels, width, c, x0, y0 - labelHeight + 2);
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            for (int y = 0; y < map.Height; y++)
                for (int x = 0; x < map.Width; x++)
                {
                    float v = map.At(c, y, x);
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            float range = max - min;
            for (int y = 0; y < tileHeight; y++)
                for (int x = 0; x < tileWidth; x++)
                {
                    float v = map.At(c, y / scale, x / scale);
                    int level = range > 0 ? (int)Math.Round((v - min) / range * 255) : 0;
                    pixels[(y0 + y) * width + x0 + x] = Viridis(level);
                }
        }

        return (pixels, result);
    }

    private static uint Pack(int r, int g, int b) => (uint)(r | g << 8 | b << 16 | 255 << 24);

    // Viridis at nine evenly spaced stops (matplotlib's values), linearly interpolated: perceptually even and readable in grey.
    private static readonly (int R, int G, int B)[] ViridisStops =
    [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141), (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ];

    private static uint Viridis(int level)
    {
        double t = level / 255.0 * (ViridisStops.Length - 1);
        int i = Math.Min((int)t, ViridisStops.Length - 2);
        double f = t - i;
        var (a, b) = (ViridisStops[i], ViridisStops[i + 1]);
        return Pack((int)Math.Round(a.R + (b.R - a.R) * f), (int)Math.Round(a.G + (b.G - a.G) * f), (int)Math.Round(a.B + (b.B - a.B) * f));
    }

    // 3×5 digits, one row of three bits per line, most significant bit on the left.
    private static readonly int[][] Digits =
    [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
    ];

    private static void DrawNumber(uint[] pixels, int width, int number, int x, int y)
    {
        uint ink = Pack(0, 0, 0);
        foreach (char ch in number.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            var rowsOfBits = Digits[ch - '0'];
            for (int r = 0; r < DigitHeight; r++)
                for (int col = 0; col < DigitWidth; col++)
                    if ((rowsOfBits[r] >> (DigitWidth - 1 - col) & 1) != 0)
                        for (int dy = 0; dy < DigitScale; dy++)
                            for (int dx = 0; dx < DigitScale; dx++)
                            {
                                int px = x + col * DigitScale + dx, py = y + r * DigitScale + dy;
                                if (px < width) pixels[py * width + px] = ink;
                            }
            x += (DigitWidth + 1) * DigitScale;
        }
    }
}
