using System.Text.Json;
using ImageCluster.Review;

namespace ImageCluster.Tests;

/// <summary><c>select --like/--unlike/--accept-proposals</c> end to end on a small real run (issue 18).</summary>
public class SelectExamplesCliTests
{
    [SharedFact]
    public async Task Examples_propose_and_accepted_proposals_are_one_undoable_decision()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 3, k: 3, model: "mobilenetv2_12_int8");

        var like = await CliRunner.RunAsync("select", run, "--like", "g01/orig.jpg,g01/hflip.jpg", "--unlike", "g02/orig.jpg");
        Assert.True(like.ExitCode == 0, like.Stderr);
        Assert.Contains("recorded #1: examples: like 2 images; unlike g02/orig.jpg", like.Stdout);
        Assert.Contains("examples: like 2, unlike 1; images decided by accepted proposals 0", like.Stdout);
        Assert.Contains("proposals for the 15 undecided images (from 2 like and 1 unlike images)", like.Stdout);
        Assert.Contains("review queue (most to gain first):", like.Stdout);

        // On 18 images little is sure at 0.9: this accepts from 0.6.
        var accept = await CliRunner.RunAsync("select", run, "--accept-proposals", "--min-confidence", "0.6", "--json");
        Assert.True(accept.ExitCode == 0, accept.Stderr);
        using (var json = JsonDocument.Parse(accept.Stdout))
        {
            var counts = json.RootElement.GetProperty("counts");
            int accepted = counts.GetProperty("acceptedProposals").GetInt32();
            Assert.True(accepted is >= 1 and <= 4, $"{accepted} accepted"); // the other g01 images, at most
            Assert.Equal(2 + accepted, counts.GetProperty("kept").GetInt32());
            var proposals = json.RootElement.GetProperty("proposals");
            Assert.Equal(18, proposals.GetProperty("images").GetArrayLength());
            // What is sure enough to accept is the examples' group only.
            var sure = proposals.GetProperty("images").EnumerateArray()
                .Where(p => p.GetProperty("verdict").GetString() == "keep" && p.GetProperty("confidence").GetDouble() >= 0.6)
                .Select(p => p.GetProperty("path").GetString()!).ToList();
            Assert.True(sure.Count >= 2 + accepted, $"{sure.Count} sure"); // the accepted ones now seed the proposals too
            Assert.All(sure, p => Assert.StartsWith("g01/", p));
        }
        var history = await CliRunner.RunAsync("select", run, "--status");
        Assert.Matches(@"#2 accept proposals at confidence ≥ 0\.6: keep \d, discard 0 images", history.Stdout);

        var undo = await CliRunner.RunAsync("select", run, "--undo");
        Assert.Contains("undone: accept proposals at confidence ≥ 0.6", undo.Stdout);
        Assert.Contains("images 18: kept 2, discarded 1, undecided 15", undo.Stdout);
    }

    [SharedFact]
    public async Task Bad_examples_and_confidences_are_one_line_and_record_nothing()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 2, k: 2, model: "pixels");
        foreach (var (args, message) in new (string[], string)[]
        {
            (["--like", "g01/orig.jpg", "--accept-proposals", "--min-confidence", "2"], "error: --min-confidence takes a confidence from 0.5 to 1, not 2"),
            (["--like", "g01/nothere.jpg"], "error: g01/nothere.jpg is not an image of this run"),
            (["--like", ","], "error: --like takes image paths of the run, e.g. holiday/a.jpg,holiday/b.jpg"),
            (["--like", "g01/orig.jpg", "--unlike", "g01/orig.jpg"], "error: g01/orig.jpg cannot be a like and an unlike example at once"),
            (["--accept-proposals"], "error: no image is marked as an example: mark at least one image the others should be like"),
            (["--min-confidence", "0.8"], "error: --min-confidence goes with --accept-proposals"),
            (["--keep", "0", "--proposals"], "error: no image is marked as an example: give --like first"),
        })
        {
            var result = await CliRunner.RunAsync(["select", run, .. args]);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal(message, result.Stderr.Trim());
        }
        var status = await CliRunner.RunAsync("select", run, "--status", "--json");
        using var json = JsonDocument.Parse(status.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("history").GetArrayLength());
    }

    [SharedFact]
    public async Task Proposals_that_cannot_be_made_refuse_the_call_when_asked_for_and_give_way_when_only_shown()
    {
        using var temp = new TempFolder();
        var (_, run) = await ReviewRuns.MakeAsync(temp, groups: 2, k: 2, model: "pixels");
        int other;
        using (var session = ReviewSession.Open(run))
            other = session.State.Clusters.Select(c => c.Cluster).Single(c => c != session.State.Images.Single(i => i.Path == "g01/orig.jpg").Cluster);
        Assert.Equal(0, (await CliRunner.RunAsync("select", run, "--keep", other.ToString())).ExitCode);
        // The kept cluster and the example's own cover every cluster, and nothing is unlike: no proposal can be made.
        const string everywhere = "the like examples lie in every cluster and nothing is unlike them: mark an unlike example or discard a cluster first";

        var asked = await CliRunner.RunAsync("select", run, "--like", "g01/orig.jpg", "--proposals");
        Assert.Equal(2, asked.ExitCode);
        Assert.Equal($"error: {everywhere}", asked.Stderr.Trim());
        using (var session = ReviewSession.Open(run))
            Assert.Empty(session.State.LikeExamples);

        var shown = await CliRunner.RunAsync("select", run, "--like", "g01/orig.jpg");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("recorded #2: examples: like g01/orig.jpg", shown.Stdout);
        Assert.Contains($"no proposals yet: {everywhere}", shown.Stdout);
        using (var session = ReviewSession.Open(run))
            Assert.Equal(["g01/orig.jpg"], session.State.LikeExamples);
    }

    [Fact]
    public void A_verdict_against_an_example_takes_its_mark_away()
    {
        var state = new ReviewState(["a.jpg", "b.jpg", "c.jpg"], [0, 0, 1]);
        state.Apply(new MarkExamples(["a.jpg"], ["c.jpg"]));
        state.Apply(new ImageVerdict(["a.jpg"], Verdict.Discard));
        state.Apply(new ImageVerdict(["c.jpg"], Verdict.Undecided));
        Assert.Empty(state.LikeExamples);
        Assert.Empty(state.UnlikeExamples);
        state.Apply(new MarkExamples(["b.jpg"], []));
        state.Apply(new ImageVerdict(["b.jpg"], Verdict.Keep)); // agrees: the mark stays
        Assert.Equal(["b.jpg"], state.LikeExamples);
    }
}
