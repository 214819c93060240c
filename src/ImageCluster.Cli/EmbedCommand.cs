using System.CommandLine;
using System.Text.Json;
using ImageCluster.Pipeline;
using ImageCluster.Runs;
using static ImageCluster.Cli.Cli;
using static ImageCluster.Cli.CommonOptions;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster embed FOLDER</c>: the features of every image as CSV, without clustering.</summary>
internal static class EmbedCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string>("folder") { Description = "Folder of images (searched recursively)" };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Features file to write: .csv (path,f0,f1,…), .npy (float32, row paths in FILE.paths.txt) or .parquet (a path column and one float column per feature); images that cannot be used, " +
                          "if any, are listed in FILE.errors.csv. Without it the vectors only go into the store (what a shard job does)",
        };
        var command = new Command("embed", "Compute the feature vector of every image of FOLDER into the store, and write them to a file")
        {
            folder, output, StoreOption, ShardOptions.Shard, ShardOptions.Shards, ModelOption, LayerOption, PoolOption, ResizeOption, BatchOption, DecodeThreadsOption,
            InferenceThreadsOption, MaxFileOption, DecodeMemoryOption, FileTimeLimitOption, JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var shard = ShardOptions.From(parse, Environment.GetEnvironmentVariable, out string? shardSource);
            var options = new EmbedJobOptions
            {
                Input = parse.GetValue(folder)!,
                Output = parse.GetValue(output),
                Shard = shard,
                Model = parse.GetValue(ModelOption),
                Layer = LayerFrom(parse),
                Resize = parse.GetValue(ResizeOption),
                Store = parse.GetValue(StoreOption),
                Embedding = EmbeddingOptionsFrom(parse),
            };
            if (shard is { } s) stderr.WriteLine($"shard {s} ({shardSource}): embedding the images whose path hashes to part {s.Index} of {s.Count}");
            var summary = await EmbedJob.RunAsync(options, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (summary.Errors > 0)
                stderr.WriteLine(summary.ErrorsFile is { } listed ? $"{summary.Errors} files could not be used; see {listed}"
                    : $"{summary.Errors} files could not be used; 'imagecluster cluster' or 'embed --out FILE' lists them");
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Success;
            }
            string part = summary.Shard is { } p ? $" of shard {p} ({summary.Scanned} of the folder's {summary.FolderFiles} image files)" : "";
            stdout.WriteLine($"embedded {summary.Scanned - summary.Errors} images{part} with {summary.Model.Name}" +
                             (summary.Model.Layer is { } layer ? $" layer {layer} pooled by {summary.Model.Pool}" : "") + $" ({summary.Model.Dimension} features; " +
                             $"new {summary.Embedded}, from cache {summary.FromCache}, unreadable {summary.Errors}) in {summary.Seconds:F1} s");
            stdout.WriteLine(summary.Output is { } written ? $"features: {written}" : $"store:    {summary.Store}");
            return Success;
        });
        return command;
    }
}
