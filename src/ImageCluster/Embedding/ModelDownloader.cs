using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ImageCluster.Embedding;

/// <summary>Bytes received so far of one download.</summary>
/// <param name="Received">Bytes in the file, including those kept from an earlier, interrupted pull.</param>
/// <param name="Total">Size of the whole file, when the server or the catalogue says it.</param>
/// <param name="BytesPerSecond">Rate of this transfer (bytes kept from earlier attempts are not counted).</param>
internal sealed record DownloadProgress(long Received, long? Total, double BytesPerSecond);

/// <summary>A download failed (HTTP error, truncated transfer, size or checksum mismatch, timeout); the message says which URL and what to do.</summary>
internal sealed class ModelDownloadException(string message) : ImageClusterException(message);

/// <summary>What to download and how to check it.</summary>
/// <param name="Url">Where from.</param>
/// <param name="FileName">Name of the file in the cache folder.</param>
/// <param name="Sha256">Expected SHA-256 (lower-case hex); null = not verifiable.</param>
/// <param name="SizeBytes">Expected size; null = unknown.</param>
/// <param name="Descriptor">The catalogue entry the file belongs to, when there is one.</param>
internal sealed record PullTarget(Uri Url, string FileName, string? Sha256, long? SizeBytes, ModelDescriptor? Descriptor);

/// <summary>The outcome of a pull.</summary>
/// <param name="Path">The file under its final name.</param>
/// <param name="Url">Where it came from.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256.</param>
/// <param name="Verified">Whether the SHA-256 was checked against a known value (false: checksum unknown).</param>
/// <param name="AlreadyPresent">Nothing was downloaded: the file was there already.</param>
/// <param name="ResumedFrom">Byte offset a partial download was resumed from (0 = from the start).</param>
/// <param name="Descriptor">The catalogue entry, when the file belongs to one (then its name finds it).</param>
internal sealed record PullResult(string Path, string Url, long Bytes, string Sha256, bool Verified, bool AlreadyPresent, long ResumedFrom, ModelDescriptor? Descriptor);

/// <summary>
/// Downloads model files into the user cache: resumes an interrupted transfer with an HTTP Range request
/// (the partial file is kept as <c>FILE.part</c>), checks size and SHA-256, and renames to the final name only when
/// the file is complete and verified, so a file under its final name is always a whole one.
/// </summary>
internal sealed class ModelDownloader : IDisposable
{
    /// <summary>Suffix of a partial download beside its final name.</summary>
    public const string PartialSuffix = ".part";

    private readonly HttpClient _http;
    private readonly TimeSpan _idleTimeout;

    /// <summary>Creates a downloader with its own HTTP client.</summary>
    /// <param name="idleTimeout">Give up when no byte arrives for this long (default 30 s); the partial file stays for a resume.</param>
    public ModelDownloader(TimeSpan? idleTimeout = null)
    {
        _idleTimeout = idleTimeout ?? TimeSpan.FromSeconds(30);
        // No overall timeout: a large model on a slow line may take long; the idle timeout catches a stalled one.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = _idleTimeout, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("imagecluster", "1.0"));
    }

    /// <summary>
    /// What <paramref name="nameOrUrl"/> means: a catalogue name with a download URL, or an http(s) URL (matched to a
    /// catalogue entry by URL or file name, so its checksum and size are known). <paramref name="sha256"/> overrides the checksum.
    /// </summary>
    /// <exception cref="ImageClusterException">Unknown name, a model without a download URL, a bad URL or a bad checksum.</exception>
    public static PullTarget Target(string nameOrUrl, string? sha256 = null)
    {
        if (sha256 is not null)
        {
            sha256 = sha256.Trim().ToLowerInvariant();
            if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
                throw new ArgumentException($"Sha256 takes 64 hex digits, not '{sha256}'", "Sha256");
        }
        if (Uri.TryCreate(nameOrUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            string fileName = Uri.UnescapeDataString(url.Segments[^1]);
            if (!fileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
                throw new ImageClusterException($"{url} does not end in a file name like model.onnx; download it yourself and import the file");
            var known = ModelCatalog.All.FirstOrDefault(m => m.Url == url.AbsoluteUri)
                ?? ModelCatalog.All.FirstOrDefault(m => !m.BuiltIn && m.File.Equals(fileName, StringComparison.OrdinalIgnoreCase));
            return new PullTarget(url, known?.File ?? fileName, sha256 ?? known?.Sha256, sha256 is null ? known?.SizeBytes : null, known);
        }
        var descriptor = ModelCatalog.Find(nameOrUrl)
            ?? throw new ImageClusterException($"unknown model '{nameOrUrl}'; give a catalogue name ({string.Join(", ", ModelCatalog.All.Where(m => m.Url is not null).Select(m => m.Name))}) or an http(s) URL of an .onnx file");
        if (descriptor.BuiltIn) throw new ImageClusterException($"{descriptor.Name} is built in: it ships with imagecluster, there is nothing to pull");
        if (descriptor.Url is null)
            throw new ImageClusterException($"{descriptor.Name} has no download URL in the catalogue ({descriptor.Description}); " +
                                     $"put {descriptor.File} in a folder named by ${ModelResolver.ModelsVariable}");
        // A checksum given by the user describes some other file than the catalogue's, whose size is then unknown too.
        return new PullTarget(new Uri(descriptor.Url), descriptor.File, sha256 ?? descriptor.Sha256, sha256 is null ? descriptor.SizeBytes : null, descriptor);
    }

    /// <summary>
    /// Downloads <paramref name="target"/> into <paramref name="folder"/>, resuming <c>FILE.part</c> when one is there.
    /// </summary>
    /// <param name="target">What and from where.</param>
    /// <param name="folder">Destination; the user cache (<see cref="ModelResolver.UserCacheFolder"/>) from the CLI.</param>
    /// <param name="force">Download again even when the final file exists (and drop any partial file).</param>
    /// <param name="progress">Told about received bytes.</param>
    /// <param name="notice">Told about things the user should know (restarts, an unverifiable checksum).</param>
    /// <param name="ct">Cancels the transfer; the partial file stays for a resume.</param>
    /// <exception cref="ModelDownloadException">HTTP error, truncated transfer, timeout, size or checksum mismatch.</exception>
    public async Task<PullResult> DownloadAsync(PullTarget target, string folder, bool force = false,
        IProgress<DownloadProgress>? progress = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        string final = Path.Combine(folder, target.FileName), part = final + PartialSuffix;
        if (force) File.Delete(part);
        else if (File.Exists(final)) return Existing(target, final);

        long resumedFrom = 0;
        for (int attempt = 0; ; attempt++)
        {
            long offset = File.Exists(part) ? new FileInfo(part).Length : 0;
            if (target.SizeBytes is { } expectedSize && offset > expectedSize)
            {
                notice?.Invoke($"{part} is larger than the expected {expectedSize} bytes; starting again");
                File.Delete(part);
                offset = 0;
            }
            var outcome = await TransferAsync(target, part, offset, progress, notice, ct);
            if (outcome == Transfer.Restart && attempt == 0)
            {
                File.Delete(part);
                continue;
            }
            if (outcome == Transfer.Restart) throw new ModelDownloadException($"{target.Url}: the server cannot send the file from byte {offset} or from the start");
            resumedFrom = outcome == Transfer.Resumed ? offset : 0;
            break;
        }

        long bytes = new FileInfo(part).Length;
        if (target.SizeBytes is { } size && bytes != size)
        {
            File.Delete(part);
            throw new ModelDownloadException($"{target.Url}: got {bytes} bytes, expected {size}; the download was deleted, run pull again");
        }
        string sha = await Sha256Async(part, ct);
        if (target.Sha256 is { } expected && sha != expected)
        {
            // A complete file with the wrong content cannot be repaired by resuming: drop it.
            File.Delete(part);
            throw new ModelDownloadException($"{target.Url}: checksum mismatch: expected sha256 {expected}, got {sha} ({bytes} bytes); the download was deleted");
        }
        if (target.Sha256 is null) notice?.Invoke($"checksum unknown, not verified: {target.FileName} has sha256 {sha} ({bytes} bytes)");
        File.Move(part, final, overwrite: true);
        return new PullResult(final, target.Url.AbsoluteUri, bytes, sha, target.Sha256 is not null, false, resumedFrom, target.Descriptor);
    }

    private static PullResult Existing(PullTarget target, string final)
    {
        string sha = ModelResolver.FileSha256(final);
        if (target.Sha256 is { } expected && sha != expected)
            throw new ModelDownloadException($"{final} exists with sha256 {sha}, expected {expected}; pull it again with force to replace it");
        return new PullResult(final, target.Url.AbsoluteUri, new FileInfo(final).Length, sha, target.Sha256 is not null, true, 0, target.Descriptor);
    }

    private enum Transfer { Complete, Resumed, Restart }

    private async Task<Transfer> TransferAsync(PullTarget target, string part, long offset,
        IProgress<DownloadProgress>? progress, Action<string>? notice, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(_idleTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        long received = offset;
        long? total = null;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
            if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                notice?.Invoke($"the server refused to resume {target.FileName} at byte {offset}; starting again");
                return Transfer.Restart;
            }
            if (!response.IsSuccessStatusCode)
                throw new ModelDownloadException($"{target.Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (offset > 0 && !resumed)
            {
                notice?.Invoke($"the server ignored the resume request for {target.FileName} (HTTP {(int)response.StatusCode}, not 206); downloading it from the start");
                offset = received = 0;
            }
            else if (resumed && response.Content.Headers.ContentRange?.From != offset)
            {
                notice?.Invoke($"the server sent {target.FileName} from another byte than {offset}; starting again");
                return Transfer.Restart;
            }
            total = resumed ? response.Content.Headers.ContentRange?.Length ?? offset + response.Content.Headers.ContentLength
                : response.Content.Headers.ContentLength;
            total ??= target.SizeBytes;
            if (total is { } announced && target.SizeBytes is { } expected && announced != expected)
                throw new ModelDownloadException($"{target.Url}: the server announces {announced} bytes, expected {expected}; is it the right file?");
            if (offset > 0) notice?.Invoke($"resuming {target.FileName} at byte {offset} of {total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");

            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            await using var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var clock = Stopwatch.StartNew();
            var buffer = new byte[1 << 16];
            progress?.Report(new DownloadProgress(received, total, 0));
            while (true)
            {
                idle.CancelAfter(_idleTimeout);
                int n = await body.ReadAsync(buffer, idle.Token);
                if (n == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                received += n;
                progress?.Report(new DownloadProgress(received, total, (received - offset) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
            }
            // A server that sent no length is finished when it closes: say so, so a progress display can end its line.
            if (total is null) progress?.Report(new DownloadProgress(received, received, (received - offset) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
            if (total is { } length && received < length) throw Truncated(target, received, length, null);
            if (total is { } limit && received > limit)
                throw new ModelDownloadException($"{target.Url}: the server sent {received} bytes, more than the {limit} it announced");
            return resumed ? Transfer.Resumed : Transfer.Complete;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ModelDownloadException($"{target.Url}: no data for {_idleTimeout.TotalSeconds:F0} s after {received} of {total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes; " +
                                             $"run pull again to resume (the partial file {part} is kept)");
        }
        catch (Exception e) when (e is HttpRequestException or IOException && e is not ModelDownloadException)
        {
            if (total is { } length) throw Truncated(target, received, length, e);
            throw new ModelDownloadException($"{target.Url}: download failed after {received} bytes: {e.Message}; run pull again to resume");
        }
    }

    private static ModelDownloadException Truncated(PullTarget target, long received, long total, Exception? cause) =>
        new($"{target.Url}: the transfer ended early: got {received} of {total} bytes{(cause is null ? "" : $" ({cause.Message})")}; " +
            $"the partial file {target.FileName}{PartialSuffix} is kept, run pull again to resume");

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
