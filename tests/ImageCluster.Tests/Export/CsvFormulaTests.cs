namespace ImageCluster.Tests;

/// <summary>A file name a spreadsheet would run as a formula is written defused and read back exactly (issue 14, item 11).</summary>
public class CsvFormulaTests
{
    [Theory]
    [InlineData("=cmd|' /C calc'!A0.jpg", "'=cmd|' /C calc'!A0.jpg")]
    [InlineData("+1.jpg", "'+1.jpg")]
    [InlineData("-1.jpg", "'-1.jpg")]
    [InlineData("@SUM(A1).png", "'@SUM(A1).png")]
    [InlineData("'=already.jpg", "''=already.jpg")]
    [InlineData("''.jpg", "'''.jpg")]
    [InlineData("'plain.jpg", "'plain.jpg")]
    [InlineData("'", "'")]
    [InlineData("a,b.jpg", "\"a,b.jpg\"")]
    [InlineData("=a,b.jpg", "\"'=a,b.jpg\"")]
    [InlineData("sub/photo.jpg", "sub/photo.jpg")]
    public void Every_name_is_written_safe_and_read_back_as_it_was(string name, string written)
    {
        Assert.Equal(written, Csv.Escape(name));
        using var reader = new StringReader($"path,cluster\n{Csv.Escape(name)},3\n");
        Assert.Equal(name, Csv.Read(reader).Skip(1).Single()[0]);
    }

    [Fact]
    public async Task A_run_with_a_formula_name_is_reviewed_and_exported_as_any_other()
    {
        using var temp = new TempFolder();
        string input = temp.Combine("in"), formula = "=HYPERLINK(\"http:evil\")+cmd|' calc'!A0.jpg";
        Directory.CreateDirectory(input);
        foreach (var name in new[] { "photo_cat_01.jpg", "photo_rocket_01.jpg", "photo_rocket_02.jpg" })
            File.Copy(Path.Combine(SharedData.Sample, name), Path.Combine(input, name));
        File.Copy(Path.Combine(SharedData.Sample, "photo_cat_02.jpg"), Path.Combine(input, formula));

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain(File.ReadAllLines(temp.Combine("run", "assignments.csv")), l => l.StartsWith('=') || l.StartsWith("\"=", StringComparison.Ordinal));
        Assert.True((await CliRunner.RunAsync("select", temp.Combine("run"), "--keep", "0,1")).ExitCode == 0);
        var export = await CliRunner.RunAsync("export", temp.Combine("run"), "--to", temp.Combine("kept"));
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.True(File.Exists(temp.Combine("kept", formula)));
        Assert.DoesNotContain(File.ReadAllLines(temp.Combine("kept", "manifest.csv")), l => l.StartsWith('=') || l.Contains(",=", StringComparison.Ordinal));
    }
}
