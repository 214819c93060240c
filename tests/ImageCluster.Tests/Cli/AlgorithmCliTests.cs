using System.Globalization;
using System.Text.Json;
using ImageCluster.Evaluation;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>Every algorithm through <c>imagecluster cluster --features --algorithm …</c>, with its sklearn-named options.</summary>
public class AlgorithmCliTests
{
    private static async Task<(int[] Labels, JsonElement Run)> Cluster(TempFolder temp, string set, params string[] options)
    {
        var (x, _) = OracleData.Set(set);
        string file = temp.Combine(set + ".csv");
        if (!File.Exists(file)) RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"{i}.jpg").ToList(), x);
        string output = temp.Combine("run-" + Guid.NewGuid().ToString("N")[..8]);
        var run = await CliRunner.RunAsync(["cluster", "--features", file, "--out", output, "--json", .. options]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var reader = new StreamReader(Path.Combine(output, "assignments.csv"));
        var labels = Csv.Read(reader).Skip(1).Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
        return (labels, JsonDocument.Parse(run.Stdout).RootElement.Clone());
    }

    [Theory]
    [InlineData("kmeans", "--k", "4", "--kmeans-algorithm", "elkan")]
    [InlineData("minibatch-kmeans", "--k", "4", "--minibatch-size", "64")]
    [InlineData("kmedoids", "--k", "4", "--method", "fasterpam")]
    [InlineData("dbscan", "--eps", "0.8", "--min-samples", "5")]
    [InlineData("optics", "--min-samples", "10", "--cluster-method", "dbscan", "--eps", "0.8")]
    [InlineData("birch", "--k", "4", "--threshold", "0.5")]
    [InlineData("agglomerative", "--k", "4", "--linkage", "average")]
    [InlineData("hdbscan", "--min-cluster-size", "15")]
    public async Task Each_algorithm_finds_the_four_blobs(string algorithm, params string[] options)
    {
        using var temp = new TempFolder();
        var truth = OracleData.Set("blobs").Y;
        var (labels, run) = await Cluster(temp, "blobs", ["--algorithm", algorithm, .. options]);

        var clustered = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= 0).ToArray();
        Assert.True(clustered.Length >= 0.9 * labels.Length, $"{algorithm} left {labels.Length - clustered.Length} samples as noise");
        // The blobs touch (std 0.7), so a handful of border samples may go either way; exact agreement with the reference
        // implementations is what each algorithm's own oracle tests check.
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(clustered.Select(i => truth[i]).ToArray(), clustered.Select(i => labels[i]).ToArray()), 0.95, 1.0);
        var info = run.GetProperty("clustering");
        Assert.Equal(algorithm, info.GetProperty("algorithm").GetString());
        Assert.Equal(4, info.GetProperty("clusters").GetInt32());
        Assert.Equal(labels.Count(l => l < 0), info.GetProperty("noise").GetInt32());
    }

    [Fact]
    public async Task Without_algorithm_and_k_the_command_chooses_by_stability_and_says_why_in_two_lines()
    {
        using var temp = new TempFolder();
        var (x, truth) = OracleData.Set("blobs_8d");
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"{i}.jpg").ToList(), x);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--out", temp.Combine("run"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n');
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(lines[0], @"^no --k: Leiden \(resolution 1\) on the (5|15)-neighbour graph, 5 clusters, chosen as the most stable: adjusted Rand [01]\.\d{3} between clusterings of overlapping 80 % subsamples \((5|15) neighbours [01]\.\d{3}\)$"), lines[0]);
        Assert.StartsWith("to choose yourself: --k N (K-Means), --algorithm NAME, or --algorithm auto (silhouette sweep); this one again: --algorithm leiden", lines[1]);
        Assert.StartsWith("clustered 400 rows into 5 clusters with leiden", lines[2]);
        var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement;
        Assert.Equal("stability", json.GetProperty("auto").GetProperty("rankBy").GetString(), ignoreCase: true);
        using var reader = new StreamReader(temp.Combine("run", "assignments.csv"));
        var labels = Csv.Read(reader).Skip(1).Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(truth, labels), 0.95, 1.0);
        Assert.DoesNotContain("low-dimensional", run.Stderr); // 8 columns: no warning

        // On a 2-D map modularity cuts round clusters into patches: the command says so.
        var (flat, _) = OracleData.Set("blobs");
        RunOutputs.WriteFeatures(temp.Combine("flat.csv"), Enumerable.Range(0, flat.Rows).Select(i => $"{i}.jpg").ToList(), flat);
        var patches = await CliRunner.RunAsync("cluster", "--features", temp.Combine("flat.csv"), "--out", temp.Combine("flat"));
        Assert.Contains("the features have only 2 columns", patches.Stderr);

        // --k alone keeps meaning K-Means, as before.
        var kMeans = await CliRunner.RunAsync("cluster", "--features", file, "--k", "5", "--out", temp.Combine("k"));
        Assert.Contains("into 5 clusters with kmeans", kMeans.Stdout);
    }

    [Fact]
    public async Task Umap_before_hdbscan_is_run_recorded_and_checked()
    {
        using var temp = new TempFolder();
        var truth = OracleData.Set("blobs_8d").Y;
        var (labels, run) = await Cluster(temp, "blobs_8d", "--umap", "2", "--algorithm", "hdbscan", "--min-cluster-size", "15");

        Assert.Equal(2, run.GetProperty("options").GetProperty("umap").GetInt32());
        Assert.True(run.GetProperty("timingsSeconds").TryGetProperty("umap", out _));
        Assert.InRange(ClusteringMetrics.AdjustedRandIndex(truth, labels), 0.95, 1.0);
        string runFolder = Path.GetDirectoryName(Directory.GetFiles(temp.Path, "assignments.csv", SearchOption.AllDirectories).Single())!;
        var report = await CliRunner.RunAsync("report", runFolder);
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.Contains("the run clustered the features after UMAP to 2 dimensions", File.ReadAllText(Path.Combine(runFolder, "report.html")));

        var zero = await CliRunner.RunAsync("cluster", "--features", temp.Combine("blobs_8d.csv"), "--umap", "0", "--k", "5", "--out", temp.Combine("zero"));
        Assert.Equal(2, zero.ExitCode);
        Assert.Equal("error: --umap must be a number of dimensions of at least 1 (got 0)", zero.Stderr.Trim());
        Assert.False(Directory.Exists(temp.Combine("zero")));
    }

    [Fact]
    public async Task The_sim_cut_reports_only_clusters_of_min_csize()
    {
        using var temp = new TempFolder();
        var (one, _) = await Cluster(temp, "duplicates", "--algorithm", "agglomerative", "--linkage", "average", "--sim", "0");
        Assert.All(one, l => Assert.Equal(0, l)); // sim 0: the root, one cluster
        var (leaves, _) = await Cluster(temp, "duplicates", "--algorithm", "agglomerative", "--linkage", "average", "--sim", "1");
        // sim 1: leaves; only exact duplicates (merged at distance 0) form clusters of ≥ 2, the rest is not reported.
        Assert.Equal(30, leaves.Where(l => l >= 0).Distinct().Count());
        Assert.Equal(30, leaves.Count(l => l < 0)); // rows 30–59 of the base set have no duplicate
    }

    [Theory]
    [InlineData(new[] { "--algorithm", "kmeans", "--k", "3", "--eps", "0.5" }, "--eps does not apply to --algorithm kmeans (it is an option of dbscan, optics)")]
    [InlineData(new[] { "--algorithm", "dbscan", "--k", "3" }, "--k does not apply to --algorithm dbscan")]
    [InlineData(new[] { "--algorithm", "kmedoids" }, "--algorithm kmedoids needs the number of clusters: add --k N")]
    [InlineData(new[] { "--algorithm", "agglomerative", "--k", "3", "--sim", "0.5" }, "Agglomerative takes one cut: set only one of --k, --distance-threshold and --sim")]
    [InlineData(new[] { "--algorithm", "agglomerative", "--sim", "1.5" }, "--sim must be between 0 and 1")]
    [InlineData(new[] { "--algorithm", "dbscan", "--eps", "-1" }, "--eps must be a finite number greater than 0 (got -1)")]
    [InlineData(new[] { "--algorithm", "agglomerative", "--k", "3", "--max-samples", "10" }, "more than --max-samples = 10 allows")]
    [InlineData(new[] { "--algorithm", "affinity-propagation", "--k", "3" }, "unknown --algorithm 'affinity-propagation'")]
    [InlineData(new[] { "--algorithm", "agglomerative", "--linkage", "ward", "--metric", "cosine", "--k", "2" }, "Ward linkage works only with Euclidean")]
    [InlineData(new[] { "--algorithm", "agglomerative", "--metric", "cosine", "--k", "2" }, "use --linkage Average, Complete or Single for Cosine; features are L2-normalised by default")]
    [InlineData(new[] { "--algorithm", "kmeans", "--metric", "cosine", "--k", "2" }, "--metric cosine does not apply to --algorithm kmeans, which is Euclidean; features are L2-normalised by default (a --features file with --normalize), and on unit vectors squared Euclidean distance is 2 − 2·cosine")]
    [InlineData(new[] { "--algorithm", "minibatch-kmeans", "--metric", "cosine", "--k", "2" }, "--metric cosine does not apply to --algorithm minibatch-kmeans, which is Euclidean;")]
    [InlineData(new[] { "--algorithm", "birch", "--metric", "cosine" }, "--metric cosine does not apply to --algorithm birch, which is Euclidean;")]
    [InlineData(new[] { "--algorithm", "kmean", "--k", "3" }, "unknown --algorithm 'kmean'; did you mean kmeans?")]
    [InlineData(new[] { "--n-init", "5" }, "--n-init is an option of kmeans, minibatch-kmeans, spectral: name one with --algorithm (and give --k where it needs one); without --algorithm and --k the command chooses the clustering itself")]
    public async Task Options_that_do_not_fit_the_algorithm_are_refused_by_name(string[] options, string expected)
    {
        using var temp = new TempFolder();
        var (x, _) = OracleData.Set("blobs");
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"{i}.jpg").ToList(), x);

        var run = await CliRunner.RunAsync(["cluster", "--features", file, "--out", temp.Combine("run"), .. options]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
