using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageCluster.Store;

/// <summary>What <see cref="ImageStore.Merge"/> combined.</summary>
/// <param name="Into">The store written.</param>
/// <param name="Sources">The stores read, in the order given.</param>
/// <param name="FilesBefore">File records <paramref name="Into"/> held before (0 when it was new).</param>
/// <param name="FilesAfter">File records it holds now.</param>
/// <param name="EmbeddingsBefore">Embeddings it held before.</param>
/// <param name="EmbeddingsAfter">Embeddings it holds now.</param>
internal sealed record MergeResult(string Into, IReadOnlyList<string> Sources, long FilesBefore, long FilesAfter, long EmbeddingsBefore, long EmbeddingsAfter);

internal sealed partial class ImageStore
{
    // SQLite attaches at most 10 databases to one connection by default; the merge attaches fewer at a time.
    private const int SourcesPerStep = 8;

    /// <summary>
    /// Combines the files and embeddings of <paramref name="sources"/> (e.g. one store per shard job) into
    /// <paramref name="into"/>, created when missing. A file known to several keeps its most recent reading; an embedding is
    /// the same vector wherever it was computed, so the first copy stays. The merge is written to a temporary copy that
    /// replaces <paramref name="into"/> only when it is complete: a failure leaves it as it was.
    /// </summary>
    /// <exception cref="ImageClusterException">A source that is missing, not a store, of another schema version, or <paramref name="into"/> itself.</exception>
    public static MergeResult Merge(IReadOnlyList<string> sources, string into, IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        if (StoreLocation.IsServer(into) || sources.FirstOrDefault(StoreLocation.IsServer) is not null)
            throw new ImageClusterException("merge combines SQLite store files; shard jobs write to a PostgreSQL store directly, with nothing to merge");
        into = System.IO.Path.GetFullPath(into);
        var full = sources.Select(s => System.IO.Path.GetFullPath(s)).ToList();
        if (full.Count == 0) throw new ImageClusterException("name at least one store to merge");
        foreach (string source in full)
        {
            if (source == into) throw new ImageClusterException($"{source} is the store merged into; name it only once, as the target");
            RequireMergeable(source);
        }
        if (Directory.Exists(into)) throw new ImageClusterException($"{into} is a folder; name the store file to merge into");
        if (File.Exists(into)) RequireMergeable(into);

        string temp = into + ".merging-" + Environment.ProcessId;
        long filesBefore = 0, embeddingsBefore = 0;
        try
        {
            File.Delete(temp);
            if (File.Exists(into))
                using (var existing = OpenShared(into))
                {
                    (filesBefore, embeddingsBefore) = existing.CountFilesAndEmbeddings();
                    // A clean single-file copy, with whatever the write-ahead log still holds.
                    using var vacuum = existing.Command("VACUUM INTO $temp");
                    vacuum.Parameters.AddWithValue("$temp", temp);
                    vacuum.ExecuteNonQuery();
                }
            long filesAfter, embeddingsAfter;
            using (var target = OpenShared(temp))
            {
                for (int first = 0; first < full.Count; first += SourcesPerStep)
                {
                    ct.ThrowIfCancellationRequested();
                    var step = full.Skip(first).Take(SourcesPerStep).ToList();
                    for (int k = 0; k < step.Count; k++)
                        using (var attach = target.Command($"ATTACH DATABASE $path AS source{k}"))
                        {
                            attach.Parameters.AddWithValue("$path", step[k]);
                            attach.ExecuteNonQuery();
                        }
                    using (var tx = target._connection.BeginTransaction())
                    {
                        for (int k = 0; k < step.Count; k++)
                        {
                            target.Execute($"""
                                INSERT INTO main.files (root, path, length, mtime_ticks, sha256, error)
                                    SELECT root, path, length, mtime_ticks, sha256, error FROM source{k}.files WHERE true
                                    ON CONFLICT (root, path) DO UPDATE SET length = excluded.length, mtime_ticks = excluded.mtime_ticks,
                                        sha256 = excluded.sha256, error = excluded.error
                                    WHERE excluded.mtime_ticks > files.mtime_ticks;
                                INSERT OR IGNORE INTO main.embeddings (sha256, model, output, dimension, vector)
                                    SELECT sha256, model, output, dimension, vector FROM source{k}.embeddings
                                    WHERE dimension > 0 AND length(vector) = dimension * 4;
                                """);
                            progress?.Report(new StageProgress("merge", first + k + 1, full.Count, 0));
                        }
                        tx.Commit();
                    }
                    for (int k = 0; k < step.Count; k++) target.Execute($"DETACH DATABASE source{k}");
                }
                (filesAfter, embeddingsAfter) = target.CountFilesAndEmbeddings();
                target.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            // The old store's log must not be replayed over the merged file.
            foreach (string side in new[] { into + "-wal", into + "-shm" }) File.Delete(side);
            File.Move(temp, into, overwrite: true);
            return new MergeResult(into, full, filesBefore, filesAfter, embeddingsBefore, embeddingsAfter);
        }
        catch (SqliteException e)
        {
            throw new ImageClusterException($"cannot merge into {into}: {e.Message}; {into} is unchanged");
        }
        finally
        {
            foreach (string leftover in new[] { temp, temp + "-wal", temp + "-shm" })
                if (File.Exists(leftover)) File.Delete(leftover);
        }
    }

    private (long Files, long Embeddings) CountFilesAndEmbeddings() =>
        (Convert.ToInt64(ScalarOf($"SELECT COUNT(*) FROM {_cache}.files"), CultureInfo.InvariantCulture),
         Convert.ToInt64(ScalarOf($"SELECT COUNT(*) FROM {_cache}.embeddings"), CultureInfo.InvariantCulture));

    // Read-only look at a store: it must be an SQLite file with our tables and the schema version this build writes.
    private static void RequireMergeable(string path)
    {
        if (!File.Exists(path))
            throw new ImageClusterException(Directory.Exists(path) ? $"{path} is a folder, not a store file" : $"no store at {path}");
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'files', 'embeddings')";
            if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) != 3)
                throw new ImageClusterException($"{path} is an SQLite database but not an embedding store of this tool (it has no files and embeddings tables)");
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            RequireSchemaVersion(path, cmd.ExecuteScalar() as string);
        }
        catch (SqliteException e)
        {
            throw new ImageClusterException($"cannot read the store {path}: {e.Message}");
        }
    }

    /// <summary>Refuses a store of another schema version than <see cref="CurrentSchemaVersion"/>, naming it.</summary>
    /// <exception cref="ImageClusterException">A version other than the one this build writes.</exception>
    internal static void RequireSchemaVersion(string path, string? version)
    {
        if (version is null || version == CurrentSchemaVersion.ToString(CultureInfo.InvariantCulture)) return;
        throw new ImageClusterException($"{path} is a store of schema version {version}; this imagecluster reads version {CurrentSchemaVersion}: " +
                                        "use the imagecluster that wrote it, or name another store");
    }
}
