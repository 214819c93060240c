using System.Globalization;
using ImageCluster.Pipeline;

namespace ImageCluster.Bench;

/// <summary>
/// Planted junk through the issues job: takes a shared set's photos (a fixed shuffle), plants every kind of
/// <see cref="PlantedJunk"/> from its own photos, runs <c>issues</c> on the folder and prints, per kind, the share found
/// as its issue (recall) and the share of the untouched originals flagged with that issue (false flags).
/// Usage: bench issues [--set oxford17_flowers] [--per-kind 30] [--originals 600] [--work DIR]
/// </summary>
internal static class IssuesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string set = Arg("--set", "oxford17_flowers");
        int perKind = int.Parse(Arg("--per-kind", "30"), CultureInfo.InvariantCulture);
        int originals = int.Parse(Arg("--originals", "600"), CultureInfo.InvariantCulture);
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), $"issues-bench-{Environment.ProcessId}")));
        string root = Path.Combine(BenchArgs.RepoRoot(), "..", "shared", "datasets", set);
        var photos = Photos(root, perKind * PlantedJunk.Kinds.Count + originals);
        string folder = Path.Combine(work, "images");
        var made = PlantedJunk.Make(photos, folder, perKind);
        var summary = await CurationJob.IssuesAsync(new CurationJobOptions
        {
            Input = folder, Output = Path.Combine(work, "run"), Store = Path.Combine(work, "store.db"),
        });
        var table = Score(made, File.ReadLines(summary.IssuesFile).Skip(1).Select(l => l.Split(',')).Select(f => (f[0], f[1])));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"set: {set}, {made.Count(m => m.Kind == "original")} untouched originals + {perKind} planted per kind; issues job {summary.TimingsSeconds["total"]:F1} s");
        Console.WriteLine("| planted kind | issue | found (recall) | originals flagged with it |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var row in table)
            Console.WriteLine(FormattableString.Invariant($"| {row.Kind} | {row.Issue} | {row.Found}/{row.Planted} ({row.Recall:P1}) | {row.FalseFlags}/{row.Originals} ({row.FalseRate:P1}) |"));
        Console.WriteLine("all issues on the originals: " + string.Join(", ", File.ReadLines(summary.IssuesFile).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0].StartsWith("originals/", StringComparison.Ordinal)).GroupBy(f => f[1]).Select(g => $"{g.Key} {g.Count()}")));
        return 0;
    }

    /// <summary>One row per planted kind: how many of its files carry its issue, and how many originals do.</summary>
    public static List<(string Kind, string Issue, int Found, int Planted, double Recall, int FalseFlags, int Originals, double FalseRate)> Score(
        IReadOnlyList<(string Path, string Kind)> made, IEnumerable<(string Path, string Issue)> issues)
    {
        var flagged = issues.ToHashSet();
        int originals = made.Count(m => m.Kind == "original");
        return PlantedJunk.Kinds.Select(k =>
        {
            var planted = made.Where(m => m.Kind == k.Kind).ToList();
            int found = planted.Count(m => flagged.Contains((m.Path, k.Issue)));
            int falseFlags = made.Count(m => m.Kind == "original" && flagged.Contains((m.Path, k.Issue)));
            return (k.Kind, k.Issue, found, planted.Count, (double)found / planted.Count, falseFlags, originals, (double)falseFlags / originals);
        }).ToList();
    }

    /// <summary>The set's images in a fixed shuffle (seed 15), so planted and clean photos come from every class.</summary>
    public static List<string> Photos(string root, int count)
    {
        var all = File.ReadLines(Path.Combine(root, "labels.csv")).Skip(1).Select(l => Path.Combine(root, l.Split(',')[0])).Order(StringComparer.Ordinal).ToList();
        var random = new Random(15);
        return all.OrderBy(_ => random.Next()).Take(count).ToList();
    }
}
