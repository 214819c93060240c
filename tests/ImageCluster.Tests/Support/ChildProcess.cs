using System.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>Runs a program to its end (at most 8 minutes) and hands back its exit code and its output, stdout then stderr.</summary>
internal static class ChildProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> Run(string file, IEnumerable<string> args, string workingDirectory, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// Runs a program to its end on this thread (for set-up that cannot await), killed with its children after
    /// <paramref name="limit"/>; stdout and stderr apart.
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToEnd(string file, IEnumerable<string> args, TimeSpan limit,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit)) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The .NET CLI, quiet (no telemetry, no logo).</summary>
    public static Task<Result> Dotnet(string workingDirectory, params string[] args) =>
        Run("dotnet", args, workingDirectory, new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
}
