using System.Diagnostics;
using System.Globalization;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;
using ImageCluster.Pipeline;
using ImageCluster.Runs;

namespace ImageCluster.Bench;

/// <summary>
/// Issue 17's two comparisons, on the whole shared sets and on held-back halves of their classes.
/// (1) k = number of classes: K-Means against the graph methods (Leiden with its resolution searched for k, spectral)
///     and UMAP to 10 dimensions + K-Means.
/// (2) No k and no labels: the label-free default (<c>cluster</c> without <c>--algorithm</c> and <c>--k</c>, the auto
///     sweep ranked by stability) and the other label-free rules it could have been — Leiden at resolution 1 on a fixed
///     5- or 15-neighbour graph, the silhouette-ranked auto sweep, UMAP-10 + HDBSCAN — against K-Means at the true k (the
///     bar: within 0.03).
/// Held back: each set's classes are split in two halves (sorted names, alternately); the method of (1) and the rule of
/// (2) are chosen mechanically on one half of every set, then reported on the other half, in both directions. The
/// features are the models bench's cache (same protocol: L2-normalised rows, embedded by the real CLI).
/// Usage: bench label-free [--sets a,b] [--work DIR] [--cli PATH] [--shared DIR] [--seeds 3] [--spec mobilenetv2_12_int8]
/// </summary>
internal static class LabelFreeBench
{
    private static readonly string[] HardSets = ["oxford17_flowers", "cifar10_test_subset", "flowers5_kaggle_subset", "umist_faces"];

    private static readonly string[] KMethods = ["leiden", "spectral", "umap10+kmeans"];

    private static readonly string[] FreeRules = ["default (stability)", "leiden 15-NN γ 1", "leiden 5-NN γ 1", "auto (silhouette)", "umap10+hdbscan"];

    // The bar of the issue: at most this far below K-Means with the true k.
    private const double FreeTolerance = 0.03;

    // Comparison (1) may lose at most this much on any set.
    private const double KLossTolerance = 0.01;

    /// <summary>Mean NMI (over seeds) and the clusters found, of one method on one subset.</summary>
    private sealed record Cell(double Nmi, string Found);

    /// <summary>Every method's cell on one subset of one set.</summary>
    private sealed record Subset(string Set, string Part, int Images, int Classes, Dictionary<string, Cell> Cells);

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        var (shared, _, cli, work, sets, environment) = ModelsBench.Setting.Read(args);
        int seeds = int.Parse(Arg("--seeds", "3"), CultureInfo.InvariantCulture);
        var spec = ModelsBench.Spec.Parse(Arg("--spec", "mobilenetv2_12_int8"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"features: {spec.Text} (L2-normalised); seeds 0..{seeds - 1}; K-Means n_init 10");

        var whole = new List<Subset>();
        var halves = new List<Subset>();
        var clock = Stopwatch.StartNew();
        foreach (string set in sets)
        {
            var (input, labels) = ModelsBench.Prepare(shared, set, work);
            var features = ModelsBench.Embed(cli, environment, spec, set, input, work);
            var truth = features.Paths.Select(p => labels[p]).ToArray();
            var x = features.Matrix.Clone();
            x.NormalizeRowsInPlace();
            x = Isometry.Reduce(x);
            var classes = truth.Distinct().Order(StringComparer.Ordinal).ToArray();
            whole.Add(Measure(set, "all", x, truth, features.Paths, Enumerable.Range(0, x.Rows).ToArray(), seeds));
            for (int part = 0; part < 2; part++)
            {
                var mine = classes.Where((_, i) => i % 2 == part).ToHashSet();
                int[] rows = Enumerable.Range(0, x.Rows).Where(i => mine.Contains(truth[i])).ToArray();
                halves.Add(Measure(set, part == 0 ? "A" : "B", x, truth, features.Paths, rows, seeds));
            }
            Console.Error.WriteLine($"  {set} done at {clock.Elapsed.TotalSeconds:F0} s");
        }

        PrintWhole(whole);
        foreach (var (choose, report) in new[] { ("A", "B"), ("B", "A") })
            PrintHeldBack(halves.Where(h => h.Part == choose).ToList(), halves.Where(h => h.Part == report).ToList(), choose, report);
        Console.WriteLine($"\ntotal {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>Every method on the rows <paramref name="rows"/> of <paramref name="x"/>.</summary>
    private static Subset Measure(string set, string part, FeatureMatrix x, string[] truth, string[] paths, int[] rows, int seeds)
    {
        var sub = Diagnostics.Sampling.Rows(x, rows);
        var subTruth = rows.Select(i => truth[i]).ToList();
        var subPaths = rows.Select(i => paths[i]).ToList();
        int k = subTruth.Distinct().Count();
        var cells = new Dictionary<string, Cell>();
        void Add(string method, Func<int, (int[] Labels, string Found)> fit)
        {
            var runs = Enumerable.Range(0, seeds).Select(fit).ToList();
            double nmi = runs.Average(r => ClusteringMetrics.NormalizedMutualInformation(subTruth, r.Labels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList()));
            cells[method] = new Cell(nmi, string.Join(" ", runs.Select(r => r.Found)));
        }
        (int[], string) Plain(IClusteringResult r) => (r.Labels, r.NClusters.ToString(CultureInfo.InvariantCulture));
        Add("kmeans", seed => Plain(new KMeans(new KMeansOptions { NClusters = k, NInit = 10, Seed = seed }).Fit(sub)));
        Add("leiden", seed => Plain(new Leiden(new LeidenOptions { NClusters = k, Seed = seed }).Fit(sub)));
        Add("spectral", seed => Plain(new Spectral(new SpectralOptions { NClusters = k, Seed = seed }).Fit(sub)));
        // umap-learn's clustering recipe: 10 components, min_dist 0, then K-Means at k (its docs use HDBSCAN, which needs no k).
        Add("umap10+kmeans", seed => Plain(new KMeans(new KMeansOptions { NClusters = k, NInit = 10, Seed = seed })
            .Fit(Umap.Fit(sub, new UmapOptions { NComponents = 10, MinDist = 0, Seed = seed }))));
        Add("umap10+hdbscan", seed => Plain(new Hdbscan(new HdbscanOptions { MinClusterSize = 5 })
            .Fit(Umap.Fit(sub, new UmapOptions { NComponents = 10, MinDist = 0, Seed = seed }))));
        Add(FreeRules[0], seed =>
        {
            var (best, result) = AutoSweep.Run(sub, subPaths, new AutoOptions { RankBy = AutoRanking.Stability, Seed = seed });
            return (best.Labels, $"{best.Info.Clusters}@{((LeidenOptions)result.BestOptions).NNeighbors}NN");
        });
        Add(FreeRules[1], seed => Plain(new Leiden(new LeidenOptions { NNeighbors = 15, Seed = seed }).Fit(sub)));
        Add(FreeRules[2], seed => Plain(new Leiden(new LeidenOptions { NNeighbors = 5, Seed = seed }).Fit(sub)));
        Add(FreeRules[3], seed =>
        {
            var (best, result) = AutoSweep.Run(sub, subPaths, new AutoOptions { Seed = seed });
            return (best.Labels, $"{best.Info.Clusters}:{result.BestOptions.AlgorithmName}");
        });
        Console.Error.WriteLine(Inv($"    {set} {part}: {rows.Length} images, {k} classes: ") +
                                string.Join(", ", cells.Select(c => Inv($"{c.Key} {c.Value.Nmi:F3} [{c.Value.Found}]"))));
        return new Subset(set, part, rows.Length, k, cells);
    }

    private static void PrintWhole(List<Subset> whole)
    {
        Console.WriteLine("\n## Whole sets");
        Console.WriteLine($"| set | images | classes | K-Means (true k) | {string.Join(" | ", KMethods.Select(m => m + " (true k)"))} | {string.Join(" | ", FreeRules)} |");
        Console.WriteLine($"|---|---|---|---|{string.Concat(KMethods.Select(_ => "---|"))}{string.Concat(FreeRules.Select(_ => "---|"))}");
        foreach (var s in whole)
            Console.WriteLine($"| {s.Set} | {s.Images} | {s.Classes} | {s.Cells["kmeans"].Nmi:F3} | " +
                              string.Join(" | ", KMethods.Concat(FreeRules).Select(m => Inv($"{s.Cells[m].Nmi:F3} ({s.Cells[m].Nmi - s.Cells["kmeans"].Nmi:+0.000;-0.000;0.000})"))) + " |");
        Console.WriteLine("clusters found per seed: " + string.Join("; ", whole.Select(s => $"{s.Set}: {string.Join(", ", FreeRules.Take(1).Concat(FreeRules.Skip(3)).Select(r => s.Cells[r].Found))}")));
        Summarise("whole sets", whole, KMethods, FreeRules);
    }

    /// <summary>Chooses a k-method and a label-free rule on <paramref name="chosenOn"/>, and reports them on <paramref name="reportedOn"/>.</summary>
    private static void PrintHeldBack(List<Subset> chosenOn, List<Subset> reportedOn, string choose, string report)
    {
        Console.WriteLine($"\n## Held back: chosen on half {choose} of every set, reported on half {report}");
        // (1) The method with the largest mean gain over K-Means on the hard sets, among those losing ≤ 0.01 nowhere (else the largest gain).
        string kMethod = KMethods.OrderByDescending(m => chosenOn.All(s => s.Cells[m].Nmi >= s.Cells["kmeans"].Nmi - KLossTolerance))
            .ThenByDescending(m => MeanGain(chosenOn, m)).First();
        // (2) The rule within the tolerance on most sets; ties by the worst margin.
        string rule = FreeRules.OrderByDescending(r => chosenOn.Count(s => Margin(s, r) >= -FreeTolerance)).ThenByDescending(r => chosenOn.Min(s => Margin(s, r))).First();
        Console.WriteLine(Inv($"chosen on {choose}: k-method {kMethod} (mean gain on the hard sets there {MeanGain(chosenOn, kMethod):+0.000;-0.000}); label-free rule {rule} ") +
                          Inv($"(within {FreeTolerance} on {chosenOn.Count(s => Margin(s, rule) >= -FreeTolerance)}/{chosenOn.Count} sets there)"));
        Console.WriteLine($"| set (half {report}) | images | classes | K-Means (true k) | {kMethod} (true k) | {rule} (no k) | found |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var s in reportedOn)
            Console.WriteLine(Inv($"| {s.Set} | {s.Images} | {s.Classes} | {s.Cells["kmeans"].Nmi:F3} | {s.Cells[kMethod].Nmi:F3} ({s.Cells[kMethod].Nmi - s.Cells["kmeans"].Nmi:+0.000;-0.000;0.000}) | ") +
                              Inv($"{s.Cells[rule].Nmi:F3} ({Margin(s, rule):+0.000;-0.000;0.000}) | {s.Cells[rule].Found} |"));
        Summarise($"half {report}", reportedOn, [kMethod], [rule]);
    }

    private static void Summarise(string what, List<Subset> subsets, IEnumerable<string> kMethods, IEnumerable<string> rules)
    {
        foreach (var m in kMethods)
        {
            var worst = subsets.MinBy(s => s.Cells[m].Nmi - s.Cells["kmeans"].Nmi)!;
            Console.WriteLine(Inv($"{what}, {m} at the true k: mean gain over K-Means on the four hard sets {MeanGain(subsets, m):+0.000;-0.000} (bar +0.05), ") +
                              Inv($"largest loss {Math.Min(0, worst.Cells[m].Nmi - worst.Cells["kmeans"].Nmi):+0.000;-0.000;0.000} on {worst.Set} (bar −0.01)"));
        }
        foreach (var r in rules)
        {
            var failing = subsets.Where(s => Margin(s, r) < -FreeTolerance).Select(s => Inv($"{s.Set} {Margin(s, r):+0.000;-0.000}")).ToList();
            Console.WriteLine($"{what}, {r} without k: within {FreeTolerance} of K-Means-with-the-true-k on {subsets.Count - failing.Count}/{subsets.Count} sets" +
                              (failing.Count > 0 ? $"; short on {string.Join(", ", failing)}" : ""));
        }
    }

    private static double MeanGain(List<Subset> subsets, string method) =>
        subsets.Where(s => HardSets.Contains(s.Set)).Select(s => s.Cells[method].Nmi - s.Cells["kmeans"].Nmi).DefaultIfEmpty(double.NaN).Average();

    private static double Margin(Subset s, string rule) => s.Cells[rule].Nmi - s.Cells["kmeans"].Nmi;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
