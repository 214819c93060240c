using System.Text.RegularExpressions;
using ImageCluster.Embedding;
using ImageCluster.Export;

namespace ImageCluster.Cli;

/// <summary>
/// The library's errors in the command line's words. The library names an option by its property
/// (<see cref="ArgumentException.ParamName"/>, e.g. <c>BatchSize</c>) and never by a flag; the CLI owns the flags, so it
/// puts them back here (<c>--batch-size</c>) before the one-line message is printed.
/// </summary>
internal static class UserErrors
{
    /// <summary>Options properties of the library's job records and the flag each command gives them.</summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["BatchSize"] = "--batch-size", ["DecodeThreads"] = "--decode-threads", ["MaxFileBytes"] = "--max-file-mb", ["DecodeMemoryBytes"] = "--decode-memory-mb", ["FileTimeLimit"] = "--file-time-limit", ["InferenceThreads"] = "--inference-threads",
        ["Output"] = "--out", ["Store"] = "--store", ["Model"] = "--model", ["Layer"] = "--layer", ["Pool"] = "--pool",
        ["ConvIndex"] = "--conv-index", ["Channels"] = "--channels", ["GapSamples"] = "--gap-samples", ["Labels"] = "--labels",
        ["Positive"] = "--positive", ["KMin"] = "--k-min", ["KMax"] = "--k-max", ["MinSamples"] = "--min-samples",
        ["GapReferences"] = "--gap-references", ["Sha256"] = "--sha256", ["Features"] = "--features", ["Run"] = "--run",
        ["Assignments"] = "--assignments", ["To"] = "--to", ["OnCollision"] = "--on-collision", ["What"] = "--what", ["Mode"] = "--mode",
        ["Pca"] = "--pca", ["Whiten"] = "--whiten", ["Umap"] = "--umap", ["Baseline"] = "--baseline", ["Force"] = "--force", ["Url"] = "URL",
        ["Input"] = "FOLDER", ["NClusters"] = "--k",
        ["ClusteringTimeLimit"] = "--cluster-time-limit", ["Threshold"] = "--threshold", ["Keep"] = "--keep", ["Neighbours"] = "--neighbours", ["MaxHashDistance"] = "--max-hash-distance",
        ["Issues"] = "--discard-issue",
    };

    /// <summary>
    /// The message of an error about an option, with every property name the table knows replaced by its flag (names in
    /// <paramref name="moreFlags"/> first: the command's own, e.g. the chosen algorithm's); null when the error names no
    /// option we know, i.e. a program error that keeps its stack trace.
    /// </summary>
    public static string? Describe(ArgumentException e, IReadOnlyDictionary<string, string>? moreFlags = null)
    {
        var flags = new Dictionary<string, string>(Flags);
        foreach (var (property, flag) in moreFlags ?? new Dictionary<string, string>()) flags[property] = flag;
        if (e.ParamName is not { } parameter || (parameter != "nSamples" && !flags.ContainsKey(parameter))) return null;
        string message = e.Message.Replace($" (Parameter '{parameter}')", "");
        // The library's messages start in lower case, so a capitalised word is a property name; only "Xi" is also an enum
        // value (the Xi extraction), replaced only when it is the culprit. A name inside a path (/data/Output/x, Model.onnx)
        // is not a word of the sentence: only names between spaces or punctuation are replaced.
        foreach (var (property, flag) in flags.OrderByDescending(f => f.Key.Length))
            if (property == parameter || !Ambiguous.Contains(property))
                message = Regex.Replace(message, $@"(?<=^|[\s(,;:']){property}(?=[\s),;:']|\.(?:\s|$)|$)", flag);
        return message.TrimEnd('.');
    }

    /// <summary>
    /// The command that goes on from where the library's error leaves the user, e.g. the resume and undo commands of a stopped
    /// export; empty when there is none.
    /// </summary>
    public static string Hint(Exception e) => e switch
    {
        UnfinishedExportException u => $" ('imagecluster export --resume {u.Journal}' completes it, 'imagecluster undo {u.Journal}' reverts it)",
        ExportException { Journal: { } j } => $" ('imagecluster export --resume {j}' goes on, 'imagecluster undo {j}' reverts it)",
        DestinationsTakenException => " (--on-collision skip|rename, or another --to)",
        NothingSelectedException => " ('imagecluster select RUN --keep 0,3' decides; --what all exports every image)",
        ModelNotFoundException => " ('imagecluster models list' shows the known models, 'imagecluster models import' adds your own)",
        // Not for a model without layers (the pixel baselines): there is nothing to list.
        ArgumentException { ParamName: "Layer" or "ConvIndex" } a when !a.Message.Contains("has no layers", StringComparison.Ordinal) =>
            " ('imagecluster models layers MODEL' lists them)",
        _ => "",
    };

    private static readonly HashSet<string> Ambiguous = ["Xi"];
}
