using SkiaSharp;

namespace ImageCluster.Bench;

/// <summary>
/// Junk planted from real photos, for measuring the quality issues. Every planted file is made from its own photo, and
/// the photos planted from are left out of the set, so the untouched originals that stay (the clean part) have no
/// altered copy beside them. Deterministic for a seed.
/// </summary>
internal static class PlantedJunk
{
    /// <summary>The planted kinds and the issue each must be found as.</summary>
    public static readonly IReadOnlyList<(string Kind, string Issue)> Kinds =
    [
        ("blurred", "blurry"),
        ("darkened", "dark"),
        ("washed_out", "light"),
        ("flat_colour", "low_information"),
        ("tiny", "odd_size"),
        ("strip", "odd_aspect_ratio"),
    ];

    /// <summary>
    /// Makes <paramref name="perKind"/> files of every kind from the first photos of <paramref name="photos"/> into
    /// <paramref name="folder"/>/planted/KIND/ and copies the rest into <paramref name="folder"/>/originals/; returns
    /// (relative path, kind or "original").
    /// </summary>
    public static List<(string Path, string Kind)> Make(IReadOnlyList<string> photos, string folder, int perKind, int seed = 0)
    {
        int planted = perKind * Kinds.Count;
        if (photos.Count <= planted) throw new ArgumentException($"{photos.Count} photos leave no originals after {planted} planted files", nameof(photos));
        var originals = photos.Skip(planted).ToList();
        var random = new Random(seed);
        var made = new List<(string, string)>();
        Directory.CreateDirectory(Path.Combine(folder, "originals"));
        foreach (string file in originals)
        {
            string name = $"originals/{Path.GetFileName(Path.GetDirectoryName(file))}_{Path.GetFileName(file)}";
            File.Copy(file, Path.Combine(folder, name));
            made.Add((name, "original"));
        }
        for (int k = 0; k < Kinds.Count; k++)
        {
            string kind = Kinds[k].Kind;
            Directory.CreateDirectory(Path.Combine(folder, "planted", kind));
            for (int i = 0; i < perKind; i++)
            {
                using var source = SKBitmap.Decode(photos[k * perKind + i]);
                using var junk = Plant(kind, source, random);
                string name = $"planted/{kind}/{kind}_{i:D3}.jpg";
                using (var stream = File.Create(Path.Combine(folder, name)))
                    junk.Encode(stream, SKEncodedImageFormat.Jpeg, 90);
                made.Add((name, kind));
            }
        }
        return made;
    }

    /// <summary>One planted image; what each kind does is written in docs/benchmarks.md ("Planted junk").</summary>
    public static SKBitmap Plant(string kind, SKBitmap source, Random random)
    {
        switch (kind)
        {
            case "blurred":
                // A Gaussian of σ = 2 % of the longer side: a photo out of focus or shaken, not a soft background.
                return Draw(source.Width, source.Height, (canvas, paint) =>
                {
                    paint.ImageFilter = SKImageFilter.CreateBlur(0.02f * Math.Max(source.Width, source.Height), 0.02f * Math.Max(source.Width, source.Height));
                    canvas.DrawBitmap(source, 0, 0, paint);
                });
            case "darkened":
                return Map(source, v => (byte)(v * 0.15)); // an underexposed frame: 15 % of the light
            case "washed_out":
                return Map(source, v => (byte)(0.25 * v + 0.75 * 255)); // three quarters white: overexposed or a faded scan
            case "flat_colour":
            {
                var colour = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                return Draw(source.Width, source.Height, (canvas, _) => canvas.Clear(colour)); // a lens cap, a blank slide
            }
            case "tiny":
                return Resize(source, Math.Max(1, source.Width / 10), Math.Max(1, source.Height / 10)); // a thumbnail or an icon
            case "strip":
            {
                // A 20:1 strip cut across the middle of the photo: a banner, a separator, a scanner's edge.
                int width = source.Width, height = Math.Max(1, width / 20);
                return Draw(width, height, (canvas, _) =>
                    canvas.DrawBitmap(source, new SKRect(0, (source.Height - height) / 2f, width, (source.Height + height) / 2f), new SKRect(0, 0, width, height)));
            }
            default:
                throw new ArgumentException($"unknown kind {kind}", nameof(kind));
        }
    }

    private static SKBitmap Draw(int width, int height, Action<SKCanvas, SKPaint> draw)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint();
        canvas.Clear(SKColors.White);
        draw(canvas, paint);
        return bitmap;
    }

    private static SKBitmap Map(SKBitmap source, Func<int, byte> channel)
    {
        var bitmap = new SKBitmap(new SKImageInfo(source.Width, source.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < source.Height; y++)
            for (int x = 0; x < source.Width; x++)
            {
                var c = source.GetPixel(x, y);
                bitmap.SetPixel(x, y, new SKColor(channel(c.Red), channel(c.Green), channel(c.Blue)));
            }
        return bitmap;
    }

    private static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        return bitmap;
    }
}
