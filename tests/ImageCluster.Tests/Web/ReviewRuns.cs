using System.Diagnostics;
using System.Security.Cryptography;

namespace ImageCluster.Tests;

/// <summary>Small real runs to review and export, and snapshots of folders to compare before and after.</summary>
public static class ReviewRuns
{
    public static string NearDuplicates => Path.Combine(SharedData.Dataset("near_duplicates"), "images");

    /// <summary>Copies <paramref name="groups"/> near-duplicate groups (6 images each) to temp/in and clusters them with the pixel baseline into temp/run.</summary>
    public static async Task<(string Input, string Run)> MakeAsync(TempFolder temp, int groups = 3, int k = 3, string model = "pixels")
    {
        string input = temp.Combine("in"), run = temp.Combine("run");
        var names = Directory.GetDirectories(NearDuplicates).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(groups).ToList();
        temp.CopyFrom(NearDuplicates, names.SelectMany(g => Directory.GetFiles(Path.Combine(NearDuplicates, g!)).Select(f => Path.GetRelativePath(NearDuplicates, f))), input);
        var result = await CliRunner.RunAsync("cluster", input, "--k", k.ToString(), "--model", model, "--out", run);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return (input, run);
    }

    /// <summary>Copies all of near_duplicates (180 images) to temp/in and clusters it with the default model, k = 30, into temp/run.</summary>
    public static async Task<(string Input, string Run)> MakeFullAsync(TempFolder temp)
    {
        string input = temp.Combine("in"), run = temp.Combine("run");
        temp.CopyFrom(NearDuplicates, Directory.GetFiles(NearDuplicates, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(NearDuplicates, f)), input);
        var cluster = await CliRunner.RunAsync("cluster", input, "--k", "30", "--out", run);
        Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        return (input, run);
    }

    /// <summary>Every entry under <paramref name="root"/>: files by SHA-256, links by target, folders as "dir".</summary>
    public static SortedDictionary<string, string> Snapshot(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root)) return map;
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, entry.FullName);
            map[rel] = entry.LinkTarget is { } target ? "link→" + target
                : entry is DirectoryInfo ? "dir"
                : Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry.FullName)));
        }
        return map;
    }

    /// <summary>The one journal an export wrote into the run folder.</summary>
    public static string Journal(string run) => Assert.Single(Directory.GetFiles(Path.Combine(run, "exports"), "*.jsonl"));

    /// <summary>Makes a folder immutable (chattr +i) for the duration: as root, permission bits do not stop writes.</summary>
    public static IDisposable Immutable(string folder)
    {
        Chattr("+i", folder);
        return new Undo(() => Chattr("-i", folder));
    }

    private static void Chattr(string flag, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"chattr {flag} {path} failed: {p.StandardError.ReadToEnd()}");
    }

    private sealed class Undo(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
