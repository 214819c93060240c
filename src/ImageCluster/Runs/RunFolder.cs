using ImageCluster.Clustering;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ImageCluster.Runs;

/// <summary>
/// A run folder as a cluster run left it: where its files are, and its <c>run.json</c> read once through the one typed
/// schema, <see cref="RunSummary"/>. The report, the review, evaluation and selection all open a run through this type.
/// </summary>
public sealed class RunFolder
{
    /// <summary>The run's summary.</summary>
    public const string SummaryFileName = "run.json";

    /// <summary>Every clustered image and its cluster (<c>path,cluster,distance</c>).</summary>
    public const string AssignmentsFileName = "assignments.csv";

    /// <summary>The files that could not be used and why (<c>path,error</c>).</summary>
    public const string ErrorsFileName = "errors.csv";

    /// <summary>What the report draws of the fit itself (OPTICS reachability, the top of a merge tree), when the algorithm has it.</summary>
    public const string FitFileName = "fit.json";

    /// <summary>
    /// JSON settings of run.json and of every JSON output: camelCase names and enum values, indented, ∞ as a number
    /// (OPTICS' <c>max_eps</c>); the options records' <c>estimator</c> may come anywhere in their object.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        AllowOutOfOrderMetadataProperties = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private RunFolder(string path, RunSummary summary, IReadOnlyList<string> problems)
    {
        Path = path;
        Summary = summary;
        Problems = problems;
    }

    /// <summary>The run folder, absolute.</summary>
    public string Path { get; }

    /// <summary>What <c>run.json</c> says about the run.</summary>
    public RunSummary Summary { get; }

    /// <summary>
    /// Parts of <c>run.json</c> this version could not read and left out of <see cref="Summary"/> (e.g. a baseline written
    /// by a newer version, or an older run's clustering parameters), each as one line for the user.
    /// </summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The run's <c>run.json</c>.</summary>
    public string SummaryFile => System.IO.Path.Combine(Path, SummaryFileName);

    /// <summary>The run's <c>assignments.csv</c>.</summary>
    public string AssignmentsFile => System.IO.Path.Combine(Path, AssignmentsFileName);

    /// <summary>The run's <c>errors.csv</c> (absent when every file could be used by a features run).</summary>
    public string ErrorsFile => System.IO.Path.Combine(Path, ErrorsFileName);

    /// <summary>
    /// Refuses an <c>assignments.csv</c> with another number of images than the run clustered (cut short, emptied or
    /// edited): reviewing or reporting part of a run as if it were all of it would silently lose images.
    /// </summary>
    /// <exception cref="ImageClusterException">The counts differ.</exception>
    internal void RequireAllAssignments(int images)
    {
        if (images != Summary.Counts.Clustered)
            throw new ImageClusterException($"{AssignmentsFile} holds {images} images but the run clustered {Summary.Counts.Clustered} (run.json): " +
                                            "the file is damaged; cluster the folder again to rewrite it");
    }

    /// <summary>The figures of the fit the run kept, or null when it kept none (or a version before them wrote it).</summary>
    internal FitFigures? ReadFit()
    {
        string file = System.IO.Path.Combine(Path, FitFileName);
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<FitFigures>(File.ReadAllText(file), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the fit's figures, or removes an earlier clustering's when this one has none.</summary>
    internal static void WriteFit(string folder, FitFigures? figures)
    {
        string file = System.IO.Path.Combine(folder, FitFileName);
        if (figures is null) File.Delete(file);
        else Csv.WriteAtomically(file, w => w.Write(JsonSerializer.Serialize(figures, Json)));
    }

    /// <summary>Opens the run folder <paramref name="folder"/> and reads its summary.</summary>
    /// <exception cref="ImageClusterException">No <c>run.json</c>, or one that is not the summary of a cluster run.</exception>
    public static RunFolder Open(string folder)
    {
        string path = System.IO.Path.GetFullPath(folder);
        string file = System.IO.Path.Combine(path, SummaryFileName);
        if (!File.Exists(file))
            throw new ImageClusterException($"{folder} is not a run folder: {SummaryFileName} is missing (cluster a folder into it first)");
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageClusterException($"cannot read {file} ({e.Message})");
        }
        var (summary, problems) = Parse(text, file);
        return new RunFolder(path, summary, problems);
    }

    /// <summary>
    /// The input folder of the run in <paramref name="folder"/> (by its <paramref name="summaryFile"/>), or null when it holds
    /// no readable run. Only the <c>input</c> field is read, so a run of another version still claims its folder.
    /// </summary>
    internal static string? InputOf(string folder, string summaryFile = SummaryFileName)
    {
        try
        {
            return JsonSerializer.Deserialize<RunInput>(File.ReadAllText(System.IO.Path.Combine(folder, summaryFile)), Json)?.Input;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private sealed record RunInput(string? Input);

    /// <summary>Writes <paramref name="summary"/> as the run's <c>run.json</c> (atomically) and returns the JSON written.</summary>
    internal static string Write(string folder, RunSummary summary)
    {
        string json = JsonSerializer.Serialize(summary, Json);
        Csv.WriteAtomically(System.IO.Path.Combine(folder, SummaryFileName), w => w.Write(json));
        return json;
    }

    /// <summary>
    /// Reads a summary. Parts that may legitimately not fit this version are read on their own and left out with a
    /// problem line instead of failing the whole run: the supervised baseline, the auto sweep and the clustering
    /// parameters. Options records written before they named their <c>estimator</c> get it from the algorithm's name.
    /// </summary>
    internal static (RunSummary Summary, IReadOnlyList<string> Problems) Parse(string text, string file)
    {
        var problems = new List<string>();
        try
        {
            if (JsonNode.Parse(text) is not JsonObject root)
                throw new ImageClusterException($"{file} is not the summary of a cluster run (not a JSON object)");
            if (root["options"] is JsonObject options)
                NameEstimator(options["clustering"] as JsonObject, options["algorithm"]);
            if (root["clustering"] is JsonObject clustering)
            {
                NameEstimator(clustering["parameters"] as JsonObject, clustering["algorithm"]);
                Tolerate<ClustererOptions>(clustering, "parameters", "clustering parameters", problems);
            }
            if (root["auto"] is JsonObject auto)
                NameEstimator(auto["bestOptions"] as JsonObject, (auto["table"] as JsonArray)?.FirstOrDefault()?["algorithm"]);
            if (root["options"] is JsonObject opts)
            {
                Tolerate<ClustererOptions>(opts, "clustering", "clustering options", problems);
                Tolerate<AutoOptions>(opts, "auto", "auto sweep options", problems);
            }
            Tolerate<AutoResult>(root, "auto", "auto sweep table", problems);
            Tolerate<BaselineSummary>(root, "baseline", "supervised baseline", problems);
            var summary = root.Deserialize<RunSummary>(Json) ?? throw new ImageClusterException($"{file} is empty");
            return (summary, problems);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or KeyNotFoundException)
        {
            throw new ImageClusterException($"{file} is not the summary of a cluster run ({e.Message})");
        }
    }

    private static void NameEstimator(JsonObject? options, JsonNode? algorithm)
    {
        if (options is null || options.ContainsKey("estimator") || algorithm?.GetValueKind() != JsonValueKind.String) return;
        options["estimator"] = algorithm.GetValue<string>();
    }

    private static void Tolerate<T>(JsonObject parent, string property, string what, List<string> problems)
    {
        if (parent[property] is not { } node) return;
        try
        {
            node.Deserialize<T>(Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            parent.Remove(property);
            problems.Add($"run.json's {what} could not be read by this version ({e.Message}); left out");
        }
    }
}
