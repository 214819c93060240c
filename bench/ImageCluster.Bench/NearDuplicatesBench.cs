using System.Globalization;
using ImageCluster.Embedding;
using ImageCluster.Neighbours;

namespace ImageCluster.Bench;

/// <summary>
/// The near-duplicate threshold curve: embeds a folder whose <c>labels.csv</c> has a <c>group</c> column (the shared
/// near_duplicates set by default), links the pairs of each image's k nearest (cosine) at or above each threshold,
/// and prints the pairwise precision and recall of the resulting groups against the true ones.
/// Usage: bench near-duplicates [--input DIR (with labels.csv: path,group,…)] [--model NAME] [--k 10]
/// </summary>
internal static class NearDuplicatesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string input = Path.GetFullPath(Arg("--input", Path.Combine(BenchArgs.RepoRoot(), "..", "shared", "datasets", "near_duplicates")));
        int k = int.Parse(Arg("--k", "10"), CultureInfo.InvariantCulture);
        string? model = Arg("--model", "") is { Length: > 0 } m ? m : null;
        var truthByPath = File.ReadLines(Path.Combine(input, "labels.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => f[1]);
        string store = Path.Combine(Path.GetTempPath(), $"near-duplicates-bench-{Environment.ProcessId}.db");
        try
        {
            var features = await ImageFeatures.FromFolderAsync(input, new ImageFeaturesOptions { Model = model, Store = store });
            var truth = features.Paths.Select(p => truthByPath[Path.GetRelativePath(input, Path.GetFullPath(p, input)).Replace('\\', '/')]).ToArray();
            using var index = new ExactNeighbourIndex(features.Matrix, DistanceMetric.Cosine);
            var neighbours = AllNeighbours.Of(index, features.Matrix, k);
            Console.WriteLine($"set: {input} ({features.Paths.Count} images, {truth.Distinct().Count()} groups), model {features.Model}, k = {k}");
            Console.WriteLine("| threshold | pairwise precision | pairwise recall | F1 | images in a group |");
            Console.WriteLine("|---|---|---|---|---|");
            for (int t = 50; t <= 99; t++)
            {
                var groups = NearDuplicateGroups.Of(neighbours, t / 100.0);
                var (precision, recall) = NearDuplicateGroups.PairwiseScores(groups, truth);
                double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                Console.WriteLine(FormattableString.Invariant($"| {t / 100.0:F2} | {precision:F3} | {recall:F3} | {f1:F3} | {groups.Count(g => g >= 0)} |"));
            }
            return 0;
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(store) + "*")) File.Delete(file);
        }
    }
}
