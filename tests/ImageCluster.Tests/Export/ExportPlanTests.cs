using ImageCluster.Export;

namespace ImageCluster.Tests;

public class ExportPlanTests
{
    [SharedFact]
    public async Task Nothing_kept_or_a_missing_original_is_refused_before_anything_is_touched()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        ImageClusterException e = Assert.Throws<NothingSelectedException>(() => Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out") }));
        Assert.Contains("no image is kept", e.Message);
        var cli = await CliRunner.RunAsync("export", run, "--to", temp.Combine("out"));
        Assert.Equal(2, cli.ExitCode);
        Assert.EndsWith("keep or discard clusters first, or export all of them ('imagecluster select RUN --keep 0,3' decides; --what all exports every image)", cli.Stderr.Trim());

        string gone = Directory.GetFiles(input, "*", SearchOption.AllDirectories)[0];
        File.Delete(gone);
        e = Assert.Throws<ImageClusterException>(() => Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out"), What = ExportSelection.All }));
        Assert.Contains($"1 image(s) of the run are missing from the input folder, nothing exported: {gone}", e.Message);
        Assert.False(Directory.Exists(temp.Combine("out")));
        Assert.False(Directory.Exists(Path.Combine(run, "exports")));
    }

    [SharedFact]
    public async Task Resume_checks_the_files_already_done_before_the_manifest_vouches_for_them()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out"), What = ExportSelection.All });
        string changed = Directory.GetFiles(temp.Combine("out"), "*.jpg", SearchOption.AllDirectories)[3];
        File.WriteAllText(changed, "edited");

        var resume = await CliRunner.RunAsync("export", "--resume", result.Journal!);

        Assert.Equal(1, resume.ExitCode);
        Assert.Contains($"{changed} is no longer the file this export wrote", resume.Stderr);
    }

    [SharedFact]
    public async Task A_kill_between_writing_the_manifest_and_recording_it_is_completed_and_undone()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        var before = ReviewRuns.Snapshot(input);
        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out"), What = ExportSelection.All });
        var lines = File.ReadAllLines(result.Journal!);
        Assert.Equal(["manifest", "end"], lines[^2..].Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
        File.WriteAllLines(result.Journal!, lines[..^2]); // as if killed right after the manifest's rename

        var resumed = Exporter.Resume(result.Journal!);
        Assert.Equal(18, resumed.AlreadyDone);
        Assert.EndsWith("\"type\":\"end\"", File.ReadAllLines(result.Journal!)[^1].Split(",\"utc\"")[0]);

        File.WriteAllLines(result.Journal!, lines[..^2]);
        Assert.Empty(ExportUndo.Run(result.Journal!).Refused);
        Assert.False(Directory.Exists(temp.Combine("out")));
        Assert.Equal(before, ReviewRuns.Snapshot(input));
    }

    [SharedFact]
    public async Task A_kill_during_the_write_probe_leaves_a_probe_that_resume_replaces()
    {
        // KillTests once landed its kill between creating the destination's probe file and deleting it: resume then
        // refused to write into the folder because "the probe already exists". The probe is named by the export's id, so
        // one already there is this export's own.
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp);
        string to = temp.Combine("out");
        var result = Exporter.Run(new ExportOptions { Run = run, To = to, What = ExportSelection.All });
        var lines = File.ReadAllLines(result.Journal!);
        string Type(string line) => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("type").GetString()!;
        var kept = lines.TakeWhile(l => Type(l) is "begin" or "plan" or "mkdir").ToArray();
        Assert.Contains("mkdir", kept.Select(Type)); // the destination was made before the kill
        File.WriteAllLines(result.Journal!, kept); // killed after making the folders, before the first file
        foreach (var file in Directory.GetFiles(to, "*", SearchOption.AllDirectories)) File.Delete(file);
        string id = System.Text.Json.JsonDocument.Parse(kept[0]).RootElement.GetProperty("id").GetString()!;
        File.WriteAllText(Path.Combine(to, $".imagecluster-probe-{id}"), "");

        var resumed = Exporter.Resume(result.Journal!);

        Assert.Equal(18, resumed.Written + resumed.AlreadyDone);
        Assert.False(File.Exists(Path.Combine(to, $".imagecluster-probe-{id}")));
        Assert.Equal(18, Directory.GetFiles(to, "*.jpg", SearchOption.AllDirectories).Length);
    }

    [SharedFact]
    public async Task Move_across_file_systems_copies_verifies_and_deletes_and_undo_copies_back()
    {
        // /dev/shm is a tmpfs, the temp folder is not: link(2) fails with EXDEV there, which takes the copy path.
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        var before = ReviewRuns.Snapshot(input);
        string to = Path.Combine("/dev/shm", "imagecluster-tests-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var hardlink = await CliRunner.RunAsync("export", run, "--to", to, "--mode", "hardlink", "--what", "all");
            Assert.Equal(1, hardlink.ExitCode);
            Assert.Contains("cannot hard-link across file systems", hardlink.Stderr);
            Assert.Empty(ExportUndo.Run(ReviewRuns.Journal(run)).Refused);
            Assert.False(Directory.Exists(to));

            var result = Exporter.Run(new ExportOptions { Run = run, To = to, Mode = ExportMode.Move, What = ExportSelection.All });
            Assert.Equal(18, result.Written);
            Assert.Empty(Directory.GetFiles(input, "*", SearchOption.AllDirectories));
            Assert.DoesNotContain(ReviewRuns.Snapshot(to).Keys, k => k.EndsWith(".tmp", StringComparison.Ordinal));

            Assert.Equal(18, ExportUndo.Run(result.Journal!).Restored);
            Assert.Equal(before, ReviewRuns.Snapshot(input));
            Assert.False(Directory.Exists(to));
        }
        finally
        {
            if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        }
    }
}
