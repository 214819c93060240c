using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Embedding;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster models list|info|pull|import|layers</c>: the catalogue, the user's imports, the cache and a model's layers.</summary>
internal static class ModelsCommand
{
    private static readonly JsonSerializerOptions Json = new(UserModels.WriteOptions);

    public static Command Build(TextWriter stdout, TextWriter stderr) =>
        new("models", "Known models: list them, show one, download one into the cache, or import your own ONNX file")
        {
            BuildList(stdout, stderr), BuildInfo(stdout), BuildPull(stdout, stderr), BuildImport(stdout), ModelsLayersCommand.Build(stdout),
        };

    private static string Where(ModelLocation location) => location switch
    {
        ModelLocation.BuiltIn => "built-in",
        ModelLocation.ModelsFolder => ModelResolver.ModelsVariable,
        ModelLocation.Cache => "cache",
        ModelLocation.Embedded => "built into the library",
        ModelLocation.NoFileNeeded => "no file needed",
        _ => "not present",
    };

    private static string Input(ModelDescriptor d) => $"{d.Width}x{d.Height} {d.Layout}";

    private static string Size(ModelDescriptor d) => d.SizeBytes is { } b ? DownloadProgressPrinter.Megabytes(b) : "?";

    private static Command BuildList(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print the list as JSON on stdout" };
        var command = new Command("list", "Catalogue and imported models: dimension, input, size, licence and where the file is") { json };
        command.SetAction(parse =>
        {
            var entries = ModelInventory.List(problem => stderr.WriteLine($"warning: {problem}"));
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(entries, Json));
                return Cli.Success;
            }
            int nameWidth = Math.Max(4, entries.Max(e => e.Descriptor.Name.Length));
            stdout.WriteLine($"{"name".PadRight(nameWidth)} {"dim",5} {"input",-13} {"size",9} {"licence",-14} where");
            foreach (var e in entries)
            {
                var d = e.Descriptor;
                stdout.WriteLine($"{d.Name.PadRight(nameWidth)} {(d.Dimension > 0 ? d.Dimension.ToString(CultureInfo.InvariantCulture) : "?"),5} {Input(d),-13} {(e.Location == ModelLocation.NoFileNeeded ? "–" : Size(d)),9} " +
                                 $"{(d.License.Length > 0 ? d.License : "?"),-14} {Where(e.Location)}{(e.Origin == "user" ? " (imported)" : "")}");
            }
            stdout.WriteLine($"cache: {ModelResolver.UserCacheFolder}; 'imagecluster models pull NAME' downloads a model that has a URL");
            return Cli.Success;
        });
        return command;
    }

    private static Command BuildInfo(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "Model name (see 'models list')" };
        var json = new Option<bool>("--json") { Description = "Print everything as JSON on stdout" };
        var command = new Command("info", "Everything the catalogue knows about a model, where its file is and whether its SHA-256 matches") { name, json };
        command.SetAction(parse =>
        {
            var details = ModelInventory.Inspect(parse.GetValue(name)!);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(details, Json));
                return Cli.Success;
            }
            var d = details.Entry.Descriptor;
            static string F(float[] v) => string.Join(", ", v.Select(x => x.ToString("G6", CultureInfo.InvariantCulture)));
            void Line(string label, string? value) { if (!string.IsNullOrEmpty(value)) stdout.WriteLine($"{label,-16} {value}"); }
            Line("name", $"{d.Name} ({details.Entry.Origin}{(d.BuiltIn ? ", built in" : "")})");
            Line("description", d.Description);
            Line("licence", d.License);
            Line("homepage", d.Homepage);
            Line("url", d.Url);
            if (details.Entry.Location != ModelLocation.NoFileNeeded)
            {
                Line("file", d.File + (d.SizeBytes is { } size ? $" ({size.ToString(CultureInfo.InvariantCulture)} bytes)" : ""));
                Line("sha256", d.Sha256 ?? "unknown");
            }
            Line("input", $"'{d.Input}' {Input(d)}, {d.ChannelOrder}, {(d.DynamicBatch ? "dynamic batch" : "batch 1")}");
            Line("scaling", $"(pixel x {d.Scale.ToString("G9", CultureInfo.InvariantCulture)} - mean) / std, mean [{F(d.Mean)}], std [{F(d.Std)}]");
            Line("resize", d.Resize.ToString().ToLowerInvariant());
            Line("preprocess", d.PreprocessFile);
            Line("embedding", $"'{d.EmbeddingOutput}', {(d.Dimension > 0 ? d.Dimension.ToString(CultureInfo.InvariantCulture) : "?")} values");
            Line("logits", d.LogitsOutput is { } logits ? $"'{logits}'" : null);
            Line("found", details.Entry.Path is { } path ? $"{path} ({Where(details.Entry.Location)})" : Where(details.Entry.Location));
            if (details.ActualSha256 is { } actual)
                Line("checksum", details.Sha256Matches switch
                {
                    true => "matches",
                    false => $"DIFFERS: the file has sha256 {actual}",
                    null => $"not verifiable (the file has sha256 {actual})",
                });
            return Cli.Success;
        });
        return command;
    }

    private static Command BuildPull(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string>("model") { Description = "Catalogue name or http(s) URL of an .onnx file" };
        var sha = new Option<string?>("--sha256") { Description = "Expected SHA-256 of the file (overrides the catalogue's)" };
        var force = new Option<bool>("--force") { Description = "Download again even when the file is in the cache" };
        var command = new Command("pull", $"Download a model into the cache ({ModelResolver.UserCacheFolder}); an interrupted download resumes")
        {
            target, sha, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var pullTarget = ModelDownloader.Target(parse.GetValue(target)!, parse.GetValue(sha));
            using var downloader = new ModelDownloader();
            var result = await downloader.DownloadAsync(pullTarget, ModelResolver.UserCacheFolder, parse.GetValue(force),
                new DownloadProgressPrinter(stderr, pullTarget.FileName), note => stderr.WriteLine(note), ct);
            string check = result.Verified ? "sha256 verified" : "checksum unknown, not verified";
            stdout.WriteLine(result.AlreadyPresent
                ? $"{result.Path} is already in the cache ({check})"
                : $"pulled {result.Url} -> {result.Path} ({DownloadProgressPrinter.Megabytes(result.Bytes)}, {check}" +
                  (result.ResumedFrom > 0 ? $", resumed at byte {result.ResumedFrom}" : "") + ")");
            stdout.WriteLine(result.Descriptor is { } d
                ? $"use it with --model {d.Name}"
                : $"not a catalogue model: describe it in a spec and run 'imagecluster models import {result.Path} --spec SPEC.json'");
            return Cli.Success;
        });
        return command;
    }

    private static Command BuildImport(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "Your ONNX model" };
        var spec = new Option<string>("--spec") { Description = "JSON descriptor in the shape of a catalogue entry (name, input, embeddingOutput, size, layout, scaling)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an earlier import of the same name" };
        var command = new Command("import", "Check your own ONNX model against a spec and copy it into the cache, usable as --model NAME") { file, spec, force };
        command.SetAction(parse =>
        {
            var d = UserModels.Import(parse.GetValue(file)!, parse.GetValue(spec)!, parse.GetValue(force));
            stdout.WriteLine($"imported {d.Name}: {Path.Combine(ModelResolver.UserCacheFolder, d.File)} ({d.Dimension} features from '{d.EmbeddingOutput}', sha256 {d.Sha256})");
            stdout.WriteLine($"use it with --model {d.Name}");
            return Cli.Success;
        });
        return command;
    }
}
