using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary><c>imagecluster embed</c> writes the features file it names and nothing else beside it; its store lives in the user cache.</summary>
[Collection(nameof(UserCacheCollection))]
public class EmbedCommandTests
{
    [SharedFact]
    public async Task Writes_only_the_features_file_and_keeps_its_store_in_the_user_cache()
    {
        using var cache = new UserCacheScope();
        using var temp = new TempFolder();
        string images = Path.Combine(SharedData.Dataset("near_duplicates"), "images");
        Directory.CreateDirectory(temp.Combine("out"));

        var first = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("out", "f.csv"), "--model", "pixels");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(["f.csv"], Directory.GetFileSystemEntries(temp.Combine("out")).Select(Path.GetFileName));
        Assert.StartsWith(cache.Combine("cache"), Store.StoreLocation.Default);
        Assert.True(File.Exists(Store.StoreLocation.Default), $"no store at {Store.StoreLocation.Default}");
        Assert.Contains("new 180, from cache 0", first.Stdout);

        var again = await CliRunner.RunAsync("embed", images, "--out", temp.Combine("out", "g.csv"), "--model", "pixels");
        Assert.Contains("new 0, from cache 180", again.Stdout);
        Assert.Equal(File.ReadAllText(temp.Combine("out", "f.csv")), File.ReadAllText(temp.Combine("out", "g.csv")));
        Assert.Equal(["f.csv", "g.csv"], Directory.GetFileSystemEntries(temp.Combine("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [SharedFact]
    public async Task Cache_puts_the_store_where_it_says_and_unusable_images_get_an_errors_file()
    {
        using var cache = new UserCacheScope();
        using var temp = new TempFolder();
        temp.CopyFrom(SharedData.Dataset("near_duplicates"), ["images/g01/orig.jpg", "images/g02/orig.jpg"], temp.Combine("in"));
        File.WriteAllText(temp.Combine("in", "broken.jpg"), "not a picture");
        Directory.CreateDirectory(temp.Combine("out"));

        var run = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("out", "f.csv"), "--model", "pixels", "--store", temp.Combine("store.db"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(temp.Combine("store.db")));
        Assert.False(File.Exists(Store.StoreLocation.Default));
        Assert.Equal(["f.csv", "f.errors.csv"], Directory.GetFileSystemEntries(temp.Combine("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("broken.jpg", File.ReadAllText(temp.Combine("out", "f.errors.csv")));
        Assert.Contains($"1 files could not be used; see {temp.Combine("out", "f.errors.csv")}", run.Stderr);

        // Once every image is usable, the stale list goes: it would describe files that are no longer a problem.
        File.Delete(temp.Combine("in", "broken.jpg"));
        var clean = await CliRunner.RunAsync("embed", temp.Combine("in"), "--out", temp.Combine("out", "f.csv"), "--model", "pixels", "--store", temp.Combine("store.db"), "--json");
        Assert.True(clean.ExitCode == 0, clean.Stderr);
        Assert.Equal(["f.csv"], Directory.GetFileSystemEntries(temp.Combine("out")).Select(Path.GetFileName));
        Assert.Contains("\"errorsFile\": null", clean.Stdout);
    }
}
