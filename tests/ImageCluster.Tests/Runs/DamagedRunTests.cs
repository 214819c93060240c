namespace ImageCluster.Tests;

/// <summary>Damaged inputs are named, never used in part as if whole (issue 14, items 10 and 11).</summary>
public class DamagedRunTests
{
    private static async Task<string> RunAsync(TempFolder temp)
    {
        var run = await CliRunner.RunAsync("cluster", SharedData.Sample, "--k", "3", "--model", "pixels", "--out", temp.Combine("run"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        return temp.Combine("run");
    }

    [Fact]
    public async Task A_cut_or_emptied_assignments_file_is_refused_by_select_review_and_report()
    {
        using var temp = new TempFolder();
        string run = await RunAsync(temp);
        string assignments = Path.Combine(run, "assignments.csv");
        var lines = File.ReadAllLines(assignments);
        Assert.Equal(66, lines.Length);
        foreach (var kept in new[] { 53, 1 })
        {
            File.WriteAllLines(assignments, lines.Take(kept));
            string expected = $"error: {assignments} holds {kept - 1} images but the run clustered 65 (run.json): the file is damaged; cluster the folder again to rewrite it";
            var select = await CliRunner.RunAsync("select", run, "--status");
            Assert.Equal(2, select.ExitCode);
            Assert.Equal(expected, select.Stderr.Trim());
            var report = await CliRunner.RunAsync("report", run);
            Assert.Equal(2, report.ExitCode);
            Assert.Equal(expected, report.Stderr.Trim().Split('\n')[^1]);
        }
    }

    [Fact]
    public async Task A_labels_file_with_an_unclosed_quote_names_the_line()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("labels.csv"), "path,label\nphoto_cat_01.jpg,cat\n\"photo_cat_02.jpg,cat\nphoto_cat_03.jpg,cat\n");
        var run = await CliRunner.RunAsync("cluster", SharedData.Sample, "--k", "3", "--model", "pixels", "--out", temp.Combine("run"), "--labels", temp.Combine("labels.csv"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {temp.Combine("labels.csv")} line 3: 1 field(s) where the header has 2; a quote opened there is never closed", run.Stderr.Trim());
    }
}
