using System.Globalization;
using System.Text.Json;
using ImageCluster.Evaluation;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster cluster --features</c>: a precomputed matrix, clustered exactly as given; every bad file named.</summary>
public class FeaturesClusterTests
{
    private static string WriteFeatures(TempFolder temp, FeatureMatrix x, string name = "features.csv")
    {
        string file = temp.Combine(name);
        RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"img/{i:D4}.jpg").ToList(), x);
        return file;
    }

    private static int[] ReadLabels(string assignments)
    {
        using var reader = new StreamReader(assignments);
        return Csv.Read(reader).Skip(1).Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
    }

    [Fact]
    public async Task Clusters_an_embed_style_csv_and_recovers_well_separated_blobs()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs");
        string file = WriteFeatures(temp, x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "4", "--out", temp.Combine("run"), "--json");

        Assert.Equal(0, run.ExitCode);
        var labels = ReadLabels(temp.Combine("run", "assignments.csv"));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(truth, labels), 12);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("kmeans", json.GetProperty("clustering").GetProperty("algorithm").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("model").ValueKind);
        Assert.False(json.GetProperty("options").GetProperty("normalize").GetBoolean());
    }

    [Fact]
    public async Task Labels_add_the_scores_and_baseline_adds_the_supervised_baseline_beside_them()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        string file = WriteFeatures(temp, x);
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. truth.Select((t, i) => $"img/{i:D4}.jpg,class{t}")]);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--labels", temp.Combine("labels.csv"),
            "--positive", "class0", "--baseline", "--out", temp.Combine("run"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("NMI", run.Stdout);
        Assert.Contains("Quality Metric", run.Stdout);
        Assert.Contains("supervised baseline on the same features (stratified 5-fold, 400 labelled): logistic regression accuracy", run.Stdout);
        var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement;
        double nmi = json.GetProperty("evaluation").GetProperty("nmi").GetDouble();
        Assert.Equal(ClusteringMetrics.NormalizedMutualInformation(truth, ReadLabels(temp.Combine("run", "assignments.csv"))), nmi, 12);
        Assert.Equal(5, json.GetProperty("baseline").GetProperty("logisticRegressionFolds").GetArrayLength());
        Assert.InRange(json.GetProperty("baseline").GetProperty("kNeighbors").GetDouble(), 0.5, 1.0);
        Assert.True(json.GetProperty("options").GetProperty("baseline").GetBoolean());
        Assert.True(json.GetProperty("timingsSeconds").GetProperty("baseline").GetDouble() >= 0);
    }

    [Fact]
    public async Task Labels_alone_score_the_clusters_without_the_costly_supervised_baseline()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        string file = WriteFeatures(temp, x);
        File.WriteAllLines(temp.Combine("labels.csv"), ["path,label", .. truth.Select((t, i) => $"img/{i:D4}.jpg,class{t}")]);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--labels", temp.Combine("labels.csv"), "--out", temp.Combine("run"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("NMI", run.Stdout);
        Assert.DoesNotContain("supervised baseline", run.Stdout + run.Stderr);
        var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("baseline").ValueKind);
        Assert.False(json.GetProperty("options").GetProperty("baseline").GetBoolean());
        Assert.False(json.GetProperty("timingsSeconds").TryGetProperty("baseline", out _));
    }

    [Fact]
    public async Task Baseline_without_labels_is_refused_before_any_work()
    {
        using var temp = new TempFolder();
        var (x, _) = OracleData.Set("blobs_8d");
        string file = WriteFeatures(temp, x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--baseline", "--out", temp.Combine("run"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: --baseline trains classifiers on the labels: give --labels too", run.Stderr);
        Assert.False(Directory.Exists(temp.Combine("run")));
    }

    [Fact]
    public async Task Pca_whitening_is_asked_for_with_pca_and_refused_without_it()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        string file = WriteFeatures(temp, x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--pca", "3", "--whiten", "--out", temp.Combine("run"));
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement;
        Assert.True(json.GetProperty("options").GetProperty("whiten").GetBoolean());
        Assert.Equal(3, json.GetProperty("pca").GetProperty("components").GetInt32());

        var refused = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--whiten", "--out", temp.Combine("run2"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--whiten scales the PCA components: set --pca too", refused.Stderr);
    }

    [Fact]
    public async Task Rows_are_not_normalised_unless_asked()
    {
        using var temp = new TempFolder();
        // Two directions, two lengths: raw K-Means splits by length, normalised K-Means by direction.
        var x = FeatureMatrix.FromRows([[1, 0], [1.1f, 0], [0, 1], [0, 1.1f], [10, 0], [11, 0], [0, 10], [0, 11]]);
        string file = WriteFeatures(temp, x);

        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", file, "--k", "2", "--out", temp.Combine("raw"))).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", file, "--k", "2", "--normalize", "--out", temp.Combine("unit"))).ExitCode);

        var raw = ReadLabels(temp.Combine("raw", "assignments.csv"));
        var unit = ReadLabels(temp.Combine("unit", "assignments.csv"));
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1, 0, 0, 1, 1], unit), 12);
        Assert.NotEqual(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1, 0, 0, 1, 1], raw), 12);
    }

    [Theory]
    [InlineData("path,f0,f1\na.jpg,1,2\nb.jpg,NaN,3\n", "line 3 (b.jpg): column f0 is NaN")]
    [InlineData("path,f0,f1\na.jpg,1,2\nb.jpg,1,Infinity\n", "line 3 (b.jpg): column f1 is Infinity")]
    [InlineData("path,f0,f1\na.jpg,1,2\nb.jpg,1,x\n", "line 3 (b.jpg): column f1 is 'x', not a number")]
    [InlineData("path,f0,f1\na.jpg,1,2\nb.jpg,1\n", "line 3: 2 fields where the header has 3")]
    [InlineData("", "is empty")]
    [InlineData("path,f0,f1\n", "has a header but no rows")]
    [InlineData("path\na.jpg\n", "names no feature columns")]
    public async Task A_bad_features_file_is_a_usage_error_naming_the_file_and_row(string content, string expected)
    {
        using var temp = new TempFolder();
        string file = temp.Combine("bad.csv");
        File.WriteAllText(file, content);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--k", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(file, run.Stderr);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public async Task Folder_and_features_together_or_neither_are_refused()
    {
        using var temp = new TempFolder();
        Assert.Contains("not both", (await CliRunner.RunAsync("cluster", temp.Path, "--features", "x.csv", "--k", "2")).Stderr);
        Assert.Contains("give a FOLDER", (await CliRunner.RunAsync("cluster", "--k", "2")).Stderr);
    }

    [Fact]
    public async Task A_single_row_clusters_into_one_cluster_and_k_above_the_rows_is_refused()
    {
        using var temp = new TempFolder();
        string file = WriteFeatures(temp, FeatureMatrix.FromRows([[1, 2, 3]]));

        Assert.Equal(0, (await CliRunner.RunAsync("cluster", "--features", file, "--k", "1", "--out", temp.Combine("one"))).ExitCode);
        Assert.Equal([0], ReadLabels(temp.Combine("one", "assignments.csv")));
        var tooMany = await CliRunner.RunAsync("cluster", "--features", file, "--k", "2", "--out", temp.Combine("two"));
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("k = 2 is larger than the number of images (1)", tooMany.Stderr);
    }
}
