using System.Security.Cryptography;
using ImageCluster.Bench;

namespace ImageCluster.Tests;

/// <summary>The seeded hostile-file corpus (bench fuzz) through the real CLI: no crash, no hang, every file answered (issue 14).</summary>
public class FuzzTests
{
    private static List<(string Name, string Hash)> Contents(string folder) =>
        Directory.GetFiles(folder).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))))).ToList();

    [Fact]
    public void The_same_seed_gives_the_same_files()
    {
        using var temp = new TempFolder();
        FuzzCorpus.Write(temp.Combine("a"), 80, seed: 3, SharedData.Sample);
        FuzzCorpus.Write(temp.Combine("b"), 80, seed: 3, SharedData.Sample);
        FuzzCorpus.Write(temp.Combine("c"), 80, seed: 4, SharedData.Sample);
        Assert.Equal(Contents(temp.Combine("a")), Contents(temp.Combine("b")));
        Assert.NotEqual(Contents(temp.Combine("a")), Contents(temp.Combine("c")));
    }

    [Fact]
    public async Task Every_hostile_file_is_clustered_or_listed_with_a_cause_and_the_intact_ones_are_clustered()
    {
        using var temp = new TempFolder();
        string input = temp.Combine("in"), run = temp.Combine("run");
        var files = FuzzCorpus.Write(input, 300, seed: 14, SharedData.Sample);
        Assert.Equal(11, files.Select(f => f.Kind).Distinct().Count());

        var result = await RealCli.RunAsync(TimeSpan.FromMinutes(5), "cluster", input, "--out", run, "--store", temp.Combine("store.db"), "--k", "4");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var answers = FuzzCorpus.Check(files, run);
        Assert.Empty(answers.Missing);
        Assert.Empty(answers.Duplicated);
        Assert.Empty(answers.WithoutCause);
        Assert.Equal(300, answers.Clustered + answers.Errors);
        // Unchanged files, and files whose extension lies about their format, are images and must stay in.
        var intact = files.Where(f => f.Kind is "intact" or "wrongext").Select(f => f.Name).ToList();
        Assert.NotEmpty(intact);
        Assert.Empty(intact.Except(answers.ClusteredNames));
        Assert.DoesNotContain(answers.Causes, c => c.Cause.StartsWith("decoder failed", StringComparison.Ordinal));
    }
}
