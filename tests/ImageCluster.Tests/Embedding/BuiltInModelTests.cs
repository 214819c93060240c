using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>The default model is compiled into the library: a fresh machine needs no model file and sees no fallback.</summary>
[Collection(nameof(UserCacheCollection))]
public class BuiltInModelTests
{
    [Fact]
    public async Task Default_model_is_built_into_the_library_and_needs_no_model_folder()
    {
        using var cache = new UserCacheScope(hideSharedModels: true);
        string input = cache.Combine("in");
        Directory.CreateDirectory(input);
        foreach (var (name, colour) in new[] { ("red.png", SkiaSharp.SKColors.Red), ("blue.png", SkiaSharp.SKColors.Blue), ("green.png", SkiaSharp.SKColors.Green) })
        {
            using var bitmap = new SkiaSharp.SKBitmap(64, 48);
            bitmap.Erase(colour);
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(input, name), data.ToArray());
        }
        var notices = new List<string>();

        var summary = await ClusterJob.RunAsync(
            new ClusterJobOptions { Input = input, Output = cache.Combine("run"), Store = cache.Combine("store.db"), Clustering = new KMeansOptions { NClusters = 2 }, ModelFolders = [cache.Combine("no-models")] },
            notice: notices.Add);

        Assert.Equal(ModelCatalog.DefaultModel, summary.Model!.Name);
        Assert.Equal(ModelCatalog.Find(ModelCatalog.DefaultModel)!.Sha256, summary.Model.Sha256);
        Assert.Equal(1280, summary.Model.Dimension);
        Assert.StartsWith(Path.Combine(cache.Models, "builtin"), summary.Model.File);
        Assert.Empty(summary.Notes); // no fallback, no checksum note
        Assert.DoesNotContain(notices, n => n.Contains("not found") || n.Contains("instead"));
        Assert.Equal(3, summary.Counts.Embedded);
    }

    [Fact]
    public void The_embedded_copy_is_extracted_once_and_listed_as_built_in()
    {
        using var cache = new UserCacheScope(hideSharedModels: true);
        var (location, path) = ModelResolver.Locate(ModelCatalog.Find(ModelCatalog.DefaultModel)!);
        Assert.Equal(ModelLocation.Embedded, location);
        var written = File.GetLastWriteTimeUtc(path!);
        Assert.Equal(ModelCatalog.Find(ModelCatalog.DefaultModel)!.Sha256, ModelResolver.FileSha256(path!));

        var again = ModelResolver.Resolve(null);
        Assert.Equal(path, again.Path);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path!));
        Assert.Empty(again.Notes);
    }
}
