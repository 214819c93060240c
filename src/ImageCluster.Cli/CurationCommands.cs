using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Curation;
using ImageCluster.Pipeline;
using ImageCluster.Runs;
using static ImageCluster.Cli.Cli;
using static ImageCluster.Cli.CommonOptions;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster duplicates</c> and <c>imagecluster issues</c>: the curation commands over a folder or a features file.</summary>
internal static class CurationCommands
{
    private sealed class Inputs
    {
        public readonly Argument<string?> Folder = new("folder") { Description = "Folder of images (searched recursively)", Arity = ArgumentArity.ZeroOrOne };
        public readonly Option<string?> Features = new("--features") { Description = "Read a features file (.csv path,f0,f1,… as 'embed' writes, .npy or .parquet) instead of a folder: duplicates by embedding only, no pixel issues" };
        public readonly Option<string?> Output = new("--out", "-o") { Description = "Run folder for results (default: the one 'cluster' uses for the same input, ./imagecluster-runs/NAME, or FEATURES-clusters)" };
        public readonly Option<double?> Threshold = new("--threshold")
        {
            Description = "Least cosine similarity (0..1) of two images' embeddings for them to be near duplicates. Default: calibrated per model on a " +
                          "near-duplicate set (0.9 for the default model: resizes, recompressions, 90 % crops, mirrors and +25 % brightness found, " +
                          "different photos of the same flower species not; docs/benchmarks.md has the curve)",
        };
        public readonly Option<string?> Keep = new("--keep") { Description = "Which image of a group is kept: largest (most pixels, then largest file; the default for images), sharpest, oldest (file time) or first (path order; the only one for --features)" };
        public readonly Option<int> MaxHashDistance = new("--max-hash-distance")
        {
            Description = "Images: most bits (of 64) in which the perceptual hashes (DCT pHash, mirror-aware) of two near duplicates may differ, " +
                          "so that two photos of the same kind of subject are not called duplicates; 64 = the embedding alone decides",
            DefaultValueFactory = _ => CurationJobOptions.DefaultMaxHashDistance,
        };
        public readonly Option<int> Neighbours = new("--neighbours") { Description = "Nearest neighbours asked of every image: duplicates link through them, outliers are judged on them", DefaultValueFactory = _ => new CurationJobOptions().Neighbours };

        public void AddTo(Command command)
        {
            foreach (var symbol in new Symbol[] { Folder, Features, Output, StoreOption, ModelOption, ResizeOption, Threshold, MaxHashDistance, Keep, Neighbours, BatchOption, DecodeThreadsOption,
                         InferenceThreadsOption, MaxFileOption, DecodeMemoryOption, FileTimeLimitOption, JsonOption })
                if (symbol is Argument a) command.Arguments.Add(a);
                else command.Options.Add((Option)symbol);
        }

        public CurationJobOptions Read(ParseResult parse, string? labels = null)
        {
            string? folder = parse.GetValue(Folder), features = parse.GetValue(Features);
            if ((folder is null) == (features is null))
                throw new UsageException(folder is null ? "give a FOLDER of images or --features FILE" : "give either a FOLDER of images or --features FILE, not both");
            if (features is not null && parse.GetResult(MaxHashDistance) is { Implicit: false })
                throw new UsageException("--max-hash-distance compares the images' pixels; a --features file has only vectors");
            if (features is not null && parse.GetResult(ResizeOption) is { Implicit: false })
                throw new UsageException("--resize is for folders of images; a --features file already holds its features");
            return new CurationJobOptions
            {
                Input = folder, Features = features, Output = parse.GetValue(Output), Store = parse.GetValue(StoreOption), Model = parse.GetValue(ModelOption),
                Resize = parse.GetValue(ResizeOption), Embedding = features is null ? EmbeddingOptionsFrom(parse) : new(), Threshold = parse.GetValue(Threshold),
                Keep = KeepFrom(parse.GetValue(Keep)), Neighbours = parse.GetValue(Neighbours), Labels = labels,
                MaxHashDistance = parse.GetValue(MaxHashDistance) is 64 ? null : parse.GetValue(MaxHashDistance),
            };
        }

        private static KeepRule? KeepFrom(string? text) => text switch
        {
            null => null,
            "largest" => KeepRule.Largest,
            "sharpest" => KeepRule.Sharpest,
            "oldest" => KeepRule.Oldest,
            "first" => KeepRule.First,
            _ => throw new UsageException($"--keep takes largest, sharpest, oldest or first, not '{text}'"),
        };
    }

    public static Command BuildDuplicates(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Inputs();
        var command = new Command("duplicates", "Find exact duplicates (same bytes) and near duplicates (embeddings above --threshold) of FOLDER or --features; " +
                                                "writes RUN/duplicates.csv (path,group,similarity,keep)");
        inputs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var summary = await CurationJob.DuplicatesAsync(inputs.Read(parse), new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (summary.Errors > 0) PrintErrors(stderr, summary.Output, summary.Errors);
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Success;
            }
            stdout.WriteLine($"{summary.Images} images" + (summary.Errors > 0 ? $" ({summary.Errors} unreadable, listed in errors.csv)" : "") + $": {summary.Groups} duplicate groups holding {summary.InGroups} images; " +
                             $"{summary.ToDiscard} can go ({summary.ExactDuplicates} exact, {summary.NearDuplicates} near), one per group kept ({summary.Keep.ToString().ToLowerInvariant()})");
            stdout.WriteLine($"threshold {summary.Threshold.ToString(CultureInfo.InvariantCulture)} ({summary.ThresholdSource})" +
                             (summary.MaxHashDistance is { } bits ? $" and perceptual hashes within {bits} bits" : "") + $"; neighbours by {summary.Neighbours}; {summary.TimingsSeconds["total"]:F1} s");
            stdout.WriteLine($"duplicates: {Quote(summary.DuplicatesFile)}");
            return Success;
        });
        return command;
    }

    public static Command BuildIssues(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Inputs();
        var labels = new Option<string?>("--labels") { Description = "A path,label CSV: also flag label_issue where an image's neighbours overwhelmingly carry another label" };
        var command = new Command("issues", "Flag every image's issues (corrupt, exact_duplicate, near_duplicate, outlier, blurry, dark, light, low_information, " +
                                            "grayscale, odd_aspect_ratio, odd_size; label_issue with --labels); writes RUN/issues.csv (path,issue,score) and RUN/measures.csv");
        inputs.AddTo(command);
        command.Options.Add(labels);
        command.SetAction(async (parse, ct) =>
        {
            var summary = await CurationJob.IssuesAsync(inputs.Read(parse, parse.GetValue(labels)), new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (summary.Errors > 0) PrintErrors(stderr, summary.Output, summary.Errors);
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Success;
            }
            stdout.WriteLine($"{summary.Images + summary.Errors} images, {summary.WithIssues} with at least one issue:");
            foreach (var (issue, count) in summary.Counts.Where(c => c.Value > 0)) stdout.WriteLine($"  {issue,-17} {count,7}");
            stdout.WriteLine($"issues: {Quote(summary.IssuesFile)}   measures: {Quote(summary.MeasuresFile)}");
            return Success;
        });
        return command;
    }
}
