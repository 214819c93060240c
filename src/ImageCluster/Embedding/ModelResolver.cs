using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImageCluster.Embedding;

/// <summary>A model located on disk (or a model-free baseline: pixels, colour histogram), ready to load.</summary>
/// <param name="Descriptor">Preprocessing and outputs.</param>
/// <param name="Path">The ONNX file; null for the model-free baselines (<c>pixels</c>, <c>colorhist</c>).</param>
/// <param name="PreprocessPath">Optional graph run before the model.</param>
/// <param name="Sha256">SHA-256 of <paramref name="Path"/>; null for the model-free baselines.</param>
/// <param name="Notes">Things the user must be told (checksum mismatches); empty when none.</param>
internal sealed record ResolvedModel(ModelDescriptor Descriptor, string? Path, string? PreprocessPath, string? Sha256, IReadOnlyList<string> Notes)
{
    /// <summary>An intermediate layer used as the features instead of <see cref="ModelDescriptor.EmbeddingOutput"/>; null = the embedding.</summary>
    public LayerSelection? Layer { get; init; }

    /// <summary>The same model reading <paramref name="layer"/> (null = its embedding output).</summary>
    /// <exception cref="ImageClusterException">A layer of the raw-pixel baseline, which has none.</exception>
    public ResolvedModel WithLayer(LayerSelection? layer) =>
        layer is not null && Path is null
            ? throw new ArgumentException($"Layer needs a neural network; {Descriptor.Name} has no layers", "Layer")
            : this with { Layer = layer };

    /// <summary>What the features are in the store and in outputs: the embedding output, or <c>LAYER/POOL</c>.</summary>
    public string FeatureOutput => Layer is { } l ? $"{l.Name}/{l.PoolName}" : Descriptor.EmbeddingOutput;

    /// <summary>The same model with another resize rule (null keeps the descriptor's).</summary>
    public ResolvedModel WithResize(Images.ResizeMode? resize) =>
        resize is { } r && r != Descriptor.Resize ? this with { Descriptor = Descriptor with { Resize = r } } : this;

    /// <summary>
    /// Key of this model's embeddings in the store: the name, the checksums of the model (and of its preprocessing graph),
    /// a digest of the preprocessing in the descriptor and the layer and pool when one is chosen, so a changed file,
    /// preprocessing or layer never reuses stale vectors.
    /// </summary>
    public string CacheKey
    {
        get
        {
            var d = Descriptor;
            string preprocessing = string.Join('|', d.Width, d.Height, d.Layout, d.ChannelOrder, d.Resize,
                string.Join(',', new[] { d.Scale }.Concat(d.Mean).Concat(d.Std).Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                d.EmbeddingOutput, PreprocessPath is null ? "-" : FileSha256Short(PreprocessPath));
            string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(preprocessing)))[..8];
            string key = $"{d.Name}@{(Sha256 is null ? "none" : Sha256[..12])}/{d.Width}x{d.Height}/{d.Resize.ToString().ToLowerInvariant()}/{digest}";
            // Each layer and pool is its own feature space: vectors of one must never be served for another.
            return Layer is { } l ? $"{key}/layer={l.Name}/pool={l.PoolName}" : key;
        }
    }

    private static string FileSha256Short(string path) => ModelResolver.FileSha256(path)[..12];
}

/// <summary>Where a model file was found.</summary>
internal enum ModelLocation
{
    /// <summary>Shipped beside the program.</summary>
    BuiltIn,

    /// <summary>In a folder named by <c>$IMAGECLUSTER_MODELS</c>.</summary>
    ModelsFolder,

    /// <summary>In the user cache, where <c>models pull</c> and <c>models import</c> put files.</summary>
    Cache,

    /// <summary>Compiled into the library (extracted to the user cache on first use).</summary>
    Embedded,

    /// <summary>Not found anywhere.</summary>
    Missing,

    /// <summary>A model-free baseline (<see cref="FeatureBaselines"/>): computed from the pixels, nothing to find.</summary>
    NoFileNeeded,
}

/// <summary>A named model could not be found or loaded; the message says where we looked and what to do.</summary>
internal sealed class ModelNotFoundException(string message) : ImageClusterException(message);

/// <summary>
/// Finds a model: a path to an <c>.onnx</c> file, or a catalogue name looked up in <c>$IMAGECLUSTER_MODELS</c>
/// (one or more folders separated by ':'), then the user cache folder. Built-in models sit beside the program.
/// </summary>
internal static class ModelResolver
{
    /// <summary>Environment variable naming extra model folders.</summary>
    public const string ModelsVariable = "IMAGECLUSTER_MODELS";

    /// <summary>Per-user folder where downloaded models live.</summary>
    public static string UserCacheFolder => System.IO.Path.Combine(UserFolders.Cache, "models");

    /// <summary>Folder of the models that ship with the program.</summary>
    public static string BuiltInFolder => System.IO.Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>The folders searched for a model name, in order: <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public static IReadOnlyList<string> DefaultSearchFolders() => [.. ModelsVariableFolders(), UserCacheFolder];

    /// <summary>The folders named by <c>$IMAGECLUSTER_MODELS</c> (none when it is unset).</summary>
    public static IReadOnlyList<string> ModelsVariableFolders()
    {
        string? env = Environment.GetEnvironmentVariable(ModelsVariable);
        return string.IsNullOrWhiteSpace(env) ? []
            : env.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Where the file of <paramref name="descriptor"/> would be taken from by <see cref="Resolve"/>, without hashing it:
    /// beside the program, in a <c>$IMAGECLUSTER_MODELS</c> folder, in the user cache, or nowhere.
    /// </summary>
    public static (ModelLocation Location, string? Path) Locate(ModelDescriptor descriptor)
    {
        if (descriptor.BuiltIn)
        {
            string path = System.IO.Path.Combine(BuiltInFolder, descriptor.File);
            return File.Exists(path) ? (ModelLocation.BuiltIn, path) : (ModelLocation.Missing, null);
        }
        if (FindInFolders(ModelsVariableFolders(), descriptor.File) is { } inVariable) return (ModelLocation.ModelsFolder, inVariable);
        if (FindInFolders([UserCacheFolder], descriptor.File) is { } inCache) return (ModelLocation.Cache, inCache);
        if (EmbeddedModels.Contains(descriptor)) return (ModelLocation.Embedded, EmbeddedModels.Extract(descriptor));
        return (ModelLocation.Missing, null);
    }

    /// <summary>
    /// Resolves <paramref name="requested"/> (null = the default model, which is built into the library: a copy in
    /// <paramref name="searchFolders"/> is preferred, so a user can pin another file).
    /// </summary>
    /// <param name="requested">Name or path; null = the default model.</param>
    /// <param name="searchFolders">Where names are looked up; null = <see cref="DefaultSearchFolders"/>.</param>
    /// <exception cref="ModelNotFoundException">A named model is unknown or missing.</exception>
    public static ResolvedModel Resolve(string? requested, IReadOnlyList<string>? searchFolders = null)
    {
        var folders = searchFolders ?? DefaultSearchFolders();
        requested ??= ModelCatalog.DefaultModel;

        if (FeatureBaselines.Find(requested) is { } baseline)
            return new ResolvedModel(baseline, null, null, null, []);

        if (LooksLikePath(requested))
        {
            string full = System.IO.Path.GetFullPath(requested);
            if (!File.Exists(full))
                throw new ModelNotFoundException($"model file not found: {full}");
            var known = ModelCatalog.All.Concat(UserModels.All()).FirstOrDefault(m =>
                System.IO.Path.GetFileName(m.File).Equals(System.IO.Path.GetFileName(full), StringComparison.OrdinalIgnoreCase));
            if (known is null)
                throw new ModelNotFoundException(
                    $"{System.IO.Path.GetFileName(full)} is not a catalogue model, so its preprocessing and feature output are unknown; " +
                    $"rename it to a catalogue file name ({string.Join(", ", ModelCatalog.All.Where(m => !m.BuiltIn).Select(m => m.File))}) or name the model instead of its file");
            return Located(known, full, null);
        }

        var descriptor = ModelCatalog.Find(requested) ?? UserModels.Find(requested)
            ?? throw new ModelNotFoundException(
                $"unknown model '{requested}'; known models: {string.Join(", ", ModelCatalog.All.Select(m => m.Name).Append(FeatureBaselines.Names).Concat(UserModels.All().Select(m => m.Name)))}, " +
                "or a path to an .onnx file (import your own to add it)");
        if (descriptor.BuiltIn) return ResolveBuiltIn(descriptor);
        return Located(descriptor, FindInFolders(folders, descriptor.File)
            ?? (EmbeddedModels.Contains(descriptor) ? EmbeddedModels.Extract(descriptor) : null)
            ?? throw new ModelNotFoundException(
                $"model {descriptor.Name} not found: looked for {descriptor.File} in {string.Join(", ", folders)}. " +
                $"Put the file in one of them (or set {ModelsVariable}=FOLDER), or give the model as a path to {descriptor.File}"), null);
    }

    private static ResolvedModel ResolveBuiltIn(ModelDescriptor descriptor)
    {
        string path = System.IO.Path.Combine(BuiltInFolder, descriptor.File);
        if (!File.Exists(path))
            throw new ModelNotFoundException($"built-in model {descriptor.Name} is missing from the installation (expected {path}); reinstall imagecluster");
        string? prep = descriptor.PreprocessFile is null ? null : System.IO.Path.Combine(BuiltInFolder, descriptor.PreprocessFile);
        if (prep is not null && !File.Exists(prep))
            throw new ModelNotFoundException($"built-in model {descriptor.Name} is missing its preprocessing graph (expected {prep}); reinstall imagecluster");
        var located = Located(descriptor, path, prep);
        if (prep is not null && descriptor.PreprocessSha256 is { } expected && FileSha256(prep) is var actual && actual != expected)
            return located with { Notes = [.. located.Notes, $"{prep} has sha256 {actual}, not the catalogue's {expected}; results may differ"] };
        return located;
    }

    private static ResolvedModel Located(ModelDescriptor descriptor, string path, string? prep)
    {
        string sha = FileSha256(path);
        var notes = new List<string>();
        if (descriptor.Sha256 is not null && !sha.Equals(descriptor.Sha256, StringComparison.OrdinalIgnoreCase))
            notes.Add($"{path} has sha256 {sha}, not the catalogue's {descriptor.Sha256}: a different version of {descriptor.Name}; results may differ");
        return new ResolvedModel(descriptor, path, prep, sha, notes);
    }

    private static string? FindInFolders(IReadOnlyList<string> folders, string file) =>
        folders.Select(f => System.IO.Path.Combine(f, file)).FirstOrDefault(File.Exists);

    private static bool LooksLikePath(string s) =>
        s.Contains('/') || s.Contains(System.IO.Path.DirectorySeparatorChar) || s.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    private static readonly ConcurrentDictionary<(string, long, DateTime), string> ShaCache = new();

    /// <summary>SHA-256 of a file as lower-case hex (memoised per path, size and time stamp).</summary>
    public static string FileSha256(string path)
    {
        var info = new FileInfo(path);
        return ShaCache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ =>
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }
}
