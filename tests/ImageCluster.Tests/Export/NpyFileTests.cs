using System.Text.Json;
using ImageCluster.Export;

namespace ImageCluster.Tests;

/// <summary>
/// NumPy <c>.npy</c> features: files written by NumPy itself (tools/make_npy_fixtures.py) read back exactly, ours are
/// byte for byte what <c>np.save</c> writes, and what cannot be features is one line naming the file.
/// </summary>
public class NpyFileTests
{
    private static string Npy(string name) => SharedData.Fixture("npy", name + ".npy");

    private static float[] Expected(string key) =>
        JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("npy", "expected.json"))).RootElement.GetProperty(key)
            .EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => (float)v.GetDouble()).ToArray();

    [Theory]
    [InlineData("float32", "values")]
    [InlineData("float64", "values")]
    [InlineData("float16", "float16")]
    [InlineData("bigendian", "values")]
    [InlineData("version2", "values")]
    public void Reads_what_numpy_writes(string name, string expected)
    {
        var table = FeaturesFile.Read(Npy(name));
        Assert.Equal((3, 4), (table.Features.Rows, table.Features.Columns));
        Assert.Equal(Expected(expected), table.Features.Data);
        Assert.Equal(name == "float32" ? ["a/one.jpg", "b/two.png", "three.jpg"] : ["row1", "row2", "row3"], table.Paths);
    }

    [Fact]
    public void Writes_what_numpy_saves_and_the_paths_beside_it()
    {
        using var temp = new TempFolder();
        string file = temp.Combine("x.npy");
        FeaturesFile.Write(file, ["a/one.jpg", "b/two.png", "three.jpg"], new FeatureMatrix(3, 4, Expected("values")));
        Assert.Equal(File.ReadAllBytes(Npy("float32")), File.ReadAllBytes(file));
        Assert.Equal(File.ReadAllText(SharedData.Fixture("npy", "float32.paths.txt")), File.ReadAllText(temp.Combine("x.paths.txt")));
        Assert.Equal(["x.npy", "x.paths.txt"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("fortran", "is stored in Fortran (column) order")]
    [InlineData("threed", "holds a 3-D array of shape (3, 2, 2)")]
    [InlineData("int32", "holds values of type '<i4'; features must be floats")]
    [InlineData("nan", "row 2 (row2): a value is NaN; features must be finite numbers")]
    [InlineData("short", "is cut short: a 3×4 array of 4-byte floats needs 48 bytes of data, the file has 43")]
    public void What_cannot_be_features_is_one_line_naming_the_file(string name, string message)
    {
        var error = Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(Npy(name)));
        Assert.StartsWith(Npy(name), error.Message);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_paths_file_of_another_length_and_a_file_that_is_not_npy_are_refused()
    {
        using var temp = new TempFolder();
        File.Copy(Npy("float32"), temp.Combine("x.npy"));
        File.WriteAllText(temp.Combine("x.paths.txt"), "a.jpg\nb.jpg\n");
        Assert.Contains("x.paths.txt names 2 rows but", Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("x.npy"))).Message);
        File.WriteAllText(temp.Combine("y.npy"), "path,f0\na.jpg,1\n");
        Assert.Contains("is not a NumPy .npy file", Assert.Throws<ImageClusterException>(() => FeaturesFile.Read(temp.Combine("y.npy"))).Message);
    }

    [Fact]
    public async Task Embed_writes_npy_and_parquet_and_cluster_reads_them_to_the_same_clusters_as_from_csv()
    {
        using var temp = new TempFolder();
        SyntheticImages.Write(temp.Combine("in"), 12);
        string store = temp.Combine("s.db");
        foreach (string output in new[] { "f.csv", "f.npy", "f.parquet" })
        {
            var embed = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine(output), "--store", store, "--model", "pixels");
            Assert.True(embed.ExitCode == 0, embed.Stderr);
            var cluster = await CliRunner.RunAsync("cluster", "--features", temp.Combine(output), "--k", "3", "--out", temp.Combine("run-" + output));
            Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        }
        Assert.Equal(FeaturesFile.Read(temp.Combine("f.csv")).Paths, FeaturesFile.Read(temp.Combine("f.npy")).Paths);
        Assert.Equal(FeaturesFile.Read(temp.Combine("f.csv")).Paths, FeaturesFile.Read(temp.Combine("f.parquet")).Paths);
        Assert.Equal(FeaturesFile.Read(temp.Combine("f.csv")).Features.Data, FeaturesFile.Read(temp.Combine("f.parquet")).Features.Data);
        Assert.Equal(File.ReadAllText(temp.Combine("run-f.csv", "assignments.csv")), File.ReadAllText(temp.Combine("run-f.npy", "assignments.csv")));
        Assert.Equal(File.ReadAllText(temp.Combine("run-f.csv", "assignments.csv")), File.ReadAllText(temp.Combine("run-f.parquet", "assignments.csv")));
    }
}
