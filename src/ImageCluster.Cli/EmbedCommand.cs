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
        var output = new Option<string>("--out", "-o")
        {
            Description = "CSV file to write: path,f0,f1,… (images that cannot be used, if any, are listed in FILE.errors.csv)", Required = true,
        };
        var command = new Command("embed", "Write the feature vector of every image of FOLDER to a CSV file")
        {
            folder, output, StoreOption, ModelOption, LayerOption, PoolOption, ResizeOption, BatchOption, DecodeThreadsOption, InferenceThreadsOption, MaxFileOption, DecodeMemoryOption, FileTimeLimitOption, JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new EmbedJobOptions
            {
                Input = parse.GetValue(folder)!,
                Output = parse.GetValue(output)!,
                Model = parse.GetValue(ModelOption),
                Layer = LayerFrom(parse),
                Resize = parse.GetValue(ResizeOption),
                Store = parse.GetValue(StoreOption),
                Embedding = EmbeddingOptionsFrom(parse),
            };
            var summary = await EmbedJob.RunAsync(options, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (summary.Errors > 0) stderr.WriteLine($"{summary.Errors} files could not be used; see {summary.ErrorsFile}");
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Success;
            }
            stdout.WriteLine($"embedded {summary.Scanned - summary.Errors} images with {summary.Model.Name}" +
                             (summary.Model.Layer is { } layer ? $" layer {layer} pooled by {summary.Model.Pool}" : "") + $" ({summary.Model.Dimension} features; " +
                             $"new {summary.Embedded}, from cache {summary.FromCache}, unreadable {summary.Errors}) in {summary.Seconds:F1} s");
            stdout.WriteLine($"features: {summary.Output}");
            return Success;
        });
        return command;
    }
}
