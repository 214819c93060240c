using ImageCluster.Runs;

namespace ImageCluster.Tests;

/// <summary>One run at a time writes a run folder, and what a killed run left is cleared by the next (issue 14, items 4 and 7).</summary>
public class RunFolderLockTests
{
    [Fact]
    public async Task A_second_run_into_a_locked_run_folder_is_refused_and_the_first_runs_files_stay()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), run = temp.Combine("run");
        var first = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(first.ExitCode == 0, first.Stderr);
        string assignments = File.ReadAllText(Path.Combine(run, "assignments.csv")), summary = File.ReadAllText(Path.Combine(run, "run.json"));

        using (RunFolderLock.Acquire(run)) // another process writing it, as far as the lock can tell
        {
            var second = await CliRunner.RunAsync("cluster", input, "--k", "3", "--model", "pixels", "--out", run);
            Assert.Equal(2, second.ExitCode);
            Assert.StartsWith($"error: {run} is being written by another run (it holds {Path.Combine(run, ".imagecluster.lock")}", second.Stderr.Trim());
            Assert.EndsWith("wait for it to finish, or write this run to another folder", second.Stderr.Trim());
        }
        Assert.Equal(assignments, File.ReadAllText(Path.Combine(run, "assignments.csv")));
        Assert.Equal(summary, File.ReadAllText(Path.Combine(run, "run.json")));

        var third = await CliRunner.RunAsync("cluster", input, "--k", "3", "--model", "pixels", "--out", run); // released: goes ahead
        Assert.True(third.ExitCode == 0, third.Stderr);
    }

    [Fact]
    public async Task An_export_or_undo_waits_its_turn_on_a_locked_run_folder_and_touches_nothing()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), run = temp.Combine("run"), to = temp.Combine("out");
        var clustered = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(clustered.ExitCode == 0, clustered.Stderr);
        var exported = await CliRunner.RunAsync("export", run, "--to", to, "--what", "all", "--mode", "move", "--json");
        Assert.True(exported.ExitCode == 0, exported.Stderr);
        string journal = Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl").Single();

        using (RunFolderLock.Acquire(run))
        {
            var second = await CliRunner.RunAsync("export", run, "--to", temp.Combine("out2"), "--what", "all", "--mode", "copy");
            var undo = await CliRunner.RunAsync("undo", journal);
            foreach (var refused in new[] { second, undo })
            {
                Assert.Equal(2, refused.ExitCode);
                Assert.StartsWith($"error: {run} is being written by another run", refused.Stderr.Trim());
                Assert.EndsWith("wait for it to finish, then export or undo", refused.Stderr.Trim());
            }
            Assert.False(Directory.Exists(temp.Combine("out2")));
            Assert.Equal(4, Directory.GetFiles(to, "*", SearchOption.AllDirectories).Count(f => f.EndsWith(".jpg", StringComparison.Ordinal)));
        }

        var undone = await CliRunner.RunAsync("undo", journal); // released: goes ahead
        Assert.True(undone.ExitCode == 0, undone.Stderr);
        Assert.Equal(4, Directory.GetFiles(input, "*.jpg").Length);
    }

    [Fact]
    public async Task What_a_killed_run_left_is_removed_by_the_next_and_does_not_make_the_folder_foreign()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), run = temp.Combine("run");
        // A run killed right after it created the folder and took the lock, while writing its outputs.
        Directory.CreateDirectory(Path.Combine(run, "clusters.new-999999", "cluster_with_2", "cluster_0"));
        File.CreateSymbolicLink(Path.Combine(run, "clusters.new-999999", "cluster_with_2", "cluster_0", "photo_cat_01.jpg"), Path.Combine(input, "photo_cat_01.jpg"));
        File.WriteAllText(Path.Combine(run, "run.json.tmp-999999"), "{ half");
        File.WriteAllText(Path.Combine(run, "assignments.csv.tmp-999999"), "path,clu");
        File.WriteAllText(Path.Combine(run, ".imagecluster.lock"), "999999\n");

        var next = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);

        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Contains("removed clusters.new-999999, left in", next.Stderr);
        Assert.False(Directory.Exists(Path.Combine(run, "clusters.new-999999")));
        Assert.Empty(Directory.GetFiles(run, "*.tmp-*"));
        Assert.True(File.Exists(Path.Combine(input, "photo_cat_01.jpg"))); // only the link went
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "assignments.csv")).Length);
    }
}
