using System.Globalization;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>
/// Locates ../shared (research-only models and data sets beside the checkout, never in the repository). Tests that need
/// it are marked <see cref="SharedFactAttribute"/> / <see cref="SharedTheoryAttribute"/>: on a machine without ../shared
/// they are reported as skipped with the reason, and <c>.ci/run</c>, which must run everything, refuses to start without it.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Found = new(FindShared);

    /// <summary>Whether ../shared (or $IMAGECLUSTER_SHARED) holds the models and data sets.</summary>
    public static bool IsPresent => Found.Value is not null;

    /// <summary>Why shared tests are not run here, for their skip reason.</summary>
    public const string MissingReason = "needs ../shared (the research data sets and models beside the checkout), which is absent here; .ci/run runs it";

    public static string Root => Found.Value ?? throw new InvalidOperationException(
        $"../shared is missing (looked for {Candidate}/models/MODELS.md): this test needs the shared models and data sets " +
        "beside the checkout, or IMAGECLUSTER_SHARED pointing at them; mark it [SharedFact] or make it use samples/.");

    public static string Models => Path.Combine(Root, "models");

    public static string Datasets => Path.Combine(Root, "datasets");

    public static string Dataset(string name) => Path.Combine(Datasets, name);

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ImageCluster.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"Cannot find the repository root above {AppContext.BaseDirectory}");
    }

    private static string Candidate
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("IMAGECLUSTER_SHARED");
            return !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        }
    }

    private static string? FindShared() => File.Exists(Path.Combine(Candidate, "models", "MODELS.md")) ? Candidate : null;

    /// <summary>The sample dump committed with the repository (runs everywhere).</summary>
    public static string Sample => Path.Combine(RepoRoot, "samples", "mixed-dump");

    /// <summary>A fixture file committed under tests/ImageCluster.Tests/Fixtures.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", .. parts]);

    /// <summary>Reads <c>labels.csv</c> of a data set: relative image path (below <c>images/</c>) → label.</summary>
    public static Dictionary<string, string> Labels(string dataset)
    {
        using var reader = new StreamReader(Path.Combine(Dataset(dataset), "labels.csv"));
        var rows = Csv.Read(reader).ToList();
        int labelColumn = Array.IndexOf(rows[0], "label") is var l and >= 0 ? l : Array.IndexOf(rows[0], "group");
        return rows.Skip(1).ToDictionary(r => r[0].StartsWith("images/", StringComparison.Ordinal) ? r[0]["images/".Length..] : r[0], r => r[labelColumn]);
    }

    /// <summary>The K-Means NMI that MODELS.md lists per data set for <paramref name="model"/>.</summary>
    public static Dictionary<string, double> ReferenceNmi(string model)
    {
        var lines = File.ReadAllLines(Path.Combine(Models, "MODELS.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith("## Clustering quality", StringComparison.Ordinal));
        var header = lines.Skip(start).First(l => l.StartsWith("| set", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
        int column = header.IndexOf(model);
        if (column < 0) throw new InvalidOperationException($"MODELS.md has no NMI column for {model}");
        var result = new Dictionary<string, double>();
        foreach (var line in lines.Skip(start).SkipWhile(l => !l.StartsWith("|---", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToList();
            string set = cells[1].Split(' ', ',')[0];
            result[set] = double.Parse(cells[column].Trim('*'), CultureInfo.InvariantCulture);
        }
        return result;
    }
}
