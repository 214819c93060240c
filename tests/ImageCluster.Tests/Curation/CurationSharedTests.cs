using ImageCluster.Bench;
using ImageCluster.Neighbours;

namespace ImageCluster.Tests;

/// <summary>The curation commands on the shared sets: near duplicates, planted junk, hostile files (issue 15).</summary>
public class CurationSharedTests
{
    [SharedFact]
    public async Task On_the_near_duplicate_set_the_default_threshold_groups_pairs_with_precision_and_recall_of_at_least_0_95()
    {
        using var temp = new TempFolder();
        string set = SharedData.Dataset("near_duplicates");
        var truth = File.ReadLines(Path.Combine(set, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);

        var result = await CliRunner.RunAsync("duplicates", set, "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));

        Assert.Equal(0, result.ExitCode);
        var group = File.ReadLines(temp.Combine("run", "duplicates.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => int.Parse(f[1]));
        var paths = truth.Keys.ToList();
        var (precision, recall) = NearDuplicateGroups.PairwiseScores(paths.Select(p => group.GetValueOrDefault(p, -1)).ToArray(), paths.Select(p => truth[p]).ToList());
        Assert.True(precision >= 0.95 && recall >= 0.95, $"precision {precision:F3}, recall {recall:F3}");
    }

    [SharedFact]
    public async Task Different_photos_of_one_flower_are_not_duplicates_while_a_recropped_copy_is()
    {
        // Looked at (bench montage): the dandelion close-ups and the two daisies are different photos at cosine 0.90–0.93,
        // which the embedding alone called near duplicates; the irises are one photo twice, the fritillaries one photo recropped.
        using var temp = new TempFolder();
        string root = SharedData.Dataset("oxford17_flowers"), input = temp.Combine("in");
        Directory.CreateDirectory(input);
        string[] names = ["c13/image_0968.jpg", "c13/image_0984.jpg", "c13/image_0983.jpg", "c11/image_0808.jpg", "c11/image_0814.jpg",
            "c06/image_0402.jpg", "c06/image_0472.jpg", "c09/image_0672.jpg", "c09/image_0695.jpg"];
        var byName = File.ReadLines(Path.Combine(root, "labels.csv")).Skip(1).Select(l => l.Split(',')[0])
            .ToDictionary(p => $"{Path.GetFileName(Path.GetDirectoryName(p))}/{Path.GetFileName(p)}");
        foreach (string name in names) File.Copy(Path.Combine(root, byName[name]), Path.Combine(input, name.Replace('/', '_')));

        var result = await CliRunner.RunAsync("duplicates", input, "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));

        Assert.Equal(0, result.ExitCode);
        var group = File.ReadLines(temp.Combine("run", "duplicates.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        Assert.Equal(["c06_image_0402.jpg", "c06_image_0472.jpg", "c09_image_0672.jpg", "c09_image_0695.jpg"], group.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(group["c06_image_0402.jpg"], group["c06_image_0472.jpg"]);
        Assert.Equal(group["c09_image_0672.jpg"], group["c09_image_0695.jpg"]);
    }

    [SharedFact]
    public async Task Planted_junk_is_found_with_recall_of_at_least_0_9_and_at_most_5_percent_of_the_originals_are_flagged()
    {
        using var temp = new TempFolder();
        string root = SharedData.Dataset("oxford17_flowers");
        var random = new Random(15);
        var photos = File.ReadLines(Path.Combine(root, "labels.csv")).Skip(1).Select(l => Path.Combine(root, l.Split(',')[0])).Order(StringComparer.Ordinal)
            .OrderBy(_ => random.Next()).Take(20 * PlantedJunk.Kinds.Count + 300).ToList();
        var made = PlantedJunk.Make(photos, temp.Combine("images"), perKind: 20);

        var result = await CliRunner.RunAsync("issues", temp.Combine("images"), "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));

        Assert.Equal(0, result.ExitCode);
        var flagged = File.ReadLines(temp.Combine("run", "issues.csv")).Skip(1).Select(l => l.Split(',')).Select(f => (f[0], f[1])).ToHashSet();
        int originals = made.Count(m => m.Kind == "original");
        foreach (var (kind, issue) in PlantedJunk.Kinds)
        {
            var planted = made.Where(m => m.Kind == kind).ToList();
            double recall = (double)planted.Count(m => flagged.Contains((m.Path, issue))) / planted.Count;
            double falseRate = (double)made.Count(m => m.Kind == "original" && flagged.Contains((m.Path, issue))) / originals;
            Assert.True(recall >= 0.9, $"{kind}: {issue} recall {recall:P0}");
            Assert.True(falseRate <= 0.05, $"{kind}: {issue} on {falseRate:P1} of the originals");
        }
    }

    [SharedFact]
    public async Task The_hostile_files_are_corrupt_or_judged_and_never_stop_the_run()
    {
        using var temp = new TempFolder();
        var result = await CliRunner.RunAsync("issues", SharedData.Dataset("bad_inputs"), "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));

        Assert.Equal(0, result.ExitCode);
        var issues = File.ReadLines(temp.Combine("run", "issues.csv")).Skip(1).Select(l => l.Split(',')).Select(f => (f[0], f[1])).ToHashSet();
        foreach (var skipped in new[] { "images/truncated.jpg", "images/zero_bytes.jpg", "images/text_not_image.png", "images/huge_20000x20000_1bit.png" })
            Assert.Contains((skipped, "corrupt"), issues);
        Assert.Contains(("images/grayscale.png", "grayscale"), issues);
        Assert.DoesNotContain(("images/image.webp", "corrupt"), issues);
        Assert.DoesNotContain(("images/image.tiff", "corrupt"), issues); // a format the decoder does not read is not damage (errors.csv says why)
        Assert.Equal(10 + 1, File.ReadLines(temp.Combine("run", "measures.csv")).Count()); // every file the decoder reads is measured
    }
}
