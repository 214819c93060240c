using System.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>The real <c>imagecluster export</c> killed with SIGKILL half-way, then completed or undone from its journal.</summary>
public class ExportCrashTests
{
    private static async Task<(string Input, string Run, int Files)> MakeRunAsync(TempFolder temp)
    {
        string input = temp.Combine("in");
        temp.CopyFrom(ReviewRuns.NearDuplicates, Directory.GetFiles(ReviewRuns.NearDuplicates, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ReviewRuns.NearDuplicates, f)), input);
        string flowers = Path.Combine(SharedData.Dataset("flowers5_kaggle_subset"), "images");
        temp.CopyFrom(flowers, new[] { "daisy", "dandelion" }.SelectMany(c => Directory.GetFiles(Path.Combine(flowers, c)).Order(StringComparer.Ordinal)).Take(120)
            .Select(f => Path.GetRelativePath(flowers, f)), input);
        string run = temp.Combine("run");
        var cluster = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run);
        Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        int files = Directory.GetFiles(input, "*", SearchOption.AllDirectories).Length;
        Assert.Equal(300, files);
        return (input, run, files);
    }

    /// <summary>Starts the CLI with a pause per file and kills it (SIGKILL) once <paramref name="after"/> files are done.</summary>
    private static async Task<string> ExportAndKillAsync(string run, string to, string mode, int after)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "imagecluster"),
            ["export", run, "--to", to, "--mode", mode, "--what", "all"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["IMAGECLUSTER_TEST_EXPORT_DELAY_MS"] = "15";
        using var process = Process.Start(start)!;
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        string? journal = null;
        while (true)
        {
            Assert.False(process.HasExited, $"the export ended before it was killed (exit {(process.HasExited ? process.ExitCode : 0)}): {stderr}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the export made no progress in 2 minutes");
            journal ??= Directory.Exists(Path.Combine(run, "exports")) ? Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl").FirstOrDefault() : null;
            if (journal is not null && DoneCount(journal) >= after) break;
            await Task.Delay(20);
        }
        process.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no flushing
        await process.WaitForExitAsync();
        Assert.DoesNotContain("\"type\":\"end\"", Read(journal));
        return journal;
    }

    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static int DoneCount(string journal) => Read(journal).Split('\n').Count(l => l.StartsWith("{\"type\":\"done\"", StringComparison.Ordinal));

    private static bool IsTemp(string path) => Path.GetFileName(path).StartsWith('.') && path.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Every file under a final name holds exactly its original's bytes; returns how many there are.</summary>
    private static int AssertNoPartialFile(string to, IReadOnlyDictionary<string, string> originals, int total)
    {
        var exported = ReviewRuns.Snapshot(to).Where(e => e.Value != "dir" && !IsTemp(e.Key)).ToList();
        foreach (var (rel, sha) in exported)
            Assert.True(originals[rel] == sha, $"{rel} under its final name differs from the original");
        Assert.InRange(exported.Count, 1, total - 1);
        Assert.InRange(ReviewRuns.Snapshot(to).Keys.Count(IsTemp), 0, 1);
        return exported.Count;
    }

    [SharedFact]
    public async Task A_copy_killed_half_way_leaves_no_partial_file_and_is_completed_then_undone_from_its_journal()
    {
        using var temp = new TempFolder();
        var (input, run, total) = await MakeRunAsync(temp);
        var before = ReviewRuns.Snapshot(input);
        string to = temp.Combine("out");

        string journal = await ExportAndKillAsync(run, to, "copy", after: 60);
        AssertNoPartialFile(to, before, total);
        Assert.Equal(before, ReviewRuns.Snapshot(input));

        var resumed = await CliRunner.RunAsync("export", "--resume", journal);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("were already in place", resumed.Stdout);
        var exported = ReviewRuns.Snapshot(to);
        Assert.DoesNotContain(exported.Keys, IsTemp);
        Assert.Equal(before.Where(e => e.Value != "dir").ToDictionary(), exported.Where(e => e.Value != "dir" && e.Key != "manifest.csv").ToDictionary());
        Assert.Equal(total + 1, File.ReadAllLines(Path.Combine(to, "manifest.csv")).Length);

        var undo = await CliRunner.RunAsync("undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Stderr);
        Assert.False(Directory.Exists(to));
        Assert.Equal(before, ReviewRuns.Snapshot(input));
    }

    [SharedFact]
    public async Task A_move_killed_half_way_is_undone_from_its_journal_to_the_exact_previous_state()
    {
        using var temp = new TempFolder();
        var (input, run, total) = await MakeRunAsync(temp);
        var before = ReviewRuns.Snapshot(input);
        string to = temp.Combine("out");

        string journal = await ExportAndKillAsync(run, to, "move", after: 60);
        int moved = AssertNoPartialFile(to, before, total);
        // One file may have both names: killed between the link to its new name and the removal of the old one.
        Assert.InRange(Directory.GetFiles(input, "*", SearchOption.AllDirectories).Length, total - moved, total - moved + 1);

        var undo = await CliRunner.RunAsync("undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Stderr);
        Assert.Equal(before, ReviewRuns.Snapshot(input));
        Assert.False(Directory.Exists(to));
    }
}
