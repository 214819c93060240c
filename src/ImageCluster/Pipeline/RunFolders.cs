using ImageCluster.Runs;
using ImageCluster.Images;
using ImageCluster.Store;

namespace ImageCluster.Pipeline;

/// <summary>Checks that keep a run from writing over anything the user owns.</summary>
internal static class RunFolders
{
    /// <summary>The absolute input folder; a usage error when it is missing or not a folder.</summary>
    public static string RequireInputFolder(string input)
    {
        string full = Path.GetFullPath(input);
        if (Directory.Exists(full)) return full;
        throw new ImageClusterException(File.Exists(full) ? $"input is a file, not a folder: {input}" : $"input folder not found: {input}");
    }

    /// <summary>
    /// Refuses a run folder that is the input, holds the input (replacing its <c>clusters/</c> could then touch
    /// originals), or already holds files of the user's (anything but an earlier run).
    /// </summary>
    public static void RequireSafeRunFolder(string input, string output)
    {
        string realInput = ImageScanner.RealPath(input), realOutput = ImageScanner.RealPath(output);
        if (realInput == realOutput)
            throw new ArgumentException("Output must not be the input folder itself; name a new folder", "Output");
        if (realInput.StartsWith(realOutput + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Output {output} contains the input folder; name a folder outside it (or inside the input)", "Output");
        if (Directory.Exists(output) && !IsRunFolder(output) &&
            Directory.EnumerateFileSystemEntries(output).Any(e => !RunFolderLock.IsBookkeeping(Path.GetFileName(e))))
            throw new ArgumentException($"Output {output} already holds files and is not a run folder; name a new or empty folder", "Output");
    }

    /// <summary>
    /// True when <paramref name="folder"/> holds a run: a cluster run's database, or the summary of a duplicates or
    /// issues run (which keep no database of their own).
    /// </summary>
    public static bool IsRunFolder(string folder) =>
        File.Exists(Path.Combine(folder, ImageStore.FileName)) || File.Exists(Path.Combine(folder, CurationFiles.DuplicatesSummary)) ||
        File.Exists(Path.Combine(folder, CurationFiles.IssuesSummary));

    /// <summary>
    /// The run folder used when none is given: <c>./imagecluster-runs/NAME</c> (NAME = the input folder's name), or
    /// <c>~/.local/share/imagecluster/runs/NAME</c> when the working directory is inside the input, so a run never
    /// writes into the user's photo folder by default. An earlier run of the same input keeps its folder; another
    /// input of the same name gets <c>NAME-2</c>, <c>NAME-3</c>, …
    /// </summary>
    public static string DefaultFor(string input)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(input));
        string name = Path.GetFileName(full) is { Length: > 0 } n ? n : "root";
        string cwd = Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory);
        bool insideInput = cwd == full || cwd.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        string parent = insideInput ? Path.Combine(UserFolders.Data, "runs") : Path.Combine(cwd, "imagecluster-runs");
        for (int i = 1; ; i++)
        {
            string candidate = Path.Combine(parent, i == 1 ? name : $"{name}-{i}");
            if (!Directory.Exists(candidate) || !Directory.EnumerateFileSystemEntries(candidate).Any(e => !RunFolderLock.IsBookkeeping(Path.GetFileName(e))) || InputOf(candidate) == full)
                return candidate;
        }
    }

    // The input a run folder belongs to: its cluster run's, else its duplicates or issues run's.
    private static string? InputOf(string folder) =>
        RunFolder.InputOf(folder) ?? RunFolder.InputOf(folder, CurationFiles.DuplicatesSummary) ?? RunFolder.InputOf(folder, CurationFiles.IssuesSummary);

    /// <summary>Creates the run folder, as a usage error when that is impossible (read-only input, say).</summary>
    public static void Create(string output)
    {
        try
        {
            Directory.CreateDirectory(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Output: cannot create the run folder {output} ({e.Message}); name another folder", "Output");
        }
    }

    /// <summary>
    /// The outermost folder that creating <paramref name="output"/> would add (itself, or a missing parent), or null when
    /// it exists already: what <see cref="RemoveCreated"/> may take away again if the run fails.
    /// </summary>
    public static string? FirstMissing(string output)
    {
        string missing = Path.GetFullPath(output);
        if (Directory.Exists(missing)) return null;
        for (string? parent = Path.GetDirectoryName(missing); parent is not null && !Directory.Exists(parent); parent = Path.GetDirectoryName(parent))
            missing = parent;
        return missing;
    }

    /// <summary>
    /// Removes a folder a failed run created (<see cref="FirstMissing"/>), so no half-written run folder is left; its
    /// cluster folders hold links, and deleting a link never touches its target. Best effort: a failure is a notice.
    /// </summary>
    public static void RemoveCreated(string? created, Action<string>? notice = null)
    {
        if (created is null || !Directory.Exists(created)) return;
        try
        {
            Directory.Delete(created, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notice?.Invoke($"could not remove the unfinished run folder {created}: {e.Message}");
        }
    }
}
