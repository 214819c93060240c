using System.Text.Json;
using ImageCluster.Store;
using Microsoft.Data.Sqlite;

namespace ImageCluster.Tests;

/// <summary><c>store merge</c>: stores combined into an existing one, and sources it must refuse without touching the target.</summary>
public class StoreMergeTests
{
    [Fact]
    public async Task Merging_into_an_existing_store_keeps_what_it_had()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("a"), 4);
        SyntheticImages.Write(temp.Combine("b"), 5);
        Assert.Equal(0, (await CliRunner.RunAsync("embed", temp.Combine("a"), "--store", temp.Combine("a.db"), "--model", "pixels")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("embed", temp.Combine("b"), "--store", temp.Combine("b.db"), "--model", "pixels")).ExitCode);

        var merge = await CliRunner.RunAsync("store", "merge", temp.Combine("b.db"), "--into", temp.Combine("a.db"), "--json");

        Assert.True(merge.ExitCode == 0, merge.Stderr);
        var result = JsonDocument.Parse(merge.Stdout).RootElement;
        Assert.Equal((4, 9), (result.GetProperty("filesBefore").GetInt32(), result.GetProperty("filesAfter").GetInt32()));
        // Both folders' images are now in the one store: nothing to embed for either.
        foreach (string folder in new[] { "a", "b" })
        {
            var again = await CliRunner.RunAsync("embed", temp.Combine(folder), "--store", temp.Combine("a.db"), "--model", "pixels", "--json");
            Assert.Equal(0, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("embedded").GetInt32());
        }
        Assert.Equal(["a.db", "b.db"], Directory.GetFiles(temp.Path, "*.db*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("missing", "no store at")]
    [InlineData("text", "cannot read the store")]
    [InlineData("other-sqlite", "is an SQLite database but not an embedding store of this tool")]
    [InlineData("version-2", "is a store of schema version 2; this imagecluster reads version 1")]
    [InlineData("itself", "is the store merged into")]
    public async Task A_source_it_cannot_merge_is_one_line_and_the_target_is_unchanged(string kind, string message)
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("a"), 3);
        string target = temp.Combine("target.db"), good = temp.Combine("good.db"), bad = temp.Combine("bad.db");
        Assert.Equal(0, (await CliRunner.RunAsync("embed", temp.Combine("a"), "--store", good, "--model", "pixels")).ExitCode);
        File.Copy(good, target);
        byte[] before = File.ReadAllBytes(target);
        switch (kind)
        {
            case "text": File.WriteAllText(bad, "not a database, just text that is long enough to be read as a header............"); break;
            case "other-sqlite": Sql(bad, "CREATE TABLE t (x)"); break;
            case "version-2":
                File.Copy(good, bad);
                Sql(bad, "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
                break;
            case "itself": bad = target; break;
        }

        var merge = await CliRunner.RunAsync("store", "merge", good, bad, "--into", target);

        Assert.Equal(2, merge.ExitCode);
        Assert.StartsWith("error: ", merge.Stderr);
        Assert.Contains(message, merge.Stderr);
        Assert.Single(merge.Stderr.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Empty(Directory.GetFiles(temp.Path, "*merging*"));
    }

    [Fact]
    public async Task A_store_of_another_schema_version_is_refused_by_every_command_that_opens_it()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("a"), 3);
        string store = temp.Combine("s.db");
        Assert.Equal(0, (await CliRunner.RunAsync("embed", temp.Combine("a"), "--store", store, "--model", "pixels")).ExitCode);
        Sql(store, "UPDATE meta SET value = '7' WHERE key = 'schema_version'");

        foreach (var args in new[]
                 {
                     new[] { "embed", temp.Combine("a"), "--store", store, "--model", "pixels" },
                     new[] { "cluster", temp.Combine("a"), "--k", "2", "--store", store, "--model", "pixels", "--out", temp.Combine("run") },
                     new[] { "store", "info", "--store", store },
                 })
        {
            var run = await CliRunner.RunAsync(args);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains($"{store} is a store of schema version 7; this imagecluster reads version 1", run.Stderr);
        }
        Assert.False(File.Exists(temp.Combine("run", "assignments.csv")));
    }

    private static void Sql(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

/// <summary>Which store locations name a server: URLs and real connection strings, never a path that merely holds '=' and "host".</summary>
public class StoreLocationTests
{
    [Theory]
    [InlineData("postgresql://me@db/images", true)]
    [InlineData("postgres://me@db/images", true)]
    [InlineData("Host=/run/postgresql;Database=images;Username=me", true)]
    [InlineData("host=db;database=images", true)]
    [InlineData("/data/host=a/store.db", false)]
    [InlineData("/data/ghost=1.db", false)]
    [InlineData("Database=images", false)]
    [InlineData("store.db", false)]
    public void A_server_is_a_url_or_a_connection_string_with_a_host(string location, bool server) =>
        Assert.Equal(server, ImageCluster.Store.StoreLocation.IsServer(location));
}
