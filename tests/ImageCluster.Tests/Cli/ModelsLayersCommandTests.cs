using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster models layers NAME --json</c> on every shared model and the built-in one.</summary>
public class ModelsLayersCommandTests
{
    [SharedTheory]
    [InlineData("mobilenetv2_12_int8", 52, 6, "489_quantized", new long[] { 24, 56, 56 })]
    [InlineData("mobilenet_v1_0.75_224", 28, 1, "conv1__3", new long[] { 24, 112, 112 })]
    [InlineData("resnet18", 22, 22, "Convolution387_Output_0", new long[] { 512, 7, 7 })]
    public async Task Lists_every_convolution_with_its_shape(string model, int convolutions, int convIndex, string layer, long[] shape)
    {
        var run = await CliRunner.RunAsync("models", "layers", model, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(model, doc.RootElement.GetProperty("model").GetString());
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToList();
        var convs = layers.Where(l => l.GetProperty("convIndex").ValueKind == JsonValueKind.Number).ToList();
        Assert.Equal(convolutions, convs.Count);
        Assert.Equal(Enumerable.Range(1, convs.Count), convs.Select(c => c.GetProperty("convIndex").GetInt32()));
        Assert.All(convs, c =>
        {
            Assert.Contains(c.GetProperty("opType").GetString(), new[] { "Conv", "QLinearConv" });
            var dims = c.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToList();
            Assert.Equal(3, dims.Count);
            Assert.All(dims, d => Assert.True(d > 0));
        });
        var chosen = convs.Single(c => c.GetProperty("convIndex").GetInt32() == convIndex);
        Assert.Equal(layer, chosen.GetProperty("name").GetString());
        Assert.Equal(shape, chosen.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public async Task Text_output_has_a_row_per_layer_and_int8_layers_are_dequantized()
    {
        var run = await CliRunner.RunAsync("models", "layers", "mobilenetv2_12_int8");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("52 convolutions", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("489_quantized", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("QLinearConv (dequantized)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("24×56×56 CHW", run.Stdout, StringComparison.Ordinal);
    }
}
