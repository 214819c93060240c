using SkiaSharp;

namespace ImageCluster.Tests;

/// <summary>Small PNGs drawn here (no data set needed): each a different colour and stripe pattern.</summary>
public static class SyntheticImages
{
    public static IReadOnlyList<string> Write(string folder, int count, int width = 64, int height = 48)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(width, height);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColor.FromHsv(i * 360f / count, 80, 90));
                using var paint = new SKPaint { Color = SKColors.Black };
                for (int x = i % 5; x < width; x += 4 + i % 7) canvas.DrawRect(x, 0, 1 + i % 3, height, paint);
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            string path = Path.Combine(folder, $"img{i:D3}.png");
            File.WriteAllBytes(path, data.ToArray());
            written.Add(path);
        }
        return written;
    }
}
