namespace ImageCluster.Embedding;

/// <summary>Creates the embedder for a resolved model.</summary>
internal static class EmbedderFactory
{
    /// <summary>Loads <paramref name="model"/>; <paramref name="threads"/> = 0 uses every core.</summary>
    public static IEmbedder Create(ResolvedModel model, int threads = 0) =>
        model.Path is null ? FeatureBaselines.Create(model.Descriptor) : new OnnxEmbedder(model, threads);
}
