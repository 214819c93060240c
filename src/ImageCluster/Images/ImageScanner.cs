namespace ImageCluster.Images;

/// <summary>One file found by <see cref="ImageScanner"/>.</summary>
/// <param name="RelativePath">Path relative to the scanned root, '/'-separated.</param>
/// <param name="FullPath">Absolute path as found (symlinks not resolved).</param>
/// <param name="Length">Size in bytes (of the target, for a symlink).</param>
/// <param name="LastWriteUtc">Modification time (of the target, for a symlink).</param>
/// <param name="Problem">Why the file cannot be read at all (broken link, unsupported format); null when it looks usable.</param>
internal sealed record ScannedFile(string RelativePath, string FullPath, long Length, DateTime LastWriteUtc, string? Problem = null);

/// <summary>Options for <see cref="ImageScanner"/>.</summary>
internal sealed record ScanOptions
{
    /// <summary>Folders never entered (e.g. the run's own output folder), compared after resolving symlinks.</summary>
    public IReadOnlyList<string> ExcludedDirectories { get; init; } = [];

    /// <summary>Descend into folders whose name starts with '.'. Off by default, like most photo tools.</summary>
    public bool IncludeHidden { get; init; }
}

/// <summary>
/// Walks a folder recursively and lists image files in a deterministic (ordinal, depth-first) order.
/// Directory symlinks are followed, but each real directory is entered once, so link loops end. Hidden folders and
/// run folders of earlier runs are skipped; folders that cannot be read are listed with the reason.
/// </summary>
internal static class ImageScanner
{
    /// <summary>Extensions decoded by <see cref="ImageDecoder"/> (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> DecodableExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".gif", ".bmp", ".ico", ".wbmp" };

    /// <summary>Image extensions users have but the decoder cannot read: listed as errors rather than silently ignored.</summary>
    public static readonly IReadOnlySet<string> UnsupportedImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".tif", ".tiff", ".heic", ".heif", ".avif", ".jxl", ".psd", ".svg", ".raw", ".cr2", ".nef", ".arw", ".dng" };

    /// <summary>A folder holding this file is a run folder of ImageCluster and is skipped.</summary>
    public const string RunFolderMarker = "imagecluster.db";

    /// <summary>Lists the image files below <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static IEnumerable<ScannedFile> Scan(string root, ScanOptions? options = null)
    {
        options ??= new ScanOptions();
        var rootInfo = new DirectoryInfo(Path.GetFullPath(root));
        if (!rootInfo.Exists) throw new DirectoryNotFoundException($"Folder not found: {root}");
        var excluded = new HashSet<string>(options.ExcludedDirectories.Select(RealPath), StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        return Walk(rootInfo, "", options, excluded, visited, RealPath(rootInfo.FullName));
    }

    private static IEnumerable<ScannedFile> Walk(DirectoryInfo dir, string prefix, ScanOptions options, HashSet<string> excluded, HashSet<string> visited,
        string root)
    {
        string real = RealPath(dir.FullName);
        if (excluded.Contains(real) || !visited.Add(real)) yield break;

        FileSystemInfo[] entries;
        string? unreadable = null;
        try
        {
            entries = dir.GetFileSystemInfos();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            entries = [];
            unreadable = e.Message;
        }
        if (unreadable is not null)
        {
            // Listed like a bad file, so a folder of images that could not be searched is never silently missing.
            yield return new ScannedFile(prefix.Length == 0 ? "." : prefix, dir.FullName, 0, default, $"cannot read folder: {unreadable}");
            yield break;
        }
        // An earlier run folder (anywhere below the input) holds links back to the images: never count them twice.
        if (prefix.Length > 0 && entries.Any(e => e.Name == RunFolderMarker)) yield break;
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));

        foreach (var entry in entries)
        {
            string relative = prefix + entry.Name;
            if (entry is DirectoryInfo sub)
            {
                if (!options.IncludeHidden && sub.Name.StartsWith('.')) continue;
                // Decided here, once: the review, select and export only ever touch files inside the input folder.
                if (sub.LinkTarget is not null && !Inside(root, RealPath(sub.FullName)))
                {
                    yield return new ScannedFile(relative, sub.FullName, 0, default,
                        $"symbolic link to a folder outside the input folder ({sub.LinkTarget}); not followed");
                    continue;
                }
                foreach (var f in Walk(sub, relative + "/", options, excluded, visited, root)) yield return f;
            }
            else if (entry is FileInfo file)
            {
                string ext = file.Extension;
                bool decodable = DecodableExtensions.Contains(ext);
                if (!decodable && !UnsupportedImageExtensions.Contains(ext)) continue;
                yield return Describe(file, relative, decodable, root);
            }
        }
    }

    // One entry's problem never ends the scan: whatever its name, kind or path length, it becomes that file's line.
    private static ScannedFile Describe(FileInfo file, string relative, bool decodable, string root)
    {
        // The runtime decodes a name that is not UTF-8 with U+FFFD; that name opens nothing.
        if (file.Name.Contains('\uFFFD'))
            return new ScannedFile(relative, file.FullName, 0, default, "the file name is not valid UTF-8; rename it");
        try
        {
            if (FileKind.NotRegular(file.FullName) is { } kind)
                return new ScannedFile(relative, file.FullName, 0, default, $"not a regular file ({kind}); only regular files are read");
            return DescribeFile(file, relative, decodable, root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ScannedFile(relative, file.FullName, 0, default, $"cannot read: {e.Message}");
        }
    }

    private static ScannedFile DescribeFile(FileInfo file, string relative, bool decodable, string root)
    {
        if (file.LinkTarget is not null)
        {
            FileSystemInfo? target;
            try
            {
                target = file.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                return new ScannedFile(relative, file.FullName, 0, default, $"broken symbolic link ({e.Message})");
            }
            if (target is not FileInfo { Exists: true } targetFile)
                return new ScannedFile(relative, file.FullName, 0, default, $"broken symbolic link (target {file.LinkTarget} does not exist)");
            if (!Inside(root, Path.Combine(RealPath(targetFile.DirectoryName!), targetFile.Name)))
                return new ScannedFile(relative, file.FullName, 0, default,
                    $"symbolic link to a file outside the input folder ({file.LinkTarget}); only files inside it are used");
            return new ScannedFile(relative, file.FullName, targetFile.Length, targetFile.LastWriteTimeUtc,
                decodable ? null : UnsupportedReason(file.Extension));
        }
        return new ScannedFile(relative, file.FullName, file.Length, file.LastWriteTimeUtc,
            decodable ? null : UnsupportedReason(file.Extension));
    }

    private static string UnsupportedReason(string extension) =>
        $"unsupported format {extension.TrimStart('.').ToUpperInvariant()} (the decoder reads JPEG, PNG, WebP, GIF and BMP); convert it first";

    /// <summary>True when the real path <paramref name="real"/> is <paramref name="root"/> or below it (both resolved).</summary>
    internal static bool Inside(string root, string real) =>
        real == root || real.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symlink resolved; the path itself when it cannot be resolved.</summary>
    internal static string RealPath(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        try
        {
            // Resolve component by component: a symlink may sit at any level.
            var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            string current = Path.GetPathRoot(full) ?? "/";
            foreach (var part in parts)
            {
                current = Path.Combine(current, part);
                var info = new DirectoryInfo(current);
                if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                    current = Path.TrimEndingDirectorySeparator(target.FullName);
            }
            return current;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
