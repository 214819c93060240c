using System.Globalization;
using System.Text.Json;
using ImageCluster.Embedding;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary><c>--layer</c> / <c>--pool</c>: pooling by hand, store keys, layer shapes on the shared models.</summary>
public class LayerFeatureTests
{
    // Two channels of 2×2: [[1,2],[3,4]] and [[-1,0],[5,-2]].
    private static readonly float[] Nchw = [1, 2, 3, 4, -1, 0, 5, -2];

    private static float[] ToNhwc(float[] nchw, int c, int h, int w)
    {
        var result = new float[nchw.Length];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    result[(y * w + x) * c + ch] = nchw[(ch * h + y) * w + x];
        return result;
    }

    [Theory]
    [InlineData(LayerPool.Avg, new float[] { 2.5f, 0.5f })]
    [InlineData(LayerPool.Max, new float[] { 4f, 5f })]
    public void Pooling_reduces_every_channel_in_either_layout(LayerPool pool, float[] expected)
    {
        var nchw = new float[2];
        FeaturePooling.Pool(Nchw, [2, 2, 2], TensorLayout.Nchw, pool, nchw);
        Assert.Equal(expected, nchw);

        var nhwc = new float[2];
        FeaturePooling.Pool(ToNhwc(Nchw, 2, 2, 2), [2, 2, 2], TensorLayout.Nhwc, pool, nhwc);
        Assert.Equal(expected, nhwc);
        Assert.Equal(2, FeaturePooling.Dimension([2, 2, 2], TensorLayout.Nhwc, pool));
    }

    [Fact]
    public void Flatten_keeps_every_value_in_memory_order_and_vectors_pass_through()
    {
        var flat = new float[8];
        FeaturePooling.Pool(Nchw, [2, 2, 2], TensorLayout.Nchw, LayerPool.Flatten, flat);
        Assert.Equal(Nchw, flat);
        Assert.Equal(8, FeaturePooling.Dimension([2, 2, 2], TensorLayout.Nchw, LayerPool.Flatten));

        var logits = new float[3];
        FeaturePooling.Pool([0.5f, -1f, 2f], [3], TensorLayout.Nchw, LayerPool.Max, logits);
        Assert.Equal([0.5f, -1f, 2f], logits);
    }

    [Fact]
    public void Every_layer_and_pool_has_its_own_store_key()
    {
        var descriptor = ModelCatalog.Find(ModelCatalog.DefaultModel)!;
        var model = new ResolvedModel(descriptor, "/models/m.onnx", null, new string('a', 64), []);
        var variants = new[]
        {
            model,
            model.WithLayer(new LayerSelection("489_quantized")),
            model.WithLayer(new LayerSelection("489_quantized", LayerPool.Max)),
            model.WithLayer(new LayerSelection("489_quantized", LayerPool.Flatten)),
            model.WithLayer(new LayerSelection("492_quantized")),
        };
        Assert.Equal(variants.Length, variants.Select(v => v.CacheKey).Distinct().Count());
        Assert.Equal(variants.Length, variants.Select(v => v.FeatureOutput).Distinct().Count());
        Assert.Equal("489_quantized/max", variants[2].FeatureOutput);
        Assert.Equal("Layer", Assert.Throws<ArgumentException>(() => new ResolvedModel(PixelEmbedder.Descriptor, null, null, null, []).WithLayer(new LayerSelection("x"))).ParamName);
    }

    [SharedTheory]
    [InlineData("mobilenetv2_12_int8", "489_quantized", new long[] { 24, 56, 56 })]
    [InlineData("mobilenetv2_12_int8", "Conv_9_quant", new long[] { 24, 56, 56 })] // a node name reads its output
    [InlineData("mobilenet_v1_0.75_224", "conv_pw_13_relu_relu6__271", new long[] { 768, 7, 7 })]
    [InlineData("resnet18", "ReLU333_Output_0", new long[] { 256, 14, 14 })]
    public void Embedder_reads_the_layer_with_its_shape(string modelName, string layer, long[] shape)
    {
        foreach (var pool in Enum.GetValues<LayerPool>())
        {
            var model = ModelResolver.Resolve(modelName, [SharedData.Models]).WithLayer(new LayerSelection(layer, pool));
            using var embedder = new OnnxEmbedder(model, threads: 1);
            Assert.Equal(shape, embedder.LayerShape);
            Assert.Equal(pool == LayerPool.Flatten ? (int)(shape[0] * shape[1] * shape[2]) : (int)shape[0], embedder.Dimension);
        }
    }

    [SharedTheory]
    [InlineData("mobilenetv2_12_int8", "627_quantized")] // the graph's own DequantizeLinear (t627) is reused
    [InlineData("mobilenet_v1_0.75_224", "conv_pw_13_relu_relu6__271")] // NHWC input, NCHW maps inside
    public async Task Average_of_the_last_feature_map_is_the_models_embedding(string model, string lastMap)
    {
        using var temp = new TempFolder();
        string images = Path.Combine(SharedData.Models, "reference", "images");
        var embedding = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("e.csv"), "--model", model);
        Assert.True(embedding.ExitCode == 0, embedding.Stderr);
        var layer = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("l.csv"), "--model", model, "--layer", lastMap, "--pool", "avg");
        Assert.True(layer.ExitCode == 0, layer.Stderr);
        var expected = FeaturesFile.Read(temp.Combine("e.csv")).Features;
        var actual = FeaturesFile.Read(temp.Combine("l.csv")).Features;
        Assert.Equal(expected.Columns, actual.Columns);
        for (int i = 0; i < expected.Rows; i++)
            for (int j = 0; j < expected.Columns; j++)
                Assert.True(Math.Abs(expected.ReadRow(i)[j] - actual.ReadRow(i)[j]) <= 1e-5f, $"row {i} column {j}");
    }

    [SharedFact]
    public async Task Layers_are_cached_apart_and_named_in_the_outputs()
    {
        using var temp = new TempFolder();
        string images = Path.Combine(SharedData.Models, "reference", "images");
        string store = temp.Combine("store.db");
        var first = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--store", store, "--layer", "489_quantized", "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var other = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("b.csv"), "--store", store, "--layer", "489_quantized", "--pool", "max", "--json");
        Assert.True(other.ExitCode == 0, other.Stderr);
        var again = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("c.csv"), "--store", store, "--layer", "489_quantized", "--json");
        using (var doc = JsonDocument.Parse(other.Stdout))
        {
            Assert.Equal(12, doc.RootElement.GetProperty("embedded").GetInt32()); // max is not served from avg's vectors
            Assert.Equal("489_quantized", doc.RootElement.GetProperty("model").GetProperty("layer").GetString());
            Assert.Equal("max", doc.RootElement.GetProperty("model").GetProperty("pool").GetString());
            Assert.Equal(24, doc.RootElement.GetProperty("model").GetProperty("dimension").GetInt32());
        }
        using (var doc = JsonDocument.Parse(again.Stdout)) Assert.Equal(12, doc.RootElement.GetProperty("fromCache").GetInt32());
        Assert.StartsWith("path,489_quantized/max/0,", File.ReadLines(temp.Combine("b.csv")).First(), StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(temp.Combine("a.csv")).Split('\n')[1], File.ReadAllText(temp.Combine("b.csv")).Split('\n')[1]);
    }

    [SharedFact]
    public async Task Cluster_on_a_layer_names_it_in_run_json()
    {
        using var temp = new TempFolder();
        temp.CopyFrom(Path.Combine(SharedData.Models, "reference", "images"), Enumerable.Range(0, 12).Select(i => $"ref_{i:00}.png"), temp.Combine("images"));
        var run = await CliRunner.RunAsync("cluster", temp.Combine("images"), "--k", "3", "--out", temp.Combine("run"), "--layer", "Conv_16_quant", "--pool", "max");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("layer Conv_16_quant (max, 144 features)", run.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json")));
        var model = doc.RootElement.GetProperty("model");
        Assert.Equal("Conv_16_quant", model.GetProperty("layer").GetString());
        Assert.Equal("max", model.GetProperty("pool").GetString());
        Assert.Contains("layer=Conv_16_quant/pool=max", model.GetProperty("cacheKey").GetString(), StringComparison.Ordinal);
    }

    [SharedFact]
    public async Task Unknown_layers_and_a_stray_pool_are_usage_errors()
    {
        using var temp = new TempFolder();
        string images = Path.Combine(SharedData.Models, "reference", "images");
        var unknown = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--layer", "no_such_tensor");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no layer 'no_such_tensor' ('imagecluster models layers MODEL' lists them)", unknown.Stderr, StringComparison.Ordinal);
        var notFloat = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--layer", "465"); // int64 output of Shape
        Assert.Equal(2, notFloat.ExitCode);
        Assert.Contains("is not a float tensor", notFloat.Stderr, StringComparison.Ordinal);
        var quantizedReshape = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--layer", "472_quantized");
        Assert.Equal(2, quantizedReshape.ExitCode);
        Assert.Contains("8-bit tensor whose scale is not known", quantizedReshape.Stderr, StringComparison.Ordinal);
        var stray = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--pool", "max");
        Assert.Equal(2, stray.ExitCode);
        Assert.Contains("--pool applies to --layer", stray.Stderr, StringComparison.Ordinal);
        var pixels = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("a.csv"), "--model", "pixels", "--layer", "x");
        Assert.Equal(2, pixels.ExitCode);
    }

    [SharedFact]
    public void An_embedding_named_inside_the_graph_is_exposed_at_load_as_zoo_entries_need()
    {
        // The ONNX Model Zoo files name an inner pooling tensor as their embedding; emb_gap is the shared MobileNetV2's
        // [N,1280,1,1] pool whose Flatten is its 'embedding' output, so both must give the same values.
        var catalogue = ModelResolver.Resolve("mobilenetv2_12_int8", [SharedData.Models]);
        var zooStyle = catalogue with { Descriptor = catalogue.Descriptor with { Name = "zoo_style", EmbeddingOutput = "emb_gap" } };
        var random = new Random(3);
        var images = Enumerable.Range(0, 2 * 224 * 224 * 3).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var expected = new float[2 * 1280];
        var actual = new float[2 * 1280];
        using (var embedder = new OnnxEmbedder(catalogue, threads: 1)) embedder.Embed(images, 2, expected);
        using (var embedder = new OnnxEmbedder(zooStyle, threads: 1)) embedder.Embed(images, 2, actual);

        Assert.Equal(expected, actual);
        Assert.Contains(expected, v => v != 0);

        var missing = catalogue with { Descriptor = catalogue.Descriptor with { EmbeddingOutput = "no_such_tensor" } };
        var error = Assert.Throws<ModelNotFoundException>(() => new OnnxEmbedder(missing, threads: 1));
        Assert.Contains("expected an embedding output named 'no_such_tensor'", error.Message);
    }
}
