using System.CommandLine;
using ImageCluster.Embedding;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary>The <c>imagecluster</c> command line: parses, calls the library, prints.</summary>
public static class Cli
{
    /// <summary>Exit code of a run that worked (possibly with some bad files listed).</summary>
    public const int Success = 0;

    /// <summary>Exit code when no image could be used, or an unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a usage error (bad option, missing folder, unknown model).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = BuildRoot(stdout, stderr, out var verbose);
        var parse = root.Parse(args);
        if (ParseErrors.Describe(parse) is { Count: > 0 } errors)
        {
            foreach (var error in errors) stderr.WriteLine($"error: {error}");
            stderr.WriteLine("Run 'imagecluster --help' for usage.");
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled");
            return Cancelled;
        }
        catch (ArgumentException e) when (UserErrors.Describe(e) is { } message)
        {
            stderr.WriteLine($"error: {message}{UserErrors.Hint(e)}");
            if (parse.GetValue(verbose)) stderr.WriteLine(e);
            return UsageError;
        }
        catch (Exception e) when (UserError(e) is int code)
        {
            stderr.WriteLine($"error: {e.Message}{UserErrors.Hint(e)}");
            if (parse.GetValue(verbose)) stderr.WriteLine(e);
            return code;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine(parse.GetValue(verbose) ? e.ToString() : "(run again with --verbose for details)");
            return Failure;
        }
    }

    /// <summary>Every command and option of the command line (tests walk it to check each option's messages).</summary>
    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr, out Option<bool> verbose)
    {
        verbose = new Option<bool>("--verbose") { Description = "Show stack traces of errors", Recursive = true };
        var root = new RootCommand("imagecluster: cluster folders of images by pretrained-CNN features")
        {
            ClusterCommand.Build(stdout, stderr),
            EmbedCommand.Build(stdout, stderr),
            CurationCommands.BuildDuplicates(stdout, stderr),
            CurationCommands.BuildIssues(stdout, stderr),
            EvaluateCommand.Build(stdout),
            DiagnoseCommand.Build(stdout, stderr),
            ModelsCommand.Build(stdout, stderr),
            FeatureMapsCommand.Build(stdout, stderr, CommonOptions.ModelOption),
            SelectCommand.Build(stdout),
            ExportCommand.BuildExport(stdout, stderr),
            ExportCommand.BuildUndo(stdout, stderr),
            ReportCommand.Build(stdout, stderr),
            ReviewCommand.Build(stdout, stderr),
            StoreCommand.Build(stdout),
        };
        root.Options.Add(verbose);
        return root;
    }

    private static int? UserError(Exception e) => e switch
    {
        NoUsableImagesException or ModelDownloadException or Export.ExportException => Failure,
        UsageException or ModelNotFoundException or ImageClusterException => UsageError,
        _ => null,
    };
}
