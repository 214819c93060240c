using System.Net;
using ImageCluster.Review;
using ImageCluster.Web;

namespace ImageCluster.Tests;

/// <summary>The review server's decisions beside the CLI: worked out on what it recorded meanwhile, and counted apart from what cluster recorded.</summary>
public class ReviewServerDecisionsTests
{
    [Fact]
    public async Task Discard_all_undecided_leaves_a_cluster_the_cli_kept_meanwhile_kept()
    {
        using var temp = new TempFolder();
        string run = temp.Combine("run");
        var made = await CliRunner.RunAsync("cluster", TestData.FourPhotos(temp), "--k", "2", "--model", "pixels", "--out", run, "--store", temp.Combine("store.db"));
        Assert.True(made.ExitCode == 0, made.Stderr);
        await using var server = await ReviewServer.StartAsync(run);
        using var page = ReviewServerSecurityTests.Client(server, server.Token);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/api/overview")).StatusCode); // the page has read the state

        Assert.Equal(0, (await CliRunner.RunAsync("select", run, "--keep", "0")).ExitCode);
        var discarded = await page.PostAsync("/api/images/discard-undecided", ReviewServerSecurityTests.Body("{}"));
        Assert.Equal(HttpStatusCode.OK, discarded.StatusCode);

        using var session = ReviewSession.Open(run);
        var images = session.State.Images;
        Assert.All(images.Where(i => i.Cluster == 0), i => Assert.Equal(Verdict.Keep, i.Verdict));
        Assert.All(images.Where(i => i.Cluster != 0), i => Assert.Equal(Verdict.Discard, i.Verdict));
        Assert.Contains(images, i => i.Cluster == 0);
        Assert.Contains(images, i => i.Cluster != 0);
    }

    [Fact]
    public async Task The_decision_count_leaves_out_what_the_cluster_job_recorded()
    {
        using var temp = new TempFolder();
        string run = temp.Combine("run"), input = TestData.FourPhotos(temp);
        string[] Cluster(string k) => ["cluster", input, "--k", k, "--model", "pixels", "--out", run, "--store", temp.Combine("store.db")];
        Assert.Equal(0, (await CliRunner.RunAsync(Cluster("2"))).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("select", run, "--keep", "0")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(Cluster("3"))).ExitCode); // the keep carried over: one carry-over in the new log

        await using var server = await ReviewServer.StartAsync(run);
        using var page = ReviewServerSecurityTests.Client(server, server.Token);
        using var overview = System.Text.Json.JsonDocument.Parse(await page.GetStringAsync("/api/overview"));
        Assert.Equal("carry-over", Assert.Single(overview.RootElement.GetProperty("history").EnumerateArray()).GetProperty("kind").GetString());
        Assert.Equal(0, overview.RootElement.GetProperty("decisions").GetInt32());
    }
}
