using Microsoft.Data.Sqlite;

namespace ImageCluster.Tests;

/// <summary>A damaged store is never used as if whole (issue 14, item 10).</summary>
public class DamagedStoreTests
{
    [Fact]
    public async Task A_cut_vector_is_computed_again_instead_of_used()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db");
        var first = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run1"), "--store", store);
        Assert.True(first.ExitCode == 0, first.Stderr);
        using (var db = new SqliteConnection($"Data Source={store};Pooling=False"))
        {
            db.Open();
            using var cut = db.CreateCommand();
            cut.CommandText = "UPDATE embeddings SET vector = x'00' WHERE rowid = (SELECT min(rowid) FROM embeddings)";
            Assert.Equal(1, cut.ExecuteNonQuery());
        }

        var second = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run2"), "--store", store);

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("(embedded 1, from cache 3, unreadable 0)", second.Stderr + second.Stdout);
        Assert.Equal(File.ReadAllText(temp.Combine("run1", "assignments.csv")), File.ReadAllText(temp.Combine("run2", "assignments.csv")));
    }

    [Fact]
    public async Task A_store_that_is_not_a_database_says_so_and_what_to_do()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db");
        File.WriteAllBytes(store, [.. "SQLite format 3\0"u8, .. new byte[4080]]); // a header and nothing valid after it
        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run"), "--store", store);
        Assert.Equal(2, run.ExitCode);
        string error = run.Stderr.Trim().Split('\n')[^1];
        Assert.StartsWith($"error: cannot open the embedding store {store} (", error);
        Assert.EndsWith("the file is damaged: move it away (a new store is made and the embeddings computed again) or name another store", error);
    }

    [Fact]
    public async Task A_dropped_review_log_is_named_instead_of_silently_started_anew()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), run = temp.Combine("run");
        Assert.True((await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", run, "--store", temp.Combine("store.db"))).ExitCode == 0);
        Assert.True((await CliRunner.RunAsync("select", run, "--keep", "0")).ExitCode == 0);
        using (var db = new SqliteConnection($"Data Source={Path.Combine(run, "imagecluster.db")};Pooling=False"))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE decisions";
            drop.ExecuteNonQuery();
        }

        var status = await CliRunner.RunAsync("select", run, "--status");

        Assert.Equal(2, status.ExitCode);
        Assert.Equal($"error: {Path.Combine(run, "imagecluster.db")}: its review log (the decisions table) is gone, and with it this run's review decisions; " +
                     "move the file away and cluster the folder again to start a new review", status.Stderr.Trim());
    }
}
