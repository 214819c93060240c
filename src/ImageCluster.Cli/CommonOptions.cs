using System.CommandLine;
using System.Globalization;
using ImageCluster.Embedding;
using ImageCluster.Images;

namespace ImageCluster.Cli;

/// <summary>The options several commands share (model, layer, threads, store, --json) and how their values become library options.</summary>
internal static class CommonOptions
{
    internal static readonly Option<string?> ModelOption = new("--model", "-m")
    {
        Description = $"Model name ({string.Join(", ", ModelCatalog.All.Select(m => m.Name))}; no model: {FeatureBaselines.Names}) or path to an .onnx file. " +
                      $"Names are looked up in ${ModelResolver.ModelsVariable}, then {ModelResolver.UserCacheFolder}. " +
                      $"Default: {ModelCatalog.DefaultModel} (built into the library)",
    };

    internal static readonly Option<int> BatchOption = new("--batch-size") { Description = "Images per inference call", DefaultValueFactory = _ => new EmbeddingOptions().BatchSize };
    internal static readonly Option<int> DecodeThreadsOption = new("--decode-threads") { Description = "Threads that read and decode images (0 = one per core)", DefaultValueFactory = _ => 0 };
    internal static readonly Option<int> MaxFileOption = new("--max-file-mb")
    {
        Description = "Files larger than this many MB are listed in errors.csv instead of read (each file is read whole to hash and decode it)",
        DefaultValueFactory = _ => (int)(new EmbeddingOptions().MaxFileBytes >> 20),
    };
    internal static readonly Option<int> DecodeMemoryOption = new("--decode-memory-mb")
    {
        Description = "Memory all decode threads together may hold for pixels (MB); an image that alone needs more is listed in errors.csv",
        DefaultValueFactory = _ => (int)(new EmbeddingOptions().DecodeMemoryBytes >> 20),
    };
    internal static readonly Option<int> FileTimeLimitOption = new("--file-time-limit")
    {
        Description = "Seconds one file may take to decode; a file still decoding then is listed in errors.csv and the run goes on",
        DefaultValueFactory = _ => (int)new EmbeddingOptions().FileTimeLimit.TotalSeconds,
    };
    internal static readonly Option<int> InferenceThreadsOption = new("--inference-threads") { Description = "ONNX Runtime threads (0 = one per core)", DefaultValueFactory = _ => 0 };
    internal static readonly Option<ResizeMode?> ResizeOption = new("--resize")
    {
        Description = "Fit images to the model input by squash (whole image stretched; the default) or centercrop " +
                      "(shorter side scaled, centre cut out: better for large non-square photos)",
    };

    internal static readonly Option<string?> LayerOption = new("--layer")
    {
        Description = "Use this intermediate tensor (a node output or node name; 'imagecluster models layers MODEL' lists them) " +
                      "as the features instead of the model's embedding. 8-bit layers of int8 models are dequantized to float",
    };

    internal static readonly Option<string> PoolOption = new("--pool")
    {
        Description = "How --layer's 4-D map becomes a vector: avg (mean per channel), max (maximum per channel) or flatten (every value)",
        DefaultValueFactory = _ => "avg",
    };

    // --pool alone would silently do nothing: the embedding output is already pooled by the model.
    internal static Embedding.LayerSelection? LayerFrom(ParseResult parse)
    {
        string? layer = parse.GetValue(LayerOption);
        var pool = Embedding.LayerSelection.ParsePool(parse.GetValue(PoolOption)!);
        if (layer is null)
            return parse.GetResult(PoolOption) is { Implicit: false } ? throw new UsageException("--pool applies to --layer; add --layer NAME") : null;
        return new Embedding.LayerSelection(layer, pool);
    }

    internal static readonly Option<bool> JsonOption = new("--json") { Description = "Print the summary as JSON on stdout" };

    internal static readonly Option<string?> StoreOption = new("--store")
    {
        Description = $"Embedding store shared by every run folder (default: ${Store.StoreLocation.Variable}, else {Store.StoreLocation.Default})",
    };

    /// <summary>A path as a shell user would type it back: relative to the working directory when below it, quoted when it has spaces.</summary>
    internal static string Quote(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        string shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
        return shown.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '&' or ';' or '(' or ')') ? $"'{shown.Replace("'", "'\\''")}'" : shown;
    }

    // A size given in MB, as bytes.
    private static long Bytes(ParseResult parse, Option<int> megabytes) =>
        parse.GetValue(megabytes) is >= 1 and var mb ? (long)mb << 20 : throw new UsageException($"{megabytes.Name} must be at least 1 (got {parse.GetValue(megabytes)})");

    internal static EmbeddingOptions EmbeddingOptionsFrom(ParseResult parse)
    {
        return new EmbeddingOptions
        {
            BatchSize = parse.GetValue(BatchOption),
            DecodeThreads = parse.GetValue(DecodeThreadsOption),
            InferenceThreads = parse.GetValue(InferenceThreadsOption),
            DecodeMemoryBytes = Bytes(parse, DecodeMemoryOption),
            MaxFileBytes = Bytes(parse, MaxFileOption),
            FileTimeLimit = parse.GetValue(FileTimeLimitOption) is >= 1 and var seconds
                ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException($"--file-time-limit must be at least 1 second (got {parse.GetValue(FileTimeLimitOption)})"),
        };
    }

    internal static double? ParsePca(string? text)
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new UsageException($"--pca takes a variance fraction like 0.95 or a number of components like 50, not '{text}'");
        return value;
    }

    internal static void PrintErrors(TextWriter stderr, string output, int count)
    {
        if (count == 0) return;
        string file = Path.Combine(output, "errors.csv");
        stderr.WriteLine($"{count} files could not be used (listed in {file}):");
        using var reader = new StreamReader(file);
        foreach (var row in Csv.Read(reader).Skip(1).Take(20)) stderr.WriteLine($"  {row[0]}: {row[1]}");
        if (count > 20) stderr.WriteLine($"  … and {count - 20} more");
    }
}
