using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImageCluster.Images;

namespace ImageCluster.Embedding;

/// <summary>
/// Everything needed to turn pixels into a model's input tensor and to pick its feature output.
/// Carried as data (see <c>Embedding/models.json</c>), never as code per model.
/// </summary>
internal sealed record ModelDescriptor
{
    /// <summary>Catalogue name, e.g. <c>mobilenetv2_12_int8</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the model is and where it comes from.</summary>
    public string Description { get; init; } = "";

    /// <summary>Licence of the weights.</summary>
    public string License { get; init; } = "";

    /// <summary>File name looked up in the model folders (for built-in models: path below <c>DnnImageModels/</c>).</summary>
    public required string File { get; init; }

    /// <summary>Expected SHA-256 of <see cref="File"/>, lower-case hex; null when unknown (a pull then warns that it could not verify).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Size of <see cref="File"/> in bytes; null when unknown.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Direct download URL of <see cref="File"/> for <c>models pull</c>; null when the file cannot be downloaded as is.</summary>
    public string? Url { get; init; }

    /// <summary>Where the model is described (model card, README, paper); for people, not for downloads.</summary>
    public string? Homepage { get; init; }

    /// <summary>Optional ONNX graph run on the tensor before the main model (e.g. mean-image subtraction).</summary>
    public string? PreprocessFile { get; init; }

    /// <summary>Expected SHA-256 of <see cref="PreprocessFile"/>.</summary>
    public string? PreprocessSha256 { get; init; }

    /// <summary>Shipped with the program (found beside the executable), so it works offline.</summary>
    public bool BuiltIn { get; init; }

    /// <summary>Compiled into the library itself, so it works offline wherever the library runs (NuGet, single file).</summary>
    public bool Embedded { get; init; }

    /// <summary>Name of the image input of the main graph.</summary>
    public required string Input { get; init; }

    /// <summary>Name of the pooled-feature output used as the embedding.</summary>
    public required string EmbeddingOutput { get; init; }

    /// <summary>Name of the class-score output (logits or probabilities), when the graph has one.</summary>
    public string? LogitsOutput { get; init; }

    /// <summary>Length of the embedding vector.</summary>
    public int Dimension { get; init; }

    /// <summary>Input width in pixels.</summary>
    public int Width { get; init; } = 224;

    /// <summary>Input height in pixels.</summary>
    public int Height { get; init; } = 224;

    /// <summary><c>NCHW</c> or <c>NHWC</c>.</summary>
    public string Layout { get; init; } = "NCHW";

    /// <summary><c>RGB</c> or <c>BGR</c>.</summary>
    public string ChannelOrder { get; init; } = "RGB";

    /// <summary>Input value = (pixel × Scale − Mean[c]) / Std[c], pixel in 0..255.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Per-channel mean subtracted after scaling, in <see cref="ChannelOrder"/>.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel divisor applied after the mean, in <see cref="ChannelOrder"/>.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>Whether the batch dimension is dynamic; if not, images run one at a time.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>How images are fitted to the input size.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ResizeMode>))]
    public ResizeMode Resize { get; init; } = ResizeMode.Squash;

    /// <summary>True for NHWC input.</summary>
    [JsonIgnore]
    public bool ChannelsLast => Layout.Equals("NHWC", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks internal consistency; throws with a message naming the bad field.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0) throw new InvalidDataException($"Model '{Name}': input size {Width}×{Height} is not positive.");
        if (Layout is not ("NCHW" or "NHWC")) throw new InvalidDataException($"Model '{Name}': layout '{Layout}' must be NCHW or NHWC.");
        if (ChannelOrder is not ("RGB" or "BGR")) throw new InvalidDataException($"Model '{Name}': channel order '{ChannelOrder}' must be RGB or BGR.");
        if (Mean.Length != 3 || Std.Length != 3) throw new InvalidDataException($"Model '{Name}': mean and std need 3 values each.");
        if (Std.Any(s => s == 0)) throw new InvalidDataException($"Model '{Name}': std must not contain 0.");
        if (Dimension < 0) throw new InvalidDataException($"Model '{Name}': dimension {Dimension} is negative.");
        if (Sha256 is not null && (Sha256.Length != 64 || !Sha256.All(char.IsAsciiHexDigitLower)))
            throw new InvalidDataException($"Model '{Name}': sha256 must be 64 lower-case hex digits, not '{Sha256}'.");
        if (Url is not null && !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            throw new InvalidDataException($"Model '{Name}': url '{Url}' is not an http(s) address.");
    }
}

/// <summary>The models ImageCluster knows by name (read from the embedded <c>models.json</c>).</summary>
internal static class ModelCatalog
{
    /// <summary>The model used when none is named.</summary>
    public const string DefaultModel = "mobilenetv2_12_int8";

    /// <summary>The larger model that ships beside the program (from NuGet) and works offline too.</summary>
    public const string BuiltInModel = "resnet18";

    /// <summary>Raw-pixel features: needs no model file.</summary>
    public const string Pixels = "pixels";

    private static readonly Lazy<IReadOnlyList<ModelDescriptor>> Entries = new(Load);

    /// <summary>Every catalogue entry.</summary>
    public static IReadOnlyList<ModelDescriptor> All => Entries.Value;

    /// <summary>The entry called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelDescriptor? Find(string name) =>
        All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<ModelDescriptor> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ImageCluster.Embedding.models.json")
            ?? throw new InvalidOperationException("The model catalogue resource is missing from the assembly.");
        var doc = JsonSerializer.Deserialize<CatalogFile>(stream, JsonOptions)
            ?? throw new InvalidDataException("The model catalogue is empty.");
        foreach (var m in doc.Models) m.Validate();
        return doc.Models;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    private sealed record CatalogFile(List<ModelDescriptor> Models);
}
