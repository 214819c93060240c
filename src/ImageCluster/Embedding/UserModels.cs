using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageCluster.Embedding;

/// <summary>
/// The user's own models: an ONNX file copied into the user cache with a descriptor beside it
/// (<c>NAME.onnx</c> + <c>NAME.model.json</c>, the same shape as a catalogue entry), usable by its name.
/// </summary>
internal static class UserModels
{
    /// <summary>Suffix of a user descriptor file in the cache folder.</summary>
    public const string DescriptorSuffix = ".model.json";

    /// <summary>How descriptors are written: camelCase like <c>models.json</c>, unknown values left out.</summary>
    public static readonly JsonSerializerOptions WriteOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        // Descriptions quote names ('embedding'); people read these files.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Every readable user descriptor in <paramref name="folder"/> (default: the user cache). A descriptor that does not
    /// parse is reported through <paramref name="problem"/> and left out, so one bad file does not hide the others.
    /// </summary>
    public static IReadOnlyList<ModelDescriptor> All(string? folder = null, Action<string>? problem = null)
    {
        folder ??= ModelResolver.UserCacheFolder;
        if (!Directory.Exists(folder)) return [];
        var models = new List<ModelDescriptor>();
        foreach (string file in Directory.EnumerateFiles(folder, "*" + DescriptorSuffix).Order(StringComparer.Ordinal))
        {
            try
            {
                models.Add(ReadSpec(file));
            }
            catch (ImageClusterException e)
            {
                problem?.Invoke(e.Message);
            }
        }
        return models;
    }

    /// <summary>The user model called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelDescriptor? Find(string name, string? folder = null) =>
        All(folder).FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads and checks a descriptor / spec file (a catalogue entry's JSON shape).</summary>
    /// <exception cref="ImageClusterException">The file is missing, is not valid JSON, lacks a required field or holds a bad value.</exception>
    public static ModelDescriptor ReadSpec(string file)
    {
        if (!File.Exists(file)) throw new ImageClusterException($"model spec not found: {Path.GetFullPath(file)}");
        ModelDescriptor? spec;
        try
        {
            using var stream = File.OpenRead(file);
            spec = JsonSerializer.Deserialize<ModelDescriptor>(stream, ModelCatalog.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ImageClusterException($"{file} is not a valid model spec: {e.Message} " +
                                     "(a spec needs at least name, file, input and embeddingOutput; see docs/models.md)");
        }
        if (spec is null) throw new ImageClusterException($"{file} is not a valid model spec: it is empty");
        try
        {
            spec.Validate();
        }
        catch (InvalidDataException e)
        {
            throw new ImageClusterException($"{file}: {e.Message}");
        }
        return spec;
    }

    /// <summary>
    /// Copies <paramref name="onnxFile"/> into <paramref name="folder"/> (default: the user cache) as <c>NAME.onnx</c>
    /// with its descriptor, after checking that the spec is valid, that the file loads in ONNX Runtime and that its input
    /// and outputs match the spec. The copy and the descriptor appear under their final names only when complete.
    /// </summary>
    /// <param name="onnxFile">The user's model.</param>
    /// <param name="specFile">JSON in the shape of a catalogue entry; <c>file</c>, <c>sha256</c> and <c>sizeBytes</c> are filled in.</param>
    /// <param name="force">Replace an earlier import of the same name.</param>
    /// <param name="folder">Where to put it; null = <see cref="ModelResolver.UserCacheFolder"/>.</param>
    /// <returns>The descriptor as written.</returns>
    /// <exception cref="ImageClusterException">Bad spec, a name taken by the catalogue, or an earlier import without <paramref name="force"/>.</exception>
    /// <exception cref="ModelNotFoundException">The file does not load or does not match the spec.</exception>
    public static ModelDescriptor Import(string onnxFile, string specFile, bool force = false, string? folder = null)
    {
        folder ??= ModelResolver.UserCacheFolder;
        string source = Path.GetFullPath(onnxFile);
        if (!File.Exists(source)) throw new ImageClusterException($"model file not found: {source}");
        var spec = ReadSpec(specFile);
        if (!IsPlainName(spec.Name))
            throw new ImageClusterException($"{specFile}: name '{spec.Name}' must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
        if (ModelCatalog.Find(spec.Name) is not null || FeatureBaselines.IsReserved(spec.Name))
            throw new ImageClusterException($"{specFile}: name '{spec.Name}' is taken by the catalogue; pick another name");
        if (spec.BuiltIn || spec.PreprocessFile is not null)
            throw new ImageClusterException($"{specFile}: builtIn and preprocessFile are for catalogue models; an imported model is one self-contained ONNX file");

        string sha = ModelResolver.FileSha256(source);
        if (spec.Sha256 is { } expected && expected != sha)
            throw new ImageClusterException($"{source} has sha256 {sha}, but {specFile} says {expected}");
        var descriptor = spec with
        {
            File = spec.Name + ".onnx",
            Sha256 = sha,
            SizeBytes = new FileInfo(source).Length,
            Description = spec.Description.Length > 0 ? spec.Description : $"imported from {source}",
        };
        using (var embedder = new OnnxEmbedder(new ResolvedModel(descriptor, source, null, sha, []), threads: 1))
            descriptor = descriptor with { Dimension = embedder.Dimension };

        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, descriptor.File), descriptorFile = Path.Combine(folder, descriptor.Name + DescriptorSuffix);
        if (!force && (File.Exists(target) || File.Exists(descriptorFile)))
            throw new ImageClusterException($"a model named {descriptor.Name} is already imported ({descriptorFile}); import it with force to replace it");
        // Copy, then rename: a crash mid-copy never leaves a descriptor pointing at half a model.
        File.Copy(source, target + ".part", overwrite: true);
        File.Move(target + ".part", target, overwrite: true);
        File.WriteAllText(descriptorFile + ".part", JsonSerializer.Serialize(descriptor, WriteOptions));
        File.Move(descriptorFile + ".part", descriptorFile, overwrite: true);
        return descriptor;
    }

    private static bool IsPlainName(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
