namespace ImageCluster.Embedding;

/// <summary>
/// Raw-pixel features: the image squashed to 32×32 RGB, values in 0..1. The baseline every learned
/// feature must beat; needs no model file.
/// </summary>
public sealed class PixelEmbedder : IEmbedder
{
    /// <summary>The descriptor of the pixel extractor (32×32, NHWC, scaled to 0..1).</summary>
    public static readonly ModelDescriptor Descriptor = new()
    {
        Name = ModelCatalog.Pixels,
        Description = "raw RGB pixels of the image squashed to 32×32, scaled to 0..1",
        License = "n/a",
        File = "",
        Input = "",
        EmbeddingOutput = "pixels",
        Width = 32,
        Height = 32,
        Layout = "NHWC",
        Scale = 1f / 255f,
        Dimension = 32 * 32 * 3,
    };

    ModelDescriptor IEmbedder.Descriptor => Descriptor;

    /// <inheritdoc />
    public int Dimension => Descriptor.Dimension;

    /// <inheritdoc />
    public void Embed(ReadOnlyMemory<float> inputs, int count, Span<float> embeddings) =>
        inputs.Span[..(count * Dimension)].CopyTo(embeddings);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
