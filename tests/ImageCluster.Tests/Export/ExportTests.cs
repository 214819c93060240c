using ImageCluster.Export;
using ImageCluster.Review;

namespace ImageCluster.Tests;

public class ExportTests
{
    private static async Task<(string Input, string Run)> KeepAllButCluster2Async(TempFolder temp)
    {
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        using var review = ReviewSession.Open(run);
        review.RecordAll([new ClusterVerdict([0, 1], Verdict.Keep), new ClusterVerdict([2], Verdict.Discard)]);
        return (input, run);
    }

    private static int Kept(string run)
    {
        using var review = ReviewSession.Open(run);
        return review.Status().Counts.Kept;
    }

    [SharedFact]
    public async Task Copy_writes_the_kept_images_a_manifest_and_a_journal_and_undo_restores_the_exact_previous_state()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        Directory.CreateDirectory(temp.Combine("out"));
        File.WriteAllText(temp.Combine("out", "notes.txt"), "mine");
        var inputBefore = ReviewRuns.Snapshot(input);
        var outBefore = ReviewRuns.Snapshot(temp.Combine("out"));

        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out", "export") });

        Assert.Equal(Kept(run), result.Written);
        var manifest = File.ReadAllLines(result.Manifest!);
        Assert.Equal("source,destination,cluster,decision,sha256", manifest[0]);
        Assert.Equal(result.Written, manifest.Length - 1);
        foreach (var row in manifest.Skip(1).Select(l => l.Split(',')))
        {
            Assert.Equal(inputBefore[Path.GetRelativePath(input, row[0])], row[4]);
            Assert.Equal(row[4], ReviewRuns.Snapshot(temp.Combine("out", "export"))[row[1]]);
            Assert.Equal("keep", row[3]);
        }
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input)); // a copy only reads the originals
        Assert.DoesNotContain(ReviewRuns.Snapshot(temp.Combine("out")).Keys, k => k.Contains(".tmp") || k.Contains("probe"));

        var undo = ExportUndo.Run(result.Journal!);
        Assert.Empty(undo.Refused);
        Assert.Equal(result.Written, undo.Removed);
        Assert.Equal(outBefore, ReviewRuns.Snapshot(temp.Combine("out"))); // export/ itself is gone, notes.txt stays
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input));
        Assert.True(ExportUndo.Run(result.Journal!).AlreadyUndone);
    }

    [SharedFact]
    public async Task Move_and_its_undo_put_every_original_back_with_the_same_content()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        var inputBefore = ReviewRuns.Snapshot(input);

        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("moved"), Mode = ExportMode.Move, What = ExportSelection.All });

        Assert.Equal(18, result.Written);
        Assert.Empty(Directory.GetFiles(input, "*", SearchOption.AllDirectories));
        foreach (var (rel, sha) in inputBefore.Where(e => e.Value != "dir"))
            Assert.Equal(sha, ReviewRuns.Snapshot(temp.Combine("moved"))[rel]);

        var undo = ExportUndo.Run(result.Journal!);
        Assert.Empty(undo.Refused);
        Assert.Equal(18, undo.Restored);
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input));
        Assert.False(Directory.Exists(temp.Combine("moved")));
    }

    [SharedFact]
    public async Task Collisions_fail_before_anything_is_touched_unless_skip_or_rename_is_chosen()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        string to = temp.Combine("out");
        using (var review = ReviewSession.Open(run))
        {
            string taken = review.State.Images.First(i => i.Verdict == Verdict.Keep).Path;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, taken))!);
            File.WriteAllText(Path.Combine(to, taken), "already here");
        }
        var before = ReviewRuns.Snapshot(to);

        var e = Assert.Throws<DestinationsTakenException>(() => Exporter.Run(new ExportOptions { Run = run, To = to }));
        Assert.Contains("1 destination name(s) already taken, nothing exported", e.Message);
        var cli = await CliRunner.RunAsync("export", run, "--to", to);
        Assert.Equal(2, cli.ExitCode);
        Assert.EndsWith("; skip or rename colliding files, or export to another folder (--on-collision skip|rename, or another --to)", cli.Stderr.Trim());
        Assert.Equal(before, ReviewRuns.Snapshot(to));
        Assert.False(Directory.Exists(Path.Combine(run, "exports")));

        var dry = Exporter.Run(new ExportOptions { Run = run, To = to, OnCollision = CollisionPolicy.Rename, DryRun = true });
        Assert.True(dry.DryRun);
        Assert.Equal(before, ReviewRuns.Snapshot(to));

        var skipped = Exporter.Run(new ExportOptions { Run = run, To = to, OnCollision = CollisionPolicy.Skip });
        Assert.Equal(Kept(run) - 1, skipped.Written);
        Assert.Equal("skipped", Assert.Single(skipped.Collisions).Resolution);
        Assert.Equal("already here", File.ReadAllText(Assert.Single(skipped.Collisions).Destination));
        Assert.Empty(ExportUndo.Run(skipped.Journal!).Refused);
        Assert.Equal(before, ReviewRuns.Snapshot(to));

        var renamed = Exporter.Run(new ExportOptions { Run = run, To = to, OnCollision = CollisionPolicy.Rename });
        var collision = Assert.Single(renamed.Collisions);
        Assert.EndsWith("_2.jpg", collision.RenamedTo);
        Assert.Equal("already here", File.ReadAllText(collision.Destination));
        Assert.Equal(ReviewRuns.Snapshot(input)[collision.Source], ReviewRuns.Snapshot(to)[Path.GetRelativePath(to, collision.RenamedTo!)]);
    }

    [SharedFact]
    public async Task A_read_only_destination_is_refused_before_any_file_is_written()
    {
        // Tests run as root, for whom chmod 555 stops nothing: an immutable folder (chattr +i) refuses even root.
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        string to = temp.Combine("readonly");
        Directory.CreateDirectory(to);
        var inputBefore = ReviewRuns.Snapshot(input);
        using (ReviewRuns.Immutable(to))
        {
            var result = await CliRunner.RunAsync("export", run, "--to", to);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: cannot write into {to} (", result.Stderr);
            Assert.Contains("nothing exported", result.Stderr);
            Assert.Empty(Directory.GetFileSystemEntries(to));
        }
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input));
    }

    [SharedFact]
    public async Task A_failure_half_way_names_the_file_and_cause_and_the_export_can_be_undone_or_resumed()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        string to = temp.Combine("out");
        Directory.CreateDirectory(to);
        string blocker;
        using (var review = ReviewSession.Open(run))
        {
            // A file where the export needs a folder: the plan cannot see it, the write fails part-way.
            string last = review.State.Images.Last(i => i.Verdict == Verdict.Keep).Path;
            blocker = Path.Combine(to, Path.GetDirectoryName(last)!);
            File.WriteAllText(blocker, "a file, not a folder");
        }
        var inputBefore = ReviewRuns.Snapshot(input);

        var result = await CliRunner.RunAsync("export", run, "--to", to, "--mode", "move");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: export stopped at ", result.Stderr);
        Assert.Contains("imagecluster export --resume", result.Stderr);
        string journal = ReviewRuns.Journal(run);
        File.Delete(blocker);
        var resumed = await CliRunner.RunAsync("export", run, "--to", to, "--mode", "move"); // the same command again completes it
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.True(File.Exists(Path.Combine(to, Exporter.ManifestName)));
        Assert.Equal(journal, ReviewRuns.Journal(run));
        Assert.Contains("were already in place", resumed.Stdout);

        var undo = await CliRunner.RunAsync("undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Stderr);
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input));
        Assert.Empty(Directory.GetFileSystemEntries(to));
    }

    [SharedFact]
    public async Task Undo_refuses_a_file_changed_since_the_export_by_name_and_undoes_the_rest()
    {
        using var temp = new TempFolder();
        var (_, run) = await KeepAllButCluster2Async(temp);
        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out") });
        string changed = Directory.GetFiles(temp.Combine("out"), "*.jpg", SearchOption.AllDirectories)[0];
        File.WriteAllText(changed, "edited after the export");

        var undo = await CliRunner.RunAsync("undo", result.Journal!);

        Assert.Equal(1, undo.ExitCode);
        Assert.Contains($"refused: {changed}: changed since the export", undo.Stderr);
        Assert.Equal([changed], Directory.GetFiles(temp.Combine("out"), "*", SearchOption.AllDirectories));
        Assert.Equal("edited after the export", File.ReadAllText(changed));
    }

    [SharedFact]
    public async Task Hardlinks_and_symlinks_point_at_the_originals_and_undo_removes_only_them()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        var inputBefore = ReviewRuns.Snapshot(input);
        var hard = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("hard"), Mode = ExportMode.Hardlink });
        var soft = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("soft"), Mode = ExportMode.Symlink });
        foreach (var (rel, value) in ReviewRuns.Snapshot(temp.Combine("soft")).Where(e => e.Value.StartsWith("link→", StringComparison.Ordinal)))
        {
            Assert.Equal(Path.Combine(input, rel), value["link→".Length..]);
            Assert.Equal(inputBefore[rel], ReviewRuns.Snapshot(temp.Combine("hard"))[rel]);
        }
        Assert.Empty(ExportUndo.Run(hard.Journal!).Refused);
        Assert.Empty(ExportUndo.Run(soft.Journal!).Refused);
        Assert.False(Directory.Exists(temp.Combine("hard")));
        Assert.False(Directory.Exists(temp.Combine("soft")));
        Assert.Equal(inputBefore, ReviewRuns.Snapshot(input));
    }

    [SharedFact]
    public async Task An_export_folder_inside_the_input_is_refused()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        var e = Assert.Throws<ArgumentException>(() => Exporter.Run(new ExportOptions { Run = run, To = Path.Combine(input, "kept") }));
        Assert.Contains("is inside the input folder", e.Message);
        Assert.Equal("To", e.ParamName);
    }

    [SharedFact]
    public async Task A_journal_killed_before_its_first_record_does_not_block_the_next_export()
    {
        using var temp = new TempFolder();
        var (_, run) = await KeepAllButCluster2Async(temp);
        Directory.CreateDirectory(Path.Combine(run, "exports"));
        string empty = Path.Combine(run, "exports", "20260101T000000Z-aaaaaa.jsonl"), cut = Path.Combine(run, "exports", "20260101T000001Z-bbbbbb.jsonl");
        File.WriteAllText(empty, "");                       // created, killed before the begin record
        File.WriteAllText(cut, "{\"type\":\"begin\",\"id\":"); // killed part-way through it

        var result = Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out") });

        Assert.Equal(Kept(run), result.Written);
        Assert.False(File.Exists(empty));
        Assert.False(File.Exists(cut));
    }

    [SharedFact]
    public async Task An_export_into_the_run_folder_is_refused()
    {
        using var temp = new TempFolder();
        var (input, run) = await KeepAllButCluster2Async(temp);
        var before = ReviewRuns.Snapshot(input);
        foreach (var to in new[] { run, Path.Combine(run, "clusters"), Path.Combine(run, "kept") })
        {
            var e = Assert.Throws<ArgumentException>(() => Exporter.Run(new ExportOptions { Run = run, To = to, Mode = ExportMode.Move, What = ExportSelection.All }));
            Assert.Equal("To", e.ParamName);
            Assert.Contains("is inside the run folder", e.Message);
        }
        var cli = await CliRunner.RunAsync("export", run, "--to", run, "--mode", "move", "--what", "all");
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal($"error: --to {run} is inside the run folder {run}; export to a folder outside it (the run's files and links would be mixed with the exports)", cli.Stderr.Trim());
        Assert.Equal(before, ReviewRuns.Snapshot(input));
    }
}
