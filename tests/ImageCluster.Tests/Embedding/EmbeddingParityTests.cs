using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster embed</c> reproduces MODELS.md's reference vectors, computed with another runtime.</summary>
public class EmbeddingParityTests
{
    [SharedTheory]
    [InlineData("mobilenetv2_12_int8")]
    [InlineData("mobilenet_v1_0.75_224")]
    [InlineData("resnet18")]
    public async Task Embed_matches_reference_vectors(string model)
    {
        using var temp = new TempFolder();
        string features = temp.Combine("features.csv");
        var run = await CliRunner.RunAsync("embed", Path.Combine(SharedData.Models, "reference", "images"), "--out", features, "--model", model);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var ours = ReadVectors(features);
        var reference = ReadVectors(Path.Combine(SharedData.Models, "reference", $"embeddings-{model}.csv"));
        Assert.Equal(12, reference.Count);
        foreach (var (name, expected) in reference)
        {
            Assert.True(ours.TryGetValue(name, out var actual), $"{name} missing from our output");
            double cosine = Cosine(expected, actual);
            Assert.True(cosine >= 0.9999, $"{model} {name}: cosine {cosine:F6} < 0.9999");
        }
    }

    private static Dictionary<string, float[]> ReadVectors(string file)
    {
        using var reader = new StreamReader(file);
        return Csv.Read(reader).Skip(1).ToDictionary(
            r => Path.GetFileName(r[0]),
            r => r.Skip(1).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    private static double Cosine(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
