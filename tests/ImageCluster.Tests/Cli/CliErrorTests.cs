namespace ImageCluster.Tests;

/// <summary>User mistakes end in one clear line and the documented exit code, never a stack trace.</summary>
public class CliErrorTests
{
    private static void AssertOneLineError(CliRunner.Result run, int exitCode, string expected)
    {
        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
    }

    [Fact]
    public async Task Missing_folder_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync("cluster", "/no/such/folder", "--k", "3");
        AssertOneLineError(run, 2, "input folder not found: /no/such/folder");
    }

    [Fact]
    public async Task Kmeans_without_k_is_a_usage_error()
    {
        // Without --algorithm a missing --k means the label-free choice; K-Means named needs its k.
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", temp.Path, "--algorithm", "kmeans");
        AssertOneLineError(run, 2, "--algorithm kmeans needs the number of clusters: add --k N");
    }

    [Fact]
    public async Task Bad_option_value_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", temp.Path, "--k", "three");
        AssertOneLineError(run, 2, "three");
    }

    [SharedFact]
    public async Task Unknown_model_lists_the_known_ones()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", SharedData.Dataset("near_duplicates"), "--k", "3", "--model", "vgg99", "--out", temp.Path);
        AssertOneLineError(run, 2, "unknown model 'vgg99'; known models: mobilenetv2_12_int8");
    }

    [SharedFact]
    public async Task Missing_model_file_says_where_it_looked()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("embed", SharedData.Dataset("near_duplicates"), "--out", temp.Combine("f.csv"), "--model", temp.Combine("nope.onnx"));
        AssertOneLineError(run, 2, $"model file not found: {temp.Combine("nope.onnx")}");
    }

    [SharedFact]
    public async Task K_larger_than_the_number_of_images_is_a_usage_error()
    {
        using var temp = new TempFolder();
        temp.CopyFrom(SharedData.Dataset("near_duplicates"), ["images/g01/orig.jpg", "images/g02/orig.jpg"], temp.Combine("in"));
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "5", "--out", temp.Combine("out"), "--model", "pixels");
        AssertOneLineError(run, 2, "--k 5 is larger than the number of image files (2)");
    }

    [SharedFact]
    public async Task K_larger_than_the_number_of_readable_images_is_a_usage_error()
    {
        using var temp = new TempFolder();
        temp.CopyFrom(SharedData.Dataset("near_duplicates"), ["images/g01/orig.jpg", "images/g02/orig.jpg"], temp.Combine("in"));
        File.WriteAllText(temp.Combine("in", "broken.jpg"), "not a picture");
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("out"), "--model", "pixels");
        AssertOneLineError(run, 2, "--k 3 is larger than the number of usable images (2)");
    }

    [SharedFact]
    public async Task Bad_kmeans_option_names_the_flag()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", SharedData.Dataset("near_duplicates"), "--k", "3", "--n-init", "0", "--out", temp.Path);
        AssertOneLineError(run, 2, "--n-init must be at least 1 (got 0)");
    }

    [SharedFact]
    public async Task A_file_given_as_input_is_named_as_such()
    {
        var run = await CliRunner.RunAsync("cluster", Path.Combine(SharedData.Models, "MODELS.md"), "--k", "3");
        AssertOneLineError(run, 2, "input is a file, not a folder");
    }

    [Fact]
    public async Task A_folder_without_usable_images_exits_with_1()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllText(temp.Combine("in", "fake.jpg"), "not a picture");
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "1", "--out", temp.Combine("out"), "--model", "pixels");
        AssertOneLineError(run, 1, "none of the 1 image files could be read; fake.jpg: ");
        Assert.False(Directory.Exists(temp.Combine("out")), "a failed run leaves no run folder behind");
    }

    [SharedFact]
    public async Task A_class_of_interest_absent_from_the_labels_is_refused_before_embedding()
    {
        using var temp = new TempFolder();
        string data = SharedData.Dataset("near_duplicates");
        var run = await CliRunner.RunAsync("cluster", Path.Combine(data, "images"), "--k", "3", "--labels", Path.Combine(data, "labels.csv"),
            "--positive", "nosuchclass", "--out", temp.Combine("run"));
        AssertOneLineError(run, 2, $"error: --positive 'nosuchclass' is not a class of {Path.Combine(data, "labels.csv")}; its 30 classes: g01, g02,");
        Assert.DoesNotContain("found", run.Stderr); // not even scanned
        Assert.False(Directory.Exists(temp.Combine("run")));
    }

    [SharedFact]
    public async Task Bad_pca_value_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", SharedData.Dataset("near_duplicates"), "--k", "3", "--pca", "lots", "--out", temp.Path);
        AssertOneLineError(run, 2, "--pca takes a variance fraction");
    }

    [Theory]
    [InlineData("--k", "abc", "--k: 'abc' is not a whole number")]
    [InlineData("--seed", "99999999999", "--seed: 99999999999 is out of range (-2147483648..2147483647)")]
    [InlineData("--eps", "wide", "--eps: 'wide' is not a number")]
    [InlineData("--metric", "manhattan", "--metric: 'manhattan' is not one of euclidean, cosine")]
    [InlineData("--out", "", "--out needs a value, not an empty string")]
    public async Task Bad_values_are_named_in_words_not_dotnet_types(string option, string value, string expected)
    {
        var run = await CliRunner.RunAsync("cluster", "/no/such/folder", option, value);
        AssertOneLineError(run, 2, $"error: {expected}\n");
        Assert.DoesNotContain("System.", run.Stderr);
    }

    [Fact]
    public async Task An_empty_export_folder_is_refused_in_one_line()
    {
        var run = await CliRunner.RunAsync("export", "/no/such/run", "--to", "");
        AssertOneLineError(run, 2, "error: --to needs a value, not an empty string");
        Assert.DoesNotContain("Parameter", run.Stderr);
    }

    /// <summary>Every option of every command, given a value it cannot take, is refused in words: no .NET type name, no parameter name.</summary>
    [Fact]
    public async Task No_option_of_any_command_leaks_a_dotnet_type_name()
    {
        var root = Cli.Cli.BuildRoot(TextWriter.Null, TextWriter.Null, out _);
        int checkedValues = 0;
        foreach (var (path, command) in Commands(root, []))
            foreach (var option in command.Options.Where(o => o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool)))
            {
                var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
                string[] bad = type == typeof(int) ? ["abc", "99999999999", "1.5"]
                    : type == typeof(double) || type.IsEnum || type == typeof(bool) ? ["abc"]
                    : type == typeof(string) || type == typeof(string[]) ? ["", " "]
                    : throw new InvalidOperationException($"{string.Join(' ', path)} {option.Name}: add a bad value for {type} to this test");
                foreach (string value in bad)
                {
                    var run = await CliRunner.RunAsync([.. path, option.Name, value]);
                    string shown = $"{string.Join(' ', path)} {option.Name} '{value}'";
                    Assert.True(run.ExitCode == 2, $"{shown}: exit {run.ExitCode}, {run.Stderr}");
                    Assert.True(run.Stderr.Contains($"error: {option.Name}"), $"{shown}: {run.Stderr}");
                    foreach (string leak in new[] { "System.", "`1", "Parameter '", "Exception", "expected type" })
                        Assert.False(run.Stderr.Contains(leak), $"{shown}: '{leak}' in {run.Stderr}");
                    checkedValues++;
                }
            }
        Assert.True(checkedValues > 100, $"only {checkedValues} values checked");
    }

    private static IEnumerable<(string[] Path, System.CommandLine.Command Command)> Commands(System.CommandLine.Command command, string[] path)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] subPath = [.. path, sub.Name];
            yield return (subPath, sub);
            foreach (var nested in Commands(sub, subPath)) yield return nested;
        }
    }

    [Theory]
    [InlineData(new[] { "clustr" }, "unknown command 'clustr'; did you mean 'cluster'?")]
    [InlineData(new[] { "evalute" }, "unknown command 'evalute'; did you mean 'evaluate'?")]
    [InlineData(new[] { "models", "lsit" }, "unknown command 'models lsit'; did you mean 'models list'?")]
    [InlineData(new[] { "cluster", "in", "--algoritm", "kmeans" }, "unknown option '--algoritm' for 'imagecluster cluster'; did you mean --algorithm?")]
    [InlineData(new[] { "cluster", "--fetures", "f.csv" }, "unknown option '--fetures' for 'imagecluster cluster'; did you mean --features?")]
    [InlineData(new[] { "diagnose", "in", "--gap-refrences", "3" }, "unknown option '--gap-refrences' for 'imagecluster diagnose'; did you mean --gap-references?")]
    [InlineData(new[] { "cluster", "in", "--algo", "dbscan" }, "unknown option '--algo' for 'imagecluster cluster'; did you mean --algorithm?")] // the only name it begins
    [InlineData(new[] { "embed", "in", "--out", "f.csv", "--verbsoe" }, "unknown option '--verbsoe' for 'imagecluster embed'; did you mean --verbose?")]
    public async Task Typos_get_the_nearest_known_name(string[] args, string expected)
    {
        var run = await CliRunner.RunAsync(args);
        AssertOneLineError(run, 2, $"error: {expected}\n");
        Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("error:"));
    }

    [Fact]
    public async Task A_missing_command_lists_the_commands()
    {
        AssertOneLineError(await CliRunner.RunAsync(), 2, "error: 'imagecluster' needs a command: cluster, embed, duplicates, issues, evaluate, diagnose, models,");
        AssertOneLineError(await CliRunner.RunAsync("models"), 2, "error: 'imagecluster models' needs a command: list, info, pull, import, layers\n");
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'; 'imagecluster --help' lists the commands")]
    [InlineData(new[] { "cluster", "in", "--zzzzzz" }, "unknown option '--zzzzzz' for 'imagecluster cluster'; 'imagecluster cluster --help' lists its options")]
    [InlineData(new[] { "cluster", "in", "-x" }, "unknown option '-x' for 'imagecluster cluster'; 'imagecluster cluster --help' lists its options")]
    public async Task Nothing_close_suggests_nothing(string[] args, string expected)
    {
        var run = await CliRunner.RunAsync(args);
        AssertOneLineError(run, 2, $"error: {expected}\n");
    }

    [Theory]
    [InlineData("cluster", "cluster", 0)]
    [InlineData("clustr", "cluster", 1)]
    [InlineData("--algoritm", "--algorithm", 1)]
    [InlineData("clsuter", "cluster", 1)] // an adjacent swap is one edit
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_edits(string a, string b, int expected) => Assert.Equal(expected, Cli.ParseErrors.EditDistance(a, b));
}
