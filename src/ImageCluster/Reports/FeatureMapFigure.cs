using ImageCluster.Embedding;
using SkiaSharp;

namespace ImageCluster.Reports;

/// <summary>What <see cref="FeatureMapFigure.Render"/> draws around the grid.</summary>
/// <param name="Title">First line: model, layer and image.</param>
/// <param name="Subtitle">Second line (which channels, how they are scaled), or null.</param>
/// <param name="InputRgb">The image as the model received it (after resizing): packed RGB, row-major.</param>
/// <param name="InputWidth">Its width in pixels.</param>
/// <param name="InputHeight">Its height in pixels.</param>
/// <param name="InputCaption">Line under the input image, or null.</param>
internal sealed record FeatureMapCaption(string Title, string? Subtitle, byte[] InputRgb, int InputWidth, int InputHeight, string? InputCaption = null);

/// <summary>A rendered figure: the grid of <see cref="FeatureMapGrid"/> with a title above it and the input image beside it.</summary>
/// <param name="Grid">The grid's layout inside the figure (<see cref="FeatureMapGridImage.Png"/> is the whole figure).</param>
/// <param name="InputLeft">Left edge of the input image.</param>
/// <param name="InputTop">Top edge of the input image.</param>
/// <param name="InputScale">Whole-number enlargement of the input image (nearest neighbour, so its pixels are the model's).</param>
internal sealed record FeatureMapFigureImage(FeatureMapGridImage Grid, int InputLeft, int InputTop, int InputScale);

/// <summary>
/// The feature-map picture: a title (model, layer, image), the input image as the model saw it on the
/// left, and the grid of channels on the right, so the maps can be read against the picture. Text is drawn with DejaVu
/// Sans from its file when present (as the report's plots), else SkiaSharp's default typeface; the grid's pixels are the
/// same as <see cref="FeatureMapGrid.Render"/>'s.
/// </summary>
internal static class FeatureMapFigure
{
    private const string FontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private const int Margin = 8, TitleSize = 16, SubtitleSize = 12, CaptionSize = 12;

    /// <summary>Renders <paramref name="map"/> with <paramref name="caption"/>.</summary>
    /// <exception cref="ImageClusterException">The layer is a vector, not a map.</exception>
    public static FeatureMapFigureImage Render(LayerMap map, FeatureMapCaption caption, FeatureMapGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(caption);
        if (caption.InputRgb.Length != 3 * caption.InputWidth * caption.InputHeight)
            throw new ArgumentException($"InputRgb holds {caption.InputRgb.Length} bytes, not 3 × {caption.InputWidth} × {caption.InputHeight}", nameof(caption));
        var (pixels, grid) = FeatureMapGrid.Draw(map, options);
        // The input about as tall as the grid, at most twice its size (a whole factor keeps its pixels exact).
        int inputScale = Math.Clamp(grid.Height / Math.Max(1, caption.InputHeight), 1, 2);
        int inputWidth = caption.InputWidth * inputScale, inputHeight = caption.InputHeight * inputScale;
        int titleHeight = Margin + TitleSize + 6 + (caption.Subtitle is null ? 0 : SubtitleSize + 6);
        int inputLeft = Margin, inputTop = titleHeight + grid.Gap;
        int gridLeft = inputLeft + inputWidth + Margin, gridTop = titleHeight;
        int width = gridLeft + grid.Width;
        int height = Math.Max(gridTop + grid.Height, inputTop + inputHeight + (caption.InputCaption is null ? 0 : CaptionSize + 8) + Margin);

        using var typeface = File.Exists(FontFile) ? SKTypeface.FromFile(FontFile) : SKTypeface.Default;
        using var figure = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(figure))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var grey = new SKPaint { Color = new SKColor(90, 90, 90), IsAntialias = true };
            float y = Margin + TitleSize;
            Text(canvas, caption.Title, Margin, y, TitleSize, width - 2 * Margin, typeface, ink);
            if (caption.Subtitle is { } sub) Text(canvas, sub, Margin, y + SubtitleSize + 6, SubtitleSize, width - 2 * Margin, typeface, grey);

            using var input = new SKBitmap(new SKImageInfo(caption.InputWidth, caption.InputHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var target = input.GetPixelSpan();
            for (int i = 0, j = 0; i < caption.InputRgb.Length; i += 3, j += 4)
            {
                target[j] = caption.InputRgb[i];
                target[j + 1] = caption.InputRgb[i + 1];
                target[j + 2] = caption.InputRgb[i + 2];
                target[j + 3] = 255;
            }
            using var image = SKImage.FromBitmap(input);
            canvas.DrawImage(image, SKRect.Create(inputLeft, inputTop, inputWidth, inputHeight), new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
            if (caption.InputCaption is { } c)
                Text(canvas, c, inputLeft, inputTop + inputHeight + CaptionSize + 4, CaptionSize, inputWidth, typeface, grey);

            using var tiles = FeatureMapGrid.ToBitmap(pixels, grid.Width, grid.Height);
            canvas.DrawBitmap(tiles, gridLeft, gridTop);
        }
        using var data = figure.Encode(SKEncodedImageFormat.Png, 100);
        var layout = grid with { Png = data.ToArray(), Width = width, Height = height, GridLeft = gridLeft, GridTop = gridTop };
        return new FeatureMapFigureImage(layout, inputLeft, inputTop, inputScale);
    }

    // One line, made smaller (down to 9 px) and then cut with an ellipsis until it fits maxWidth.
    private static void Text(SKCanvas canvas, string text, float x, float baseline, float size, float maxWidth, SKTypeface typeface, SKPaint paint)
    {
        using var font = new SKFont(typeface, size);
        while (font.MeasureText(text) > maxWidth && font.Size > 9) font.Size -= 1;
        if (font.MeasureText(text) > maxWidth)
        {
            while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth) text = text[..^1];
            text += "…";
        }
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, paint);
    }
}
