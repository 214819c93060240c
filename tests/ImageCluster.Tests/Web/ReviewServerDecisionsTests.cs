using System.Net;
using ImageCluster.Review;
using ImageCluster.Web;

namespace ImageCluster.Tests;

/// <summary>Decisions the review server works out from the state see what another process recorded meanwhile.</summary>
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
}
