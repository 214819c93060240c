using System.Text.Json;
using ImageCluster.Cli;
using ImageCluster.Images;
using Microsoft.Data.Sqlite;

namespace ImageCluster.Tests;

/// <summary>
/// Sharded embedding: which part a file is in, how the part is read from a job engine's environment, and shard jobs in
/// real processes (environment only) whose stores, merged, give the cluster step nothing to embed and the same assignments
/// as one process — also when a shard is killed half-way and rerun.
/// </summary>
public class ShardingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public void Every_path_is_in_exactly_one_part_and_adding_files_moves_none()
    {
        var paths = Enumerable.Range(0, 3000).Select(i => $"dir{i % 17}/img{i:D5}.jpg").ToList();
        var parts = paths.ToDictionary(p => p, p => Shard.Of(p, 3));
        for (int i = 0; i < 3; i++)
        {
            var shard = new Shard(i, 3);
            int count = paths.Count(shard.Contains);
            Assert.InRange(count, 900, 1100); // a hash spreads 3000 names about evenly
            Assert.All(paths.Where(shard.Contains), p => Assert.Equal(i, parts[p]));
        }
        // A part depends on the path alone, so the old files keep theirs whatever joins the folder.
        var grown = paths.Concat(Enumerable.Range(0, 500).Select(i => $"new/{i}.png")).ToList();
        Assert.All(paths, p => Assert.Equal(parts[p], Shard.Of(p, 3)));
        Assert.Equal(grown.Count, Enumerable.Range(0, 3).Sum(i => grown.Count(new Shard(i, 3).Contains)));
    }

    [Fact]
    public void The_part_is_the_same_on_every_machine()
    {
        // Python's hashlib gives the same: int.from_bytes(sha256(p.encode()).digest()[:8], 'little') % n.
        Assert.Equal(6, Shard.Of("a/b.jpg", 7));
        Assert.Equal(1, Shard.Of("img000.png", 7));
    }

    public static TheoryData<string[], Dictionary<string, string>, string?> Environments => new()
    {
        { [], new() { ["SLURM_ARRAY_TASK_ID"] = "2", ["SLURM_ARRAY_TASK_COUNT"] = "3" }, "2/3" },
        { [], new() { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_COUNT"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_STEP"] = "2" }, "2/3" },
        { ["--shards", "4"], new() { ["JOB_COMPLETION_INDEX"] = "0" }, "0/4" },
        { ["--shard", "1/2"], new() { ["SLURM_ARRAY_TASK_ID"] = "0", ["SLURM_ARRAY_TASK_COUNT"] = "3" }, "1/2" },
        { [], new(), null },
    };

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_part_comes_from_the_flag_or_the_job_engine(string[] flags, Dictionary<string, string> environment, string? expected)
    {
        var shard = ShardOptions.From(Parse(flags), name => environment.GetValueOrDefault(name), out _);
        Assert.Equal(expected, shard?.ToString());
    }

    [Theory]
    [InlineData(new[] { "--shard", "3/2" }, "", "--shard 3/2: the part is zero-based, so for 2 parts it is 0 to 1")]
    [InlineData(new[] { "--shard", "1-3" }, "", "--shard 1-3: expected I/N")]
    [InlineData(new[] { "--shard", "0/0" }, "", "--shard 0/0: the number of parts must be at least 1")]
    [InlineData(new[] { "--shards", "3" }, "", "--shards 3 needs the index from a job array")]
    [InlineData(new[] { "--shard", "0/3", "--shards", "3" }, "", "not both")]
    [InlineData(new string[0], "JOB_COMPLETION_INDEX=1", "add --shards N")]
    [InlineData(new[] { "--shards", "2" }, "JOB_COMPLETION_INDEX=2", "JOB_COMPLETION_INDEX=2 is not below --shards 2")]
    [InlineData(new string[0], "SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT is not")]
    [InlineData(new[] { "--shards", "4" }, "SLURM_ARRAY_TASK_ID=1,SLURM_ARRAY_TASK_COUNT=3", "--shards 4 disagrees")]
    [InlineData(new string[0], "SLURM_ARRAY_TASK_ID=x,SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_ID=x is not a whole number")]
    public void A_part_that_cannot_be_is_one_line_naming_it(string[] flags, string environment, string message)
    {
        var variables = environment.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        var error = Assert.Throws<UsageException>(() => ShardOptions.From(Parse(flags), name => variables.GetValueOrDefault(name), out _));
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_bad_shard_writes_nothing_and_exits_with_usage()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 3);
        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--shard", "3/2", "--store", temp.Combine("s.db"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --shard 3/2: the part is zero-based, so for 2 parts it is 0 to 1", run.Stderr.Trim());
        Assert.False(File.Exists(temp.Combine("s.db")));
    }

    [Fact]
    public async Task Three_shard_processes_merged_give_the_cluster_step_nothing_to_embed_and_the_same_clusters()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 90);
        string images = temp.Combine("in");

        var shards = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => RealCli.RunAsync(Limit,
            new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = $"{i}", ["SLURM_ARRAY_TASK_COUNT"] = "3" },
            "embed", images, "--store", temp.Combine($"shard{i}.db"), "--json")));
        Assert.All(shards, s => Assert.True(s.ExitCode == 0, s.Stderr));
        var counts = shards.Select(s => JsonDocument.Parse(s.Stdout).RootElement).ToList();
        Assert.Equal(90, counts.Sum(c => c.GetProperty("embedded").GetInt32()));
        Assert.All(counts, c => Assert.Equal(90, c.GetProperty("folderFiles").GetInt32()));
        Assert.All(counts, c => Assert.True(c.GetProperty("output").ValueKind == JsonValueKind.Null));

        var merge = await CliRunner.RunAsync("store", "merge", temp.Combine("shard0.db"), temp.Combine("shard1.db"), temp.Combine("shard2.db"),
            "--into", temp.Combine("all.db"), "--json");
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        Assert.Equal(90, JsonDocument.Parse(merge.Stdout).RootElement.GetProperty("embeddingsAfter").GetInt32());

        var sharded = await ClusterJson(images, temp.Combine("all.db"), temp.Combine("sharded"));
        var single = await ClusterJson(images, temp.Combine("single.db"), temp.Combine("single"));
        Assert.Equal((0, 90), (sharded.GetProperty("embedded").GetInt32(), sharded.GetProperty("fromCache").GetInt32()));
        Assert.Equal(90, single.GetProperty("embedded").GetInt32());
        Assert.Equal(File.ReadAllText(temp.Combine("single", "assignments.csv")), File.ReadAllText(temp.Combine("sharded", "assignments.csv")));
        Assert.Equal(Rows(temp.Combine("single.db")), Rows(temp.Combine("all.db")));
    }

    [Fact]
    public async Task A_shard_killed_half_way_and_rerun_continues_and_leaves_no_duplicate_rows()
    {
        using var temp = new TempFolder();
        var written = SyntheticImages.Write(temp.Combine("in"), 600, 96, 72);
        int part = written.Count(p => Shard.Of(Path.GetFileName(p), 2) == 0);
        string images = temp.Combine("in"), store = temp.Combine("shard0.db");
        var environment = new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = "0", ["SLURM_ARRAY_TASK_COUNT"] = "2" };

        using (var doomed = RealCli.Start(environment, "embed", images, "--store", store, "--batch-size", "1", "--decode-threads", "1"))
        {
            _ = doomed.StandardOutput.ReadToEndAsync();
            _ = doomed.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + Limit;
            while (Rows(store).Embeddings < 8 && !doomed.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.False(doomed.HasExited, "the shard finished before it could be killed half-way");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }
        var killed = Rows(store);
        Assert.InRange(killed.Embeddings, 8, part - 1);

        var rerun = await RealCli.RunAsync(Limit, environment, "embed", images, "--store", store, "--json");
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        var summary = JsonDocument.Parse(rerun.Stdout).RootElement;
        Assert.Equal(part, summary.GetProperty("scanned").GetInt32());
        // What the killed run stored is not computed again.
        Assert.True(summary.GetProperty("fromCache").GetInt32() >= killed.Embeddings, rerun.Stdout);
        Assert.Equal(part, summary.GetProperty("fromCache").GetInt32() + summary.GetProperty("embedded").GetInt32());
        var other = await RealCli.RunAsync(Limit, new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "2" },
            "embed", images, "--store", temp.Combine("shard1.db"));
        Assert.True(other.ExitCode == 0, other.Stderr);
        var merge = await CliRunner.RunAsync("store", "merge", store, temp.Combine("shard1.db"), "--into", temp.Combine("all.db"));
        Assert.True(merge.ExitCode == 0, merge.Stderr);

        var sharded = await ClusterJson(images, temp.Combine("all.db"), temp.Combine("sharded"));
        var single = await ClusterJson(images, temp.Combine("single.db"), temp.Combine("single"));
        Assert.Equal(0, sharded.GetProperty("embedded").GetInt32());
        Assert.Equal(File.ReadAllText(temp.Combine("single", "assignments.csv")), File.ReadAllText(temp.Combine("sharded", "assignments.csv")));
        Assert.Equal((600L, 600L), Rows(temp.Combine("all.db")));
    }

    private static async Task<JsonElement> ClusterJson(string images, string store, string output)
    {
        var run = await CliRunner.RunAsync("cluster", images, "--k", "4", "--seed", "3", "--store", store, "--out", output, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("counts");
    }

    // File records and embeddings of a store, read without changing it (0, 0 while it does not exist yet).
    private static (long Files, long Embeddings) Rows(string store)
    {
        if (!File.Exists(store)) return (0, 0);
        try
        {
            using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM embeddings)";
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        catch (SqliteException)
        {
            return (0, 0); // still being created
        }
    }

    private static System.CommandLine.ParseResult Parse(string[] flags) =>
        new System.CommandLine.RootCommand { ShardOptions.Shard, ShardOptions.Shards }.Parse(flags);
}
