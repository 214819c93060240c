using System.Text.Json;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>
/// The README's first command on the sample committed with the repository (samples/mixed-dump): runs on any machine,
/// with the model built into the library.
/// </summary>
public class SampleTests
{
    private static Dictionary<string, string> Labels()
    {
        using var reader = new StreamReader(Path.Combine(SharedData.Sample, "labels.csv"));
        return Csv.Read(reader).Skip(1).ToDictionary(r => r[0], r => r[1]);
    }

    private static Dictionary<string, int> Assignments(string run)
    {
        using var reader = new StreamReader(Path.Combine(run, "assignments.csv"));
        return Csv.Read(reader).Skip(1).ToDictionary(r => r[0], r => int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_first_command_puts_the_documents_in_a_cluster_of_their_own_and_names_the_broken_files()
    {
        using var temp = new TempFolder();
        var run = await CliRunner.RunAsync("cluster", SharedData.Sample, "--k", "6", "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain("not found", run.Stderr);
        Assert.Contains("on mobilenetv2_12_int8 (embedded 65, from cache 0, unreadable 3)", run.Stdout);
        Assert.Contains("next:        imagecluster report", run.Stdout);

        var labels = Labels();
        var assigned = Assignments(temp.Combine("run"));
        Assert.Equal(65, assigned.Count);
        var documentClusters = assigned.Where(a => labels[a.Key] == "document").Select(a => a.Value).Distinct().ToList();
        int documents = Assert.Single(documentClusters); // every page in one cluster …
        Assert.All(assigned.Where(a => a.Value == documents), a => Assert.Equal("document", labels[a.Key])); // … and nothing else in it
        Assert.Equal(21, assigned.Count(a => a.Value == documents));

        string errors = File.ReadAllText(temp.Combine("run", "errors.csv"));
        foreach (var broken in labels.Where(l => l.Value == "broken").Select(l => l.Key)) Assert.Contains(broken, errors);
    }

    [Fact]
    public async Task A_second_run_of_the_sample_into_a_new_folder_embeds_nothing_and_its_report_builds()
    {
        using var temp = new TempFolder();
        string store = temp.Combine("store.db");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", SharedData.Sample, "--k", "6", "--out", temp.Combine("a"), "--store", store)).ExitCode);
        var second = await CliRunner.RunAsync("cluster", SharedData.Sample, "--k", "4", "--out", temp.Combine("b"), "--store", store, "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);
        var counts = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("counts");
        Assert.Equal((0, 65), (counts.GetProperty("embedded").GetInt32(), counts.GetProperty("fromCache").GetInt32()));

        var report = await CliRunner.RunAsync("report", temp.Combine("b"), "--labels", Path.Combine(SharedData.Sample, "labels.csv"), "--positive", "document");
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.True(new FileInfo(temp.Combine("b", "report.html")).Length > 10_000);
    }
}
