using System.Text.Json;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>External metrics against scikit-learn 1.2.1 (fixture made by tools/make_metric_fixtures.py).</summary>
public class SklearnMetricOracleTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture().GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", "metrics.json"))).RootElement;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_equal_scikit_learn(string name)
    {
        var c = Fixture().GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        int[] truth = c.GetProperty("truth").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int[] predicted = c.GetProperty("predicted").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        double Expected(string key) => c.GetProperty(key).GetDouble();

        Assert.Equal(Expected("rand"), ClusteringMetrics.RandIndex(truth, predicted), 12);
        Assert.Equal(Expected("adjusted_rand"), ClusteringMetrics.AdjustedRandIndex(truth, predicted), 12);
        Assert.Equal(Expected("nmi"), ClusteringMetrics.NormalizedMutualInformation(truth, predicted), 12);
        Assert.Equal(Expected("ami"), ChanceAdjusted.AdjustedMutualInformation(truth, predicted), 10);
        Assert.Equal(Expected("hungarian_accuracy"), ChanceAdjusted.HungarianAccuracy(truth, predicted), 12);
        var (h, completeness, v) = ClusteringMetrics.HomogeneityCompletenessVMeasure(truth, predicted);
        Assert.Equal(Expected("homogeneity"), h, 12);
        Assert.Equal(Expected("completeness"), completeness, 12);
        Assert.Equal(Expected("v_measure"), v, 12);
    }
}

public class ClassOfInterestTests
{
    /// <summary>Woźniak &amp; Wrzesiński's DBSCAN eps = 175 result (ANCHORS.md): doc cluster = 48 doc + 3 break + 1 roentgen, 2 doc as noise.</summary>
    private static (List<string> Truth, List<int> Clusters) PaperDbscan()
    {
        var truth = new List<string>();
        var clusters = new List<int>();
        void Add(string label, int cluster, int count)
        {
            for (int i = 0; i < count; i++) { truth.Add(label); clusters.Add(cluster); }
        }
        Add("doc", 0, 48); Add("break", 0, 3); Add("roentgen", 0, 1); Add("doc", -1, 2);
        Add("break", 1, 47); Add("roentgen", 2, 49); Add("others", 3, 50);
        return (truth, clusters);
    }

    [Fact]
    public void Reproduces_the_papers_quality_metric_for_dbscan()
    {
        var (truth, clusters) = PaperDbscan();
        var score = ClassOfInterest.Score(truth, clusters, "doc");
        Assert.Equal([0], score.KeptClusters);
        Assert.Equal("majority", score.KeptChosenBy);
        Assert.Equal(48.0 / 52, score.Precision, 12);
        Assert.Equal(48.0 / 50, score.Recall, 12);
        Assert.Equal(0.9489, score.QualityMetric, 4); // the notebook's 0.9489
    }

    [Fact]
    public void Kept_clusters_and_weights_can_be_given()
    {
        var (truth, clusters) = PaperDbscan();
        var score = ClassOfInterest.Score(truth, clusters, "doc", kept: [0, -1], weights: (0.5, 0.5));
        Assert.Equal((52L + 2, 50L, 50L), (score.Selected, score.Positives, score.TruePositives));
        Assert.Equal(0.5 * 50 / 54 + 0.5 * 1.0, score.QualityMetric, 12);
    }

    [Fact]
    public void Bad_weights_and_unknown_classes_are_refused()
    {
        var (truth, clusters) = PaperDbscan();
        Assert.Contains("sum to 1", Assert.Throws<ArgumentException>(() => ClassOfInterest.Score(truth, clusters, "doc", weights: (0.5, 0.7))).Message);
        Assert.Contains("classes: break, doc, others, roentgen", Assert.Throws<ArgumentException>(() => ClassOfInterest.Score(truth, clusters, "scan")).Message);
    }
}

public class EvaluateCommandTests
{
    [SharedFact]
    public async Task Scores_a_run_against_a_data_sets_labels_with_differently_rooted_paths()
    {
        using var temp = new TempFolder();
        string set = SharedData.Dataset("near_duplicates");
        var run = await CliRunner.RunAsync("cluster", Path.Combine(set, "images"), "--k", "30", "--out", temp.Path, "--model", "pixels");
        Assert.True(run.ExitCode == 0, run.Stderr);

        // assignments say g01/orig.jpg, labels.csv says images/g01/orig.jpg (and uses a 'group' column).
        var eval = await CliRunner.RunAsync("evaluate", "--assignments", temp.Combine("assignments.csv"), "--labels", Path.Combine(set, "labels.csv"),
            "--positive", "g01", "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var json = JsonDocument.Parse(eval.Stdout).RootElement;
        Assert.Equal(180, json.GetProperty("images").GetInt32());
        Assert.Equal(0, json.GetProperty("unlabelled").GetInt32());
        Assert.Equal(30, json.GetProperty("classes").GetInt32());
        Assert.InRange(json.GetProperty("nmi").GetDouble(), 0.9, 1.0); // MODELS.md: raw pixels reach 0.965 here
        var q = json.GetProperty("classOfInterest");
        Assert.Equal(6, q.GetProperty("positives").GetInt32());
        Assert.Equal(0.3 * q.GetProperty("precision").GetDouble() + 0.7 * q.GetProperty("recall").GetDouble(), q.GetProperty("qualityMetric").GetDouble(), 12);
    }

    [SharedFact]
    public async Task Scores_the_images_a_review_keeps_exactly_as_export_would_export_them()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp); // g01..g03, 6 images each, k = 3
        string labels = Path.Combine(SharedData.Dataset("near_duplicates"), "labels.csv");
        var clusterOf = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(r => r[0], r => int.Parse(r[1]));
        // Keep the cluster of g01/orig.jpg but discard one of its g01 images, and keep one g02 image on its own.
        var select = await CliRunner.RunAsync("select", run, "--keep", clusterOf["g01/orig.jpg"].ToString(),
            "--discard-image", "g01/crop90.jpg", "--keep-image", "g02/hflip.jpg");
        Assert.True(select.ExitCode == 0, select.Stderr);

        var export = await CliRunner.RunAsync("export", run, "--to", temp.Combine("kept"), "--mode", "symlink");
        Assert.True(export.ExitCode == 0, export.Stderr);
        var exported = File.ReadAllLines(temp.Combine("kept", "manifest.csv")).Skip(1).Select(l => Path.GetRelativePath(input, l.Split(',')[0])).ToList();
        int truePositives = exported.Count(p => p.StartsWith("g01/", StringComparison.Ordinal));
        double precision = (double)truePositives / exported.Count, recall = truePositives / 6.0;
        Assert.InRange(precision, 0.01, 0.99); // a stray g02 image in, a g01 image out: neither score is trivial
        Assert.InRange(recall, 0.01, 0.99);

        var eval = await CliRunner.RunAsync("evaluate", "--run", run, "--labels", labels, "--positive", "g01", "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var json = JsonDocument.Parse(eval.Stdout).RootElement;
        Assert.Equal(18, json.GetProperty("images").GetInt32()); // the clusters are scored as with --assignments
        var r = json.GetProperty("reviewed");
        Assert.Equal(exported.Count, r.GetProperty("kept").GetInt32());
        Assert.Equal(exported.Count, r.GetProperty("selected").GetInt32());
        Assert.Equal(6, r.GetProperty("positives").GetInt32());
        Assert.Equal(truePositives, r.GetProperty("truePositives").GetInt32());
        Assert.Equal(precision, r.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(recall, r.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(0.3 * precision + 0.7 * recall, r.GetProperty("qualityMetric").GetDouble(), 12);

        var text = await CliRunner.RunAsync("evaluate", "--run", run, "--labels", labels, "--positive", "g01");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains(FormattableString.Invariant(
            $"class 'g01': precision {precision:F4} ({truePositives}/{exported.Count}), recall {recall:F4} ({truePositives}/6), Quality Metric 0.3·P + 0.7·R = {0.3 * precision + 0.7 * recall:F4}"),
            text.Stdout.Split('\n').Single(l => l.StartsWith("reviewed selection (", StringComparison.Ordinal)));

        var both = await CliRunner.RunAsync("evaluate", "--run", run, "--assignments", Path.Combine(run, "assignments.csv"), "--labels", labels);
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("error: give --assignments (a CSV file) or --run (a run folder), not both", both.Stderr.Trim());
    }

    [Fact]
    public async Task Unknown_class_is_a_usage_error()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("a.csv"), "path,cluster\nx.jpg,0\ny.jpg,1\n");
        File.WriteAllText(temp.Combine("l.csv"), "path,label\nx.jpg,cat\ny.jpg,dog\n");
        var eval = await CliRunner.RunAsync("evaluate", "--assignments", temp.Combine("a.csv"), "--labels", temp.Combine("l.csv"), "--positive", "bird");
        Assert.Equal(2, eval.ExitCode);
        Assert.Contains("Class 'bird' does not occur in the labels; classes: cat, dog", eval.Stderr);
    }
}
