using ImageCluster.Clustering;
using ImageCluster.Export;
using ImageCluster.Pipeline;
using ImageCluster.Runs;

namespace ImageCluster.Tests;

/// <summary>
/// The guard before long work (issue 14, item 13): a super-linear fit expected to run longer than the limit is refused
/// before it starts, with the estimate and the way out; long passes report progress. How close the estimate comes to the
/// real time is measured in bench (docs/benchmarks.md), not here.
/// </summary>
public class FitBudgetTests
{
    private static readonly FeatureMatrix Large = TestData.Blobs(FitBudget.SmallestEstimated, 8, 5, seed: 13, out _);

    [Fact]
    public void A_quadratic_fit_over_the_limit_is_refused_with_the_estimate_and_the_alternatives()
    {
        var options = new DbscanOptions { Eps = 1.5, MinSamples = 5 };

        var e = Assert.Throws<ArgumentException>(() =>
            AlgorithmRunner.Fit(options, Large, new FitContext(TimeLimit: TimeSpan.FromMilliseconds(1))));

        Assert.Equal("ClusteringTimeLimit", e.ParamName);
        Assert.Contains("estimated ", e.Message);
        Assert.Contains("for dbscan on 16,000 images (a trial fit on 4,000 of them took", e.Message);
        Assert.Contains("kmeans, minibatch-kmeans, birch", e.Message);
    }

    [Fact]
    public void Under_the_limit_the_fit_runs()
    {
        var options = new DbscanOptions { Eps = 0.5, MinSamples = 5 };
        var notices = new List<string>();

        var outcome = AlgorithmRunner.Fit(options, Large, new FitContext(TimeLimit: TimeSpan.FromHours(1), Notice: notices.Add));

        Assert.Equal(Large.Rows, outcome.Labels.Length);
        Assert.All(notices, n => Assert.StartsWith("estimated ", n));
    }

    [Fact]
    public void Linear_algorithms_small_sets_and_options_a_trial_cannot_take_get_no_estimate()
    {
        Assert.Null(FitBudget.Estimate(new KMeansOptions { NClusters = 5 }, Large));
        Assert.Null(FitBudget.Estimate(new BirchOptions(), Large));
        Assert.Null(FitBudget.Estimate(new HdbscanOptions(), TestData.Blobs(FitBudget.SmallestEstimated - 1, 4, 3, seed: 2, out _)));
        // 5 000 medoids cannot be fitted on a 4 000-row trial: no estimate, and the real fit says what is wrong itself.
        Assert.Null(FitBudget.Estimate(new KMedoidsOptions { NClusters = 5_000 }, Large));
        // 1 000 clusters do not fit the 500-row warm-up but do fit the trial: still estimated.
        Assert.NotNull(FitBudget.Estimate(new AgglomerativeOptions { NClusters = 1_000 }, Large));

        var estimate = FitBudget.Estimate(new HdbscanOptions { MinClusterSize = 20 }, Large);
        Assert.NotNull(estimate);
        Assert.True(estimate.TrialSeconds > 0, $"{estimate}");
        Assert.Equal(4_000, estimate.TrialRows);
        Assert.Equal(estimate.TrialSeconds * 16, estimate.Seconds, 9); // 16 000 rows: (16 000 / 4 000)² trials
    }

    [Fact]
    public void A_limit_that_is_set_must_be_positive()
    {
        var e = Assert.Throws<ArgumentException>(() => FitBudget.ValidateLimit(TimeSpan.Zero));
        Assert.Equal("ClusteringTimeLimit", e.ParamName);
        FitBudget.ValidateLimit(null);
    }

    [Fact]
    public void The_sweep_leaves_out_the_candidates_over_the_limit_and_says_so()
    {
        var notices = new List<string>();

        var (best, result) = AutoSweep.Run(Large, Enumerable.Range(0, Large.Rows).Select(i => $"{i}.jpg").ToList(),
            new AutoOptions { KMin = 4, KMax = 6 }, new FitContext(TimeLimit: TimeSpan.FromMilliseconds(1), Notice: notices.Add));

        Assert.All(result.Table, row => Assert.Equal("kmeans", row.Algorithm));
        Assert.Equal(3, result.Table.Count);
        Assert.Contains(notices, n => n.StartsWith("auto: hdbscan min_cluster_size=5: left out, estimated ", StringComparison.Ordinal));
        Assert.Contains(notices, n => n.StartsWith("auto: dbscan eps=", StringComparison.Ordinal) && n.Contains("left out", StringComparison.Ordinal));
        Assert.Equal(5, best.Info.Clusters);
    }

    [Fact]
    public async Task The_cli_refuses_in_one_line_naming_its_flag_and_writes_no_result()
    {
        using var temp = new TempFolder();
        string features = temp.Combine("features.csv");
        RunOutputs.WriteFeatures(features, Enumerable.Range(0, Large.Rows).Select(i => $"img/{i:D5}.jpg").ToList(), Large);

        var run = await CliRunner.RunAsync("cluster", "--features", features, "--algorithm", "hdbscan", "--cluster-time-limit", "0.00001",
            "--out", temp.Combine("run"));
        var negative = await CliRunner.RunAsync("cluster", "--features", features, "--k", "3", "--cluster-time-limit", "-1", "--out", temp.Combine("run2"));

        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("estimated ", error);
        Assert.Contains("for hdbscan on 16,000 images", error);
        Assert.Contains("over --cluster-time-limit = 0 s", error);
        Assert.Contains("or a higher --cluster-time-limit", error);
        Assert.False(File.Exists(temp.Combine("run", "assignments.csv")));
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--cluster-time-limit must be positive", negative.Stderr);
    }

    [Fact]
    public void A_meter_reports_from_any_thread_in_order_and_finishes_at_the_total()
    {
        var reports = new List<StageProgress>();
        var sink = new Collect(reports);
        WorkMeter meter;
        using (WorkMeter.QuietFor(TimeSpan.Zero)) meter = WorkMeter.Start(sink, "test pass", 1_000, "blocks");

        Parallel.For(0, 1_000, _ => { meter.Add(1); Thread.SpinWait(2_000); });
        meter.Finish();

        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(("test pass", 1_000, "blocks"), (r.Stage, r.Total, r.Unit)));
        Assert.Equal(1_000, reports[^1].Done);
        Assert.All(reports, r => Assert.InRange(r.Done, 1, 1_000));
    }

    [Fact]
    public void A_pass_shorter_than_the_quiet_period_reports_nothing()
    {
        var reports = new List<StageProgress>();
        WorkMeter meter;
        using (WorkMeter.QuietFor(TimeSpan.FromMinutes(1))) meter = WorkMeter.Start(new Collect(reports), "short pass", 10, "images");

        for (int i = 0; i < 10; i++) meter.Add(1);
        meter.Finish();

        Assert.Empty(reports);
    }

    [Fact]
    public void A_long_fit_reports_its_passes_through_the_public_api()
    {
        var reports = new List<StageProgress>();
        var x = TestData.Blobs(3_000, 16, 5, seed: 21, out _);

        HdbscanResult result;
        using (WorkMeter.QuietFor(TimeSpan.Zero)) // a fit this small is quiet for its first second otherwise
            result = new Hdbscan(new HdbscanOptions { MinClusterSize = 50 }).Fit(x, new Collect(reports));

        Assert.Equal(x.Rows, result.Labels.Length);
        var tree = reports.Where(r => r.Stage == "hdbscan spanning tree").ToList();
        Assert.NotEmpty(tree);
        Assert.Equal(x.Rows - 1, tree[^1].Done);
        Assert.Equal("edges", tree[^1].Unit);
        Assert.True(tree.Zip(tree.Skip(1)).All(p => p.First.Done <= p.Second.Done), "progress went backwards");
        Assert.Contains(reports, r => r.Stage == "hdbscan core distances");
    }

    // Progress<T> posts to the thread pool, so reports could arrive after the fit returns: collect them synchronously.
    private sealed class Collect(List<StageProgress> reports) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
