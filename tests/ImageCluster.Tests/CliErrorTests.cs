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
    public async Task Missing_k_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", temp.Path);
        AssertOneLineError(run, 2, "--k");
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
        AssertOneLineError(run, 1, "none of the 1 image files could be read");
        Assert.Contains("fake.jpg", File.ReadAllText(temp.Combine("out", "errors.csv")));
    }

    [SharedFact]
    public async Task Bad_pca_value_is_a_usage_error()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", SharedData.Dataset("near_duplicates"), "--k", "3", "--pca", "lots", "--out", temp.Path);
        AssertOneLineError(run, 2, "--pca takes a variance fraction");
    }
}
