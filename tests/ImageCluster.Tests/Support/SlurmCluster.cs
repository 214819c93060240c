using System.Runtime.CompilerServices;
using Xunit.Sdk;
using Xunit.v3;

namespace ImageCluster.Tests;

/// <summary>
/// A private single-node Slurm cluster (Debian's slurmctld, slurmd and munge, as root) started by deploy/slurm/local-cluster.sh
/// in a folder of its own, and stopped again on dispose. Its clients find it through <see cref="Environment"/>.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private static readonly string[] Programs = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol"];

    private SlurmCluster(string folder, string configuration)
    {
        Folder = folder;
        Configuration = configuration;
    }

    /// <summary>Where the cluster lives (configuration, state, logs).</summary>
    public string Folder { get; }

    /// <summary>Its slurm.conf, for <c>SLURM_CONF</c>.</summary>
    public string Configuration { get; }

    /// <summary>The scripts under test.</summary>
    public static string Scripts => Path.Combine(SharedData.RepoRoot, "deploy", "slurm");

    public static bool IsInstalled => System.Environment.UserName == "root" && Programs.All(OnPath) && PostgresServer.IsInstalled;

    public const string Missing = "needs root and Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge), and postgresql for the shared store, which are absent here; .ci/run installs them";

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["SLURM_CONF"] = Configuration };

    public static SlurmCluster Start(string folder)
    {
        var (code, stdout, stderr) = RunProgram(null, Path.Combine(Scripts, "local-cluster.sh"), "start", folder);
        if (code != 0) throw new InvalidOperationException($"local-cluster.sh start failed ({code}): {stderr}");
        const string prefix = "export SLURM_CONF=";
        string line = stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return new SlurmCluster(folder, line[prefix.Length..].Trim());
    }

    /// <summary>Runs a program with this cluster's environment (plus <paramref name="environment"/>) to the end.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string?>? environment, string program, params string[] args)
    {
        var all = new Dictionary<string, string?>(Environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) all[key] = value;
        return RunProgram(all, program, args);
    }

    /// <summary>Waits until no job is pending or running.</summary>
    public async Task WaitForEmptyQueueAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Run(null, "squeue", "-h", "-o", "%i").Stdout.Trim().Length > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Slurm jobs still queued after {limit}: {Run(null, "squeue").Stdout}");
            await Task.Delay(500);
        }
    }

    /// <summary>State and exit code of every task of job <paramref name="id"/>, from the controller (no accounting needed).</summary>
    public IReadOnlyList<(string State, string ExitCode)> States(string id) =>
        Run(null, "scontrol", "-o", "show", "job", id).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Field(line, "JobState"), Field(line, "ExitCode"))).ToList();

    public void Dispose() => RunProgram(null, Path.Combine(Scripts, "local-cluster.sh"), "stop", Folder);

    private static string Field(string line, string key) =>
        line.Split(' ').Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0] == key).Select(kv => kv[1]).SingleOrDefault() ?? "";

    private static bool OnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]).Any(d => File.Exists(Path.Combine(d, program)));

    private static (int ExitCode, string Stdout, string Stderr) RunProgram(IReadOnlyDictionary<string, string?>? environment, string program, params string[] args)
    {
        var all = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            // The daemons live in /usr/sbin, which a test runner's PATH may lack.
            ["PATH"] = $"{System.Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin",
        };
        return ChildProcess.RunToEnd(program, args, TimeSpan.FromMinutes(2), all);
    }
}

/// <summary>Finds the Slurm tests only where Slurm, munge and PostgreSQL are installed and the tests run as root.</summary>
public sealed class SlurmTestDiscoverer : IXunitTestCaseDiscoverer
{
    private static readonly FactDiscoverer Fact = new();

    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod,
        IFactAttribute factAttribute) =>
        SlurmCluster.IsInstalled ? Fact.Discover(discoveryOptions, testMethod, factAttribute) : new([]);
}

/// <summary>A fact that needs a real single-node Slurm cluster (<see cref="SlurmCluster"/>); always run by .ci/run.</summary>
[XunitTestCaseDiscoverer(typeof(SlurmTestDiscoverer))]
public sealed class SlurmFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : FactAttribute(sourceFilePath, sourceLineNumber);

/// <summary>The Slurm group in one line: how many tests it has, and whether they run here.</summary>
public class SlurmGroupTests
{
    [Fact]
    public void The_slurm_group_runs_where_slurm_is_installed()
    {
        int tests = typeof(SlurmGroupTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Count(m => m.GetCustomAttributes(typeof(SlurmFactAttribute), inherit: false).Length > 0);
        Assert.SkipUnless(SlurmCluster.IsInstalled, $"the Slurm group ({tests} tests) is left out: it {SlurmCluster.Missing}");
        Assert.True(tests > 0, "no test carries [SlurmFact]: the group is empty");
    }
}
