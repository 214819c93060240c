using System.Text.RegularExpressions;

namespace ImageCluster.Runs;

/// <summary>
/// An exclusive OS lock on a run folder while a run writes it, so two runs into one folder cannot interleave their
/// assignments, run.json and clusters/. The kernel releases it on any exit, kill -9 included; the file it leaves then
/// is taken over by the next run.
/// </summary>
internal sealed partial class RunFolderLock : IDisposable
{
    /// <summary>The lock file in the run folder.</summary>
    public const string FileName = ".imagecluster.lock";

    private readonly FileStream _stream;

    private RunFolderLock(FileStream stream) => _stream = stream;

    /// <summary>Locks <paramref name="folder"/> (which must exist) and removes what runs killed earlier left behind.</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="notice">Told what was removed.</param>
    /// <param name="advice">What the second process can do, for its message.</param>
    /// <exception cref="ImageClusterException">Another process (or another command of this one) holds the lock.</exception>
    public static RunFolderLock Acquire(string folder, Action<string>? notice = null,
        string advice = "wait for it to finish, or write this run to another folder")
    {
        string path = Path.Combine(folder, FileName);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive flock on Unix and a share-deny open on Windows: either way one holder.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ImageClusterException($"{folder} is being written by another run (it holds {path}: {e.Message}); {advice}");
        }
        stream.SetLength(0);
        stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
        stream.Flush();
        RemoveStaleTemporaries(folder, notice);
        return new RunFolderLock(stream);
    }

    /// <summary>
    /// Removes the temporary files (<c>NAME.tmp-PID</c>) and staging folders (<c>clusters.new-PID</c>) of runs that were
    /// killed while writing: with the lock held, no other live run can own them.
    /// </summary>
    private static void RemoveStaleTemporaries(string folder, Action<string>? notice)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (Temporary().Match(entry.Name) is not { Success: true } m || m.Groups[1].Value == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                continue;
            try
            {
                if (entry is DirectoryInfo dir) dir.Delete(recursive: true); // staging holds links: deleting a link never touches its target
                else entry.Delete();
                notice?.Invoke($"removed {entry.Name}, left in {folder} by a run that was stopped while writing");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notice?.Invoke($"could not remove {entry.FullName} (left by a stopped run): {e.Message}");
            }
        }
    }

    [GeneratedRegex(@"^(?:.+\.tmp|clusters\.new)-(\d+)$")]
    private static partial Regex Temporary();

    /// <summary>Names a run folder may hold besides its outputs without being "someone else's files": the lock and leftovers of stopped runs.</summary>
    public static bool IsBookkeeping(string name) => name == FileName || Temporary().IsMatch(name);

    /// <summary>Releases the lock. The file stays: removing it could let two later runs lock two different files.</summary>
    public void Dispose() => _stream.Dispose();
}
