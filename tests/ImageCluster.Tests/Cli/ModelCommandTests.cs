using System.Text.Json;
using ImageCluster.Embedding;

namespace ImageCluster.Tests;

/// <summary><c>models list</c>, <c>info</c> and <c>import</c> through the real command line, and the load-time signature check.</summary>
[Collection(nameof(UserCacheCollection))]
public class ModelCommandTests
{
    private static string SharedModel(string file) => Path.Combine(SharedData.Models, file);

    private static string WriteSpec(UserCacheScope scope, string input = "input", int dimension = 768)
    {
        string spec = scope.Combine("spec.json");
        File.WriteAllText(spec, $$"""
            {
              "name": "my_mobilenet_v1",
              "description": "MobileNet v1 0.75, imported under my own name",
              "license": "Apache-2.0",
              "file": "ignored.onnx",
              "input": "{{input}}",
              "embeddingOutput": "embedding",
              "logitsOutput": "probs",
              "dimension": {{dimension}},
              "layout": "NHWC",
              "scale": 0.00784313725490196,
              "mean": [1, 1, 1],
              "std": [1, 1, 1]
            }
            """);
        return spec;
    }

    [Fact]
    public async Task List_json_has_every_catalogue_model_and_where_its_file_is()
    {
        using var cache = new UserCacheScope();
        var run = await CliRunner.RunAsync("models", "list", "--json");
        Assert.Equal(0, run.ExitCode);
        var entries = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("descriptor").GetProperty("name").GetString()!, e => e);

        Assert.Equal(ModelCatalog.All.Select(m => m.Name).Concat(["pixels", "pixels128", "colorhist"]), entries.Keys);
        Assert.Equal("NoFileNeeded", entries["colorhist"].GetProperty("location").GetString());
        Assert.Equal(49152, entries["pixels128"].GetProperty("descriptor").GetProperty("dimension").GetInt32());
        // A copy in $IMAGECLUSTER_MODELS (../shared/models here) wins over the one built into the library.
        Assert.Equal(SharedData.IsPresent ? "ModelsFolder" : "Embedded", entries["mobilenetv2_12_int8"].GetProperty("location").GetString());
        if (SharedData.IsPresent)
            Assert.Equal(SharedModel("mobilenetv2_12_int8.onnx"), entries["mobilenetv2_12_int8"].GetProperty("path").GetString());
        Assert.Equal("BuiltIn", entries["resnet18"].GetProperty("location").GetString());
        Assert.Equal("Missing", entries["clip_vit_b32_vision"].GetProperty("location").GetString());
        Assert.Equal(3655871, entries["mobilenetv2_12_int8"].GetProperty("descriptor").GetProperty("sizeBytes").GetInt64());
        Assert.True(entries.Values.All(e => e.GetProperty("descriptor").GetProperty("dimension").GetInt32() > 0));
    }

    [Fact]
    public async Task Info_describes_a_model_free_baseline_without_a_file()
    {
        var run = await CliRunner.RunAsync("models", "info", "colorhist");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("embedding        'hsv8x4x4', 128 values", run.Stdout);
        Assert.Contains("found            no file needed", run.Stdout);
        Assert.DoesNotContain("sha256", run.Stdout);
    }

    [SharedFact]
    public async Task Info_shows_the_descriptor_the_file_and_whether_its_checksum_matches()
    {
        var run = await CliRunner.RunAsync("models", "info", "mobilenet_v1_0.75_224");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("input            'input' 224x224 NHWC, RGB, dynamic batch", run.Stdout);
        Assert.Contains($"found            {SharedModel("mobilenet_v1_0.75_224.onnx")} (IMAGECLUSTER_MODELS)", run.Stdout);
        Assert.Contains("checksum         matches", run.Stdout);

        var json = await CliRunner.RunAsync("models", "info", "resnet18", "--json");
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.True(root.GetProperty("sha256Matches").GetBoolean());
        Assert.Equal("Pooling395_Output_0", root.GetProperty("entry").GetProperty("descriptor").GetProperty("embeddingOutput").GetString());

        var unknown = await CliRunner.RunAsync("models", "info", "vgg99");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown model 'vgg99'", unknown.Stderr);
    }

    [SharedFact]
    public async Task Import_with_a_good_spec_makes_the_model_usable_by_name_and_listed()
    {
        using var cache = new UserCacheScope();
        var run = await CliRunner.RunAsync("models", "import", SharedModel("mobilenet_v1_0.75_224.onnx"), "--spec", WriteSpec(cache));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("imported my_mobilenet_v1", run.Stdout);
        Assert.True(File.Exists(Path.Combine(cache.Models, "my_mobilenet_v1.onnx")));

        var descriptor = UserModels.ReadSpec(Path.Combine(cache.Models, "my_mobilenet_v1" + UserModels.DescriptorSuffix));
        Assert.Equal("my_mobilenet_v1.onnx", descriptor.File);
        Assert.Equal(ModelResolver.FileSha256(SharedModel("mobilenet_v1_0.75_224.onnx")), descriptor.Sha256);

        var resolved = ModelResolver.Resolve("my_mobilenet_v1");
        Assert.Equal(Path.Combine(cache.Models, "my_mobilenet_v1.onnx"), resolved.Path);
        Assert.Empty(resolved.Notes);
        using (var embedder = EmbedderFactory.Create(resolved, threads: 1))
            Assert.Equal(768, embedder.Dimension);

        var list = await CliRunner.RunAsync("models", "list");
        Assert.Matches(@"my_mobilenet_v1\s+768 224x224 NHWC\s+10\.4 MB Apache-2\.0\s+cache \(imported\)", list.Stdout);

        var twice = await CliRunner.RunAsync("models", "import", SharedModel("mobilenet_v1_0.75_224.onnx"), "--spec", WriteSpec(cache));
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("already imported", twice.Stderr);
    }

    [SharedFact]
    public async Task Import_with_a_wrong_input_name_names_the_file_expected_and_found()
    {
        using var cache = new UserCacheScope();
        string file = SharedModel("mobilenet_v1_0.75_224.onnx");
        var run = await CliRunner.RunAsync("models", "import", file, "--spec", WriteSpec(cache, input: "images"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: {file} does not match model my_mobilenet_v1: expected an input named 'images', found 'input' [", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(Directory.Exists(cache.Models) && Directory.EnumerateFiles(cache.Models).Any());
    }

    [SharedFact]
    public async Task Import_with_a_wrong_dimension_or_a_broken_spec_is_refused()
    {
        using var cache = new UserCacheScope();
        string file = SharedModel("mobilenet_v1_0.75_224.onnx");
        var wrongDimension = await CliRunner.RunAsync("models", "import", file, "--spec", WriteSpec(cache, dimension: 1000));
        Assert.Equal(2, wrongDimension.ExitCode);
        Assert.Contains("output 'embedding' has shape [", wrongDimension.Stderr);
        Assert.Contains("= 768 values per image, the descriptor says dimension 1000", wrongDimension.Stderr);

        File.WriteAllText(cache.Combine("broken.json"), """{ "name": "x", "file": "x.onnx" }""");
        var broken = await CliRunner.RunAsync("models", "import", file, "--spec", cache.Combine("broken.json"));
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("broken.json is not a valid model spec", broken.Stderr);
    }

    [SharedFact]
    public void A_descriptor_that_does_not_fit_the_file_fails_on_load_naming_both()
    {
        // MobileNet v1's descriptor (NHWC) on the MobileNetV2 file (NCHW).
        string file = SharedModel("mobilenetv2_12_int8.onnx");
        var descriptor = ModelCatalog.Find("mobilenet_v1_0.75_224")! with { Input = "input" };
        var error = Assert.Throws<ModelNotFoundException>(() => new OnnxEmbedder(new ResolvedModel(descriptor, file, null, null, []), threads: 1));
        Assert.StartsWith($"{file} does not match model mobilenet_v1_0.75_224: input 'input' has shape [", error.Message);
        Assert.Contains("expected 3 channels at axis 3 for [N,H,W,3] (NHWC); the file looks NCHW", error.Message);

        var wrongSize = ModelCatalog.Find("mobilenetv2_12_int8")! with { Width = 160, Height = 160 };
        var sizeError = Assert.Throws<ModelNotFoundException>(() => new OnnxEmbedder(new ResolvedModel(wrongSize, file, null, null, []), threads: 1));
        Assert.Contains("the descriptor says 160×160 pixels", sizeError.Message);
    }
}
