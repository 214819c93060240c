using ImageCluster.Images;
using ImageCluster.Store;

namespace ImageCluster.Embedding;

/// <summary>Options of <see cref="ImageFeatures.FromFolderAsync"/>.</summary>
public sealed record ImageFeaturesOptions
{
    /// <summary>Model name or path; null = the default model (built into the library).</summary>
    public string? Model { get; init; }

    /// <summary>Folders where model names are looked up; null = <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule.</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>An intermediate layer (and its pooling) used instead of the model's embedding; null = the embedding.</summary>
    public LayerSelection? Layer { get; init; }

    /// <summary>The shared embedding store; null = <c>$IMAGECLUSTER_STORE</c> or the user cache (<see cref="StoreLocation.Resolve"/>).</summary>
    public string? Store { get; init; }

    /// <summary>
    /// L2-normalise every vector (the default, as the cluster job does): on unit vectors squared Euclidean distance is
    /// 2 − 2·cosine, so Euclidean algorithms such as K-Means cluster by cosine similarity.
    /// </summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Batch size and threads of decoding and inference.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();
}

/// <summary>
/// The feature vectors of a folder of images: the front door for code that wants to run its own algorithm.
/// <code>
/// var features = await ImageFeatures.FromFolderAsync("photos");
/// var result = new KMeans(new KMeansOptions { NClusters = 5 }).Fit(features.Matrix);
/// </code>
/// Vectors are cached in the shared embedding store, so a second call on the same images reads them back instead of
/// running the model. Files that cannot be used are in <see cref="Errors"/>; they never stop the others.
/// </summary>
public sealed class ImageFeatures
{
    private ImageFeatures(string folder, IReadOnlyList<string> paths, FeatureMatrix matrix, IReadOnlyList<FileError> errors, string model, int fromCache)
    {
        Folder = folder;
        Paths = paths;
        Matrix = matrix;
        Errors = errors;
        Model = model;
        FromCache = fromCache;
    }

    /// <summary>The folder, as an absolute path.</summary>
    public string Folder { get; }

    /// <summary>Every usable image, relative to <see cref="Folder"/>, in the order of the matrix rows.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>One row per image of <see cref="Paths"/>.</summary>
    public FeatureMatrix Matrix { get; }

    /// <summary>Files that could not be used (not an image, damaged, too small), each with the reason.</summary>
    public IReadOnlyList<FileError> Errors { get; }

    /// <summary>Name of the model the vectors come from.</summary>
    public string Model { get; }

    /// <summary>How many vectors were read from the store instead of computed.</summary>
    public int FromCache { get; }

    /// <summary>Embeds every image under <paramref name="folder"/> (searched recursively).</summary>
    /// <exception cref="ImageClusterException">The folder is missing, the model cannot be found, or no image could be used.</exception>
    /// <exception cref="ArgumentException">Invalid <see cref="ImageFeaturesOptions.Embedding"/> settings.</exception>
    public static async Task<ImageFeatures> FromFolderAsync(string folder, ImageFeaturesOptions? options = null,
        IProgress<StageProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = options ?? new ImageFeaturesOptions();
        o.Embedding.Validate();
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
            throw new ImageClusterException(File.Exists(root) ? $"{folder} is a file, not a folder of images" : $"folder not found: {folder}");
        var model = ModelResolver.Resolve(o.Model, o.ModelFolders).WithResize(o.Resize).WithLayer(o.Layer);
        var files = ImageScanner.Scan(root).ToList();
        using var store = EmbeddingStores.Open(StoreLocation.Resolve(o.Store));
        var result = await new EmbeddingPipeline(store, model, () => EmbedderFactory.Create(model, o.Embedding.InferenceThreads), o.Embedding)
            .RunAsync(root, files, progress, cancellation);
        if (result.Paths.Count == 0)
            throw new ImageClusterException(files.Count == 0
                ? $"no image files found in {folder}"
                : $"none of the {files.Count} image files in {folder} could be used; {result.Errors[0].Path}: {result.Errors[0].Error}");
        var matrix = o.Normalize ? result.Features.NormalizeRowsInPlace() : result.Features;
        return new ImageFeatures(root, result.Paths, matrix, result.Errors, model.Descriptor.Name, result.FromCache);
    }
}
