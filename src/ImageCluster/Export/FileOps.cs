using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ImageCluster.Export;

/// <summary>File operations of export and undo: hashing, verified copies, hard links, fsync.</summary>
internal static partial class FileOps
{
    private const int ErrorExists = 17, ErrorCrossDevice = 18;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 of text written as UTF-8 without a byte-order mark.</summary>
    public static string Sha256Text(string text) => Convert.ToHexStringLower(SHA256.HashData(new System.Text.UTF8Encoding(false).GetBytes(text)));

    /// <summary>True when something (a file, folder or a dangling link) has this name.</summary>
    public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// Copies <paramref name="source"/> to the new file <paramref name="temp"/> (never replacing one), flushes it to disk and
    /// reads it back: the copy's hash must equal the source's as read. Returns the hash. A mismatch deletes the copy.
    /// </summary>
    public static string CopyVerified(string source, string temp, Action? beforeVerify = null)
    {
        string hash;
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
            }
            output.Flush(flushToDisk: true);
            hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        beforeVerify?.Invoke();
        string written = Sha256(temp);
        if (written != hash)
        {
            File.Delete(temp);
            throw new IOException($"the copy of {source} does not match it (sha256 {written} ≠ {hash}); the disk may be failing");
        }
        return hash;
    }

    /// <summary>Renames <paramref name="temp"/> to <paramref name="final"/>, failing (never replacing) when the name is taken.</summary>
    public static void MoveNoReplace(string temp, string final) => File.Move(temp, final, overwrite: false);

    /// <summary>
    /// Makes a hard link; false when the two paths are on different file systems (the caller copies instead).
    /// Never replaces an existing <paramref name="newPath"/>.
    /// </summary>
    public static bool TryHardLink(string existing, string newPath)
    {
        if (Link(existing, newPath) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ErrorCrossDevice) return false;
        throw new IOException(errno == ErrorExists
            ? $"{newPath} already exists"
            : $"cannot link {newPath} to {existing}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Temporary name beside <paramref name="final"/>, unique to one export (so a resume knows it is its own).</summary>
    public static string TempName(string final, string exportId) =>
        Path.Combine(Path.GetDirectoryName(final)!, $".{Path.GetFileName(final)}.ic-{exportId}.tmp");

    /// <summary>Deletes <paramref name="path"/> if it exists.</summary>
    public static void DeleteIfExists(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
    }
}
