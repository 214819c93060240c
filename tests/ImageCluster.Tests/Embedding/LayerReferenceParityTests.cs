using System.Text.Json;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>
/// The tensor <c>embed --layer</c> reads from the default int8 model equals OpenCV's independent computation of the same
/// layer (fixture by <c>tools/make_layer_fixture.py</c>) within 1e-3 relative error, through the real embed path.
/// </summary>
public class LayerReferenceParityTests
{
    private const double Tolerance = 1e-3;

    private sealed record Fixture(string Model, string ModelSha256, string Image, string Layer, int ConvIndex, int[] Shape, double[] Avg, double[] Max,
        int[] SampleIndices, double[] SampleValues, double AbsMax);

    private static Fixture Load() => JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", "layer_mobilenetv2_int8.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static async Task<float[]> EmbedAsync(TempFolder temp, Fixture fixture, string pool)
    {
        string images = temp.Combine("images");
        if (!Directory.Exists(images))
            temp.CopyFrom(Path.Combine(SharedData.Models, "reference", "images"), [fixture.Image], images);
        string output = temp.Combine($"{pool}.csv");
        var run = await CliRunner.RunAsync("embed", images, "--out", output, "--model", "mobilenetv2_12_int8", "--layer", fixture.Layer, "--pool", pool);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var table = FeaturesFile.Read(output);
        Assert.Equal(1, table.Features.Rows);
        return table.Features.ReadRow(0).ToArray();
    }

    // Relative to the layer's largest magnitude: single values near zero would make a per-value ratio meaningless.
    private static double MaxRelativeError(IReadOnlyList<float> ours, IReadOnlyList<double> reference, double scale) =>
        Enumerable.Range(0, reference.Count).Max(i => Math.Abs(ours[i] - reference[i]) / scale);

    [SharedFact]
    public void Fixture_is_for_the_shared_default_model()
    {
        var fixture = Load();
        Assert.Equal(Embedding.ModelResolver.FileSha256(Path.Combine(SharedData.Models, fixture.Model)), fixture.ModelSha256);
        Assert.Equal([24, 56, 56], fixture.Shape);
    }

    [SharedFact]
    public async Task Avg_and_max_pool_match_the_reference()
    {
        var fixture = Load();
        using var temp = new TempFolder();
        var avg = await EmbedAsync(temp, fixture, "avg");
        var max = await EmbedAsync(temp, fixture, "max");
        Assert.Equal(fixture.Shape[0], avg.Length);
        double avgError = Enumerable.Range(0, avg.Length).Max(c => Math.Abs(avg[c] - fixture.Avg[c]) / Math.Max(Math.Abs(fixture.Avg[c]), 1e-3 * fixture.AbsMax));
        Assert.True(avgError <= Tolerance, $"avg: max relative error {avgError:E2}");
        double maxError = MaxRelativeError(max, fixture.Max, fixture.AbsMax);
        Assert.True(maxError <= Tolerance, $"max: max relative error {maxError:E2}");
    }

    [SharedFact]
    public async Task Flattened_map_matches_the_reference_values()
    {
        var fixture = Load();
        using var temp = new TempFolder();
        var flat = await EmbedAsync(temp, fixture, "flatten");
        Assert.Equal(fixture.Shape.Aggregate(1, (a, b) => a * b), flat.Length);
        var ours = fixture.SampleIndices.Select(i => flat[i]).ToList();
        double error = MaxRelativeError(ours, fixture.SampleValues, fixture.AbsMax);
        Assert.True(error <= Tolerance, $"flatten: max relative error {error:E2} over {ours.Count} values");
        // Flatten is C,H,W order: pooling it by hand gives the reference channel means too.
        int plane = fixture.Shape[1] * fixture.Shape[2];
        var means = Enumerable.Range(0, fixture.Shape[0]).Select(c => (float)flat.Skip(c * plane).Take(plane).Average(v => (double)v)).ToList();
        Assert.True(MaxRelativeError(means, fixture.Avg, fixture.AbsMax) <= Tolerance);
    }
}
