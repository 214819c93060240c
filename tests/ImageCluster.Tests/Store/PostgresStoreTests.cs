using System.Text.Json;
using Npgsql;

namespace ImageCluster.Tests;

/// <summary>
/// The store on a PostgreSQL server: three shard processes (environment only) write into one store at once, the cluster
/// step embeds nothing and matches a single-process SQLite run; a killed shard rerun leaves no duplicate rows; a server
/// that cannot be reached or a store of another version is one line; run.json never keeps a password.
/// </summary>
public class PostgresStoreTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [PostgresFact]
    public async Task Three_shard_processes_into_one_server_store_leave_the_cluster_step_nothing_to_embed()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 300, 96, 72);
        string images = temp.Combine("in"), store = PostgresServer.NewDatabase();

        // Shard 1 is killed once it has stored a few vectors, then rerun; the other two run beside it.
        using (var doomed = RealCli.Start(Slurm(1), "embed", images, "--store", store, "--batch-size", "1", "--decode-threads", "1"))
        {
            _ = doomed.StandardOutput.ReadToEndAsync();
            _ = doomed.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + Limit;
            while (Count(store, "embeddings") < 5 && !doomed.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.False(doomed.HasExited, "the shard finished before it could be killed half-way");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }
        long killed = Count(store, "embeddings");
        var shards = await Task.WhenAll(new[] { 0, 1, 2 }.Select(i => RealCli.RunAsync(Limit, Slurm(i), "embed", images, "--store", store, "--json")));
        Assert.All(shards, s => Assert.True(s.ExitCode == 0, s.Stderr));
        var rerun = JsonDocument.Parse(shards[1].Stdout).RootElement;
        Assert.True(rerun.GetProperty("fromCache").GetInt32() >= killed, shards[1].Stdout);
        Assert.Equal(300, shards.Sum(s => JsonDocument.Parse(s.Stdout).RootElement.GetProperty("scanned").GetInt32()));

        var server = await Cluster(images, store, temp.Combine("server"));
        var single = await Cluster(images, temp.Combine("single.db"), temp.Combine("single"));
        Assert.Equal((0, 300), (server.GetProperty("embedded").GetInt32(), server.GetProperty("fromCache").GetInt32()));
        Assert.Equal(File.ReadAllText(temp.Combine("single", "assignments.csv")), File.ReadAllText(temp.Combine("server", "assignments.csv")));
        Assert.Equal((300L, 300L), (Count(store, "files"), Count(store, "embeddings")));

        // The review reads the vectors back through the server run.json names.
        using var session = Review.ReviewSession.Open(temp.Combine("server"));
        Assert.Equal(300, session.LoadEmbeddings().Count);
        var info = await CliRunner.RunAsync("store", "info", "--store", store, "--json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        Assert.Equal(300, JsonDocument.Parse(info.Stdout).RootElement.GetProperty("files").GetInt32());
    }

    [PostgresFact]
    public async Task The_password_of_the_url_never_reaches_run_json()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 4);
        string url = PostgresServer.NewDatabase().Replace("postgres@", "postgres:s3cret-word@", StringComparison.Ordinal);
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--model", "pixels", "--store", url, "--out", temp.Combine("run"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        string json = File.ReadAllText(temp.Combine("run", "run.json"));
        Assert.DoesNotContain("s3cret", json);
        Assert.Contains("postgresql://postgres@localhost/", json);
        Assert.DoesNotContain("s3cret", run.Stdout + run.Stderr);
    }

    [PostgresFact]
    public async Task A_server_store_of_another_schema_version_is_refused()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 3);
        string store = PostgresServer.NewDatabase();
        Assert.Equal(0, (await CliRunner.RunAsync("embed", temp.Combine("in"), "--store", store, "--model", "pixels")).ExitCode);
        Sql(store, "UPDATE imagecluster.meta SET value = '3' WHERE key = 'schema_version'");

        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--model", "pixels", "--store", store, "--out", temp.Combine("run"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {store} is a store of schema version 3; this imagecluster reads version 1: use the imagecluster that wrote it, or name another store", run.Stderr.Trim());
        Assert.False(Directory.Exists(temp.Combine("run")));
    }

    [PostgresFact]
    public async Task Runs_and_review_decisions_of_a_server_store_live_on_the_server_one_log_per_run_folder()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 12);
        string store = PostgresServer.NewDatabase(), first = temp.Combine("first"), second = temp.Combine("second");
        foreach (var output in new[] { first, second })
        {
            var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--model", "pixels", "--store", store, "--out", output);
            Assert.True(run.ExitCode == 0, run.Stderr);
        }
        Assert.Equal(0, (await CliRunner.RunAsync("select", first, "--keep", "0")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("select", first, "--discard", "1")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("select", first, "--undo")).ExitCode);

        string firstId = RunIdOf(first), secondId = RunIdOf(second);
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(2L, Scalar(store, $"SELECT count(*) FROM imagecluster.decisions WHERE run_id = '{firstId}'"));
        Assert.Equal(1L, Scalar(store, $"SELECT count(*) FROM imagecluster.decisions WHERE run_id = '{firstId}' AND undone"));
        Assert.Equal(0L, Scalar(store, $"SELECT count(*) FROM imagecluster.decisions WHERE run_id = '{secondId}'"));
        Assert.Equal((1L, 1L), (Scalar(store, $"SELECT count(*) FROM imagecluster.runs WHERE run_id = '{firstId}'"),
            Scalar(store, $"SELECT count(*) FROM imagecluster.clusterings WHERE run_id = '{firstId}'")));
        // The folder's own file only names the run: nothing of the review is kept in it.
        Assert.Equal(0L, LocalCount(first, "decisions") + LocalCount(first, "runs") + LocalCount(first, "clusterings"));

        var status = await CliRunner.RunAsync("select", first, "--status", "--json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        var verdicts = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("clusters").EnumerateArray()
            .ToDictionary(c => c.GetProperty("cluster").GetInt32(), c => c.GetProperty("verdict").GetString());
        Assert.Equal(("keep", "undecided"), (verdicts[0], verdicts[1]));

        // The same folder pointed at a server that never saw it: one line, not an empty review.
        string elsewhere = PostgresServer.NewDatabase();
        File.WriteAllText(Path.Combine(first, "run.json"), File.ReadAllText(Path.Combine(first, "run.json")).Replace(store, elsewhere, StringComparison.Ordinal));
        var refused = await CliRunner.RunAsync("select", first, "--status");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"does not have them (run {firstId}); name that store", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
    }

    [PostgresFact]
    public async Task A_run_folder_that_kept_its_review_itself_keeps_it_there_with_a_server_store()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 8);
        string store = PostgresServer.NewDatabase(), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--model", "pixels", "--store", store, "--out", run)).ExitCode);
        // As a build before runs lived on the server left it: no run id, its run recorded in the folder's own file.
        LocalScalar(run, "DELETE FROM meta WHERE key = 'server_run_id'; INSERT INTO runs (started_utc, input, model, summary_json) VALUES ('2026-01-01', 'in', 'pixels', '{}')");

        var select = await CliRunner.RunAsync("select", run, "--keep", "0");
        Assert.True(select.ExitCode == 0, select.Stderr);
        Assert.Equal(1L, LocalCount(run, "decisions"));
        Assert.Null(LocalScalar(run, "SELECT value FROM meta WHERE key = 'server_run_id'"));
    }

    [Theory]
    [InlineData("postgresql://nobody@127.0.0.1:1/none")]
    [InlineData("Host=/nonexistent/socket;Username=nobody;Database=none")]
    public async Task A_server_that_cannot_be_reached_is_one_line_and_nothing_is_written(string store)
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 3);
        foreach (var args in new[]
                 {
                     new[] { "cluster", temp.Combine("in"), "--k", "2", "--model", "pixels", "--store", store, "--out", temp.Combine("run") },
                     new[] { "embed", temp.Combine("in"), "--model", "pixels", "--store", store, "--out", temp.Combine("f.csv") },
                 })
        {
            var run = await CliRunner.RunAsync(args);
            Assert.Equal(2, run.ExitCode);
            Assert.StartsWith($"error: cannot use the PostgreSQL store {store}: ", run.Stderr);
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }
        Assert.Equal(["in"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("postgresql://u:p@host:notaport/db", "is not a PostgreSQL URL or connection string")]
    [InlineData("postgresql://u@host/db?colour=red", "the URL parameter 'colour' is not one this reads")]
    public async Task A_location_that_is_not_a_server_url_is_one_line_without_its_password(string store, string message)
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 2);
        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--model", "pixels", "--store", store);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain(":p@", run.Stderr);
    }

    private static Dictionary<string, string?> Slurm(int task) => new() { ["SLURM_ARRAY_TASK_ID"] = $"{task}", ["SLURM_ARRAY_TASK_COUNT"] = "3" };

    private static async Task<JsonElement> Cluster(string images, string store, string output)
    {
        var run = await CliRunner.RunAsync("cluster", images, "--k", "5", "--seed", "7", "--store", store, "--out", output, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("counts");
    }

    private static long Count(string store, string table)
    {
        try
        {
            using var connection = new NpgsqlConnection(PostgresServer.ConnectionString(PostgresServer.DatabaseOf(store)));
            connection.Open();
            using var cmd = new NpgsqlCommand($"SELECT count(*) FROM imagecluster.{table}", connection);
            return (long)cmd.ExecuteScalar()!;
        }
        catch (PostgresException e) when (e.SqlState == "42P01")
        {
            return 0; // the first shard has not made the tables yet
        }
    }

    private static long Scalar(string store, string sql)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString(PostgresServer.DatabaseOf(store)));
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string RunIdOf(string runFolder) =>
        (string)LocalScalar(runFolder, "SELECT value FROM meta WHERE key = 'server_run_id'")!;

    private static long LocalCount(string runFolder, string table) => (long)LocalScalar(runFolder, $"SELECT count(*) FROM {table}")!;

    private static object? LocalScalar(string runFolder, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(runFolder, "imagecluster.db")};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void Sql(string store, string sql)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString(PostgresServer.DatabaseOf(store)));
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }
}
