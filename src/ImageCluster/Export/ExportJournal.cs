using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageCluster.Export;

/// <summary>
/// One line of an export journal. <c>begin</c> (the options), one <c>plan</c> per file, then per file an <c>intent</c>
/// before it is touched and a <c>done</c> after; <c>mkdir</c> before a folder is created; <c>manifest</c> when
/// manifest.csv is in place; <c>end</c>. Undo appends <c>undo-begin</c>, <c>undone</c> per file and <c>undo-end</c>.
/// </summary>
internal sealed record JournalRecord
{
    /// <summary>Record type (see the type's summary).</summary>
    public required string Type { get; init; }

    /// <summary>File number in the plan.</summary>
    public int? Seq { get; init; }

    /// <summary>Absolute source (an original in the input folder).</summary>
    public string? Source { get; init; }

    /// <summary>Absolute destination.</summary>
    public string? Destination { get; init; }

    /// <summary>Path relative to the input folder (and to the export folder).</summary>
    public string? Relative { get; init; }

    /// <summary>The image's cluster.</summary>
    public int? Cluster { get; init; }

    /// <summary>The image's verdict.</summary>
    public string? Decision { get; init; }

    /// <summary>Content hash: of the source before a move (<c>intent</c>), of what was written (<c>done</c>, <c>manifest</c>).</summary>
    public string? Sha256 { get; init; }

    /// <summary>A folder created (<c>mkdir</c>) or the manifest written.</summary>
    public string? Path { get; init; }

    /// <summary><c>begin</c>: export id (part of temporary names).</summary>
    public string? Id { get; init; }

    /// <summary><c>begin</c>: copy, symlink, hardlink or move.</summary>
    public string? Mode { get; init; }

    /// <summary><c>begin</c>: kept, discarded or all.</summary>
    public string? What { get; init; }

    /// <summary><c>begin</c>: run folder.</summary>
    public string? Run { get; init; }

    /// <summary><c>begin</c>: input folder.</summary>
    public string? Input { get; init; }

    /// <summary><c>begin</c>: export folder.</summary>
    public string? To { get; init; }

    /// <summary><c>begin</c>: number of files planned.</summary>
    public int? Items { get; init; }

    /// <summary>When the record was written.</summary>
    public DateTime Utc { get; init; } = DateTime.UtcNow;

    /// <summary><c>failed</c>: why the export stopped.</summary>
    public string? Error { get; init; }
}

/// <summary>An append-only JSON-lines journal; every record reaches the disk (fsync) before <see cref="Append"/> returns.</summary>
internal sealed class ExportJournal : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly FileStream _stream;

    private ExportJournal(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Creates a new journal (never replacing one).</summary>
    public static ExportJournal Create(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return new ExportJournal(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Opens an existing journal to append to it, dropping a last line cut short by a crash.</summary>
    public static ExportJournal OpenAppend(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        // Appending after a half-written line would glue the next record to it and make both unreadable.
        long end = stream.Length;
        var one = new byte[1];
        while (end > 0)
        {
            stream.Position = end - 1;
            stream.ReadExactly(one);
            if (one[0] == (byte)'\n') break;
            end--;
        }
        stream.SetLength(end);
        stream.Position = end;
        return new ExportJournal(path, stream);
    }

    /// <summary>Appends one record and flushes it to disk.</summary>
    public void Append(JournalRecord record)
    {
        _stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n"));
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Appends records and flushes once (the plan: nothing has been touched yet when it is written).</summary>
    public void AppendAll(IEnumerable<JournalRecord> records)
    {
        var text = new StringBuilder();
        foreach (var r in records) text.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        _stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// True when the journal holds no whole record: the begin record (written with the plan in one flushed write, before
    /// any file is touched) never reached the disk, so the export did nothing.
    /// </summary>
    public static bool NeverStarted(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int b;
        while ((b = stream.ReadByte()) >= 0)
            if (b == '\n') return false;
        return true;
    }

    /// <summary>
    /// Reads every record. A last line cut short by a crash is ignored (its operation had not started); a bad line
    /// anywhere else means the file is not a journal.
    /// </summary>
    /// <exception cref="ImageClusterException">Missing file, or not a journal.</exception>
    public static List<JournalRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new ImageClusterException($"journal not found: {path}");
        if (NeverStarted(path))
            throw new ImageClusterException($"{path}: this export was stopped before its first record was written, so it exported and moved " +
                                            "nothing; run the export again (it removes this file)");
        var lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
        var records = new List<JournalRecord>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<JournalRecord>(lines[i], Json) ?? throw new JsonException("null"));
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
            }
            catch (JsonException e)
            {
                throw new ImageClusterException($"{path} line {i + 1} is not a journal record ({e.Message})");
            }
        }
        if (records.FirstOrDefault() is not { Type: "begin" })
            throw new ImageClusterException($"{path} is not an export journal of ImageCluster (it does not start with a 'begin' record)");
        return records;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
