using System.Globalization;
using ImageCluster.Neighbours;
using ImageCluster.Pipeline;

namespace ImageCluster.Bench;

/// <summary>
/// The near-duplicate threshold curve: runs the <c>duplicates</c> job at each threshold on a folder whose
/// <c>labels.csv</c> has a <c>group</c> column (the shared near_duplicates set by default) and prints the pairwise
/// precision and recall of the groups it writes against the true ones.
/// Usage: bench near-duplicates [--input DIR (with labels.csv: path,group,…)] [--model NAME] [--keep largest|first] [--max-hash-distance 18|none]
/// </summary>
internal static class NearDuplicatesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string input = Path.GetFullPath(Arg("--input", Path.Combine(BenchArgs.RepoRoot(), "..", "shared", "datasets", "near_duplicates")));
        string? model = Arg("--model", "") is { Length: > 0 } m ? m : null;
        var keep = Enum.Parse<Curation.KeepRule>(Arg("--keep", "largest"), ignoreCase: true);
        string hashArg = Arg("--max-hash-distance", CurationJobOptions.DefaultMaxHashDistance.ToString(CultureInfo.InvariantCulture));
        int? maxHash = hashArg is "none" or "64" ? null : int.Parse(hashArg, CultureInfo.InvariantCulture);
        var truthByPath = File.ReadLines(Path.Combine(input, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        string work = Path.Combine(Path.GetTempPath(), $"near-duplicates-bench-{Environment.ProcessId}");
        try
        {
            Console.WriteLine($"set: {input} ({truthByPath.Count} images, {truthByPath.Values.Distinct().Count()} groups), keep {keep}, " +
                              (maxHash is { } h ? $"perceptual hashes within {h} bits" : "embedding alone"));
            Console.WriteLine("| threshold | pairwise precision | pairwise recall | F1 | images in a group | groups |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (int t = 80; t <= 97; t++)
            {
                var summary = await CurationJob.DuplicatesAsync(new CurationJobOptions
                {
                    Input = input, Output = Path.Combine(work, $"t{t}"), Store = Path.Combine(work, "store.db"), Model = model, Threshold = t / 100.0, Keep = keep, MaxHashDistance = maxHash,
                });
                var group = File.ReadLines(summary.DuplicatesFile).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));
                var paths = truthByPath.Keys.ToList();
                var found = paths.Select(p => group.GetValueOrDefault(p, -1)).ToArray();
                var (precision, recall) = NearDuplicateGroups.PairwiseScores(found, paths.Select(p => truthByPath[p]).ToList());
                double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                Console.WriteLine(FormattableString.Invariant($"| {t / 100.0:F2} | {precision:F3} | {recall:F3} | {f1:F3} | {summary.InGroups} | {summary.Groups} |"));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
