using System.Text.Json;

namespace ImageCluster.Runs;

/// <summary>
/// The files <c>duplicates</c> and <c>issues</c> leave in a run folder, and reading them back for review and selection:
/// the findings name images by their path relative to the input folder, as <c>assignments.csv</c> does.
/// </summary>
internal static class CurationFiles
{
    public const string Duplicates = "duplicates.csv";
    public const string DuplicatesSummary = "duplicates.json";
    public const string Issues = "issues.csv";
    public const string IssuesSummary = "issues.json";
    public const string Measures = "measures.csv";

    /// <summary>One row of <c>duplicates.csv</c>.</summary>
    public sealed record DuplicateRow(string Path, int Group, double Similarity, bool Keep);

    /// <summary>One row of <c>issues.csv</c>.</summary>
    public sealed record IssueRow(string Path, string Issue, double Score);

    /// <summary>The rows of <c>duplicates.csv</c> in <paramref name="folder"/>, checked to belong to <paramref name="input"/>.</summary>
    /// <exception cref="ImageClusterException">Missing, made for another input, or damaged.</exception>
    public static List<DuplicateRow> ReadDuplicates(string folder, string input) =>
        Read(folder, input, Duplicates, DuplicatesSummary, "path,group,similarity,keep", (f, line, file) =>
            f.Length == 4 && int.TryParse(f[1], System.Globalization.CultureInfo.InvariantCulture, out int g) && Number(f[2]) is { } s && f[3] is "true" or "false"
                ? new DuplicateRow(f[0], g, s, f[3] == "true")
                : throw new ImageClusterException($"{file} line {line} is not 'path,group,similarity,keep'"));

    /// <summary>The rows of <c>issues.csv</c> in <paramref name="folder"/>, checked to belong to <paramref name="input"/>.</summary>
    /// <exception cref="ImageClusterException">Missing, made for another input, or damaged.</exception>
    public static List<IssueRow> ReadIssues(string folder, string input) =>
        Read(folder, input, Issues, IssuesSummary, "path,issue,score", (f, line, file) =>
            f.Length == 3 && Number(f[2]) is { } s
                ? new IssueRow(f[0], f[1], s)
                : throw new ImageClusterException($"{file} line {line} is not 'path,issue,score'"));

    /// <summary>
    /// The duplicate groups as a run holds them: its own images only, the kept one first, then by similarity to it. A group
    /// whose kept image is not in the run (added after the clustering), or that is left with one image, is left out.
    /// </summary>
    public static List<DuplicateRow[]> GroupsIn(IEnumerable<DuplicateRow> rows, Func<string, bool> inRun) =>
        [.. rows.Where(r => inRun(r.Path)).GroupBy(r => r.Group)
            .Select(g => g.OrderByDescending(r => r.Keep).ThenByDescending(r => r.Similarity).ToArray())
            .Where(g => g.Length > 1 && g[0].Keep)];

    /// <summary>Every issue that images of a run carry, in the order of <see cref="Curation.IssueNames.All"/>, with those images worst first.</summary>
    public static List<(string Issue, IssueRow[] WorstFirst)> IssuesIn(IEnumerable<IssueRow> rows, Func<string, bool> inRun) =>
        [.. rows.Where(r => inRun(r.Path)).GroupBy(r => r.Issue)
            .OrderBy(g => Curation.IssueNames.All.ToList().IndexOf(g.Key))
            .Select(g => (g.Key, g.OrderByDescending(r => r.Score).ToArray()))];

    // The folder or features file the findings were made from (their summary names one of them).
    private static string? MadeFor(string summary)
    {
        try
        {
            var made = JsonSerializer.Deserialize<Source>(File.ReadAllText(summary), RunFolder.Json);
            return made?.Input ?? made?.Features;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private sealed record Source(string? Input, string? Features);

    private static double? Number(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : null;

    private static List<T> Read<T>(string folder, string input, string name, string summaryName, string header, Func<string[], int, string, T> parse)
    {
        string file = Path.Combine(folder, name), summary = Path.Combine(folder, summaryName);
        if (!File.Exists(file) || !File.Exists(summary))
            throw new ImageClusterException($"{folder} has no {name}");
        // Findings of another folder would name other images (or, worse, the same names for other files).
        string? madeFor = MadeFor(summary);
        if (madeFor is null || Path.GetFullPath(madeFor) != Path.GetFullPath(input))
            throw new ImageClusterException($"{file} was made for {madeFor ?? "an unreadable summary"}, not this run's input {input}: find them again for it");
        try
        {
            using var reader = new StreamReader(file);
            var rows = new List<T>();
            foreach (var (line, fields) in Csv.ReadLines(reader))
            {
                if (line == 1)
                {
                    if (string.Join(',', fields) != header) throw new ImageClusterException($"{file} does not start with the header {header}");
                    continue;
                }
                rows.Add(parse(fields, line, file));
            }
            return rows;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageClusterException($"cannot read {file} ({e.Message})");
        }
    }
}
