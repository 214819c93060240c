using ImageCluster.Clustering;
using ImageCluster.Export;
using ImageCluster.Images;

namespace ImageCluster.Tests;

/// <summary>A run never writes over, or deletes, anything the user owns.</summary>
public class RunFolderSafetyTests
{
    private static void CopyImages(TempFolder temp, string into, params string[] groups) =>
        temp.CopyFrom(Path.Combine(SharedData.Dataset("near_duplicates"), "images"), groups.Select(g => $"{g}/orig.jpg"), into);

    [SharedFact]
    public async Task Out_folder_that_contains_the_input_is_refused_and_nothing_is_touched()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("clusters"), "g01", "g02");
        var before = Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories);

        var run = await CliRunner.RunAsync("cluster", temp.Combine("clusters"), "--k", "2", "--out", temp.Path, "--model", "pixels");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("contains the input folder", run.Stderr);
        Assert.Equal(before, Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));
    }

    [SharedFact]
    public async Task Out_folder_with_foreign_files_is_refused()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02");
        Directory.CreateDirectory(temp.Combine("out"));
        File.WriteAllText(temp.Combine("out", "assignments.csv"), "mine");

        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("out"), "--model", "pixels");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("already holds files and is not a run folder; name a new or empty folder", run.Stderr);
        Assert.Equal("mine", File.ReadAllText(temp.Combine("out", "assignments.csv")));
    }

    [SharedFact]
    public async Task Clusters_folder_holding_a_file_we_did_not_write_is_not_replaced()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02", "g03");
        var first = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("out"), "--model", "pixels");
        Assert.Equal(0, first.ExitCode);
        File.WriteAllText(temp.Combine("out", "clusters", "notes.txt"), "keep me");

        var second = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("out"), "--model", "pixels");

        Assert.Equal(2, second.ExitCode);
        Assert.Contains("notes.txt, which ImageCluster did not write", second.Stderr);
        Assert.Equal("keep me", File.ReadAllText(temp.Combine("out", "clusters", "notes.txt")));
    }

    /// <summary>Every file and link under <paramref name="folder"/> with its content or link target, for before/after comparisons.</summary>
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != Store.ImageStore.FileName && !Path.GetFileName(f).StartsWith(Store.ImageStore.FileName + "-"))
            .ToDictionary(f => Path.GetRelativePath(folder, f),
                f => new FileInfo(f).LinkTarget is { } target ? "-> " + target : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    [SharedTheory]
    [InlineData("--pca", "50")] // refused by the PCA after embedding: 4 images give at most 4 components
    [InlineData("--labels", "nomatch.csv")] // refused by the evaluation after clustering: no path has a label
    public async Task A_run_that_fails_late_leaves_no_run_folder_it_created(string option, string value)
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02", "g03", "g04");
        File.WriteAllLines(temp.Combine("nomatch.csv"), ["path,label", "elsewhere/a.jpg,x"]);
        if (value.EndsWith(".csv")) value = temp.Combine(value);

        var run = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("new", "run"), "--model", "pixels", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("found 4 image files", run.Stderr); // it did fail after scanning
        Assert.False(Directory.Exists(temp.Combine("new")), "the folders the run created are gone, its missing parent too");
    }

    [SharedTheory]
    [InlineData("--pca", "50")]
    [InlineData("--labels", "nomatch.csv")]
    public async Task A_failed_rerun_keeps_the_previous_complete_outputs(string option, string value)
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02", "g03", "g04");
        File.WriteAllLines(temp.Combine("nomatch.csv"), ["path,label", "elsewhere/a.jpg,x"]);
        if (value.EndsWith(".csv")) value = temp.Combine(value);
        var first = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "2", "--out", temp.Combine("out"), "--model", "pixels");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var before = Snapshot(temp.Combine("out"));
        Assert.Contains("run.json", before.Keys);
        // The rerun sees other images (one more, one unreadable), so any file it wrote would differ.
        CopyImages(temp, temp.Combine("in"), "g05");
        File.WriteAllText(temp.Combine("in", "broken.jpg"), "not a picture");

        var rerun = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("out"), "--model", "pixels", option, value);

        Assert.Equal(2, rerun.ExitCode);
        Assert.Equal(before, Snapshot(temp.Combine("out")));
    }

    [SharedFact]
    public async Task A_cancelled_run_removes_the_run_folder_it_created()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02", "g03", "g04");
        using var cts = new CancellationTokenSource();
        var options = new Pipeline.ClusterJobOptions
        {
            Input = temp.Combine("in"), Output = temp.Combine("out"), Model = "pixels", Clustering = new KMeansOptions { NClusters = 2 },
        };

        // Ctrl+C as soon as embedding reports progress: the folder and its store exist by then.
        bool sawFolder = false;
        var progress = new SynchronousProgress(_ => { sawFolder |= Directory.Exists(temp.Combine("out")); cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pipeline.ClusterJob.RunAsync(options, progress, ct: cts.Token));

        Assert.True(sawFolder, "the run had created its folder before it was cancelled");
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    private sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }

    [SharedFact]
    public async Task Copies_written_by_an_earlier_run_are_replaced_by_the_next_one()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02", "g03");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "1", "--out", temp.Combine("out"), "--model", "pixels", "--copy")).ExitCode);

        var second = await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "3", "--out", temp.Combine("out"), "--model", "pixels");

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(3, Directory.GetDirectories(temp.Combine("out", "clusters", "cluster_with_1")).Length);
        Assert.Equal(3, Directory.GetFiles(temp.Combine("in"), "*.jpg", SearchOption.AllDirectories).Length);
    }

    [SharedFact]
    public async Task Earlier_run_folders_inside_the_input_are_not_scanned_again()
    {
        using var temp = new TempFolder();
        CopyImages(temp, temp.Combine("in"), "g01", "g02");
        // First run writes its default run folder inside the input, full of links to the images.
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", temp.Combine("in"), "--k", "1", "--model", "pixels")).ExitCode);

        var files = ImageScanner.Scan(temp.Combine("in")).Select(f => f.RelativePath).ToList();

        Assert.Equal(["g01/orig.jpg", "g02/orig.jpg"], files);
    }
}

public class CsvTests
{
    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks_and_crlf_ends_records()
    {
        string text = "path,error\r\n\"a,b.jpg\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines.jpg\",x\n";
        var rows = Csv.Read(new StringReader(text)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["a,b.jpg", "say \"hi\""], rows[1]);
        Assert.Equal(["two\r\nlines.jpg", "x"], rows[2]);
        Assert.Equal("\"two\r\nlines.jpg\"", Csv.Escape("two\r\nlines.jpg"));
    }

    [Fact]
    public void Each_record_names_the_line_it_starts_on_from_the_first()
    {
        var lines = Csv.ReadLines(new StringReader("\"a\nb\",1\nc,2\n\"d\ne\",3\nf,4\n")).Select(r => r.Line);
        Assert.Equal([1, 3, 4, 6], lines);
    }
}
