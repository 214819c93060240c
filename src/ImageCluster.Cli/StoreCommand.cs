using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Pipeline;
using ImageCluster.Store;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster store info|prune|merge</c>: the embedding store that every run folder shares.</summary>
internal static class StoreCommand
{
    public static Command Build(TextWriter stdout) =>
        new("store", "The embedding store shared by every run folder (content hash × model → vector): show it, prune it, or merge shard stores")
        {
            BuildInfo(stdout), BuildPrune(stdout), BuildMerge(stdout),
        };

    private static Command BuildMerge(TextWriter stdout)
    {
        var sources = new Argument<string[]>("stores") { Description = "Store files to read (e.g. one per shard job)", Arity = ArgumentArity.OneOrMore };
        var into = new Option<string>("--into") { Description = "Store file to merge into (created when missing; replaced only when the merge is complete)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var command = new Command("merge", "Combine the files and embeddings of several stores (e.g. one per shard job) into one") { sources, into, json };
        command.SetAction((parse, ct) =>
        {
            var result = ImageStore.Merge(parse.GetValue(sources)!, parse.GetValue(into)!, null, ct);
            if (parse.GetValue(json)) stdout.WriteLine(JsonSerializer.Serialize(result, RunFolder.Json));
            else
                stdout.WriteLine($"merged {result.Sources.Count} stores into {result.Into}: files {result.FilesBefore} → {result.FilesAfter}, " +
                                 $"embeddings {result.EmbeddingsBefore} → {result.EmbeddingsAfter}");
            return Task.FromResult(Cli.Success);
        });
        return command;
    }

    private static Command BuildInfo(TextWriter stdout)
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var command = new Command("info", "Where the store is, how many files and embeddings it holds, per model") { CommonOptions.StoreOption, json };
        command.SetAction(parse =>
        {
            string path = StoreLocation.Resolve(parse.GetValue(CommonOptions.StoreOption));
            if (!StoreLocation.IsServer(path) && !File.Exists(path))
            {
                if (parse.GetValue(json)) stdout.WriteLine(JsonSerializer.Serialize(new StoreInfo(path, 0, 0, 0, 0, []), RunFolder.Json));
                else stdout.WriteLine($"store: {path} (not created yet: the first 'imagecluster cluster' creates it)");
                return Cli.Success;
            }
            using var store = EmbeddingStores.Open(path);
            var info = store.Describe();
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(info, RunFolder.Json));
                return Cli.Success;
            }
            stdout.WriteLine($"store: {info.Path} ({DownloadProgressPrinter.Megabytes(info.FileBytes)})");
            stdout.WriteLine($"files: {info.Files} in {info.Roots} folders, {info.Contents} distinct contents");
            if (info.FeatureSpaces.Count == 0) stdout.WriteLine("embeddings: none");
            foreach (var space in info.FeatureSpaces)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"embeddings: {space.Vectors,7} × {space.Dimension,5}  {DownloadProgressPrinter.Megabytes(space.Bytes),9}  {space.Model} {space.Output}"));
            return Cli.Success;
        });
        return command;
    }

    private static Command BuildPrune(TextWriter stdout)
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count what would be removed" };
        var command = new Command("prune", "Forget files that are gone or changed and the embeddings no remembered file needs, then compact the store")
        {
            CommonOptions.StoreOption, dryRun, json,
        };
        command.SetAction((parse, ct) =>
        {
            string path = StoreLocation.Resolve(parse.GetValue(CommonOptions.StoreOption));
            if (StoreLocation.IsServer(path))
                throw new UsageException($"store prune compacts an SQLite store file; {StoreLocation.Redacted(path)} is a PostgreSQL server (prune it there: DELETE and VACUUM)");
            if (!File.Exists(path)) throw new UsageException($"no store at {path}: nothing to prune");
            using var store = ImageStore.OpenShared(path);
            var result = store.Prune(path, parse.GetValue(dryRun), ct);
            if (parse.GetValue(json)) stdout.WriteLine(JsonSerializer.Serialize(result, RunFolder.Json));
            else
                stdout.WriteLine($"{(result.DryRun ? "would remove" : "removed")} {result.MissingFiles} records of files that are gone or changed and " +
                                 $"{result.OrphanEmbeddings} embeddings no file needs; {DownloadProgressPrinter.Megabytes(result.BytesBefore)} → " +
                                 $"{DownloadProgressPrinter.Megabytes(result.BytesAfter)}");
            return Task.FromResult(Cli.Success);
        });
        return command;
    }
}
