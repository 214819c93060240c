namespace ImageCluster.Embedding;

/// <summary>
/// The feature extractors that need no model file: <c>pixels</c> / <c>pixelsN</c> (<see cref="PixelEmbedder"/>) and
/// <c>colorhist</c> (<see cref="ColorHistogramEmbedder"/>). Their names are reserved: no catalogue or imported model may use them.
/// </summary>
internal static class FeatureBaselines
{
    /// <summary>How the baselines are named in messages and help.</summary>
    public const string Names = "pixels (32×32), pixelsN (N×N, e.g. pixels128), colorhist";

    /// <summary>The descriptor of baseline <paramref name="name"/> (case-insensitive), or null when it names none.</summary>
    /// <exception cref="ImageClusterException">A <c>pixelsN</c> whose N is out of range.</exception>
    public static ModelDescriptor? Find(string name) =>
        name.Equals(ColorHistogramEmbedder.Name, StringComparison.OrdinalIgnoreCase) ? ColorHistogramEmbedder.Descriptor : PixelEmbedder.Parse(name);

    /// <summary>True when <paramref name="name"/> is, or looks like, a baseline's name (so it cannot name a model).</summary>
    public static bool IsReserved(string name)
    {
        try
        {
            return Find(name) is not null;
        }
        catch (ImageClusterException)
        {
            return true; // pixels9999 is out of range, but still not a name a model may take
        }
    }

    /// <summary>The embedder of a baseline descriptor that <see cref="Find"/> returned.</summary>
    /// <exception cref="ArgumentException">The descriptor is not a baseline's.</exception>
    public static IEmbedder Create(ModelDescriptor descriptor) =>
        descriptor.Name.Equals(ColorHistogramEmbedder.Name, StringComparison.OrdinalIgnoreCase) ? new ColorHistogramEmbedder()
        : PixelEmbedder.Parse(descriptor.Name) is not null ? new PixelEmbedder(descriptor.Width)
        : throw new ArgumentException($"{descriptor.Name} is not a model-free baseline; it needs a model file.", nameof(descriptor));
}
