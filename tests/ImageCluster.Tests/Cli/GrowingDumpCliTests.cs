using System.Text.Json;
using ImageCluster.Review;

namespace ImageCluster.Tests;

/// <summary><c>cluster</c> again on a reviewed run whose folder gained images (issue 18): only the new ones embedded and placed.</summary>
public class GrowingDumpCliTests
{
    [SharedFact]
    public async Task New_images_are_embedded_alone_placed_into_the_reviewed_clusters_and_inherit_their_verdicts()
    {
        using var temp = new TempFolder();
        const string model = "mobilenetv2_12_int8";
        string input = temp.Combine("in"), run = temp.Combine("run"), store = temp.Combine("store.db"); // a store of its own: embedded counts are exact
        temp.CopyFrom(ReviewRuns.NearDuplicates, new[] { "g01", "g02", "g03" }.SelectMany(g => Directory.GetFiles(Path.Combine(ReviewRuns.NearDuplicates, g)))
            .Select(f => Path.GetRelativePath(ReviewRuns.NearDuplicates, f)), input);
        string[] Cluster(params string[] extra) => ["cluster", input, "--k", "3", "--model", model, "--out", run, "--store", store, .. extra];
        var first = await CliRunner.RunAsync(Cluster());
        Assert.True(first.ExitCode == 0, first.Stderr);
        int keptCluster;
        using (var session = ReviewSession.Open(run))
            keptCluster = session.State.Images.Single(i => i.Path == "g01/orig.jpg").Cluster;
        Assert.Equal(0, (await CliRunner.RunAsync("select", run, "--keep", keptCluster.ToString())).ExitCode);

        // The dump grows: another view of g01 (a copy under a new name) and a whole new group.
        File.Copy(Path.Combine(input, "g01", "hflip.jpg"), Path.Combine(input, "g01", "hflip-again.jpg"));
        temp.CopyFrom(ReviewRuns.NearDuplicates, Directory.GetFiles(Path.Combine(ReviewRuns.NearDuplicates, "g10")).Select(f => Path.GetRelativePath(ReviewRuns.NearDuplicates, f)), input);
        var grown = await CliRunner.RunAsync(Cluster("--duplicates-and-issues"));
        Assert.True(grown.ExitCode == 0, grown.Stderr);
        Assert.Contains("added 7 new images to the reviewed clustering (its 18 images keep their clusters and decisions)", grown.Stdout + grown.Stderr);

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
        {
            var counts = json.RootElement.GetProperty("counts");
            Assert.Equal(25, counts.GetProperty("clustered").GetInt32());
            Assert.Equal(6, counts.GetProperty("embedded").GetInt32()); // the copy's content is in the store already
            Assert.Equal(7, json.RootElement.GetProperty("added").GetProperty("added").GetInt32());
            // The findings were made for the grown dump, new images included.
            Assert.True(json.RootElement.GetProperty("findings").GetProperty("duplicateGroups").GetInt32() >= 4);
            Assert.Contains(File.ReadAllLines(Path.Combine(run, "duplicates.csv")), l => l.StartsWith("g10/"));
        }
        using (var session = ReviewSession.Open(run))
        {
            var images = session.State.Images.ToDictionary(i => i.Path);
            Assert.Equal(keptCluster, images["g01/hflip-again.jpg"].Cluster);
            Assert.Equal(Verdict.Keep, images["g01/hflip-again.jpg"].Verdict);
            Assert.Contains("g01/hflip-again.jpg", session.State.InheritedImages);
            Assert.All(images.Values.Where(i => i.Path.StartsWith("g10/")), i => Assert.NotEqual(Verdict.Keep, i.Verdict));
            Assert.Equal(18 / 3 + 1, images.Values.Count(i => i.Verdict == Verdict.Keep)); // the old cluster's 6 and the copy
            Assert.Equal(7, session.State.AddedImages.Count);
        }
        var status = await CliRunner.RunAsync("select", run, "--status");
        Assert.Contains("new images 7: inherited keep 1, discard 0; decided one by one 0; undecided 6; in the new group ", status.Stdout);

        var again = await CliRunner.RunAsync(Cluster());
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("nothing new in", again.Stdout + again.Stderr);

        var full = await CliRunner.RunAsync(Cluster("--recluster"));
        Assert.True(full.ExitCode == 0, full.Stderr);
        Assert.Contains("reclustered: kept the verdicts of", full.Stdout + full.Stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
            Assert.False(json.RootElement.TryGetProperty("added", out var a) && a.ValueKind != JsonValueKind.Null);
    }

    [SharedFact]
    public async Task A_run_whose_files_disagree_is_clustered_afresh_instead_of_grown_and_says_its_review_was_not_carried()
    {
        using var temp = new TempFolder();
        string input = temp.Combine("in"), run = temp.Combine("run"), store = temp.Combine("store.db");
        temp.CopyFrom(ReviewRuns.NearDuplicates, new[] { "g01", "g02" }.SelectMany(g => Directory.GetFiles(Path.Combine(ReviewRuns.NearDuplicates, g)))
            .Select(f => Path.GetRelativePath(ReviewRuns.NearDuplicates, f)), input);
        string[] Cluster() => ["cluster", input, "--k", "2", "--out", run, "--store", store];
        Assert.Equal(0, (await CliRunner.RunAsync(Cluster())).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("select", run, "--keep", "0")).ExitCode);
        // run.json no longer matches assignments.csv (as after a crash between the two writes).
        string summary = Path.Combine(run, "run.json");
        File.WriteAllText(summary, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(summary), "\"clustered\": 12", "\"clustered\": 11"));
        File.Copy(Path.Combine(input, "g01", "hflip.jpg"), Path.Combine(input, "g01", "hflip-again.jpg"));

        var again = await CliRunner.RunAsync(Cluster());

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("cannot be read", again.Stderr);
        Assert.Contains("it is not carried over to the new clustering", again.Stderr);
        var status = await CliRunner.RunAsync("select", run, "--status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("images 13:", status.Stdout);
    }
}
