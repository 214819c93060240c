using System.Text.Json;
using ImageCluster.Pipeline;
using ImageCluster.Store;

namespace ImageCluster.Tests;

/// <summary>One embedding store shared by every run folder: what it reuses, what run.json says of it, info and prune.</summary>
public class StoreTests
{
    private static JsonElement RunJson(string runFolder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "run.json"))).RootElement;

    [Fact]
    public async Task A_second_run_into_a_new_out_embeds_nothing_and_names_the_store()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 6);
        string store = temp.Combine("cache", "store.db");

        var first = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("run1"), "--store", store, "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("run2"), "--store", store, "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);

        var counts1 = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("counts");
        var counts2 = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("counts");
        Assert.Equal((6, 0), (counts1.GetProperty("embedded").GetInt32(), counts1.GetProperty("fromCache").GetInt32()));
        Assert.Equal((0, 6), (counts2.GetProperty("embedded").GetInt32(), counts2.GetProperty("fromCache").GetInt32()));
        Assert.Equal(store, RunJson(temp.Combine("run2")).GetProperty("store").GetString());
        // The run folders keep their own clusterings and decisions; the vectors live only in the shared store.
        using (var own = ImageStore.Open(temp.Combine("run2", ImageStore.FileName)))
            Assert.Empty(own.GetEmbeddedHashes(RunJson(temp.Combine("run2")).GetProperty("model").GetProperty("cacheKey").GetString()!, "embedding"));

        // Review and report read the embeddings back through the store run.json names.
        using var session = Review.ReviewSession.Open(temp.Combine("run2"));
        Assert.Equal(6, session.State.Images.Count);
        Assert.Equal(6, session.LoadEmbeddings().Count);
    }

    [Fact]
    public async Task Store_info_counts_and_prune_forgets_deleted_files_and_their_embeddings()
    {
        using var temp = new TempFolder();
        var images = SyntheticImages.Write(temp.Combine("in"), 5);
        string store = temp.Combine("store.db");
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("run"), "--store", store);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var info = JsonDocument.Parse((await CliRunner.RunAsync("store", "info", "--store", store, "--json")).Stdout).RootElement;
        Assert.Equal(5, info.GetProperty("files").GetInt64());
        var space = Assert.Single(info.GetProperty("featureSpaces").EnumerateArray());
        Assert.Equal((5, 1280), (space.GetProperty("vectors").GetInt64(), space.GetProperty("dimension").GetInt32()));

        File.Delete(images[0]);
        var dry = JsonDocument.Parse((await CliRunner.RunAsync("store", "prune", "--store", store, "--dry-run", "--json")).Stdout).RootElement;
        Assert.Equal((1, 1, true), (dry.GetProperty("missingFiles").GetInt64(), dry.GetProperty("orphanEmbeddings").GetInt64(), dry.GetProperty("dryRun").GetBoolean()));
        var pruned = await CliRunner.RunAsync("store", "prune", "--store", store);
        Assert.True(pruned.ExitCode == 0, pruned.Stderr);
        Assert.Contains("removed 1 records of files that are gone or changed and 1 embeddings", pruned.Stdout);

        info = JsonDocument.Parse((await CliRunner.RunAsync("store", "info", "--store", store, "--json")).Stdout).RootElement;
        Assert.Equal(4, info.GetProperty("files").GetInt64());
        Assert.Equal(4, info.GetProperty("featureSpaces")[0].GetProperty("vectors").GetInt64());
    }

    [Fact]
    public async Task A_run_whose_store_is_gone_says_so_instead_of_reviewing_nothing()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 4);
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("run"), "--store", temp.Combine("s", "store.db"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Directory.Delete(temp.Combine("s"), recursive: true);

        var report = await CliRunner.RunAsync("report", temp.Combine("run"));
        Assert.NotEqual(0, report.ExitCode);
        Assert.Contains($"the embedding store of {temp.Combine("run")}, {temp.Combine("s", "store.db")}, is missing", report.Stderr);
    }

    [Fact]
    public async Task Reclustering_after_the_store_is_gone_still_carries_the_review_over()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 6);
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("run"), "--store", temp.Combine("a", "store.db"))).ExitCode);
        var keep = await CliRunner.RunAsync("select", temp.Combine("run"), "--keep", "0");
        Assert.True(keep.ExitCode == 0, keep.Stderr);
        Directory.Delete(temp.Combine("a"), recursive: true);

        // The decisions live in the run's own database: a new store re-embeds, and the verdicts go over to the new clustering.
        var again = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("run"), "--store", temp.Combine("b", "store.db"));
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.DoesNotContain("cannot be read", again.Stderr);
        Assert.Contains("reclustered: ", again.Stderr);
        Assert.Contains("turned 1 cluster verdict of the previous clustering (keep 1, discard 0)", again.Stderr);
    }

    [Fact]
    public async Task A_store_that_is_not_a_database_is_one_clear_line()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 3);
        File.WriteAllText(temp.Combine("store.db"), "not a database, just text that is long enough to have a header page....................");
        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: cannot open the embedding store {temp.Combine("store.db")}", run.Stderr);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }
}

/// <summary>Where a run goes without --out: never into the input folder. Changes the working directory, so runs alone.</summary>
[Collection(nameof(UserCacheCollection))]
public class DefaultRunFolderTests
{
    [Fact]
    public void Without_out_a_run_goes_below_the_working_directory_or_the_user_data_folder_never_into_the_input()
    {
        using var temp = new TempFolder();
        string previous = Environment.CurrentDirectory, previousData = Environment.GetEnvironmentVariable("XDG_DATA_HOME") ?? "";
        Directory.CreateDirectory(temp.Combine("work"));
        Directory.CreateDirectory(temp.Combine("photos", "2024"));
        try
        {
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", temp.Combine("data"));
            Environment.CurrentDirectory = temp.Combine("work");
            Assert.Equal(temp.Combine("work", "imagecluster-runs", "photos"), RunFolders.DefaultFor(temp.Combine("photos")));

            // Another input of the same name does not reuse that folder once it holds a run.
            Directory.CreateDirectory(temp.Combine("work", "imagecluster-runs", "photos"));
            File.WriteAllText(temp.Combine("work", "imagecluster-runs", "photos", "run.json"), JsonSerializer.Serialize(new { input = temp.Combine("photos") }));
            Assert.Equal(temp.Combine("work", "imagecluster-runs", "photos"), RunFolders.DefaultFor(temp.Combine("photos")));
            Directory.CreateDirectory(temp.Combine("elsewhere", "photos"));
            Assert.Equal(temp.Combine("work", "imagecluster-runs", "photos-2"), RunFolders.DefaultFor(temp.Combine("elsewhere", "photos")));

            // Working inside the photo folder: the run goes to the user's data folder.
            Environment.CurrentDirectory = temp.Combine("photos", "2024");
            Assert.Equal(temp.Combine("data", "imagecluster", "runs", "photos"), RunFolders.DefaultFor(temp.Combine("photos")));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", previousData.Length == 0 ? null : previousData);
        }
    }
}
