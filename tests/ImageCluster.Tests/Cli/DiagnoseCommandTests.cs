using System.Text.Json;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster diagnose</c>: the pre-diagnostics on a features file, as a user sees and scripts them.</summary>
public class DiagnoseCommandTests
{
    private static string Features(TempFolder temp, string set)
    {
        var (x, _) = OracleData.Set(set);
        string file = temp.Combine(set + ".csv");
        RunOutputs.WriteFeatures(file, Enumerable.Range(0, x.Rows).Select(i => $"{i}.jpg").ToList(), x);
        return file;
    }

    [Fact]
    public async Task Four_blobs_are_clusterable_and_four_is_suggested()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("diagnose", "--features", Features(temp, "blobs"), "--k-max", "8", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(4, json.GetProperty("suggestedK").GetInt32());
        Assert.True(json.GetProperty("hopkins").GetProperty("statistic").GetDouble() > 0.9);
        Assert.Equal(8, json.GetProperty("evidence").GetArrayLength()); // k = 1..8
        Assert.Equal(4, json.GetProperty("votes").GetProperty("silhouette").GetInt32());
        Assert.True(json.GetProperty("kDistance").GetProperty("suggestedEps").GetDouble() > 0);
    }

    [Fact]
    public async Task Uniform_noise_has_a_hopkins_statistic_near_one_half_and_the_table_is_printed()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("diagnose", "--features", Features(temp, "all_noise"), "--k-max", "5", "--gap-references", "5");

        Assert.Equal(0, run.ExitCode);
        var line = run.Stdout.Split('\n').Single(l => l.StartsWith("Hopkins statistic H = ", StringComparison.Ordinal));
        double h = double.Parse(line["Hopkins statistic H = ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(h, 0.3, 0.7);
        Assert.Contains("silhouette", run.Stdout);
        Assert.Contains("suggested", run.Stdout);
    }

    [Fact]
    public async Task Bad_input_is_a_usage_error()
    {
        using var temp = new TempFolder();
        Assert.Equal(2, (await CliRunner.RunAsync("diagnose")).ExitCode);
        var oneRow = temp.Combine("one.csv");
        File.WriteAllText(oneRow, "path,f0\na.jpg,1\n");
        var run = await CliRunner.RunAsync("diagnose", "--features", oneRow);
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Theory]
    [InlineData("--k-min", "0", "--k-min must be at least 1 (got 0)")]
    [InlineData("--k-max", "0", "--k-max must be at least --k-min 1 (got 0)")]
    [InlineData("--min-samples", "0", "--min-samples must be at least 1 (got 0)")]
    [InlineData("--gap-references", "-1", "--gap-references must be 0 (skip the gap statistic) or more (got -1)")]
    public async Task Bad_ranges_are_refused_by_flag_name_before_any_work(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("diagnose", "--features", Features(temp, "blobs"), option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: {expected}\n", run.Stderr);
        Assert.DoesNotContain("diagnosing", run.Stderr);
    }
}
