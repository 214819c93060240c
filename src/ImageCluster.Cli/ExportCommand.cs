using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster export</c> and <c>imagecluster undo</c>.</summary>
internal static class ExportCommand
{
    /// <summary>Read by the CLI only, so crash tests can stop an export half-way; users have no reason to set it.</summary>
    public const string DelayVariable = "IMAGECLUSTER_TEST_EXPORT_DELAY_MS";

    public static Command BuildExport(TextWriter stdout, TextWriter stderr)
    {
        var run = new Argument<string?>("run") { Description = "Run folder written by 'imagecluster cluster' (reviewed with 'select')", Arity = ArgumentArity.ZeroOrOne };
        var to = new Option<string?>("--to") { Description = "Export folder (created if missing); paths relative to the input folder are kept" };
        var mode = new Option<string>("--mode") { Description = "copy (verified), symlink, hardlink or move (the only mode that touches originals)", DefaultValueFactory = _ => "copy" };
        var what = new Option<string>("--what") { Description = "kept, discarded or all images", DefaultValueFactory = _ => "kept" };
        var onCollision = new Option<string>("--on-collision") { Description = "When a destination name is taken: fail (before touching anything), skip or rename", DefaultValueFactory = _ => "fail" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and the collisions; touch nothing" };
        var resume = new Option<string?>("--resume") { Description = "Complete a stopped export from its journal (RUN/exports/ID.jsonl)" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("export", "Copy, link or move the images a review kept (or discarded) into a folder, with manifest.csv and an undo journal")
        {
            run, to, mode, what, onCollision, dryRun, resume, json,
        };
        command.SetAction((parse, ct) =>
        {
            var progress = new ProgressPrinter(stderr);
            ExportResult result;
            if (parse.GetValue(resume) is { } journal)
            {
                if (parse.GetValue(run) is not null || parse.GetValue(to) is not null)
                    throw new UsageException("--resume takes everything from the journal; give no RUN or --to with it");
                result = Exporter.Resume(journal, progress, Delay(), ct: ct);
            }
            else
            {
                result = Exporter.Run(new ExportOptions
                {
                    Run = parse.GetValue(run) ?? throw new UsageException("give the RUN folder (or --resume JOURNAL)"),
                    To = parse.GetValue(to) ?? throw new UsageException("give --to DIR, the folder to export into"),
                    Mode = ParseEnum<ExportMode>(parse.GetValue(mode)!, "--mode", "copy, symlink, hardlink, move"),
                    What = ParseEnum<ExportSelection>(parse.GetValue(what)!, "--what", "kept, discarded, all"),
                    OnCollision = ParseEnum<CollisionPolicy>(parse.GetValue(onCollision)!, "--on-collision", "fail, skip, rename"),
                    DryRun = parse.GetValue(dryRun),
                    PausePerFile = Delay(),
                }, progress, ct);
            }
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(result, RunFolder.Json));
                return Task.FromResult(Cli.Success);
            }
            string how = $"{result.Mode.ToString().ToLowerInvariant()}, {result.What.ToString().ToLowerInvariant()}";
            foreach (var c in result.Collisions)
                stderr.WriteLine($"collision: {c.Destination} exists; {c.Source} {c.Resolution}{(c.RenamedTo is null ? "" : $" to {c.RenamedTo}")}");
            if (result.DryRun)
            {
                stdout.WriteLine($"would export {result.Planned} images ({how}) to {result.To}; nothing touched (dry run)");
                return Task.FromResult(Cli.Success);
            }
            stdout.WriteLine($"exported {result.Written} images ({how}) to {result.To}, {result.Bytes / 1048576.0:F1} MB" +
                             (result.AlreadyDone > 0 ? $"; {result.AlreadyDone} were already in place" : ""));
            stdout.WriteLine($"manifest: {result.Manifest}");
            stdout.WriteLine($"journal:  {result.Journal}");
            stdout.WriteLine($"undo it with: imagecluster undo {result.Journal}");
            return Task.FromResult(Cli.Success);
        });
        return command;
    }

    public static Command BuildUndo(TextWriter stdout, TextWriter stderr)
    {
        var journal = new Argument<string>("journal") { Description = "Journal of an export (RUN/exports/ID.jsonl, printed by 'export')" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("undo", "Reverse an export: remove what it wrote (only files whose hash still matches) and put moved originals back")
        {
            journal, json,
        };
        command.SetAction(parse =>
        {
            var result = ExportUndo.Run(parse.GetValue(journal)!, new ProgressPrinter(stderr));
            int code = result.Refused.Count == 0 ? Cli.Success : Cli.Failure;
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(result, RunFolder.Json));
                return code;
            }
            if (result.AlreadyUndone)
            {
                stdout.WriteLine($"the export to {result.To} was already undone; nothing to do");
                return code;
            }
            foreach (var why in result.Refused) stderr.WriteLine($"refused: {why}");
            foreach (var folder in result.FoldersLeft) stderr.WriteLine($"kept folder {folder}: it holds files the export did not write");
            stdout.WriteLine(result.Mode == ExportMode.Move
                ? $"undid the export to {result.To}: put {result.Restored} originals back"
                : $"undid the export to {result.To}: removed {result.Removed} files");
            if (code != Cli.Success) stderr.WriteLine($"error: {result.Refused.Count} file(s) left in place (listed above); the rest is undone");
            return code;
        });
        return command;
    }

    private static TimeSpan Delay() =>
        int.TryParse(Environment.GetEnvironmentVariable(DelayVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms) : TimeSpan.Zero;

    private static T ParseEnum<T>(string text, string option, string choices) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _)
            ? value : throw new UsageException($"{option} takes {choices}, not '{text}'");
}
