using System.Diagnostics;

namespace ImageCluster.Tests;

/// <summary>
/// The built CLI in a child process (beside the tests: imagecluster.dll), for what an in-process run cannot show: a native
/// crash, a kill at a chosen moment, a real exit code.
/// </summary>
internal static class RealCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "imagecluster.dll");

    /// <summary>Starts <c>imagecluster ARGS</c> with its output redirected; the caller reads or drops it.</summary>
    public static Process Start(params string[] args) => Start(null, args);

    /// <summary>Starts <c>imagecluster ARGS</c> with these environment variables added (or removed, when null).</summary>
    public static Process Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs <c>imagecluster ARGS</c> to the end (killed after <paramref name="timeout"/>, which fails the call).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(timeout, null, args);

    /// <summary>Runs <c>imagecluster ARGS</c> with these environment variables to the end.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"imagecluster {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
