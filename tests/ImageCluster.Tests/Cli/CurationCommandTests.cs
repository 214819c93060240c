using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary>The duplicates and issues commands end to end, and their refusals of bad input (issue 15).</summary>
public class CurationCommandTests
{
    private static string[] Lines(string file) => File.ReadAllLines(file);

    [Fact]
    public async Task Duplicates_writes_every_grouped_image_with_its_similarity_to_the_kept_one_and_issues_name_the_copy()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp);
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(input, "copy_of_cat.jpg"));
        string run = temp.Combine("run"), store = temp.Combine("store.db");

        var result = await CliRunner.RunAsync("duplicates", input, "--out", run, "--store", store, "--json");

        Assert.Equal(0, result.ExitCode);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var rows = Lines(Path.Combine(run, "duplicates.csv"));
        Assert.Equal("path,group,similarity,keep", rows[0]);
        var byPath = rows.Skip(1).Select(r => r.Split(',')).ToDictionary(f => f[0]);
        Assert.Equal(byPath["copy_of_cat.jpg"][1], byPath["photo_cat_01.jpg"][1]);
        Assert.Equal("1", byPath[byPath["copy_of_cat.jpg"][3] == "true" ? "photo_cat_01.jpg" : "copy_of_cat.jpg"][2]);
        foreach (var group in byPath.Values.GroupBy(f => f[1])) Assert.Single(group, f => f[3] == "true");
        Assert.Equal(byPath.Values.Select(f => f[1]).Distinct().Count(), summary.GetProperty("groups").GetInt32());
        Assert.True(summary.GetProperty("exactDuplicates").GetInt32() >= 1);

        var issues = await CliRunner.RunAsync("issues", input, "--out", run, "--store", store);
        Assert.Equal(0, issues.ExitCode);
        var issueRows = Lines(Path.Combine(run, "issues.csv"));
        Assert.Equal("path,issue,score", issueRows[0]);
        Assert.Single(issueRows, r => r.EndsWith(",exact_duplicate,1", StringComparison.Ordinal) && (r.StartsWith("copy_of_cat.jpg,") || r.StartsWith("photo_cat_01.jpg,")));
        Assert.All(issueRows.Skip(1), r => Assert.InRange(double.Parse(r.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
        Assert.Equal(6, Lines(Path.Combine(run, "measures.csv")).Length); // header + 5 images
    }

    [Fact]
    public async Task Issues_name_the_broken_and_the_flat_files_of_the_sample()
    {
        using var temp = new TempFolder();
        var result = await CliRunner.RunAsync("issues", SharedData.Sample, "--out", temp.Combine("run"), "--store", temp.Combine("store.db"));

        Assert.Equal(0, result.ExitCode);
        var issues = Lines(temp.Combine("run", "issues.csv")).Skip(1).Select(r => r.Split(',')).Select(f => (f[0], f[1])).ToHashSet();
        Assert.Contains(("broken_empty.jpg", "corrupt"), issues);
        Assert.Contains(("broken_truncated.jpg", "corrupt"), issues);
        Assert.Contains(("flat_red.png", "low_information"), issues);
        Assert.Contains(("flat_black.jpg", "dark"), issues);
        Assert.Contains(("tiny_cat_12px.png", "odd_size"), issues);
        Assert.DoesNotContain(issues, i => i.Item1.StartsWith("photo_", StringComparison.Ordinal) && i.Item2 is "blurry" or "dark" or "light" or "low_information");
    }

    [Fact]
    public async Task A_features_file_is_grouped_by_its_vectors_and_keeps_the_first_path()
    {
        using var temp = new TempFolder();
        string features = temp.Combine("f.csv");
        File.WriteAllLines(features, ["path,f0,f1", "b.jpg,1,0", "a.jpg,1,0.001", "c.jpg,0,1", "d.jpg,-1,0"]);

        var result = await CliRunner.RunAsync("duplicates", "--features", features, "--out", temp.Combine("run"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["path,group,similarity,keep", "a.jpg,0,1,true", "b.jpg,0,1,false"], Lines(temp.Combine("run", "duplicates.csv")));
        Assert.Contains("give the threshold for another", result.Stderr);
    }

    [Fact]
    public async Task A_run_folder_of_cluster_takes_the_findings_and_cluster_takes_a_folder_they_made()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", temp.Combine("a"), "--store", store)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("duplicates", input, "--out", temp.Combine("a"), "--store", store)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("issues", input, "--out", temp.Combine("b"), "--store", store)).ExitCode);
        var again = await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", temp.Combine("b"), "--store", store);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.True(File.Exists(temp.Combine("b", "issues.csv")) && File.Exists(temp.Combine("b", "assignments.csv")));
    }

    [Fact]
    public async Task Cluster_finds_the_duplicates_and_issues_into_its_run_folder_and_sums_them_up_in_run_json()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), run = temp.Combine("run");
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(input, "copy_of_cat.jpg"));
        File.Copy(Path.Combine(SharedData.Sample, "flat_red.png"), Path.Combine(input, "flat_red.png"));

        var result = await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", run, "--store", temp.Combine("store.db"), "--duplicates-and-issues", "--report", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var findings = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("findings");
        var duplicates = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "duplicates.json"))).RootElement;
        var issues = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "issues.json"))).RootElement;
        Assert.Equal(duplicates.GetProperty("groups").GetInt32(), findings.GetProperty("duplicateGroups").GetInt32());
        Assert.Equal(duplicates.GetProperty("toDiscard").GetInt32(), findings.GetProperty("duplicatesToDiscard").GetInt32());
        Assert.True(findings.GetProperty("exactDuplicates").GetInt32() >= 1);
        Assert.Equal(issues.GetProperty("withIssues").GetInt32(), findings.GetProperty("imagesWithIssues").GetInt32());
        Assert.Equal(1, findings.GetProperty("issues").GetProperty("low_information").GetInt32());
        Assert.Equal(findings.GetRawText(), JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("findings").GetRawText());
        Assert.Equal("duplicates.csv", JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("files").GetProperty("duplicates").GetString());

        // The report shows the groups, the kept image first, and the worst images per issue.
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        var paths = File.ReadAllLines(Path.Combine(run, "assignments.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        var kept = File.ReadAllLines(Path.Combine(run, "duplicates.csv")).Skip(1).Select(l => l.Split(',')).Where(f => f[3] == "true").Select(f => paths.IndexOf(f[0])).ToList();
        var strips = System.Text.RegularExpressions.Regex.Matches(html, "class=\"strip dup\" id=\"dup-\\d+\" data-limit=\"\\d+\" data-members=\"(\\d+)[,\\d]*\"");
        Assert.Equal(duplicates.GetProperty("groups").GetInt32(), strips.Count);
        Assert.Equal(kept.Order(), strips.Select(m => int.Parse(m.Groups[1].Value)).Order());
        Assert.Contains($"<h4 id=\"issue-low_information\">low_information · 1 images, the worst first</h4><div class=\"strip\" id=\"worst-low_information\" data-limit=\"1\" data-members=\"{paths.IndexOf("flat_red.png")}\">", html);

        var features = await CliRunner.RunAsync("cluster", "--features", temp.Combine("f.csv"), "--k", "2", "--duplicates-and-issues");
        Assert.Equal(2, features.ExitCode);
        Assert.StartsWith("error: --duplicates-and-issues is for folders of images; for a features file run 'imagecluster duplicates --features", features.Stderr.Trim());
    }

    [Fact]
    public async Task Select_discards_all_but_the_kept_duplicate_in_one_decision_that_one_undo_takes_back_and_export_honours()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db"), run = temp.Combine("run");
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(input, "copy_of_cat.jpg"));
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", run, "--store", store)).ExitCode);

        var missing = await CliRunner.RunAsync("select", run, "--discard-duplicates");
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal($"error: {run} has no duplicates.csv: run 'imagecluster duplicates {input} --out {run}' first", missing.Stderr.Trim());

        Assert.Equal(0, (await CliRunner.RunAsync("duplicates", input, "--out", run, "--store", store)).ExitCode);
        var goes = Lines(Path.Combine(run, "duplicates.csv")).Skip(1).Select(r => r.Split(',')).Where(f => f[3] == "false").Select(f => f[0]).ToList();
        Assert.Contains(goes, p => p is "copy_of_cat.jpg" or "photo_cat_01.jpg");

        var discarded = await CliRunner.RunAsync("select", run, "--discard-duplicates", "--keep", "0,1");
        Assert.True(discarded.ExitCode == 0, discarded.Stderr);
        Assert.Contains($"discard {(goes.Count == 1 ? goes[0] : $"{goes.Count} images")} (duplicates: all but the kept image of each group)", discarded.Stdout);
        Assert.Contains($"images 5: kept {5 - goes.Count}, discarded {goes.Count}, undecided 0", discarded.Stdout);

        string to = temp.Combine("kept");
        Assert.Equal(0, (await CliRunner.RunAsync("export", run, "--to", to)).ExitCode);
        var exported = Directory.GetFiles(to, "*.jpg", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(5 - goes.Count, exported.Count);
        Assert.DoesNotContain(goes, exported.Contains);

        var undone = await CliRunner.RunAsync("select", run, "--undo");
        Assert.Contains("undone: discard", undone.Stdout);
        Assert.Contains($"images 5: kept 5, discarded 0, undecided 0", undone.Stdout);
    }

    [Fact]
    public async Task A_group_whose_kept_image_came_after_the_clustering_keeps_all_its_copies_in_the_run()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db"), run = temp.Combine("run");
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", run, "--store", store)).ExitCode);
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(input, "aaa_copy.jpg")); // first by path: the one kept
        Assert.Equal(0, (await CliRunner.RunAsync("duplicates", input, "--out", run, "--store", store, "--keep", "first")).ExitCode);
        var group = File.ReadAllLines(Path.Combine(run, "duplicates.csv")).Skip(1).Select(l => l.Split(',')).First(f => f[0] == "aaa_copy.jpg");
        Assert.Equal("true", group[3]);

        var result = await CliRunner.RunAsync("select", run, "--discard-duplicates");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("of the duplicates are left as they are: the image their group keeps is not in this run", result.Stdout);
        Assert.Contains("images 4: kept 0, discarded 0, undecided 4", result.Stdout);
    }

    [Fact]
    public async Task Select_discards_the_images_with_the_named_issues_and_refuses_an_unknown_issue_or_the_findings_of_another_input()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store.db"), run = temp.Combine("run");
        File.Copy(Path.Combine(SharedData.Sample, "flat_red.png"), Path.Combine(input, "flat_red.png"));
        File.Copy(Path.Combine(SharedData.Sample, "broken_empty.jpg"), Path.Combine(input, "broken_empty.jpg"));
        Assert.Equal(0, (await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", run, "--store", store)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("issues", input, "--out", run, "--store", store)).ExitCode);

        var unknown = await CliRunner.RunAsync("select", run, "--discard-issue", "blurry,smudged");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("error: --discard-issue: 'smudged' is not an issue; the issues are corrupt, exact_duplicate,", unknown.Stderr.Trim());

        var result = await CliRunner.RunAsync("select", run, "--discard-issue", "low_information,corrupt", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var status = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, status.GetProperty("counts").GetProperty("discarded").GetInt32()); // the broken file is not an image of the run
        Assert.Contains("(issues: corrupt, low_information)", status.GetProperty("history")[0].GetProperty("description").GetString());
        var text = await CliRunner.RunAsync("select", run, "--discard-issue", "corrupt");
        Assert.Contains("1 of the images with those issues are not images of this run", text.Stdout);
        Assert.Contains("no images with those issues to discard", text.Stdout);

        // Findings of another folder, copied into the run, name other files: refused.
        string other = temp.Combine("other");
        Directory.CreateDirectory(other);
        File.Copy(Path.Combine(input, "flat_red.png"), Path.Combine(other, "flat_red.png"));
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(other, "photo_cat_01.jpg"));
        Assert.Equal(0, (await CliRunner.RunAsync("issues", other, "--out", temp.Combine("other-run"), "--store", store)).ExitCode);
        foreach (var file in new[] { "issues.csv", "issues.json" })
            File.Copy(temp.Combine("other-run", file), Path.Combine(run, file), overwrite: true);
        var foreign = await CliRunner.RunAsync("select", run, "--discard-issue", "low_information");
        Assert.Equal(2, foreign.ExitCode);
        Assert.Contains($"was made for {other}, not this run's input {input}", foreign.Stderr);
    }

    public static TheoryData<string, string[], int, string> BadInputs() => new()
    {
        { "nan", ["duplicates", "--features", "{temp}/nan.csv"], 2, "nan.csv" },
        { "empty", ["issues", "{temp}/empty"], 1, "no image files found in" },
        { "broken", ["duplicates", "{temp}/broken"], 1, "none of the 2 image files could be read" },
        { "threshold", ["duplicates", "{temp}/empty", "--threshold", "1.5"], 2, "--threshold must be a cosine similarity between 0 and 1 (got 1.5)" },
        { "keep", ["duplicates", "--features", "{temp}/ok.csv", "--keep", "largest"], 2, "--keep largest compares the images themselves" },
        { "keep-name", ["issues", "{temp}/empty", "--keep", "biggest"], 2, "--keep takes largest, sharpest, oldest or first, not 'biggest'" },
        { "both", ["issues", "{temp}/empty", "--features", "{temp}/ok.csv"], 2, "not both" },
        { "hash", ["duplicates", "{temp}/empty", "--max-hash-distance", "65"], 2, "--max-hash-distance must be between 0 and 64 bits (got 65)" },
        { "hash-features", ["duplicates", "--features", "{temp}/ok.csv", "--max-hash-distance", "10"], 2, "--max-hash-distance compares the images' pixels" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_one_line_a_non_zero_exit_and_no_run_folder(string name, string[] args, int exitCode, string message)
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("empty"));
        Directory.CreateDirectory(temp.Combine("broken"));
        File.WriteAllText(temp.Combine("broken", "a.jpg"), "not a jpeg");
        File.WriteAllBytes(temp.Combine("broken", "b.png"), []);
        File.WriteAllLines(temp.Combine("nan.csv"), ["path,f0,f1", "a.jpg,1,0", "b.jpg,NaN,1"]);
        File.WriteAllLines(temp.Combine("ok.csv"), ["path,f0,f1", "a.jpg,1,0", "b.jpg,0,1"]);
        string run = temp.Combine("run");

        var result = await CliRunner.RunAsync([.. args.Select(a => a.Replace("{temp}", temp.Path)), "--out", run, "--store", temp.Combine("store.db")]);

        Assert.True(exitCode == result.ExitCode, $"{name}: exit {result.ExitCode}: {result.Stderr}");
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Contains(message, StringComparison.Ordinal), $"{name}: {result.Stderr}");
        Assert.False(Directory.Exists(run), $"{name}: the run folder was left behind");
        Assert.Equal("", result.Stdout);
    }
}
