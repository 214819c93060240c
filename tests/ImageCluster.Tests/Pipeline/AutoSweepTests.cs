using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Evaluation;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary><c>--algorithm auto</c>: the sweep ranks candidates honestly and keeps the best.</summary>
public class AutoSweepTests
{
    private static IReadOnlyList<string> Names(int n) => Enumerable.Range(0, n).Select(i => $"img/{i:D4}.jpg").ToList();

    [Fact]
    public void Above_the_large_sweep_size_only_minibatch_kmeans_runs_and_the_notice_says_what_was_left_out()
    {
        var x = TestData.Blobs(AutoSweep.LargeSweepRows + 1, 4, 3, seed: 5, out var truth, noise: 0.3);
        var notices = new List<string>();

        var (best, result) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { KMax = 5 }, new FitContext(Notice: notices.Add));

        Assert.All(result.Table, r => Assert.Equal("minibatch-kmeans", r.Algorithm));
        Assert.Equal(4, result.Table.Count); // k = 2..5
        Assert.Equal(3, best.Info.Clusters);
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(truth, best.Labels), 0.99, 1.0);
        Assert.Contains(notices, n => n.Contains("leaves out K-Means, ward, HDBSCAN and DBSCAN", StringComparison.Ordinal));
    }

    [Fact]
    public void Silhouette_ranking_finds_the_four_blobs_without_labels()
    {
        var (x, truth) = OracleData.Set("blobs");

        var (best, result) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { KMax = 8 });

        Assert.Equal(4, best.Info.Clusters);
        // The four blobs touch (std 0.7): the winner (K-Means or ward) may place a few border samples differently.
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(truth, best.Labels), 0.95, 1.0);
        Assert.Equal(7, result.Table.Count(r => r.Algorithm == "kmeans")); // k = 2..8
        Assert.Equal(7, result.Table.Count(r => r.Algorithm == "agglomerative"));
        Assert.Contains(result.Table, r => r.Algorithm == "hdbscan");
        Assert.Contains(result.Table, r => r.Algorithm == "dbscan");
        Assert.True(result.Table.Zip(result.Table.Skip(1)).All(p => (p.First.Score ?? double.NegativeInfinity) >= (p.Second.Score ?? double.NegativeInfinity)),
            "the table is sorted best first");
        Assert.Equal(4, AlgorithmRunner.RequestedClusters(result.BestOptions));
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(3.5)]
    [InlineData(4.0)]
    public void Calling_stragglers_noise_does_not_beat_the_clean_partition_they_would_join(double stragglerX)
    {
        // Two tight blobs 8 apart and five stragglers between them: DBSCAN calls the stragglers noise, and scored as
        // "silhouette of the rest × their share" that beat the clean two-cluster split the stragglers would join.
        var random = new Random(11);
        var rows = new List<float[]>();
        var truth = new List<int>();
        foreach (var (cx, n, label) in new[] { (0.0, 60, 0), (8.0, 60, 1) })
            for (int i = 0; i < n; i++)
            {
                rows.Add([(float)(cx + 0.5 * TestData.Gaussian(random)), (float)(0.5 * TestData.Gaussian(random))]);
                truth.Add(label);
            }
        for (int i = 0; i < 5; i++) rows.Add([(float)stragglerX, (float)(i - 2) * 0.6f]);
        var x = new FeatureMatrix(rows.Count, 2, rows.SelectMany(r => r).ToArray());

        var (best, result) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { KMax = 6 });

        Assert.Equal(0, best.Info.Noise);
        Assert.Equal(2, best.Info.Clusters);
        Assert.Equal(truth, best.Labels.Take(120).Select(l => l == best.Labels[0] ? 0 : 1)); // the blobs; the stragglers may go either way
        var noisy = result.Table.Where(r => r.Noise > 0).ToList();
        Assert.NotEmpty(noisy); // the case is real: some candidate did call the stragglers noise
        Assert.All(noisy, r => Assert.True(r.Score is null || r.Score <= result.Table[0].Score, $"{r.Algorithm} {r.Parameters} with {r.Noise} noise ranked above the clean split"));
    }

    [Fact]
    public void Stability_ranking_takes_the_neighbour_count_that_fits_small_groups()
    {
        // 30 tight groups of 6, as near-duplicate sets are: a 15-neighbour graph links each group to its neighbours.
        var x = TestData.Blobs(180, 16, 30, seed: 4, out var truth, noise: 0.05);

        var (best, result) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { RankBy = AutoRanking.Stability });

        Assert.Equal(AutoSweep.StabilityNeighbourCounts.Count, result.Table.Count);
        Assert.All(result.Table, r => Assert.Equal("leiden", r.Algorithm));
        Assert.All(result.Table, r => Assert.Equal(r.Stability, r.Score));
        Assert.Equal(5, ((Clustering.LeidenOptions)result.BestOptions).NNeighbors);
        Assert.True(result.Table[0].Stability > result.Table[1].Stability + 0.02, $"5 neighbours won by stability, not by a tie: {result.Table[0].Stability} vs {result.Table[1].Stability}");
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(truth, best.Labels), 0.95, 1.0);
        // Same seed, same choice and partition.
        var (again, _) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { RankBy = AutoRanking.Stability });
        Assert.Equal(best.Labels, again.Labels);
    }

    [Fact]
    public void Below_twenty_images_the_stability_sweep_runs_one_neighbour_count_and_scores_nothing()
    {
        var x = TestData.Blobs(12, 8, 2, seed: 1, out var truth, noise: 0.1);

        var (best, result) = AutoSweep.Run(x, Names(x.Rows), new AutoOptions { RankBy = AutoRanking.Stability });

        var only = Assert.Single(result.Table);
        Assert.Equal((null, null), (only.Stability, only.Score));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, best.Labels));
        Assert.Contains("at least 3 images (got 2)", Assert.Throws<ArgumentException>(() =>
            AutoSweep.Run(TestData.Blobs(2, 8, 1, seed: 1, out _), Names(2), new AutoOptions { RankBy = AutoRanking.Stability })).Message);
    }

    [Fact]
    public void Label_ranking_scores_every_candidate_with_the_labels()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        var names = Names(x.Rows);
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. names.Select((p, i) => $"{p},c{truth[i]}")]);

        var (best, result) = AutoSweep.Run(x, names, new AutoOptions { KMax = 7, RankBy = AutoRanking.Nmi, Labels = temp.Combine("labels.csv") });

        Assert.All(result.Table, r => Assert.NotNull(r.Nmi));
        Assert.Equal(result.Table.Max(r => r.Nmi), result.Table[0].Score);
        Assert.Equal(ClusteringMetrics.NormalizedMutualInformation(truth, best.Labels), result.Table[0].Nmi!.Value, 12);
    }

    [Fact]
    public void External_rankings_need_labels_and_qm_needs_a_class()
    {
        var (x, _) = OracleData.Set("blobs");
        Assert.Contains("needs Labels", Assert.Throws<ArgumentException>(() => AutoSweep.Run(x, Names(x.Rows), new AutoOptions { RankBy = AutoRanking.Nmi })).Message);
        Assert.Contains("set Positive", Assert.Throws<ArgumentException>(() => AutoSweep.Run(x, Names(x.Rows),
            new AutoOptions { RankBy = AutoRanking.Qm, Labels = "x.csv" })).Message);
        Assert.Contains("no k is left to try", Assert.Throws<ArgumentException>(() => AutoSweep.Run(x, Names(x.Rows), new AutoOptions { KMin = 9, KMax = 3 })).Message);
    }

    [Fact]
    public async Task Cli_prints_the_table_and_keeps_the_winner()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs");
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, Names(x.Rows), x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--algorithm", "auto", "--k-max", "6", "--out", temp.Combine("run"));

        Assert.Equal(0, run.ExitCode);
        // k 2..6 for K-Means and ward, 4 HDBSCAN sizes, 3 DBSCAN radii around the k-distance knee.
        Assert.Contains("auto: 17 candidates ranked by silhouette", run.Stdout);
        Assert.Matches(@"auto picked (kmeans|agglomerative) --k 4\n", run.Stdout);
        var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement;
        Assert.Equal(17, json.GetProperty("auto").GetProperty("table").GetArrayLength());

        var misuse = await CliRunner.RunAsync("cluster", "--features", file, "--k", "3", "--k-max", "6");
        Assert.Equal(2, misuse.ExitCode);
        Assert.Contains("--k-max is an option of --algorithm auto", misuse.Stderr);
    }

    [Fact]
    public void A_class_of_interest_ranks_by_the_quality_metric_unless_another_ranking_is_chosen()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        var names = Names(x.Rows);
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. names.Select((p, i) => $"{p},c{truth[i]}")]);
        var options = new AutoOptions { KMax = 7, Labels = temp.Combine("labels.csv"), Positive = "c0" };

        var (best, result) = AutoSweep.Run(x, names, options);

        Assert.Equal(AutoRanking.Qm, result.RankBy);
        Assert.All(result.Table, r => Assert.Equal(r.Qm, r.Score));
        Assert.Equal(result.Table.Max(r => r.Qm), result.Table[0].Qm);
        var report = EvaluateJob.Evaluate(names, best.Labels, LabelFile.Read(options.Labels), "test", "c0");
        Assert.Equal(report.ClassOfInterest!.QualityMetric, result.Table[0].Qm!.Value, 12);

        var (_, byNmi) = AutoSweep.Run(x, names, options with { RankBy = AutoRanking.Nmi });
        Assert.Equal(AutoRanking.Nmi, byNmi.RankBy);
        Assert.Equal(byNmi.Table.Max(r => r.Nmi), byNmi.Table[0].Nmi);
        Assert.Equal(AutoRanking.Silhouette, AutoSweep.Run(x, names, options with { Positive = null }).Result.RankBy);
    }

    [Fact]
    public async Task A_candidate_without_a_majority_cluster_of_the_class_has_no_quality_metric()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        var names = Names(x.Rows);
        // Every tenth image is 'rare', spread over all five blobs: no cluster of the sweep (≥ 5 images each) is mostly rare.
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. names.Select((p, i) => $"{p},{(i % 10 == 0 ? "rare" : $"c{truth[i]}")}")]);
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, names, x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--algorithm", "auto", "--k-max", "6", "--labels", temp.Combine("labels.csv"),
            "--positive", "rare", "--out", temp.Combine("run"), "--json");

        Assert.Equal(0, run.ExitCode);
        var table = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("auto");
        Assert.Equal("qm", table.GetProperty("rankBy").GetString());
        Assert.All(table.GetProperty("table").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("qm").ValueKind));

        var text = await CliRunner.RunAsync("cluster", "--features", file, "--algorithm", "auto", "--k-max", "6", "--labels", temp.Combine("labels.csv"),
            "--positive", "rare", "--out", temp.Combine("run"));
        Assert.Contains("candidates ranked by qm", text.Stdout);
        var rows = text.Stdout.Split('\n').Where(l => l.StartsWith("  kmeans ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, rows.Count); // k 2..6
        Assert.All(rows, r => Assert.Matches(@"\bn/a +\d+\.\d\d$", r)); // the QM column, just before the seconds
    }

    [Fact]
    public async Task A_class_of_interest_missing_from_the_labels_is_refused_before_any_work()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        var names = Names(x.Rows);
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. names.Select((p, i) => $"{p},c{truth[i]}")]);
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, names, x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--algorithm", "auto", "--labels", temp.Combine("labels.csv"),
            "--positive", "nosuchclass", "--out", temp.Combine("run"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: --positive 'nosuchclass' is not a class of {temp.Combine("labels.csv")}; its 5 classes: c0, c1, c2, c3, c4\n", run.Stderr);
        Assert.DoesNotContain("auto:", run.Stderr); // refused before the sweep's first candidate
        Assert.False(Directory.Exists(temp.Combine("run")));
    }
}
