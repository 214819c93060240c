using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageCluster.Runs;
using ImageCluster.Cli;
using ImageCluster.Clustering;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>Every option of every algorithm is reachable from <c>cluster</c>, and what a flag sets is what run.json records.</summary>
public class AlgorithmOptionsTests
{
    private static readonly string[] NotOptions = [nameof(ClustererOptions.AlgorithmName)];

    [Fact]
    public void Every_settable_option_of_every_algorithm_has_a_flag()
    {
        var flags = new ClusteringOptions();
        Assert.Equal(10, ClustererOptions.Algorithms.Count);
        foreach (var (name, type) in ClustererOptions.Algorithms)
        {
            var byFlag = flags.FlagsOf(name).Select(f => f.Property).ToHashSet();
            var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && !NotOptions.Contains(p.Name));
            foreach (var property in settable)
                Assert.True(byFlag.Contains(property.Name) || ClusteringOptions.SetByTheCommand.ContainsKey($"{type.Name}.{property.Name}"),
                    $"{type.Name}.{property.Name} has no flag in ClusteringOptions.FlagsOf(\"{name}\")");
            foreach (string property in byFlag)
                Assert.True(type.GetProperty(property) is not null, $"FlagsOf(\"{name}\") names {property}, which {type.Name} does not have");
        }
    }

    public static TheoryData<ClustererOptions> EveryAlgorithm() =>
    [
        new KMeansOptions { NClusters = 3, Algorithm = KMeansAlgorithm.Elkan, Seed = 4, MaxDegreeOfParallelism = 1 },
        new MiniBatchKMeansOptions { NClusters = 2, MaxNoImprovement = null, InitSize = 30 },
        new KMedoidsOptions { NClusters = 2, Init = KMedoidsInit.Given, InitialMedoids = [1, 7], Method = KMedoidsMethod.FasterPam },
        new DbscanOptions { Eps = 0.25, Metric = DistanceMetric.Cosine },
        new OpticsOptions { MaxEps = double.PositiveInfinity, PredecessorCorrection = false, MinClusterSize = 4 },
        new BirchOptions { NClusters = null, MaxSubclusters = 100 },
        new AgglomerativeOptions { Sim = 0.5, MinCsize = 3, Linkage = Linkage.Average },
        new HdbscanOptions { ClusterSelectionEpsilon = 0.2, AllowSingleCluster = true },
        new LeidenOptions { NClusters = 4, Resolution = 0.5, NNeighbors = 10, Seed = 2 },
        new SpectralOptions { NClusters = 3, Metric = DistanceMetric.Euclidean, NInit = 4 },
    ];

    [Theory]
    [MemberData(nameof(EveryAlgorithm))]
    public void Options_round_trip_through_json_as_their_own_type(ClustererOptions options)
    {
        string json = JsonSerializer.Serialize(options, RunFolder.Json);
        Assert.StartsWith($"{{\n  \"estimator\": \"{options.AlgorithmName}\"", json.ReplaceLineEndings("\n"));
        var back = JsonSerializer.Deserialize<ClustererOptions>(json, RunFolder.Json)!;
        Assert.Equal(options.GetType(), back.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(back, RunFolder.Json));
    }

    [Fact]
    public void Initial_centres_round_trip_through_json()
    {
        var centres = FeatureMatrix.FromRows([[1f, 2f], [3.5f, -4f]]);
        string json = JsonSerializer.Serialize<ClustererOptions>(new KMeansOptions { NClusters = 2, Init = centres }, RunFolder.Json);
        var back = (KMeansOptions)JsonSerializer.Deserialize<ClustererOptions>(json, RunFolder.Json)!;
        Assert.Equal(centres.Data, back.Init!.Data);
        Assert.Equal(2, back.Init.Columns);
    }

    [Fact]
    public void Validate_without_data_checks_ranges_and_names_the_property()
    {
        var e = Assert.Throws<ArgumentException>(() => new OpticsOptions { Xi = 1.5 }.Validate());
        Assert.Equal(nameof(OpticsOptions.Xi), e.ParamName);
        Assert.Equal(nameof(KMeansOptions.MaxDegreeOfParallelism),
            Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 2, MaxDegreeOfParallelism = 0 }.Validate()).ParamName);
        new KMeansOptions { NClusters = 50 }.Validate(); // k against the number of samples waits for the data
        Assert.Equal(nameof(KMeansOptions.NClusters), Assert.Throws<ArgumentException>(() => new KMeansOptions { NClusters = 50 }.Validate(10)).ParamName);
    }

    [Theory]
    [InlineData(new[] { "--algorithm", "hdbscan", "--cluster-selection-epsilon", "0.3", "--allow-single-cluster" }, "clusterSelectionEpsilon=0.3 allowSingleCluster=true")]
    [InlineData(new[] { "--algorithm", "optics", "--predecessor-correction", "false", "--min-samples", "4" }, "predecessorCorrection=false minSamples=4")]
    [InlineData(new[] { "--algorithm", "optics", "--eps", "0.8" }, "clusterMethod=dbscan eps=0.8")]
    [InlineData(new[] { "--algorithm", "kmeans", "--k", "3", "--kmeans-algorithm", "elkan", "--cluster-threads", "1", "--seed", "7" }, "algorithm=elkan maxDegreeOfParallelism=1 seed=7")]
    [InlineData(new[] { "--algorithm", "kmedoids", "--k", "3", "--init", "0,5,9" }, "init=given initialMedoids=[0,5,9]")]
    [InlineData(new[] { "--algorithm", "kmedoids", "--k", "3", "--init", "k-medoids++" }, "init=kMedoidsPlusPlus initialMedoids=null")]
    [InlineData(new[] { "--algorithm", "minibatch-kmeans", "--k", "3", "--max-no-improvement", "none", "--init-size", "40", "--reassignment-ratio", "0.02" },
        "maxNoImprovement=null initSize=40 reassignmentRatio=0.02")]
    [InlineData(new[] { "--algorithm", "birch", "--max-subclusters", "500" }, "maxSubclusters=500 nClusters=null")]
    [InlineData(new[] { "--algorithm", "birch", "--k", "3" }, "nClusters=3")]
    [InlineData(new[] { "--algorithm", "leiden", "--k", "4", "--k-neighbours", "8", "--metric", "euclidean" }, "nClusters=4 nNeighbors=8 metric=euclidean resolution=1")]
    [InlineData(new[] { "--algorithm", "leiden", "--resolution", "0.7" }, "nClusters=null resolution=0.7 nNeighbors=15")]
    [InlineData(new[] { "--algorithm", "spectral", "--k", "4", "--n-init", "3", "--seed", "2" }, "nClusters=4 nInit=3 seed=2 metric=cosine")]
    public async Task A_flag_sets_its_option_and_run_json_records_it(string[] options, string expected)
    {
        using var temp = new TempFolder();
        string file = WriteBlobs(temp);

        var run = await CliRunner.RunAsync(["cluster", "--features", file, "--out", temp.Combine("run"), .. options]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var parameters = JsonNode.Parse(File.ReadAllText(temp.Combine("run", "run.json")))!["clustering"]!["parameters"]!;
        foreach (string pair in expected.Split(' '))
        {
            var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            Assert.Equal(value, parameters[name]?.ToJsonString().Trim('"') ?? "null");
        }
        Assert.IsType(ClustererOptions.Algorithms[options[1]], parameters.Deserialize<ClustererOptions>(RunFolder.Json));
    }

    [Fact]
    public async Task Kmeans_init_reads_the_initial_centres_from_a_csv()
    {
        using var temp = new TempFolder();
        string file = WriteBlobs(temp);
        var (x, _) = OracleData.Set("blobs");
        var centres = FeatureMatrix.FromRows([x.ReadRow(0).ToArray(), x.ReadRow(x.Rows - 1).ToArray()]);
        RunOutputs.WriteFeatures(temp.Combine("centres.csv"), ["a", "b"], centres);

        var run = await CliRunner.RunAsync("cluster", "--features", file, "--out", temp.Combine("run"), "--k", "2", "--init", temp.Combine("centres.csv"));
        var wrongK = await CliRunner.RunAsync("cluster", "--features", file, "--out", temp.Combine("run2"), "--k", "3", "--init", temp.Combine("centres.csv"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var init = JsonNode.Parse(File.ReadAllText(temp.Combine("run", "run.json")))!["clustering"]!["parameters"]!["init"]!.AsArray();
        Assert.Equal(2, init.Count);
        Assert.Equal(x.ReadRow(0)[0], init[0]![0]!.GetValue<float>());
        Assert.Equal(2, wrongK.ExitCode);
        Assert.Contains("error: --init has 2 initial centres but k = 3", wrongK.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--algorithm", "optics", "--xi", "1.5" }, "error: OPTICS's --xi must be between 0 and 1 (got 1.5)")]
    [InlineData(new[] { "--algorithm", "hdbscan", "--cluster-selection-epsilon", "-1" }, "error: --cluster-selection-epsilon must be a finite distance ≥ 0 (got -1)")]
    [InlineData(new[] { "--algorithm", "kmeans", "--k", "2", "--cluster-threads", "0" }, "error: --cluster-threads must be −1 (no limit) or at least 1 (got 0)")]
    [InlineData(new[] { "--algorithm", "kmedoids", "--k", "2", "--init", "0,0" }, "error: --init contains 0 twice")]
    [InlineData(new[] { "--algorithm", "kmedoids", "--k", "2", "--init", "a,b" }, "error: --init takes build, k-medoids++ or comma-separated sample indices")]
    [InlineData(new[] { "--algorithm", "minibatch-kmeans", "--k", "2", "--max-no-improvement", "often" }, "error: --max-no-improvement takes a whole number or none")]
    [InlineData(new[] { "--algorithm", "dbscan", "--allow-single-cluster" }, "error: --allow-single-cluster does not apply to --algorithm dbscan (it is an option of hdbscan)")]
    [InlineData(new[] { "--algorithm", "spectral" }, "error: --algorithm spectral needs the number of clusters: add --k N")]
    [InlineData(new[] { "--algorithm", "leiden", "--resolution", "0" }, "error: --resolution must be a finite number > 0 (got 0)")]
    [InlineData(new[] { "--algorithm", "leiden", "--k-neighbours", "0" }, "error: --k-neighbours must be at least 1 (got 0)")]
    public async Task Bad_values_of_the_new_flags_are_refused_by_flag(string[] options, string expected)
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync(["cluster", "--features", WriteBlobs(temp), "--out", temp.Combine("run"), .. options]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    private static string WriteBlobs(TempFolder temp)
    {
        var (x, _) = OracleData.Set("blobs");
        string file = temp.Combine("f.csv");
        RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"{i}.jpg").ToList(), x);
        return file;
    }
}
