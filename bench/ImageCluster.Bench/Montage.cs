using SkiaSharp;

namespace ImageCluster.Bench;

/// <summary>
/// A row of thumbnails as one PNG, for looking at what a finding groups or flags (the dev machine has no image viewer
/// for JPEG). Usage: bench montage OUT.png FILE…
/// </summary>
internal static class Montage
{
    public static int Run(string[] args)
    {
        const int side = 192;
        var files = args[1..];
        using var sheet = new SKBitmap(side * files.Length, side);
        using var canvas = new SKCanvas(sheet);
        canvas.Clear(SKColors.White);
        for (int i = 0; i < files.Length; i++)
        {
            using var image = SKBitmap.Decode(files[i]);
            if (image is null) continue;
            float scale = Math.Min((float)side / image.Width, (float)side / image.Height);
            canvas.DrawBitmap(image, SKRect.Create(i * side, 0, image.Width * scale, image.Height * scale));
        }
        using var stream = File.Create(args[0]);
        sheet.Encode(stream, SKEncodedImageFormat.Png, 100);
        return 0;
    }
}
