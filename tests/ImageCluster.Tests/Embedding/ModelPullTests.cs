using ImageCluster.Embedding;

namespace ImageCluster.Tests;

/// <summary>
/// <c>models pull</c> against a real HTTP server on the loopback interface serving the shared MobileNetV2 file:
/// verified download, resume with Range, truncation, a server that ignores Range, and a checksum mismatch.
/// </summary>
[Collection(nameof(UserCacheCollection))]
public class ModelPullTests
{
    private const string ModelFile = "mobilenetv2_12_int8.onnx";
    private static readonly byte[] Content = File.ReadAllBytes(Path.Combine(SharedData.Models, ModelFile));
    private static readonly string ContentSha = ModelResolver.FileSha256(Path.Combine(SharedData.Models, ModelFile));

    [SharedFact]
    public async Task Pull_verifies_the_file_and_the_model_is_usable_by_name()
    {
        using var cache = new UserCacheScope(hideSharedModels: true);
        await using var server = new LoopbackFileServer(Content);
        var run = await CliRunner.RunAsync("models", "pull", server.Url(ModelFile).ToString());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("sha256 verified", run.Stdout);
        Assert.Contains("use it with --model mobilenetv2_12_int8", run.Stdout);
        string final = Path.Combine(cache.Models, ModelFile);
        Assert.Equal(ContentSha, ModelResolver.FileSha256(final));
        Assert.False(File.Exists(final + ModelDownloader.PartialSuffix));

        // Found by name in the cache (the shared folder is hidden) and embeds through the real command line.
        using var images = new TempFolder();
        images.CopyFrom(SharedData.Dataset("near_duplicates"), ["images/g01/orig.jpg", "images/g02/orig.jpg"], images.Combine("in"));
        var embed = await CliRunner.RunAsync("embed", images.Combine("in"), "--out", images.Combine("f.csv"), "--model", "mobilenetv2_12_int8");
        Assert.True(embed.ExitCode == 0, embed.Stderr);
        Assert.Contains("with mobilenetv2_12_int8 (1280 features", embed.Stdout);

        var again = await CliRunner.RunAsync("models", "pull", server.Url(ModelFile).ToString());
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already in the cache (sha256 verified)", again.Stdout);
    }

    [SharedFact]
    public async Task An_interrupted_pull_keeps_the_part_and_resumes_with_a_range_request()
    {
        using var cache = new UserCacheScope();
        const int dropAt = 1_000_000;
        await using var server = new LoopbackFileServer(Content, i => i == 0 ? new ServerBehaviour(DropAfterBytes: dropAt) : new ServerBehaviour());
        var target = ModelDownloader.Target(server.Url(ModelFile).ToString());
        using var downloader = new ModelDownloader();
        string final = Path.Combine(cache.Models, ModelFile), part = final + ModelDownloader.PartialSuffix;

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => downloader.DownloadAsync(target, cache.Models));
        Assert.Contains(server.Url(ModelFile).ToString(), error.Message);
        Assert.Contains($"got {dropAt} of {Content.Length} bytes", error.Message);
        Assert.Contains("run pull again to resume", error.Message);
        Assert.False(File.Exists(final));
        Assert.Equal(dropAt, new FileInfo(part).Length);

        var notices = new List<string>();
        var result = await downloader.DownloadAsync(target, cache.Models, notice: notices.Add);
        Assert.Equal(new[] { null, $"bytes={dropAt}-" }, server.RangeHeaders.ToArray());
        Assert.Equal(dropAt, result.ResumedFrom);
        Assert.True(result.Verified);
        Assert.Equal(ContentSha, ModelResolver.FileSha256(final));
        Assert.False(File.Exists(part));
        Assert.Contains(notices, n => n.StartsWith($"resuming {ModelFile} at byte {dropAt}", StringComparison.Ordinal));
    }

    [SharedFact]
    public async Task A_transfer_shorter_than_its_content_length_is_an_error_and_leaves_no_final_file()
    {
        using var cache = new UserCacheScope();
        await using var server = new LoopbackFileServer(Content, _ => new ServerBehaviour(ExtraContentLength: 1000));
        string url = server.Url("user-model.onnx").ToString();
        var run = await CliRunner.RunAsync("models", "pull", url, "--sha256", ContentSha);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: {url}: the transfer ended early: got {Content.Length} of {Content.Length + 1000} bytes", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(File.Exists(Path.Combine(cache.Models, "user-model.onnx")));
    }

    [SharedFact]
    public async Task A_server_that_ignores_range_gets_a_clean_restart()
    {
        using var cache = new UserCacheScope();
        await using var server = new LoopbackFileServer(Content, _ => new ServerBehaviour(HonourRange: false));
        // A stale partial file of the wrong bytes: appending the full answer to it would fail the checksum.
        Directory.CreateDirectory(cache.Models);
        await File.WriteAllBytesAsync(Path.Combine(cache.Models, ModelFile + ModelDownloader.PartialSuffix), new byte[500_000]);
        var notices = new List<string>();
        using var downloader = new ModelDownloader();

        var result = await downloader.DownloadAsync(ModelDownloader.Target(server.Url(ModelFile).ToString()), cache.Models, notice: notices.Add);

        Assert.Equal(new string?[] { "bytes=500000-" }, server.RangeHeaders.ToArray());
        Assert.Contains(notices, n => n.Contains("ignored the resume request", StringComparison.Ordinal));
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(ContentSha, result.Sha256);
        Assert.Equal(Content.Length, new FileInfo(result.Path).Length);
    }

    [SharedFact]
    public async Task A_checksum_mismatch_is_an_error_and_leaves_neither_part_nor_final_file()
    {
        using var cache = new UserCacheScope();
        await using var server = new LoopbackFileServer(Content);
        string url = server.Url("user-model.onnx").ToString(), wrong = new('0', 64);
        var run = await CliRunner.RunAsync("models", "pull", url, "--sha256", wrong);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: {url}: checksum mismatch: expected sha256 {wrong}, got {ContentSha}", run.Stderr);
        Assert.Empty(Directory.EnumerateFiles(cache.Models));
    }

    [SharedFact]
    public async Task A_file_without_a_known_checksum_is_pulled_with_a_warning()
    {
        using var cache = new UserCacheScope();
        await using var server = new LoopbackFileServer(Content);
        var run = await CliRunner.RunAsync("models", "pull", server.Url("user-model.onnx").ToString());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"checksum unknown, not verified: user-model.onnx has sha256 {ContentSha}", run.Stderr);
        Assert.Contains("models import", run.Stdout);
        Assert.True(File.Exists(Path.Combine(cache.Models, "user-model.onnx")));
    }

    [SharedFact]
    public async Task A_stalled_transfer_times_out_and_a_cancelled_one_keeps_its_part()
    {
        using var cache = new UserCacheScope();
        await using var server = new LoopbackFileServer(Content, _ => new ServerBehaviour(StallAfterBytes: 200_000));
        var target = ModelDownloader.Target(server.Url(ModelFile).ToString());
        string part = Path.Combine(cache.Models, ModelFile + ModelDownloader.PartialSuffix);

        using (var impatient = new ModelDownloader(idleTimeout: TimeSpan.FromSeconds(1)))
        {
            var error = await Assert.ThrowsAsync<ModelDownloadException>(() => impatient.DownloadAsync(target, cache.Models));
            Assert.Contains($"no data for 1 s after 200000 of {Content.Length} bytes; run pull again to resume", error.Message);
        }
        Assert.Equal(200_000, new FileInfo(part).Length);

        using var patient = new ModelDownloader();
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.DownloadAsync(target, cache.Models, ct: ctrlC.Token));
        Assert.Equal(400_000, new FileInfo(part).Length);
        Assert.False(File.Exists(Path.Combine(cache.Models, ModelFile)));
    }

    [Fact]
    public async Task Pulling_a_model_without_a_url_says_why()
    {
        var builtIn = await CliRunner.RunAsync("models", "pull", "resnet18");
        Assert.Equal(2, builtIn.ExitCode);
        Assert.Contains("resnet18 is built in", builtIn.Stderr);
        var shared = await CliRunner.RunAsync("models", "pull", "mobilenet_v1_0.75_224");
        Assert.Equal(2, shared.ExitCode);
        Assert.Contains("has no download URL", shared.Stderr);
    }
}
