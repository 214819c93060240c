namespace ImageCluster.Embedding;

/// <summary>
/// HSV colour histogram (the model name <c>colorhist</c>), a baseline that needs no model: the image squashed to 128×128,
/// every pixel counted in one of 8 hue × 4 saturation × 4 value bins (128 features), the counts divided by the pixel
/// count so that they sum to 1.
/// </summary>
/// <remarks>
/// <para>Hue is circular: bin 0 is centred on red (0°) and covers 337.5°–22.5°, bin 1 is centred on 45° and so on, so
/// reds on both sides of 0° share a bin instead of being split between the first and the last.</para>
/// <para>Grey has no hue. A pixel whose chroma (max − min of R, G, B) is below <see cref="GreyChroma"/> of 255 counts
/// as grey: saturation bin 0, its value bin, and its weight spread evenly over the 8 hue bins, so greys (and JPEG noise
/// on them, and near-black shadows whose hue is noise) neither pile up in an arbitrary hue nor jump between hues.</para>
/// <para>Feature index = (hue × 4 + saturation) × 4 + value, with saturation = chroma / max and value = max / 255, each
/// cut into 4 equal bins. K-Means users may still L2-normalise (the CLI does by default).</para>
/// </remarks>
internal sealed class ColorHistogramEmbedder : IEmbedder
{
    /// <summary>The model name that selects it.</summary>
    public const string Name = "colorhist";

    /// <summary>Hue bins (45° each, centred on 0°, 45°, …).</summary>
    public const int HueBins = 8;

    /// <summary>Saturation bins (equal widths over 0..1).</summary>
    public const int SaturationBins = 4;

    /// <summary>Value (brightness) bins (equal widths over 0..1).</summary>
    public const int ValueBins = 4;

    /// <summary>Side of the square the image is squashed to first: enough pixels for a stable histogram, bounded cost.</summary>
    public const int Size = 128;

    /// <summary>Chroma (max − min, as a fraction of 255) below which a pixel counts as grey: 16 of 255 levels.</summary>
    public const float GreyChroma = 16f / 255f;

    /// <summary>
    /// The descriptor: 128×128 NHWC with raw 0..255 values (scale 1, no mean or std), so <see cref="Embed"/> sees the
    /// decoded RGB bytes as floats.
    /// </summary>
    public static readonly ModelDescriptor Descriptor = new()
    {
        Name = Name,
        Description = $"HSV colour histogram of the image squashed to {Size}×{Size}: {HueBins} hue × {SaturationBins} saturation × {ValueBins} value bins, summing to 1",
        License = "n/a",
        File = "",
        Input = "",
        EmbeddingOutput = "hsv8x4x4",
        Width = Size,
        Height = Size,
        Layout = "NHWC",
        Scale = 1f,
        Dimension = HueBins * SaturationBins * ValueBins,
    };

    ModelDescriptor IEmbedder.Descriptor => Descriptor;

    /// <inheritdoc />
    public int Dimension => Descriptor.Dimension;

    /// <summary>The feature index of hue bin <paramref name="hue"/>, saturation bin <paramref name="saturation"/> and value bin <paramref name="value"/>.</summary>
    public static int Index(int hue, int saturation, int value) => (hue * SaturationBins + saturation) * ValueBins + value;

    /// <inheritdoc />
    public void Embed(ReadOnlyMemory<float> inputs, int count, Span<float> embeddings)
    {
        int pixels = Size * Size, length = pixels * 3;
        var all = inputs.Span;
        if (all.Length < count * length || embeddings.Length < count * Dimension)
            throw new ArgumentException($"Expected {count} images of {Size}×{Size}×3 values and room for {count} × {Dimension} features.");
        for (int i = 0; i < count; i++)
            Histogram(all.Slice(i * length, length), embeddings.Slice(i * Dimension, Dimension));
    }

    /// <summary>Writes the normalised histogram of packed RGB values in 0..255 (any number of pixels) into <paramref name="histogram"/>.</summary>
    public static void Histogram(ReadOnlySpan<float> rgb, Span<float> histogram)
    {
        if (rgb.Length % 3 != 0 || rgb.Length == 0) throw new ArgumentException("Expected packed RGB values.", nameof(rgb));
        if (histogram.Length != HueBins * SaturationBins * ValueBins) throw new ArgumentException($"Expected {HueBins * SaturationBins * ValueBins} bins.", nameof(histogram));
        // Counted in doubles: 16 384 unit steps in float are exact, but the grey eighths would round.
        Span<double> counts = stackalloc double[HueBins * SaturationBins * ValueBins];
        counts.Clear();
        int n = rgb.Length / 3;
        for (int p = 0; p < n; p++)
        {
            float r = rgb[3 * p] / 255f, g = rgb[3 * p + 1] / 255f, b = rgb[3 * p + 2] / 255f;
            float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b)), chroma = max - min;
            int v = Bin(max, ValueBins);
            if (chroma < GreyChroma)
            {
                for (int h = 0; h < HueBins; h++) counts[Index(h, 0, v)] += 1.0 / HueBins;
                continue;
            }
            // Hexcone hue in sixths of the circle (0..6), as in OpenCV and Python's colorsys.
            float sixths = max == r ? (g - b) / chroma : max == g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
            float degrees = sixths * 60f;
            if (degrees < 0) degrees += 360f;
            int hue = (int)MathF.Floor((degrees + 180f / HueBins) / (360f / HueBins)) % HueBins;
            counts[Index(hue, Bin(chroma / max, SaturationBins), v)] += 1;
        }
        for (int j = 0; j < counts.Length; j++) histogram[j] = (float)(counts[j] / n);
    }

    private static int Bin(float fraction, int bins) => Math.Min(bins - 1, (int)(fraction * bins));

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
