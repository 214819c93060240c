using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary>
/// deploy/slurm for real: on a single-node Slurm cluster, submit.sh's 3-task embed array fills one PostgreSQL store (each
/// task picks its shard from SLURM_ARRAY_TASK_ID/COUNT alone) and the cluster job, held until the array succeeded, embeds
/// nothing and gives the assignments of one process with an SQLite store.
/// </summary>
public class SlurmDeployTests
{
    [SlurmFact]
    public async Task The_sbatch_array_embeds_in_three_shards_and_the_dependent_job_clusters_what_they_stored()
    {
        using var temp = new TempFolder();
        string images = temp.Combine("in"), store = PostgresServer.NewDatabase(), logs = temp.Combine("logs");
        SyntheticImages.Write(images, 90, 96, 72);
        using var cluster = SlurmCluster.Start(temp.Combine("slurm"));

        var submit = cluster.Run(new Dictionary<string, string?>
        {
            ["IMAGECLUSTER"] = $"dotnet {RealCli.Dll}",
            ["IMAGECLUSTER_LOGS"] = logs,
            ["CLUSTER_ARGS"] = "--model pixels --seed 7",
            ["EMBED_ARGS"] = "--model pixels",
        }, Path.Combine(SlurmCluster.Scripts, "submit.sh"), images, store, temp.Combine("run"), "4", "3");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var ids = submit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        await cluster.WaitForEmptyQueueAsync(TimeSpan.FromMinutes(5));

        string Logs() => string.Join("\n", Directory.GetFiles(logs, "*.out").Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
        Assert.True(cluster.States(ids["ARRAY_JOB_ID"]).Count == 3 && cluster.States(ids["ARRAY_JOB_ID"]).All(s => s == ("COMPLETED", "0:0")),
            $"{string.Join(", ", cluster.States(ids["ARRAY_JOB_ID"]))}\n{Logs()}");
        Assert.True(cluster.States(ids["CLUSTER_JOB_ID"]).SequenceEqual([("COMPLETED", "0:0")]), $"{string.Join(", ", cluster.States(ids["CLUSTER_JOB_ID"]))}\n{Logs()}");
        Assert.Equal(3, Directory.GetFiles(logs, "embed-*.out").Length); // one log per task

        var counts = JsonDocument.Parse(File.ReadAllText(temp.Combine("run", "run.json"))).RootElement.GetProperty("counts");
        Assert.Equal((0, 90), (counts.GetProperty("embedded").GetInt32(), counts.GetProperty("fromCache").GetInt32()));
        var single = await CliRunner.RunAsync("cluster", images, "--k", "4", "--model", "pixels", "--seed", "7", "--store", temp.Combine("single.db"), "--out", temp.Combine("single"));
        Assert.True(single.ExitCode == 0, single.Stderr);
        Assert.Equal(File.ReadAllText(temp.Combine("single", "assignments.csv")), File.ReadAllText(temp.Combine("run", "assignments.csv")));
    }

    [SlurmFact]
    public async Task A_failing_shard_cancels_the_cluster_job_instead_of_leaving_it_pending()
    {
        using var temp = new TempFolder();
        string logs = temp.Combine("logs");
        using var cluster = SlurmCluster.Start(temp.Combine("slurm"));
        // The images folder does not exist: every embed task exits 2 with its one line.
        var submit = cluster.Run(new Dictionary<string, string?> { ["IMAGECLUSTER"] = $"dotnet {RealCli.Dll}", ["IMAGECLUSTER_LOGS"] = logs },
            Path.Combine(SlurmCluster.Scripts, "submit.sh"), temp.Combine("missing"), temp.Combine("s.db"), temp.Combine("run"), "2", "3");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var ids = submit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        await cluster.WaitForEmptyQueueAsync(TimeSpan.FromMinutes(3));

        Assert.All(cluster.States(ids["ARRAY_JOB_ID"]), s => Assert.Equal(("FAILED", "2:0"), s));
        Assert.Equal("CANCELLED", cluster.States(ids["CLUSTER_JOB_ID"]).Single().State);
        Assert.False(Directory.Exists(temp.Combine("run")));
        Assert.All(Directory.GetFiles(logs, "embed-*.rc"), f => Assert.Equal("2", File.ReadAllText(f).Trim()));
    }
}
