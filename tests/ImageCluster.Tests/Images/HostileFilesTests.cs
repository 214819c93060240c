using ImageCluster.Embedding;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ImageCluster.Tests;

/// <summary>
/// Entries a stranger's dump may hold that are not images one can read (issue 14, items 2 and 3): each is that file's line in
/// errors.csv, the rest of the folder is clustered, and nothing hangs. Linux only: the cases are POSIX file kinds.
/// </summary>
public partial class HostileFilesTests
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "creat")]
    private static partial int Creat(byte[] path, uint mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    private static Dictionary<string, string> Errors(string run)
    {
        using var reader = new StreamReader(Path.Combine(run, "errors.csv"));
        return Csv.Read(reader).Skip(1).ToDictionary(r => r[0], r => r[1]);
    }

    [Fact]
    public async Task Fifos_sockets_devices_bad_names_and_huge_files_are_listed_and_the_run_goes_on()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the special files are Linux ones");
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp);
        Assert.Equal(0, MkFifo(Path.Combine(input, "fifo.jpg"), 0x1A4)); // a cluster run hung here for ever
        // Open for the whole run: .NET removes the socket's file when it is closed.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(input, "socket.png")));
        File.CreateSymbolicLink(Path.Combine(input, "zero.jpg"), "/dev/zero"); // read until memory ran out
        File.CreateSymbolicLink(Path.Combine(input, "loop.jpg"), Path.Combine(input, "loop.jpg"));
        int fd = Creat([.. Encoding.UTF8.GetBytes(Path.Combine(input, "bad")), 0xFF, 0xFE, .. ".jpg"u8, 0], 0x1A4); // not UTF-8
        Assert.True(fd >= 0);
        Close(fd);
        File.WriteAllBytes(Path.Combine(input, "huge.jpg"), new byte[3 << 20]); // above --max-file-mb 2

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--max-file-mb", "2", "--out", temp.Combine("run"))
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("clustered 4 images into 2 clusters", run.Stderr + run.Stdout);
        var errors = Errors(temp.Combine("run"));
        Assert.StartsWith("not a regular file (a FIFO (named pipe))", errors["fifo.jpg"]);
        Assert.StartsWith("not a regular file (a socket)", errors["socket.png"]);
        Assert.StartsWith("not a regular file (a character device)", errors["zero.jpg"]);
        Assert.StartsWith("broken symbolic link", errors["loop.jpg"]);
        Assert.Equal("file too large: 3 MB, above the 2 MB limit for one image", errors["huge.jpg"]);
        Assert.Contains(errors, e => e.Key.StartsWith("bad", StringComparison.Ordinal) && e.Value == "the file name is not valid UTF-8; rename it");
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public async Task A_very_deep_folder_is_clustered_or_its_files_are_listed_but_the_run_goes_on()
    {
        using var temp = new TempFolder();
        string input = temp.Combine("in");
        // ≈ 3 900 bytes of folders: below PATH_MAX (4096), far above NAME_MAX (255) once flattened into a link name.
        string deep = input;
        for (int i = 0; i < 19; i++) deep = Path.Combine(deep, new string((char)('a' + i), 200));
        Directory.CreateDirectory(deep);
        File.Copy(Path.Combine(SharedData.Sample, "photo_cat_01.jpg"), Path.Combine(deep, "deep.jpg"));
        foreach (var name in new[] { "photo_cat_02.jpg", "photo_rocket_01.jpg", "photo_rocket_02.jpg" })
            File.Copy(Path.Combine(SharedData.Sample, name), Path.Combine(input, name));

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run")).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("clustered 4 images into 2 clusters", run.Stderr + run.Stdout);
        Assert.Equal(5, File.ReadAllLines(temp.Combine("run", "assignments.csv")).Length);
    }

    [Fact]
    public async Task Links_leading_out_of_the_input_are_listed_at_scan_time_so_review_select_and_export_accept_the_run()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.Copy(Path.Combine(SharedData.Sample, "photo_space_01.jpg"), Path.Combine(outside, "space.jpg"));
        File.CreateSymbolicLink(Path.Combine(input, "space.jpg"), Path.Combine(outside, "space.jpg"));
        Directory.CreateSymbolicLink(Path.Combine(input, "elsewhere"), outside);
        File.CreateSymbolicLink(Path.Combine(input, "inside.jpg"), Path.Combine(input, "photo_cat_01.jpg")); // stays in: read

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--model", "pixels", "--out", temp.Combine("run"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var errors = Errors(temp.Combine("run"));
        Assert.Equal($"symbolic link to a file outside the input folder ({Path.Combine(outside, "space.jpg")}); only files inside it are used", errors["space.jpg"]);
        Assert.Equal($"symbolic link to a folder outside the input folder ({outside}); not followed", errors["elsewhere"]);
        Assert.Equal(2, errors.Count);
        Assert.Equal(6, File.ReadAllLines(temp.Combine("run", "assignments.csv")).Length); // 4 images and inside.jpg

        var select = await CliRunner.RunAsync("select", temp.Combine("run"), "--keep", "0");
        Assert.True(select.ExitCode == 0, select.Stderr);
        var export = await CliRunner.RunAsync("export", temp.Combine("run"), "--to", temp.Combine("kept"));
        Assert.True(export.ExitCode == 0, export.Stderr);
    }

    [Fact]
    public async Task A_file_over_the_decode_time_limit_is_listed_the_run_does_not_wait_for_it_and_the_next_run_tries_again()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp);
        var options = new ImageFeaturesOptions { Model = "pixels", Store = temp.Combine("store.db") };

        // No decode finishes within a microsecond, so every file stands for one that never finishes.
        var e = await Assert.ThrowsAsync<ImageClusterException>(() => ImageFeatures.FromFolderAsync(input,
            options with { Embedding = new EmbeddingOptions { FileTimeLimit = TimeSpan.FromTicks(10) } }).WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.EndsWith(": decoding took longer than the 0.001 ms limit for one file", e.Message);

        var again = await ImageFeatures.FromFolderAsync(input, options);
        Assert.Equal(4, again.Paths.Count);
        Assert.Empty(again.Errors);
        Assert.Throws<ArgumentException>("FileTimeLimit", () => new EmbeddingOptions { FileTimeLimit = TimeSpan.Zero }.Validate());
    }
}
