using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImageCluster.Bench;

/// <summary>
/// <c>bench fuzz [--count 10000] [--seed 14] [--work DIR] [--cli PATH/imagecluster] [--timeout-min 60] [-- extra cluster options]</c>:
/// writes the seeded hostile corpus (<see cref="FuzzCorpus"/>), clusters it with the real CLI in a child process and reports
/// crashes (a non-zero exit, or files neither clustered nor listed), hangs (files over the per-file decode limit, or the whole
/// run over the timeout), the child's peak RSS and the seconds taken, with the causes errors.csv gave.
/// </summary>
internal static class FuzzBench
{
    public static int Run(string[] args)
    {
        int split = Array.IndexOf(args, "--");
        string[] own = split >= 0 ? args[..split] : args, extra = split >= 0 ? args[(split + 1)..] : [];
        string Arg(string name, string fallback) => BenchArgs.Value(own, name, fallback);
        int count = int.Parse(Arg("--count", "10000"), CultureInfo.InvariantCulture);
        int seed = int.Parse(Arg("--seed", "14"), CultureInfo.InvariantCulture);
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), "imagecluster-fuzz")));
        string cli = Arg("--cli", BenchArgs.ReleaseCli());
        var timeout = TimeSpan.FromMinutes(double.Parse(Arg("--timeout-min", "60"), CultureInfo.InvariantCulture));
        string samples = Path.Combine(BenchArgs.RepoRoot(), "samples", "mixed-dump");
        if (!File.Exists(cli)) { Console.Error.WriteLine($"--cli: {cli} not found (build src/ImageCluster.Cli -c Release, or pass --cli)"); return 2; }

        string input = Path.Combine(work, "in"), run = Path.Combine(work, "run"), store = Path.Combine(work, "store.db");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

        var sw = Stopwatch.StartNew();
        var files = FuzzCorpus.Write(input, count, seed, samples);
        long bytes = Directory.EnumerateFiles(input).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"corpus: {files.Count} files, {bytes / 1048576.0:F0} MB, seed {seed}, written in {sw.Elapsed.TotalSeconds:F1} s " +
                          $"({string.Join(", ", files.GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))})");

        var start = new ProcessStartInfo(cli) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])["cluster", input, "--out", run, "--store", store, "--k", "8", "--json", .. extra]) start.ArgumentList.Add(a);
        sw.Restart();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit(timeout);
        if (!finished) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        double seconds = sw.Elapsed.TotalSeconds;
        long peakKb = PeakChildRssKb();
        string log = stderr.Result;
        File.WriteAllText(Path.Combine(work, "cluster.log"), log);

        var answers = FuzzCorpus.Check(files, run);
        double slowest = double.NaN;
        string summaryFile = Path.Combine(run, "run.json");
        if (File.Exists(summaryFile) && JsonNode.Parse(File.ReadAllText(summaryFile))?["timingsSeconds"]?["slowestDecode"] is { } s) slowest = s.GetValue<double>();
        int overLimit = answers.Causes.Where(c => c.Cause.StartsWith("decoding took longer", StringComparison.Ordinal)).Sum(c => c.Count);
        int crashes = (finished && process.ExitCode == 0 ? 0 : 1) + answers.Missing.Count + answers.Duplicated.Count;
        int hangs = (finished ? 0 : 1) + overLimit;

        Console.WriteLine($"run: exit {(finished ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "killed after the timeout")}, {seconds:F1} s ({files.Count / seconds:F0} files/s), " +
                          $"peak RSS {peakKb / 1024.0:F0} MB, slowest decode {slowest:F2} s");
        Console.WriteLine($"answers: {answers.Clustered} clustered + {answers.Errors} in errors.csv of {answers.Files}; missing {answers.Missing.Count}, " +
                          $"listed twice {answers.Duplicated.Count}, errors without a cause {answers.WithoutCause.Count}");
        Console.WriteLine($"crashes: {crashes}, hangs: {hangs}");
        Console.WriteLine("causes:");
        foreach (var (cause, n) in answers.Causes) Console.WriteLine($"  {n,6}  {cause}");
        foreach (string name in answers.Missing.Take(10)) Console.WriteLine($"missing: {name}");
        if (crashes > 0) Console.WriteLine("the CLI's output:\n" + string.Join('\n', log.Split('\n').TakeLast(20)));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            files = files.Count, seed, seconds = Math.Round(seconds, 1), peakRssMb = Math.Round(peakKb / 1024.0), slowestDecodeSeconds = double.IsNaN(slowest) ? (double?)null : Math.Round(slowest, 3),
            clustered = answers.Clustered, errors = answers.Errors, missing = answers.Missing.Count, duplicated = answers.Duplicated.Count,
            withoutCause = answers.WithoutCause.Count, crashes, hangs,
        }));
        return crashes == 0 && hangs == 0 && answers.WithoutCause.Count == 0 ? 0 : 1;
    }

    // getrusage(RUSAGE_CHILDREN): the largest peak RSS of the children waited for — here the CLI, which .NET reaped.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds, MaxRssKb;
        public long Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    private static long PeakChildRssKb() => OperatingSystem.IsLinux() && getrusage(-1, out var usage) == 0 ? usage.MaxRssKb : -1;
}
