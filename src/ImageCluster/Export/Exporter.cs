using System.Globalization;
using ImageCluster.Embedding;
using ImageCluster.Images;
using ImageCluster.Review;
using ImageCluster.Runs;

namespace ImageCluster.Export;

/// <summary>
/// Writes the images a review chose into a folder, keeping their paths relative to the input folder, with a
/// <c>manifest.csv</c> (<c>source,destination,cluster,decision,sha256</c>) and a journal of every file operation in the run
/// folder (<c>exports/ID.jsonl</c>). Never overwrites: every name is planned and checked first; a copy is written under a
/// temporary name, flushed, verified by hash and only then renamed (without replacing) to its final name, so a crash never
/// leaves a partial file under a final name. The journal records each operation before and after it, so
/// <see cref="Resume"/> completes a stopped export and <see cref="ExportUndo.Run"/> reverses it.
/// </summary>
public static class Exporter
{
    /// <summary>Name of the manifest in the export folder.</summary>
    public const string ManifestName = "manifest.csv";

    /// <summary>The plan of an export: which files go where, and the collisions. Touches nothing.</summary>
    /// <exception cref="ImageClusterException">Not a run folder, an export folder that overlaps the input, or a path outside the input.</exception>
    internal static (List<ExportItem> Items, List<Collision> Collisions, string Manifest) Plan(ExportOptions o, ReviewSession review)
    {
        string to = Path.GetFullPath(o.To);
        string input = review.InputFolder;
        string realTo = ImageScanner.RealPath(to), realInput = ImageScanner.RealPath(input);
        if (ImageScanner.Inside(realInput, realTo))
            throw new ArgumentException($"To {o.To} is inside the input folder {input}; export to a folder outside it (the next scan would find the exports)", nameof(o.To));
        if (ImageScanner.Inside(realTo, realInput))
            throw new ArgumentException($"To {o.To} contains the input folder {input}; export to a folder outside it", nameof(o.To));
        if (File.Exists(to)) throw new ArgumentException($"To {o.To} is a file, not a folder", nameof(o.To));
        string realRun = ImageScanner.RealPath(review.RunFolder);
        if (ImageScanner.Inside(realRun, realTo))
            throw new ArgumentException($"To {o.To} is inside the run folder {review.RunFolder}; export to a folder outside it " +
                                        "(the run's files and links would be mixed with the exports)", nameof(o.To));

        var items = new List<ExportItem>();
        var collisions = new List<Collision>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in Selected(review.State, o.What))
        {
            var source = InputPaths.Resolve(input, image.Path);
            string destination = Path.Combine(to, source.Relative);
            if (FileOps.Exists(destination) || !taken.Add(destination))
            {
                switch (o.OnCollision)
                {
                    case CollisionPolicy.Skip:
                        collisions.Add(new Collision(source.Relative, destination, "skipped", null));
                        continue;
                    case CollisionPolicy.Rename:
                        string free = FreeName(destination, taken);
                        taken.Add(free);
                        collisions.Add(new Collision(source.Relative, destination, "renamed", free));
                        destination = free;
                        break;
                    default:
                        collisions.Add(new Collision(source.Relative, destination, "failed", null));
                        break;
                }
            }
            items.Add(new ExportItem(items.Count, source, destination, image.Cluster, image.Verdict));
        }
        string manifest = Path.Combine(to, ManifestName);
        if (FileOps.Exists(manifest) || taken.Contains(manifest))
        {
            if (o.OnCollision == CollisionPolicy.Fail) collisions.Add(new Collision(ManifestName, manifest, "failed", null));
            else
            {
                string free = FreeName(manifest, taken);
                collisions.Add(new Collision(ManifestName, manifest, "renamed", free));
                manifest = free;
            }
        }
        return (items, collisions, manifest);
    }

    /// <summary>
    /// The images an export of <paramref name="what"/> takes, by their effective verdict (an image's own, else its
    /// cluster's), in assignments order. Evaluating the run scores the same set.
    /// </summary>
    internal static IEnumerable<ImageStatus> Selected(ReviewState state, ExportSelection what) => state.Images.Where(image => what switch
    {
        ExportSelection.Kept => image.Verdict == Verdict.Keep,
        ExportSelection.Discarded => image.Verdict == Verdict.Discard,
        _ => true,
    });

    /// <summary>The journal of an export to <paramref name="to"/> from this run that neither ended nor was undone, if any.</summary>
    private static (string Path, JournalRecord Begin)? Unfinished(string runFolder, string to)
    {
        string folder = Path.Combine(runFolder, "exports");
        if (!Directory.Exists(folder)) return null;
        foreach (var file in Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            // Killed between creating the journal and its first record: that export touched nothing, and its file must not
            // block every later export of the run.
            if (ExportJournal.NeverStarted(file))
            {
                File.Delete(file);
                continue;
            }
            var records = ExportJournal.Read(file);
            if (records[0].To == to && !records.Any(r => r.Type is "end" or "undo-begin")) return (file, records[0]);
        }
        return null;
    }

    private static string FreeName(string path, HashSet<string> taken)
    {
        string dir = Path.GetDirectoryName(path)!, stem = Path.GetFileNameWithoutExtension(path), ext = Path.GetExtension(path);
        for (int n = 2; ; n++)
        {
            string candidate = Path.Combine(dir, $"{stem}_{n}{ext}");
            if (!FileOps.Exists(candidate) && !taken.Contains(candidate)) return candidate;
        }
    }

    /// <summary>
    /// Plans and runs an export. When an earlier export from this run to the same folder stopped part-way (same mode and
    /// selection), it is completed from its journal instead.
    /// </summary>
    /// <exception cref="ImageClusterException">Bad options, collisions under <see cref="CollisionPolicy.Fail"/>, or an export folder that cannot be written (nothing touched).</exception>
    /// <exception cref="ExportException">A file operation failed part-way (the message says how to resume or undo).</exception>
    public static ExportResult Run(ExportOptions o, IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        using var review = ReviewSession.Open(o.Run);
        string to = Path.GetFullPath(o.To);
        // Two exports of one run, or an export during a cluster rerun, would each plan from what the other is changing.
        using var held = o.DryRun ? null : LockRun(review.RunFolder);
        if (!o.DryRun && Unfinished(review.RunFolder, to) is { } earlier)
        {
            // The files of a stopped export would all look like collisions: carry on with its own plan instead.
            if (earlier.Begin.Mode == Name(o.Mode) && earlier.Begin.What == Name(o.What))
                return ResumeLocked(earlier.Path, progress, o.PausePerFile, ct: ct);
            throw new UnfinishedExportException($"an unfinished {earlier.Begin.Mode} export to {to} is in {earlier.Path}; resume or undo it first", earlier.Path);
        }
        var (items, collisions, manifest) = Plan(o, review);
        var failed = collisions.Where(c => c.Resolution == "failed").ToList();
        if (failed.Count > 0)
            throw new DestinationsTakenException($"{failed.Count} destination name(s) already taken, nothing exported: " +
                                     string.Join(", ", failed.Take(5).Select(c => c.Destination)) + (failed.Count > 5 ? ", …" : "") +
                                     "; skip or rename colliding files, or export to another folder");
        if (items.Count == 0)
            throw new NothingSelectedException($"no image is {(o.What == ExportSelection.Kept ? "kept" : "discarded")} in {review.RunFolder}; " +
                                     "keep or discard clusters first, or export all of them");
        var missing = items.Where(i => !File.Exists(i.Source.Full)).ToList();
        if (missing.Count > 0)
            throw new ImageClusterException($"{missing.Count} image(s) of the run are missing from the input folder, nothing exported: " +
                                     string.Join(", ", missing.Take(5).Select(i => i.Source.Full)) + (missing.Count > 5 ? ", …" : "") +
                                     " (moved by an earlier export? undo it, or cluster the folder again)");
        if (o.DryRun)
            return new ExportResult(review.RunFolder, to, o.Mode, o.What, items.Count, 0, 0, 0, collisions, null, null, DryRun: true);

        string id = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        string journalPath = Path.Combine(review.RunFolder, "exports", id + ".jsonl");
        using (var journal = ExportJournal.Create(journalPath))
        {
            journal.AppendAll([
                new JournalRecord
                {
                    Type = "begin", Id = id, Mode = Name(o.Mode), What = Name(o.What), Run = review.RunFolder, Input = review.InputFolder, To = to,
                    Items = items.Count, Path = manifest,
                },
                .. items.Select(i => new JournalRecord
                {
                    Type = "plan", Seq = i.Seq, Source = i.Source.Full, Relative = i.Source.Relative, Destination = i.Destination, Cluster = i.Cluster,
                    Decision = Name(i.Verdict),
                }),
            ]);
        }
        return ResumeLocked(journalPath, progress, o.PausePerFile, collisions, ct);
    }

    /// <summary>Locks the run folder for an export or an undo (see <see cref="RunFolderLock"/>).</summary>
    internal static RunFolderLock LockRun(string runFolder) =>
        RunFolderLock.Acquire(runFolder, advice: "wait for it to finish, then export or undo");

    /// <summary>The run folder a journal's export came from, or null when it is no longer there.</summary>
    internal static string? RunFolderOf(JournalRecord begin) =>
        begin.Run is { } run && Directory.Exists(run) ? run : null;

    /// <summary>
    /// Runs (or completes) the export a journal describes: files done are checked and skipped, a file caught mid-way is
    /// finished or redone from its temporary name, then the manifest is written.
    /// </summary>
    /// <exception cref="ImageClusterException">Not a journal, an export that was undone, or an export folder that cannot be written.</exception>
    /// <exception cref="ExportException">A file operation failed (the message names the file and cause).</exception>
    public static ExportResult Resume(string journalPath, IProgress<StageProgress>? progress = null, TimeSpan pausePerFile = default,
        IReadOnlyList<Collision>? collisions = null, CancellationToken ct = default)
    {
        using var held = RunFolderOf(JournalState.Load(journalPath).Begin) is { } run ? LockRun(run) : null;
        return ResumeLocked(journalPath, progress, pausePerFile, collisions, ct);
    }

    private static ExportResult ResumeLocked(string journalPath, IProgress<StageProgress>? progress, TimeSpan pausePerFile = default,
        IReadOnlyList<Collision>? collisions = null, CancellationToken ct = default)
    {
        var state = JournalState.Load(journalPath);
        if (state.UndoStarted) throw new ImageClusterException($"the export of {journalPath} was undone; start a new export instead of resuming it");
        var begin = state.Begin;
        var mode = Enum.Parse<ExportMode>(begin.Mode!, ignoreCase: true);
        using var journal = ExportJournal.OpenAppend(journalPath);
        var plan = state.Plan;

        try
        {
            EnsureFolder(begin.To!, journal, state);
            Probe(begin.To!, begin.Id!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            journal.Append(new JournalRecord { Type = "failed", Error = e.Message });
            throw new ImageClusterException($"cannot write into {begin.To} ({e.Message}); nothing exported");
        }

        int written = 0, already = 0;
        long bytes = 0;
        for (int k = 0; k < plan.Count; k++)
        {
            ct.ThrowIfCancellationRequested();
            var item = plan[k];
            int seq = item.Seq!.Value;
            try
            {
                if (state.Done.TryGetValue(seq, out string? doneSha))
                {
                    // The manifest will vouch for this file: make sure it is still what was written.
                    if (!StillDone(item, mode, doneSha))
                        throw new IOException($"{item.Destination} is no longer the file this export wrote (missing or changed)");
                    already++;
                    progress?.Report(new StageProgress("export", k + 1, plan.Count, 0));
                    continue;
                }
                EnsureFolder(Path.GetDirectoryName(item.Destination)!, journal, state);
                var (sha, didWrite) = ExportFile(item, mode, begin.Id!, journal, state.Intents.GetValueOrDefault(seq), pausePerFile);
                journal.Append(new JournalRecord { Type = "done", Seq = seq, Sha256 = sha });
                state.Done[seq] = sha;
                if (didWrite)
                {
                    written++;
                    bytes += new FileInfo(item.Destination!).Length;
                }
                else already++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                journal.Append(new JournalRecord { Type = "failed", Seq = seq, Error = e.Message });
                throw new ExportException($"export stopped at {item.Relative} → {item.Destination}: {e.Message}. " +
                                          $"{state.Done.Count} of {plan.Count} files are in place; fix the cause, then resume or undo it", e) { Journal = journalPath };
            }
            progress?.Report(new StageProgress("export", k + 1, plan.Count, 0));
        }

        string manifest = begin.Path!;
        if (state.ManifestSha is null)
        {
            string temp = FileOps.TempName(manifest, begin.Id!);
            FileOps.DeleteIfExists(temp);
            string text = state.ManifestText(), sha = FileOps.Sha256Text(text);
            if (!File.Exists(manifest)) Csv.WriteAtomicallyNoReplace(temp, manifest, w => w.Write(text));
            // Killed between the rename and its record: the manifest is ours when it holds exactly what the journal says.
            else if (FileOps.Sha256(manifest) != sha)
                throw new ExportException($"{manifest} appeared during the export; move it away and resume it") { Journal = journalPath };
            journal.Append(new JournalRecord { Type = "manifest", Path = manifest, Sha256 = sha });
            journal.Append(new JournalRecord { Type = "end" });
        }
        return new ExportResult(begin.Run!, begin.To!, mode, Enum.Parse<ExportSelection>(begin.What!, ignoreCase: true), plan.Count, written, already, bytes,
            collisions ?? [], manifest, journalPath, DryRun: false);
    }

    private static (string Sha, bool Written) ExportFile(JournalRecord item, ExportMode mode, string id, ExportJournal journal, JournalRecord? intent,
        TimeSpan pause)
    {
        string source = item.Source!, destination = item.Destination!, temp = FileOps.TempName(destination, id);
        int seq = item.Seq!.Value;
        // A temporary name carries this export's id, so whatever is found under it is a leftover of ours.
        FileOps.DeleteIfExists(temp);

        if (FileOps.Exists(destination))
        {
            // Taken at plan time → it would be a collision (refused or renamed then). Taken now: either our own
            // operation finished just before a crash (intent recorded), or someone else put it there.
            if (intent is not null && Recovered(mode, source, destination, intent) is { } sha)
            {
                if (mode == ExportMode.Move && File.Exists(source)) File.Delete(source);
                return (sha, false);
            }
            throw new IOException($"{destination} already exists and was not written by this export; never overwritten");
        }
        if (mode == ExportMode.Move && !File.Exists(source))
            throw new IOException($"the source {source} is missing");

        switch (mode)
        {
            case ExportMode.Copy:
            {
                journal.Append(new JournalRecord { Type = "intent", Seq = seq });
                string sha = FileOps.CopyVerified(source, temp);
                Pause(pause);
                FileOps.MoveNoReplace(temp, destination);
                return (sha, true);
            }
            case ExportMode.Hardlink:
            {
                string sha = FileOps.Sha256(source);
                journal.Append(new JournalRecord { Type = "intent", Seq = seq, Sha256 = sha });
                Pause(pause);
                if (!FileOps.TryHardLink(source, destination))
                    throw new IOException($"cannot hard-link across file systems ({source} → {destination}); export as copies or symlinks instead");
                return (sha, true);
            }
            case ExportMode.Symlink:
            {
                string sha = FileOps.Sha256(source);
                journal.Append(new JournalRecord { Type = "intent", Seq = seq, Sha256 = sha });
                Pause(pause);
                File.CreateSymbolicLink(destination, source); // symlink(2) fails on a taken name: no overwrite
                return (sha, true);
            }
            default:
            {
                // The hash goes into the intent: after the move the source is gone, and undo and resume need it.
                string sha = FileOps.Sha256(source);
                journal.Append(new JournalRecord { Type = "intent", Seq = seq, Sha256 = sha });
                Pause(pause);
                if (FileOps.TryHardLink(source, destination))
                {
                    File.Delete(source); // a rename in two steps: the name is never missing and never overwritten
                }
                else
                {
                    string copied = FileOps.CopyVerified(source, temp);
                    if (copied != sha) throw new IOException($"{source} changed during the export (sha256 {copied}, was {sha})");
                    FileOps.MoveNoReplace(temp, destination);
                    File.Delete(source);
                }
                return (sha, true);
            }
        }
    }

    private static bool StillDone(JournalRecord item, ExportMode mode, string sha) => mode == ExportMode.Symlink
        ? new FileInfo(item.Destination!).LinkTarget == item.Source
        : File.Exists(item.Destination) && FileOps.Sha256(item.Destination!) == sha;

    /// <summary>The hash of a destination our crashed operation completed, or null when it is not ours.</summary>
    private static string? Recovered(ExportMode mode, string source, string destination, JournalRecord intent)
    {
        switch (mode)
        {
            case ExportMode.Symlink:
                return new FileInfo(destination).LinkTarget == source ? intent.Sha256 : null;
            case ExportMode.Copy:
            {
                if (!File.Exists(source)) return null;
                string sha = FileOps.Sha256(destination);
                return sha == FileOps.Sha256(source) ? sha : null;
            }
            default:
                return FileOps.Sha256(destination) == intent.Sha256 ? intent.Sha256 : null;
        }
    }

    private static void Pause(TimeSpan pause)
    {
        if (pause > TimeSpan.Zero) Thread.Sleep(pause);
    }

    /// <summary>Creates a folder and its missing parents, journalling each before it is made (undo removes them when empty).</summary>
    private static void EnsureFolder(string folder, ExportJournal journal, JournalState state)
    {
        var missing = new Stack<string>();
        for (string? d = folder; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) missing.Push(d);
        while (missing.TryPop(out var d))
        {
            if (state.Folders.Add(d)) journal.Append(new JournalRecord { Type = "mkdir", Path = d });
            Directory.CreateDirectory(d);
        }
    }

    // Root can write anywhere the permission bits say no, so only a real write shows whether the folder takes files
    // (an immutable folder, a read-only mount); the probe is gone before any export file is written. A probe of this
    // export's id already there was left by this export killed mid-probe (the id is the journal's): ours to replace.
    private static void Probe(string folder, string id)
    {
        string probe = Path.Combine(folder, $".imagecluster-probe-{id}");
        FileOps.DeleteIfExists(probe);
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write)) { }
        File.Delete(probe);
    }

    internal static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
