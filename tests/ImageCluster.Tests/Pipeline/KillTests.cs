using System.Diagnostics;
using System.Security.Cryptography;
using ImageCluster.Export;
using Microsoft.Data.Sqlite;

namespace ImageCluster.Tests;

/// <summary>
/// kill -9 of the real CLI at several moments of cluster, export (copy and move) and select, then the next command: nothing
/// lost, nothing duplicated, the stores intact, and the rerun, resume or undo complete (issue 14). The moments are delays
/// after the start, so some land in the start-up and some in the work; each trial is checked whatever it hit.
/// </summary>
public class KillTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>The sample photos three times over (in a/, b/, c/), so that the work outlasts the start-up.</summary>
    private static string Input(TempFolder temp)
    {
        string input = temp.Combine("in");
        var photos = Directory.GetFiles(SharedData.Sample).Where(f => Path.GetExtension(f) is ".jpg" or ".png").ToList();
        foreach (string copy in (string[])["a", "b", "c"])
        {
            Directory.CreateDirectory(Path.Combine(input, copy));
            foreach (string photo in photos) File.Copy(photo, Path.Combine(input, copy, Path.GetFileName(photo)));
        }
        return input;
    }

    private static async Task KillAfterAsync(int delayMs, params string[] args)
    {
        using var process = RealCli.Start(args);
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        if (!process.WaitForExit(delayMs)) process.Kill(); // SIGKILL: no handler runs
        await process.WaitForExitAsync();
        await drain;
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RealCli.RunAsync(Limit, args);
        Assert.True(code == 0, $"imagecluster {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    private static void IntegrityOk(string database)
    {
        if (!File.Exists(database)) return;
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar() as string);
    }

    private static SortedDictionary<string, string> Lines(string csv) =>
        new(File.ReadAllLines(csv).Skip(1).ToDictionary(l => l[..l.IndexOf(',')], l => l), StringComparer.Ordinal);

    private static Dictionary<string, string> Hashes(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is ".jpg" or ".png")
                .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))))
            : [];

    private static List<string> Tree(string folder) =>
        Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Cluster_killed_at_any_moment_then_run_again_gives_what_an_uninterrupted_run_gives()
    {
        using var temp = new TempFolder();
        string input = Input(temp), run = temp.Combine("run"), store = temp.Combine("store.db");
        await RunAsync("cluster", input, "--k", "6", "--out", temp.Combine("reference"), "--store", temp.Combine("reference.db"));
        var expected = Lines(temp.Combine("reference", "assignments.csv"));
        var expectedErrors = File.ReadAllText(temp.Combine("reference", "errors.csv"));

        foreach (int delayMs in (int[])[300, 700, 1000, 1300, 1600, 2000, 2500, 3200])
        {
            await KillAfterAsync(delayMs, "cluster", input, "--k", "6", "--out", run, "--store", store);
            IntegrityOk(store);
            IntegrityOk(Path.Combine(run, "store.db"));

            await RunAsync("cluster", input, "--k", "6", "--out", run, "--store", store);
            Assert.Equal(expected, Lines(Path.Combine(run, "assignments.csv")));
            Assert.Equal(expectedErrors, File.ReadAllText(Path.Combine(run, "errors.csv")));
            var leftovers = Directory.EnumerateFileSystemEntries(run, "*", SearchOption.AllDirectories)
                .Where(p => Path.GetFileName(p).Contains(".tmp-", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith("clusters.new-", StringComparison.Ordinal));
            Assert.Empty(leftovers);
            Assert.Equal(Tree(temp.Combine("reference", "clusters")), Tree(Path.Combine(run, "clusters")));
        }
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("move")]
    public async Task Export_killed_at_any_moment_is_completed_by_resume_and_reversed_by_undo_without_a_file_lost_or_doubled(string mode)
    {
        using var temp = new TempFolder();
        string input = Input(temp), run = temp.Combine("run");
        await RunAsync("cluster", input, "--k", "6", "--out", run, "--store", temp.Combine("store.db"));
        var originals = Hashes(input);
        int clustered = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Length - 1;

        int trial = 0;
        foreach (int delayMs in (int[])[400, 700, 900, 1100, 1400])
        {
            string to = temp.Combine($"out{trial++}");
            var before = Directory.Exists(Path.Combine(run, "exports")) ? Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl").ToHashSet() : [];
            await KillAfterAsync(delayMs, "export", run, "--to", to, "--mode", mode, "--what", "all");

            string? journal = Directory.Exists(Path.Combine(run, "exports"))
                ? Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl").SingleOrDefault(j => !before.Contains(j))
                : null;
            if (journal is not null && ExportJournal.NeverStarted(journal))
            {
                // Killed before the journal's first record: nothing to resume, and resume says so; nothing was touched.
                var (code, _, stderr) = await RealCli.RunAsync(Limit, "export", "--resume", journal);
                Assert.Equal(2, code);
                Assert.Contains("this export was stopped before its first record was written", stderr);
                Assert.Empty(Hashes(to));
                // The same export again starts afresh and takes the empty journal away.
                await RunAsync("export", run, "--to", to, "--mode", mode, "--what", "all");
                Assert.False(File.Exists(journal));
                journal = Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl").Single(j => !before.Contains(j));
                Assert.Equal(clustered, Hashes(to).Count);
                await RunAsync("undo", journal);
                Assert.Empty(Hashes(to));
            }
            else if (journal is not null)
            {
                // Whatever the kill left, resume completes it: every image once at the destination, byte for byte.
                await RunAsync("export", "--resume", journal);
                var exported = Hashes(to);
                Assert.Equal(clustered, exported.Count);
                foreach (var (path, hash) in exported) Assert.Equal(originals[path], hash);
                var left = Hashes(input);
                if (mode == "move") Assert.Empty(left.Keys.Intersect(exported.Keys)); // moved, not copied
                else Assert.Equal(originals, left);
                Assert.True(File.Exists(Path.Combine(to, Exporter.ManifestName)));

                await RunAsync("undo", journal);
                Assert.Empty(Hashes(to));
            }
            else Assert.Empty(Hashes(to));
            // Every original back where it was, unchanged: nothing lost across kill, resume and undo.
            Assert.Equal(originals, Hashes(input));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"type\":\"begin\",\"id\":\"ab")]
    public async Task Resuming_a_journal_killed_before_its_first_record_is_one_line_that_says_nothing_was_touched(string content)
    {
        using var temp = new TempFolder();
        string journal = temp.Combine("export.jsonl");
        File.WriteAllText(journal, content);
        var (code, _, stderr) = await RealCli.RunAsync(Limit, "export", "--resume", journal);
        Assert.Equal(2, code);
        Assert.Equal($"error: {journal}: this export was stopped before its first record was written, so it exported and moved nothing; " +
                     "run the export again (it removes this file)", stderr.Trim());
    }

    [Fact]
    public async Task Select_killed_at_any_moment_leaves_a_review_that_the_next_select_completes()
    {
        using var temp = new TempFolder();
        string input = Input(temp), run = temp.Combine("run");
        await RunAsync("cluster", input, "--k", "6", "--out", run, "--store", temp.Combine("store.db"));

        foreach (int delayMs in (int[])[200, 400, 550, 700, 900])
        {
            await KillAfterAsync(delayMs, "select", run, "--keep", "0,1", "--discard", "2", "--rename", "3=late");
            IntegrityOk(Path.Combine(run, "store.db"));
            await RunAsync("select", run, "--keep", "0,1", "--discard", "2", "--rename", "3=late");
            string status = await RunAsync("select", run, "--status", "--json");
            using var json = System.Text.Json.JsonDocument.Parse(status);
            var clusters = json.RootElement.GetProperty("clusters").EnumerateArray()
                .ToDictionary(c => c.GetProperty("cluster").GetInt32(), c => (Verdict: c.GetProperty("verdict").GetString(), Name: c.TryGetProperty("name", out var n) ? n.GetString() : null));
            Assert.Equal("keep", clusters[0].Verdict);
            Assert.Equal("keep", clusters[1].Verdict);
            Assert.Equal("discard", clusters[2].Verdict);
            Assert.Equal("late", clusters[3].Name);
            await RunAsync("select", run, "--undecide", "0,1,2");
        }
    }
}
