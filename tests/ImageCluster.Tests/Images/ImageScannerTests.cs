using ImageCluster.Images;

namespace ImageCluster.Tests;

public class ImageScannerTests
{
    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
    }

    [Fact]
    public void Lists_images_recursively_in_ordinal_order_with_any_extension_case()
    {
        using var temp = new TempFolder();
        foreach (var f in new[] { "b.JPG", "a.png", "sub/c.Jpeg", "sub/deeper/d.webp", "e.gif", "f.BMP", "notes.txt", "labels.csv" })
            Touch(temp.Combine(f));

        var files = ImageScanner.Scan(temp.Path).Select(f => f.RelativePath).ToList();

        Assert.Equal(["a.png", "b.JPG", "e.gif", "f.BMP", "sub/c.Jpeg", "sub/deeper/d.webp"], files);
        Assert.Equal(files, ImageScanner.Scan(temp.Path).Select(f => f.RelativePath).ToList());
    }

    [Fact]
    public void Skips_hidden_folders_and_the_excluded_output_folder()
    {
        using var temp = new TempFolder();
        Touch(temp.Combine(".thumbnails", "x.jpg"));
        Touch(temp.Combine("imagecluster", "clusters", "y.jpg"));
        Touch(temp.Combine("keep", "z.jpg"));

        var files = ImageScanner.Scan(temp.Path, new ScanOptions { ExcludedDirectories = [temp.Combine("imagecluster")] })
            .Select(f => f.RelativePath).ToList();

        Assert.Equal(["keep/z.jpg"], files);
    }

    [Fact]
    public void Survives_symlink_loops_and_reports_broken_links()
    {
        using var temp = new TempFolder();
        Touch(temp.Combine("sub", "a.jpg"));
        Directory.CreateSymbolicLink(temp.Combine("sub", "up"), "..");
        File.CreateSymbolicLink(temp.Combine("loop1.jpg"), "loop2.jpg");
        File.CreateSymbolicLink(temp.Combine("loop2.jpg"), "loop1.jpg");
        File.CreateSymbolicLink(temp.Combine("dangling.png"), "missing.png");

        var files = ImageScanner.Scan(temp.Path).ToList();

        Assert.Equal(["dangling.png", "loop1.jpg", "loop2.jpg", "sub/a.jpg"], files.Select(f => f.RelativePath));
        Assert.All(files.Where(f => f.RelativePath != "sub/a.jpg"), f => Assert.Contains("broken symbolic link", f.Problem));
        Assert.Null(files.Single(f => f.RelativePath == "sub/a.jpg").Problem);
    }

    [Fact]
    public void Lists_unsupported_image_formats_with_a_reason_instead_of_ignoring_them()
    {
        using var temp = new TempFolder();
        Touch(temp.Combine("scan.TIFF"));

        var file = Assert.Single(ImageScanner.Scan(temp.Path));

        Assert.Contains("unsupported format TIFF", file.Problem);
    }

    [Fact]
    public void Missing_root_is_a_clear_error()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageScanner.Scan("/no/such/folder").ToList());
        Assert.Contains("/no/such/folder", e.Message);
    }
}
