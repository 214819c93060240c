using System.Runtime.CompilerServices;
using Npgsql;
using Xunit.Sdk;
using Xunit.v3;

namespace ImageCluster.Tests;

/// <summary>
/// A private PostgreSQL server from Debian's binaries (/usr/lib/postgresql/*/bin), started once for the tests that need
/// one: its own data folder and socket folder under the temp folder (no TCP port, so it never meets another server), run
/// as the postgres user when the tests run as root (PostgreSQL refuses root), trust authentication, stopped at exit.
/// Each test takes a database of its own from <see cref="NewDatabase"/>.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<string> Socket = new(Start);
    private static int _databases;

    /// <summary>The folder of Debian's PostgreSQL programs, or null where the package is not installed.</summary>
    public static string? BinFolder =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;

    public static bool IsInstalled => BinFolder is not null;

    public const string Missing = "needs Debian's postgresql package (initdb under /usr/lib/postgresql/*/bin; apt-get install -y postgresql), which is absent here; .ci/run installs it";

    /// <summary>A new empty database on the server, as a <c>postgresql://</c> URL (socket folder in the query).</summary>
    public static string NewDatabase()
    {
        string name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            cmd.ExecuteNonQuery();
        }
        return $"postgresql://postgres@localhost/{name}?host={Uri.EscapeDataString(Socket.Value)}";
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/> on the server.</summary>
    public static string ConnectionString(string database) => $"Host={Socket.Value};Username=postgres;Database={database};Pooling=false";

    /// <summary>The database name of a URL from <see cref="NewDatabase"/>.</summary>
    public static string DatabaseOf(string url) => new Uri(url).AbsolutePath.Trim('/');

    private static string Start()
    {
        string bin = BinFolder ?? throw new InvalidOperationException(Missing);
        string root = Path.Combine(Path.GetTempPath(), $"imagecluster-pg-{Environment.ProcessId}");
        string data = Path.Combine(root, "data"), socket = Path.Combine(root, "socket");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(socket);
        bool root_ = Environment.UserName == "root";
        if (root_) Run("chown", "-R", "postgres:postgres", root);
        Run(root_, Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        Run(root_, Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-o",
            $"-c listen_addresses='' -k {socket} -c fsync=off -c full_page_writes=off -c max_connections=50", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(root_, Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
                Directory.Delete(root, recursive: true);
            }
            catch (Exception)
            {
                // Exit must not fail over a server that is already gone.
            }
        };
        return socket;
    }

    private static void Run(bool asPostgres, string program, params string[] args) =>
        Run(asPostgres ? "runuser" : program, asPostgres ? ["-u", "postgres", "--", program, .. args] : args);

    private static void Run(string program, params string[] args)
    {
        var (code, output, error) = ChildProcess.RunToEnd(program, args, TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({code}): {output}{error}");
    }
}

/// <summary>Finds the PostgreSQL tests only where Debian's postgresql is installed; elsewhere <see cref="PostgresGroupTests"/> says so in one line.</summary>
public sealed class PostgresTestDiscoverer : IXunitTestCaseDiscoverer
{
    private static readonly FactDiscoverer Fact = new();

    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod,
        IFactAttribute factAttribute) =>
        PostgresServer.IsInstalled ? Fact.Discover(discoveryOptions, testMethod, factAttribute) : new([]);
}

/// <summary>A fact that needs a PostgreSQL server (started from Debian's binaries by <see cref="PostgresServer"/>); always run by .ci/run.</summary>
[XunitTestCaseDiscoverer(typeof(PostgresTestDiscoverer))]
public sealed class PostgresFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : FactAttribute(sourceFilePath, sourceLineNumber);

/// <summary>The PostgreSQL group in one line: how many tests it has, and whether they run here.</summary>
public class PostgresGroupTests
{
    [Fact]
    public void The_postgres_group_runs_where_postgresql_is_installed()
    {
        int tests = typeof(PostgresGroupTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Count(m => m.GetCustomAttributes(typeof(PostgresFactAttribute), inherit: false).Length > 0);
        Assert.SkipUnless(PostgresServer.IsInstalled, $"the PostgreSQL group ({tests} tests) is left out: it {PostgresServer.Missing}");
        Assert.True(tests > 0, "no test carries [PostgresFact]: the group is empty");
    }
}
