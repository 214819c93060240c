using System.Diagnostics;
using ImageCluster.Runs;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Images;
using ImageCluster.Store;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="EmbedJob"/> (a folder to a features CSV).</summary>
internal sealed record EmbedJobOptions
{
    /// <summary>Folder of images.</summary>
    public required string Input { get; init; }

    /// <summary>Features file to write (CSV <c>path,f0,f1,…</c>, <c>.npy</c> with a <c>.paths.txt</c> beside it, or <c>.parquet</c>); null = only fill <see cref="Store"/>.</summary>
    public string? Output { get; init; }

    /// <summary>Embed only this part of the folder (what one job of a job array does); null = all of it.</summary>
    public Shard? Shard { get; init; }

    /// <summary>How images are fitted to the model input; null = the model's own rule (squash for every catalogue model).</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>Folders where model names are looked up; null = <c>$IMAGECLUSTER_MODELS</c>, then the user cache.</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>Model name or path; null = the default model.</summary>
    public string? Model { get; init; }

    /// <summary>An intermediate layer (and its pooling) written instead of the model's embedding; null = the embedding.</summary>
    public Embedding.LayerSelection? Layer { get; init; }

    /// <summary>The shared embedding store; null = <see cref="StoreLocation.Resolve"/> (the user cache, never beside <see cref="Output"/>).</summary>
    public string? Store { get; init; }

    /// <summary>Batch size and threads.</summary>
    public EmbeddingOptions Embedding { get; init; } = new();
}

/// <summary>The result of <see cref="EmbedJob"/>; <c>ErrorsFile</c> lists the unusable images, null when there were none or nothing was written.
/// <c>Output</c> is null when the job only filled the store; <c>Shard</c> (<c>I/N</c>) is the part of the folder it embedded, null for all of it.</summary>
internal sealed record EmbedSummary(string Input, string? Output, string? ErrorsFile, ModelInfo Model, int Scanned, int Embedded, int FromCache, int Errors, double Seconds,
    IReadOnlyList<string> Notes, string? Shard = null, int? FolderFiles = null, string? Store = null);

/// <summary>Scan → embed → features CSV (raw model output, not normalised).</summary>
internal static class EmbedJob
{
    /// <summary>Runs the job; user mistakes surface as the exceptions <see cref="ClusterJob"/> documents.</summary>
    public static async Task<EmbedSummary> RunAsync(EmbedJobOptions o, IProgress<StageProgress>? progress = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        string input = RunFolders.RequireInputFolder(o.Input);
        o.Embedding.Validate();
        string? output = o.Output is null ? null : Path.GetFullPath(o.Output);
        if (output is not null) RunFolders.Create(Path.GetDirectoryName(output)!);
        var model = ModelResolver.Resolve(o.Model, o.ModelFolders).WithResize(o.Resize).WithLayer(o.Layer);
        foreach (var note in model.Notes) notice?.Invoke(note);

        // Opened before the scan, so a store that cannot be used is said at once.
        string storePath = StoreLocation.Resolve(o.Store);
        using var store = EmbeddingStores.Open(storePath);
        var scanned = ImageScanner.Scan(input).ToList();
        var files = o.Shard is { } shard ? scanned.Where(f => shard.Contains(f.RelativePath)).ToList() : scanned;
        var result = await new EmbeddingPipeline(store, model, () => EmbedderFactory.Create(model, o.Embedding.InferenceThreads), o.Embedding)
            .RunAsync(input, files, progress, ct);
        var described = ClusterJob.Describe(model, result.Features.Columns);
        if (output is null)
            return new EmbedSummary(input, null, null, described, files.Count, result.Embedded, result.FromCache, result.Errors.Count, sw.Elapsed.TotalSeconds,
                model.Notes, o.Shard?.ToString(), scanned.Count, store.Location);
        // Written only when some image could not be used; a stale list from an earlier run would describe other files.
        string? errorsFile = Path.ChangeExtension(output, ".errors.csv");
        if (result.Errors.Count > 0) RunOutputs.WriteErrors(errorsFile, result.Errors);
        else
        {
            if (File.Exists(errorsFile) && File.ReadLines(errorsFile).FirstOrDefault() == "path,error") File.Delete(errorsFile);
            errorsFile = null;
        }
        if (result.Paths.Count == 0)
            throw new NoUsableImagesException(files.Count == 0 && o.Shard is { } empty
                ? $"shard {empty} of {input} has none of its {scanned.Count} image files: there is nothing to write to {output}"
                : $"none of the {files.Count} image files in {input} could be used; see {errorsFile}");
        // A layer's columns say where they come from (LAYER/POOL/i), so a features file is never mistaken for another layer's.
        FeaturesFile.Write(output, result.Paths, result.Features, model.Layer is null ? "f" : model.FeatureOutput + "/");
        return new EmbedSummary(input, output, errorsFile, described, files.Count, result.Embedded, result.FromCache,
            result.Errors.Count, sw.Elapsed.TotalSeconds, model.Notes, o.Shard?.ToString(), scanned.Count, store.Location);
    }
}
