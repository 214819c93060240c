using System.Text.Json.Serialization;

namespace ImageCluster.Embedding;

/// <summary>A known model (catalogue or user import) and where its file is.</summary>
/// <param name="Descriptor">Preprocessing, outputs and provenance.</param>
/// <param name="Origin"><c>catalogue</c>, <c>user</c> or <c>baseline</c>.</param>
/// <param name="Location">Where the file was found.</param>
/// <param name="Path">The file, when found.</param>
internal sealed record ModelEntry(
    ModelDescriptor Descriptor,
    string Origin,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ModelLocation>))] ModelLocation Location,
    string? Path);

/// <summary>A model entry with the checksum of its file as found.</summary>
/// <param name="Entry">The model.</param>
/// <param name="ActualSha256">SHA-256 of the file found; null when it is missing.</param>
/// <param name="Sha256Matches">Whether it equals the descriptor's; null when either is unknown.</param>
/// <param name="PreprocessPath">The preprocessing graph run before the model, when it has one.</param>
internal sealed record ModelDetails(ModelEntry Entry, string? ActualSha256, bool? Sha256Matches, string? PreprocessPath);

/// <summary>The models one can name: the catalogue merged with the user's imports, with where each file is.</summary>
internal static class ModelInventory
{
    /// <summary>Every catalogue model, then every user model, with where its file is, then the model-free baselines.</summary>
    /// <param name="problem">Told about user descriptors that cannot be read.</param>
    public static IReadOnlyList<ModelEntry> List(Action<string>? problem = null) =>
        [.. ModelCatalog.All.Select(d => Entry(d, "catalogue")), .. UserModels.All(problem: problem).Select(d => Entry(d, "user")),
         .. BaselineExamples.Select(name => Baseline(FeatureBaselines.Find(name)!))];

    // pixelsN takes any N in range; the list shows the two sizes the documentation measures.
    private static readonly string[] BaselineExamples = ["pixels", "pixels128", "colorhist"];

    /// <summary>The model called <paramref name="name"/>, its file and whether that file's SHA-256 matches.</summary>
    /// <exception cref="ModelNotFoundException">No catalogue or user model has that name.</exception>
    public static ModelDetails Inspect(string name)
    {
        if (FeatureBaselines.Find(name) is { } baseline) return new ModelDetails(Baseline(baseline), null, null, null);
        var descriptor = ModelCatalog.Find(name) ?? UserModels.Find(name)
            ?? throw new ModelNotFoundException($"unknown model '{name}'; known models: {string.Join(", ", List().Select(m => m.Descriptor.Name))}");
        var entry = Entry(descriptor, ModelCatalog.Find(name) is null ? "user" : "catalogue");
        string? sha = entry.Path is null ? null : ModelResolver.FileSha256(entry.Path);
        bool? matches = sha is null || descriptor.Sha256 is null ? null : sha == descriptor.Sha256;
        string? prep = descriptor.PreprocessFile is null || entry.Location != ModelLocation.BuiltIn ? null
            : System.IO.Path.Combine(ModelResolver.BuiltInFolder, descriptor.PreprocessFile);
        return new ModelDetails(entry, sha, matches, prep);
    }

    private static ModelEntry Baseline(ModelDescriptor descriptor) => new(descriptor, "baseline", ModelLocation.NoFileNeeded, null);

    private static ModelEntry Entry(ModelDescriptor descriptor, string origin)
    {
        var (location, path) = ModelResolver.Locate(descriptor);
        return new ModelEntry(descriptor, origin, location, path);
    }
}
