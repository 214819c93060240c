using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary>select, export and undo end to end on a real run of the default model over near_duplicates (180 images).</summary>
public class ReviewCliTests
{
    [SharedFact]
    public async Task Select_export_and_undo_on_a_real_run()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeFullAsync(temp);
        string to = temp.Combine("kept");
        var before = ReviewRuns.Snapshot(input);
        var assignments = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(r => r[0], r => int.Parse(r[1]));
        int Size(int c) => assignments.Values.Count(v => v == c);
        string moved = assignments.First(a => a.Value is not (0 or 3 or 5)).Key;
        int kept = Size(0) + Size(3) + 1, discarded = Size(5);

        var select = await CliRunner.RunAsync("select", run, "--keep", "0,3", "--discard", "5", "--move", $"{moved}=3", "--rename", "3=favourites");
        Assert.True(select.ExitCode == 0, select.Stderr);
        Assert.Contains($"recorded #1: move {moved} to cluster 3", select.Stdout);
        Assert.Contains("recorded #2: keep clusters 0,3", select.Stdout);
        Assert.Contains("recorded #3: discard cluster 5", select.Stdout);
        Assert.Contains("recorded #4: rename cluster 3 to 'favourites'", select.Stdout);

        var status = await CliRunner.RunAsync("select", run, "--status", "--json");
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            var counts = json.RootElement.GetProperty("counts");
            Assert.Equal(180, counts.GetProperty("images").GetInt32());
            Assert.Equal(kept, counts.GetProperty("kept").GetInt32());
            Assert.Equal(discarded, counts.GetProperty("discarded").GetInt32());
            Assert.Equal("favourites", json.RootElement.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("cluster").GetInt32() == 3).GetProperty("name").GetString());
        }

        Assert.Contains("undone: rename cluster 3 to 'favourites'", (await CliRunner.RunAsync("select", run, "--undo")).Stdout);
        Assert.Contains("redone: rename cluster 3 to 'favourites'", (await CliRunner.RunAsync("select", run, "--redo")).Stdout);

        var escape = await CliRunner.RunAsync("select", run, "--move", "../run/run.json=3");
        Assert.Equal(2, escape.ExitCode);
        Assert.Equal($"error: ../run/run.json contains '..'; paths must stay inside the input folder {input}", escape.Stderr.Trim());

        var export = await CliRunner.RunAsync("export", run, "--to", to, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        string journal;
        using (var json = JsonDocument.Parse(export.Stdout))
        {
            Assert.Equal(kept, json.RootElement.GetProperty("written").GetInt32());
            journal = json.RootElement.GetProperty("journal").GetString()!;
        }
        Assert.Equal(kept + 1, File.ReadAllLines(Path.Combine(to, "manifest.csv")).Length);
        Assert.True(File.Exists(Path.Combine(to, moved)));

        var undo = await CliRunner.RunAsync("undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Stderr);
        Assert.Equal($"undid the export to {to}: removed {kept} files", undo.Stdout.Trim());
        Assert.False(Directory.Exists(to));
        Assert.Equal(before, ReviewRuns.Snapshot(input));
    }
}
