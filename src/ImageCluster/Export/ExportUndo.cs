using ImageCluster.Embedding;

namespace ImageCluster.Export;

/// <summary>What <see cref="ExportUndo.Run"/> did.</summary>
/// <param name="Journal">The journal.</param>
/// <param name="To">The export folder.</param>
/// <param name="Mode">The export's mode.</param>
/// <param name="Removed">Files removed from the export folder.</param>
/// <param name="Restored">Originals put back (move).</param>
/// <param name="AlreadyUndone">True when an earlier undo had finished: nothing to do.</param>
/// <param name="Refused">Files left alone, each with the reason (changed since the export, say).</param>
/// <param name="FoldersLeft">Folders the export created that still hold something, so were kept.</param>
internal sealed record UndoResult(string Journal, string To, ExportMode Mode, int Removed, int Restored, bool AlreadyUndone,
    IReadOnlyList<string> Refused, IReadOnlyList<string> FoldersLeft);

/// <summary>
/// Reverses an export from its journal, newest file first: removes what it created — only where the content still has
/// the hash the export wrote, otherwise that file is refused by name and left alone — puts moved originals back, and
/// removes the folders it created once they are empty. Also undoes an export stopped part-way, and can itself be run
/// again after a crash.
/// </summary>
internal static class ExportUndo
{
    /// <summary>Undoes the export of <paramref name="journalPath"/>.</summary>
    /// <exception cref="ImageClusterException">Not a journal.</exception>
    public static UndoResult Run(string journalPath, IProgress<StageProgress>? progress = null)
    {
        var state = JournalState.Load(journalPath);
        var begin = state.Begin;
        using var held = Exporter.RunFolderOf(begin) is { } run ? Exporter.LockRun(run) : null;
        state = JournalState.Load(journalPath); // read again under the lock: an export may have finished meanwhile
        var mode = Enum.Parse<ExportMode>(begin.Mode!, ignoreCase: true);
        // Folders kept earlier because another export's files were in them may be empty by now.
        if (state.UndoFinished) return new UndoResult(journalPath, begin.To!, mode, 0, 0, AlreadyUndone: true, [], RemoveEmptyFolders(state));

        using var journal = ExportJournal.OpenAppend(journalPath);
        if (!state.UndoStarted) journal.Append(new JournalRecord { Type = "undo-begin" });
        var refused = new List<string>();
        int removed = 0, restored = 0, step = 0;
        var touched = state.Plan.Where(p => state.Done.ContainsKey(p.Seq!.Value) || state.Intents.ContainsKey(p.Seq!.Value)).Reverse().ToList();
        foreach (var item in touched)
        {
            int seq = item.Seq!.Value;
            progress?.Report(new StageProgress("undo", ++step, touched.Count, refused.Count));
            if (state.Undone.Contains(seq)) continue;
            string source = item.Source!, destination = item.Destination!;
            string? sha = state.Done.GetValueOrDefault(seq) ?? state.Intents[seq].Sha256;
            FileOps.DeleteIfExists(FileOps.TempName(destination, begin.Id!));
            FileOps.DeleteIfExists(FileOps.TempName(source, begin.Id!));
            try
            {
                string? why = mode switch
                {
                    ExportMode.Move => PutBack(source, destination, sha, ref restored),
                    ExportMode.Symlink => RemoveLink(source, destination, ref removed),
                    _ => RemoveCopy(source, destination, sha, ref removed),
                };
                if (why is null) journal.Append(new JournalRecord { Type = "undone", Seq = seq });
                else refused.Add(why);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                refused.Add($"{destination}: {e.Message}");
            }
        }

        string manifest = begin.Path!;
        FileOps.DeleteIfExists(FileOps.TempName(manifest, begin.Id!));
        FileOps.DeleteIfExists(Path.Combine(begin.To!, $".imagecluster-probe-{begin.Id}"));
        // No manifest record: killed between writing the manifest and recording it; it is ours if it holds what the journal says.
        if ((state.ManifestSha ?? FileOps.Sha256Text(state.ManifestText())) is var manifestSha && File.Exists(manifest))
        {
            if (FileOps.Sha256(manifest) == manifestSha) File.Delete(manifest);
            else refused.Add($"{manifest}: changed since the export; left in place");
        }

        var left = RemoveEmptyFolders(state);
        if (refused.Count == 0) journal.Append(new JournalRecord { Type = "undo-end" });
        return new UndoResult(journalPath, begin.To!, mode, removed, restored, AlreadyUndone: false, refused, left);
    }

    private static List<string> RemoveEmptyFolders(JournalState state)
    {
        var left = new List<string>();
        foreach (var folder in Enumerable.Reverse(state.FolderOrder))
        {
            if (!Directory.Exists(folder)) continue;
            if (Directory.EnumerateFileSystemEntries(folder).Any()) left.Add(folder);
            else Directory.Delete(folder);
        }
        return left;
    }

    private static string? RemoveCopy(string source, string destination, string? sha, ref int removed)
    {
        if (!FileOps.Exists(destination)) return null; // the export never got that far
        if (!File.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
            return $"{destination}: no longer the file the export wrote; left in place";
        // A copy caught before its done record: the source (untouched by a copy) says what it should hold.
        sha ??= File.Exists(source) ? FileOps.Sha256(source) : null;
        string actual = FileOps.Sha256(destination);
        if (actual != sha) return $"{destination}: changed since the export (sha256 {actual[..12]}…, exported {sha?[..12]}…); left in place";
        File.Delete(destination);
        removed++;
        return null;
    }

    private static string? RemoveLink(string source, string destination, ref int removed)
    {
        if (!FileOps.Exists(destination)) return null;
        if (new FileInfo(destination).LinkTarget != source) return $"{destination}: no longer the link to {source} the export made; left in place";
        File.Delete(destination);
        removed++;
        return null;
    }

    private static string? PutBack(string source, string destination, string? sha, ref int restored)
    {
        bool atSource = File.Exists(source), atDestination = File.Exists(destination);
        if (!atDestination) return atSource ? null : $"{source}: missing both from the input and from the export folder ({destination}); cannot put it back";
        string actual = FileOps.Sha256(destination);
        if (actual != sha) return $"{destination}: changed since the export (sha256 {actual[..12]}…, moved {sha?[..12]}…); not put back";
        if (atSource)
        {
            // A move or an earlier undo stopped between its two steps: both names hold the same content.
            if (FileOps.Sha256(source) != sha) return $"{source}: a different file now has the original's name; {destination} left in place";
            File.Delete(destination);
            restored++;
            return null;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        if (FileOps.TryHardLink(destination, source))
        {
            File.Delete(destination);
        }
        else
        {
            string temp = FileOps.TempName(source, "undo");
            FileOps.DeleteIfExists(temp);
            if (FileOps.CopyVerified(destination, temp) != sha) throw new IOException($"{destination} changed while it was copied back");
            FileOps.MoveNoReplace(temp, source);
            File.Delete(destination);
        }
        restored++;
        return null;
    }
}
