using ImageCluster.Export;

namespace ImageCluster.Tests;

public class ExportPlanTests
{
    [Fact]
    public async Task Nothing_kept_or_a_missing_original_is_refused_before_anything_is_touched()
    {
        using var temp = new TempFolder();
        var (input, run) = await ReviewRuns.MakeAsync(temp);
        var e = Assert.Throws<UsageException>(() => Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out") }));
        Assert.Contains("no image is kept", e.Message);

        string gone = Directory.GetFiles(input, "*", SearchOption.AllDirectories)[0];
        File.Delete(gone);
        e = Assert.Throws<UsageException>(() => Exporter.Run(new ExportOptions { Run = run, To = temp.Combine("out"), What = ExportSelection.All }));
        Assert.Contains($"1 image(s) of the run are missing from the input folder, nothing exported: {gone}", e.Message);
        Assert.False(Directory.Exists(temp.Combine("out")));
        Assert.False(Directory.Exists(Path.Combine(run, "exports")));
    }
}
