using ImageCluster.Review;

namespace ImageCluster.Export;

/// <summary>How <see cref="Exporter"/> puts a file into the export folder.</summary>
public enum ExportMode
{
    /// <summary>A verified copy; the original is only read.</summary>
    Copy,

    /// <summary>A symbolic link to the original.</summary>
    Symlink,

    /// <summary>A hard link to the original (same file system only).</summary>
    Hardlink,

    /// <summary>The original is moved (a rename, or copy + verify + delete across file systems).</summary>
    Move,
}

/// <summary>Which images <see cref="Exporter"/> takes.</summary>
public enum ExportSelection
{
    /// <summary>Images whose verdict is keep.</summary>
    Kept,

    /// <summary>Images whose verdict is discard.</summary>
    Discarded,

    /// <summary>Every image of the run.</summary>
    All,
}

/// <summary>What happens when a destination name is already taken.</summary>
public enum CollisionPolicy
{
    /// <summary>Refuse the whole export before touching anything, listing the taken names.</summary>
    Fail,

    /// <summary>Leave the existing file alone and do not export that image.</summary>
    Skip,

    /// <summary>Export under a free name (<c>name_2.jpg</c>, …).</summary>
    Rename,
}

/// <summary>Options of <see cref="Exporter.Run"/>.</summary>
public sealed record ExportOptions
{
    /// <summary>The run folder whose review decides what is exported.</summary>
    public required string Run { get; init; }

    /// <summary>Export folder (created if missing). Relative paths under the input folder are kept under it.</summary>
    public required string To { get; init; }

    /// <summary>Copy (default), symlink, hardlink or move.</summary>
    public ExportMode Mode { get; init; } = ExportMode.Copy;

    /// <summary>Kept (default), discarded or all images.</summary>
    public ExportSelection What { get; init; } = ExportSelection.Kept;

    /// <summary>Taken destination names: fail (default), skip or rename.</summary>
    public CollisionPolicy OnCollision { get; init; } = CollisionPolicy.Fail;

    /// <summary>Only plan: report what would be written and the collisions, touch nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// A pause after each file is staged and before it gets its final name. Only for crash tests (the CLI reads
    /// <c>IMAGECLUSTER_TEST_EXPORT_DELAY_MS</c>), so a test can kill the process mid-way.
    /// </summary>
    public TimeSpan PausePerFile { get; init; }
}

/// <summary>One file of an export plan.</summary>
/// <param name="Seq">Number in the plan.</param>
/// <param name="Source">The original, checked to lie inside the input folder.</param>
/// <param name="Destination">Absolute destination.</param>
/// <param name="Cluster">Its cluster.</param>
/// <param name="Verdict">Its verdict.</param>
internal sealed record ExportItem(int Seq, InputPath Source, string Destination, int Cluster, Verdict Verdict);

/// <summary>A destination name that was already taken.</summary>
/// <param name="Source">The image (relative to the input folder).</param>
/// <param name="Destination">The taken name.</param>
/// <param name="Resolution">failed, skipped or renamed (to <paramref name="RenamedTo"/>).</param>
/// <param name="RenamedTo">The free name used instead, when renamed.</param>
public sealed record Collision(string Source, string Destination, string Resolution, string? RenamedTo);

/// <summary>What an export did (or, for a dry run, would do).</summary>
/// <param name="Run">Run folder.</param>
/// <param name="To">Export folder.</param>
/// <param name="Mode">Mode.</param>
/// <param name="What">Selection.</param>
/// <param name="Planned">Files in the plan (after skipped collisions).</param>
/// <param name="Written">Files put in place by this call.</param>
/// <param name="AlreadyDone">Files a resumed export found done.</param>
/// <param name="Bytes">Bytes of the files put in place by this call.</param>
/// <param name="Collisions">Taken names and what was done about them.</param>
/// <param name="Manifest">manifest.csv path (null for a dry run).</param>
/// <param name="Journal">Journal path (null for a dry run).</param>
/// <param name="DryRun">Nothing was touched.</param>
public sealed record ExportResult(string Run, string To, ExportMode Mode, ExportSelection What, int Planned, int Written, int AlreadyDone, long Bytes,
    IReadOnlyList<Collision> Collisions, string? Manifest, string? Journal, bool DryRun);

/// <summary>An export or undo stopped part-way; the message names the file and cause, and how to go on.</summary>
internal sealed class ExportException(string message, Exception? inner = null) : ImageClusterException(message, inner)
{
    /// <summary>The journal that resumes or undoes the stopped export, when there is one.</summary>
    public string? Journal { get; init; }
}

/// <summary>Destination names of an export are taken and the collision policy is to fail: nothing was exported.</summary>
internal sealed class DestinationsTakenException(string message) : ImageClusterException(message);

/// <summary>The review keeps (or discards) no image, so an export of those has nothing to take.</summary>
internal sealed class NothingSelectedException(string message) : ImageClusterException(message);

/// <summary>An earlier export to the same folder stopped part-way and must be resumed or undone first.</summary>
internal sealed class UnfinishedExportException(string message, string journal) : ImageClusterException(message)
{
    /// <summary>The earlier export's journal.</summary>
    public string Journal { get; } = journal;
}
