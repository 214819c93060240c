using System.Globalization;

namespace ImageCluster.Embedding;

/// <summary>
/// Raw-pixel features: the image squashed to N×N RGB, values in 0..1, N × N × 3 features. The baseline every learned
/// feature must beat; needs no model file. <c>pixels</c> is 32×32 (MODELS.md's baseline); <c>pixels128</c> is the
/// 128×128×3 = 49 152-d vector of the Azure walk-through.
/// </summary>
internal sealed class PixelEmbedder : IEmbedder
{
    /// <summary>Side of <c>pixels</c> without a number.</summary>
    public const int DefaultSize = 32;

    /// <summary>Smallest side accepted in <c>pixelsN</c>.</summary>
    public const int MinSize = 2;

    /// <summary>
    /// Largest side accepted in <c>pixelsN</c>: 256 already gives 196 608 features per image (768 kB as floats),
    /// and a features CSV of a thousand images several gigabytes.
    /// </summary>
    public const int MaxSize = 256;

    /// <summary>The descriptor of <c>pixels</c> (32×32, NHWC, scaled to 0..1).</summary>
    public static readonly ModelDescriptor Descriptor = Describe(DefaultSize);

    private readonly ModelDescriptor _descriptor;

    /// <summary>A pixel extractor of <paramref name="size"/>×<paramref name="size"/>.</summary>
    /// <exception cref="ImageClusterException">The size is outside <see cref="MinSize"/>..<see cref="MaxSize"/>.</exception>
    public PixelEmbedder(int size = DefaultSize) => _descriptor = Describe(size);

    ModelDescriptor IEmbedder.Descriptor => _descriptor;

    /// <inheritdoc />
    public int Dimension => _descriptor.Dimension;

    /// <summary>
    /// The descriptor of the <paramref name="size"/>×<paramref name="size"/> extractor. 32 is named <c>pixels</c>, any
    /// other size <c>pixelsN</c>; the store key differs per size because it holds the input size.
    /// </summary>
    /// <exception cref="ImageClusterException">The size is outside <see cref="MinSize"/>..<see cref="MaxSize"/>.</exception>
    public static ModelDescriptor Describe(int size)
    {
        if (size is < MinSize or > MaxSize)
            throw new ImageClusterException($"pixels{size}: the side must be between {MinSize} and {MaxSize} pixels (e.g. pixels64, pixels128)");
        return new ModelDescriptor
        {
            Name = size == DefaultSize ? ModelCatalog.Pixels : ModelCatalog.Pixels + size.ToString(CultureInfo.InvariantCulture),
            Description = $"raw RGB pixels of the image squashed to {size}×{size}, scaled to 0..1",
            License = "n/a",
            File = "",
            Input = "",
            EmbeddingOutput = "pixels",
            Width = size,
            Height = size,
            Layout = "NHWC",
            Scale = 1f / 255f,
            Dimension = size * size * 3,
        };
    }

    /// <summary>
    /// Parses <c>pixels</c> or <c>pixelsN</c> (case-insensitive); null when <paramref name="name"/> is neither.
    /// <c>pixels32</c> is <c>pixels</c>, so both share stored vectors.
    /// </summary>
    /// <exception cref="ImageClusterException">A <c>pixelsN</c> whose N is out of range.</exception>
    public static ModelDescriptor? Parse(string name)
    {
        if (!name.StartsWith(ModelCatalog.Pixels, StringComparison.OrdinalIgnoreCase)) return null;
        var digits = name.AsSpan(ModelCatalog.Pixels.Length);
        if (digits.IsEmpty) return Descriptor;
        foreach (char c in digits)
            if (!char.IsAsciiDigit(c)) return null;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            throw new ImageClusterException($"{name}: the side must be between {MinSize} and {MaxSize} pixels (e.g. pixels64, pixels128)");
        return Describe(size);
    }

    /// <inheritdoc />
    public void Embed(ReadOnlyMemory<float> inputs, int count, Span<float> embeddings) =>
        inputs.Span[..(count * Dimension)].CopyTo(embeddings);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
