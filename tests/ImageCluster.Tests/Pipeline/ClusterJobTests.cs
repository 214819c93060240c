using ImageCluster.Clustering;
using System.Security.Cryptography;
using System.Text.Json;
using ImageCluster.Embedding;
using ImageCluster.Export;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>The <c>cluster</c> job end to end on real images: cache, outputs, bad files, model fallback.</summary>
public class ClusterJobTests
{
    private static List<string> FlowerFiles(int skip, int take) =>
        SharedData.Labels("flowers5_kaggle_subset").Keys.Where((_, i) => i % 100 >= skip && i % 100 < skip + take).ToList();

    private static JsonElement RunJson(string runFolder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "run.json"))).RootElement;

    [SharedFact]
    public async Task Rerun_embeds_nothing_and_adding_ten_images_embeds_only_those()
    {
        using var temp = new TempFolder();
        string images = Path.Combine(SharedData.Dataset("flowers5_kaggle_subset"), "images");
        temp.CopyFrom(images, FlowerFiles(0, 6), temp.Combine("in")); // 30 images, 6 per class
        var options = new ClusterJobOptions { Input = temp.Combine("in"), Output = temp.Combine("run"), Store = temp.Combine("store.db"), Clustering = new KMeansOptions { NClusters = 5 }, ModelFolders = [SharedData.Models] };

        var first = await ClusterJob.RunAsync(options);
        Assert.Equal((30, 0), (first.Counts.Embedded, first.Counts.FromCache));

        string firstAssignments = File.ReadAllText(temp.Combine("run", "assignments.csv"));
        Assert.False(first.ClusteringFromCache);

        var second = await ClusterJob.RunAsync(options);
        Assert.Equal((0, 30), (second.Counts.Embedded, second.Counts.FromCache));
        Assert.Equal(0, second.TimingsSeconds["loadModel"]); // the model was not even loaded
        Assert.True(second.ClusteringFromCache);
        Assert.Equal(firstAssignments, File.ReadAllText(temp.Combine("run", "assignments.csv")));

        // Another k reclusters the cached embeddings.
        var otherK = await ClusterJob.RunAsync(options with { Clustering = new KMeansOptions { NClusters = 4 } });
        Assert.Equal((0, 30, false), (otherK.Counts.Embedded, otherK.Counts.FromCache, otherK.ClusteringFromCache));
        Assert.Equal(4, otherK.Counts.Clusters);

        // UMAP before clustering, and each auto sweep's own options, are part of what a stored clustering is reused for.
        var umap = await ClusterJob.RunAsync(options with { Clustering = new KMeansOptions { NClusters = 4 }, Umap = 2 });
        Assert.False(umap.ClusteringFromCache);
        Assert.Equal(2, RunJson(temp.Combine("run")).GetProperty("options").GetProperty("umap").GetInt32());
        Assert.True(umap.TimingsSeconds.ContainsKey("umap"));
        var narrow = await ClusterJob.RunAsync(options with { Clustering = null, Auto = new Runs.AutoOptions { KMax = 3 } });
        var wide = await ClusterJob.RunAsync(options with { Clustering = null, Auto = new Runs.AutoOptions { KMax = 4 } });
        Assert.Equal((false, false), (narrow.ClusteringFromCache, wide.ClusteringFromCache));
        Assert.Equal(6, wide.Auto!.Table.Count(r => r.Algorithm is "kmeans" or "agglomerative")); // k 2..4 for both, not the narrow sweep's 2..3

        // A touched file with the same content is hashed again but not embedded again.
        File.SetLastWriteTimeUtc(Directory.GetFiles(temp.Combine("in"), "*.jpg", SearchOption.AllDirectories)[0], DateTime.UtcNow.AddMinutes(-5));
        temp.CopyFrom(images, FlowerFiles(6, 2), temp.Combine("in")); // 10 new images
        var third = await ClusterJob.RunAsync(options);
        Assert.Equal((10, 30), (third.Counts.Embedded, third.Counts.FromCache));
        Assert.Equal(40, third.Counts.Clustered);
        Assert.False(third.ClusteringFromCache);
        Assert.Equal(7, ReadRuns(temp.Combine("run"))); // every run is recorded
    }

    private static long ReadRuns(string runFolder)
    {
        using var store = Store.ImageStore.Open(Path.Combine(runFolder, Store.ImageStore.FileName));
        return store.CountRuns();
    }

    [SharedFact]
    public async Task Labels_score_the_run_and_the_supervised_baseline_runs_only_with_baseline()
    {
        using var temp = new TempFolder();
        string data = SharedData.Dataset("near_duplicates");
        string[] common = ["cluster", Path.Combine(data, "images"), "--k", "30", "--model", "pixels", "--labels", Path.Combine(data, "labels.csv")];

        var plain = await CliRunner.RunAsync([.. common, "--out", temp.Combine("plain")]);
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Contains("NMI", plain.Stdout);
        Assert.DoesNotContain("supervised baseline", plain.Stdout + plain.Stderr);
        Assert.Equal(JsonValueKind.Null, RunJson(temp.Combine("plain")).GetProperty("baseline").ValueKind);

        var withBaseline = await CliRunner.RunAsync([.. common, "--baseline", "--out", temp.Combine("baseline")]);
        Assert.True(withBaseline.ExitCode == 0, withBaseline.Stderr);
        Assert.Contains("supervised baseline on the same features (stratified 5-fold, 180 labelled)", withBaseline.Stdout);
        var json = RunJson(temp.Combine("baseline"));
        Assert.True(json.GetProperty("options").GetProperty("baseline").GetBoolean());
        Assert.Equal(5, json.GetProperty("baseline").GetProperty("kNeighborsFolds").GetArrayLength());
        Assert.True(json.GetProperty("timingsSeconds").TryGetProperty("baseline", out _));
    }

    [SharedFact]
    public async Task Writes_assignments_errors_run_json_and_cluster_folders_of_symlinks()
    {
        using var temp = new TempFolder();
        string input = Path.Combine(SharedData.Dataset("near_duplicates"), "images");
        var hashesBefore = HashTree(input);

        var run = await CliRunner.RunAsync("cluster", input, "--k", "30", "--out", temp.Combine("run"), "--seed", "7");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains(temp.Combine("run", "clusters"), run.Stdout);

        using var reader = new StreamReader(temp.Combine("run", "assignments.csv"));
        var rows = Csv.Read(reader).ToList();
        Assert.Equal(["path", "cluster", "distance"], rows[0]);
        Assert.Equal(180, rows.Count - 1);
        Assert.Equal(Enumerable.Range(0, 30).Select(c => c.ToString()), rows.Skip(1).Select(r => r[1]).Distinct().Order(StringComparer.Ordinal).OrderBy(int.Parse));
        Assert.Equal("path,error\n", File.ReadAllText(temp.Combine("run", "errors.csv")));

        var json = RunJson(temp.Combine("run"));
        Assert.Equal(7, json.GetProperty("seed").GetInt32());
        Assert.Equal(7, json.GetProperty("options").GetProperty("seed").GetInt32());
        Assert.Equal("mobilenetv2_12_int8", json.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(64, json.GetProperty("model").GetProperty("sha256").GetString()!.Length);
        Assert.Equal(180, json.GetProperty("counts").GetProperty("clustered").GetInt32());
        Assert.Equal(0, json.GetProperty("counts").GetProperty("errors").GetInt32());
        Assert.True(json.GetProperty("peakMemoryMb").GetDouble() > 10);
        foreach (var stage in new[] { "scan", "embed", "cluster", "write", "total" })
            Assert.True(json.GetProperty("timingsSeconds").TryGetProperty(stage, out _), $"timing {stage} missing");

        // near_duplicates: 30 groups of 6 → every cluster_with_6/cluster_L holds 6 links to originals.
        var links = Directory.GetFiles(temp.Combine("run", "clusters"), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ClusterFolders.ManifestName).ToArray();
        Assert.Equal(180, links.Length);
        Assert.Equal(180, File.ReadAllLines(temp.Combine("run", "clusters", ClusterFolders.ManifestName)).Length);
        Assert.All(links, l =>
        {
            var info = new FileInfo(l);
            Assert.NotNull(info.LinkTarget);
            Assert.StartsWith(input, info.LinkTarget);
            Assert.Matches(@"clusters/cluster_with_\d+/cluster_\d+/[^/]+$", l);
        });
        Assert.Equal(hashesBefore, HashTree(input));
    }

    [SharedFact]
    public async Task Every_cluster_folder_carries_the_cluster_number_of_assignments_csv()
    {
        using var temp = new TempFolder();
        // 3 groups of 6 into 2 clusters: two sizes, so a number per size group (both "cluster_0") would differ from the label.
        var (input, run) = await ReviewRuns.MakeAsync(temp, groups: 3, k: 2);
        var rows = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(','))
            .Select(r => (Path: r[0], Cluster: int.Parse(r[1]))).ToList();
        var sizes = rows.GroupBy(r => r.Cluster).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, sizes.Count);
        Assert.NotEqual(sizes[0], sizes[1]);

        // Same file names in every group: links may be renamed, so find each image's folder by the link's target.
        var folderOf = Directory.GetFiles(Path.Combine(run, "clusters"), "*.jpg", SearchOption.AllDirectories)
            .ToDictionary(l => new FileInfo(l).LinkTarget!, l => Path.GetRelativePath(Path.Combine(run, "clusters"), Path.GetDirectoryName(l)!));
        Assert.Equal(rows.Count, folderOf.Count);
        foreach (var (path, cluster) in rows)
            Assert.Equal($"cluster_with_{sizes[cluster]}/cluster_{cluster}", folderOf[Path.Combine(input, path)]);
        foreach (var c in RunJson(run).GetProperty("clusters").EnumerateArray())
        {
            int cluster = c.GetProperty("cluster").GetInt32();
            Assert.Equal($"clusters/cluster_with_{sizes[cluster]}/cluster_{cluster}", c.GetProperty("folder").GetString());
        }
    }

    [SharedFact]
    public async Task Copy_mode_copies_and_same_names_from_different_folders_do_not_collide()
    {
        using var temp = new TempFolder();
        string source = Path.Combine(SharedData.Dataset("near_duplicates"), "images");
        // Every group folder holds orig.jpg: one cluster of all of them would collide on the name.
        temp.CopyFrom(source, ["g01/orig.jpg", "g02/orig.jpg", "g03/orig.jpg"], temp.Combine("in"));

        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "1", "--out", temp.Combine("run"), "--copy", "--model", "pixels");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var files = Directory.GetFiles(temp.Combine("run", "clusters", "cluster_with_3", "cluster_0")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["g02__orig.jpg", "g03__orig.jpg", "orig.jpg"], files);
        Assert.All(Directory.GetFiles(temp.Combine("run", "clusters"), "*", SearchOption.AllDirectories), f => Assert.Null(new FileInfo(f).LinkTarget));
        Assert.Equal(3, Directory.GetFiles(temp.Combine("run", "clusters"), "*.jpg", SearchOption.AllDirectories).Length);
    }

    [SharedFact]
    public async Task Bad_inputs_are_listed_with_reasons_and_the_rest_is_clustered()
    {
        using var temp = new TempFolder();
        string input = Path.Combine(SharedData.Dataset("bad_inputs"), "images");

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", temp.Path);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var reader = new StreamReader(temp.Combine("errors.csv"));
        var errors = Csv.Read(reader).Skip(1).ToDictionary(r => r[0], r => r[1]);
        Assert.Equal(["huge_20000x20000_1bit.png", "image.tiff", "text_not_image.png", "truncated.jpg", "zero_bytes.jpg"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Value)));
        foreach (var name in errors.Keys) Assert.Contains(name, run.Stderr); // and said on screen

        var json = RunJson(temp.Path);
        Assert.Equal(15, json.GetProperty("counts").GetProperty("scanned").GetInt32());
        Assert.Equal(10, json.GetProperty("counts").GetProperty("clustered").GetInt32());
        Assert.Contains("unicode ñame with space 'quote' é日本.jpg", File.ReadAllText(temp.Combine("assignments.csv")));
    }

    [SharedFact]
    public async Task Named_model_that_is_missing_says_where_it_looked()
    {
        using var temp = new TempFolder();
        var e = await Assert.ThrowsAsync<ModelNotFoundException>(() => ClusterJob.RunAsync(
            new ClusterJobOptions { Input = SharedData.Models, Output = temp.Path, Clustering = new KMeansOptions { NClusters = 2 }, Model = "mobilenet_v1_0.75_224", ModelFolders = [temp.Combine("empty")] }));
        Assert.Contains($"looked for mobilenet_v1_0.75_224.onnx in {temp.Combine("empty")}", e.Message);
        Assert.Contains("IMAGECLUSTER_MODELS", e.Message);
    }

    [SharedFact]
    public async Task Json_flag_prints_the_run_summary_on_stdout()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", Path.Combine(SharedData.Dataset("near_duplicates"), "images"), "--k", "3",
            "--out", temp.Path, "--json", "--model", "pixels", "--pca", "0.9", "--n-init", "2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("pixels", json.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(3, json.GetProperty("clusters").GetArrayLength());
        Assert.True(json.GetProperty("pca").GetProperty("explainedVariance").GetDouble() >= 0.9);
        Assert.Equal(2, json.GetProperty("clustering").GetProperty("parameters").GetProperty("nInit").GetInt32());
    }

    private static Dictionary<string, string> HashTree(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
