using System.Globalization;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>
/// Locates ../shared (models and data sets beside the checkout). Tests that need it fail loudly when it is
/// missing: a skipped quality test would hide a regression.
/// </summary>
public static class SharedData
{
    public static string Root { get; } = FindShared();

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

    private static string FindShared()
    {
        string? env = Environment.GetEnvironmentVariable("IMAGECLUSTER_SHARED");
        string candidate = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared"));
        if (!File.Exists(Path.Combine(candidate, "models", "MODELS.md")))
            throw new InvalidOperationException(
                $"../shared is missing (looked for {candidate}/models/MODELS.md). Tests need the shared models and data sets " +
                "beside the checkout, or IMAGECLUSTER_SHARED pointing at them.");
        return candidate;
    }

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
