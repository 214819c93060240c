using Microsoft.Data.Sqlite;

namespace ImageCluster.Store;

/// <summary>Embeddings of one feature space (model key × output) in the store.</summary>
/// <param name="Model">The model's cache key (name, checksum, input size, preprocessing digest, layer).</param>
/// <param name="Output">The output or <c>LAYER/POOL</c>.</param>
/// <param name="Dimension">Features per vector.</param>
/// <param name="Vectors">How many images have one.</param>
/// <param name="Bytes">Bytes of vector data.</param>
internal sealed record StoredFeatureSpace(string Model, string Output, int Dimension, long Vectors, long Bytes);

/// <summary>A store's size and contents, by model.</summary>
/// <param name="Path">The store file.</param>
/// <param name="FileBytes">Its size on disk (with the write-ahead log).</param>
/// <param name="Files">Remembered files (path, size, time, hash).</param>
/// <param name="Roots">Distinct scanned folders.</param>
/// <param name="Contents">Distinct content hashes among them.</param>
/// <param name="FeatureSpaces">Embeddings per model and output.</param>
internal sealed record StoreInfo(string Path, long FileBytes, long Files, long Roots, long Contents, IReadOnlyList<StoredFeatureSpace> FeatureSpaces);

/// <summary>What a prune of the store removed (or would remove, on a dry run).</summary>
/// <param name="MissingFiles">File records whose file is gone or changed since it was read.</param>
/// <param name="OrphanEmbeddings">Embeddings of contents no remembered file has any more.</param>
/// <param name="BytesBefore">Store size before.</param>
/// <param name="BytesAfter">Store size after (equal to before on a dry run).</param>
/// <param name="DryRun">Nothing was changed.</param>
internal sealed record PruneResult(long MissingFiles, long OrphanEmbeddings, long BytesBefore, long BytesAfter, bool DryRun);

internal sealed partial class ImageStore
{
    /// <inheritdoc />
    public StoreInfo Describe() => _server?.Describe() ?? Describe(Location);

    /// <summary>Counts of the files and embeddings this store holds.</summary>
    public StoreInfo Describe(string path)
    {
        long Scalar(string sql) => Convert.ToInt64(ScalarOf(sql), System.Globalization.CultureInfo.InvariantCulture);
        var spaces = new List<StoredFeatureSpace>();
        using (var cmd = Command($"SELECT model, output, dimension, COUNT(*), SUM(LENGTH(vector)) FROM {_cache}.embeddings GROUP BY model, output, dimension ORDER BY model, output"))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read())
                spaces.Add(new StoredFeatureSpace(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
        return new StoreInfo(path, SizeOnDisk(path), Scalar($"SELECT COUNT(*) FROM {_cache}.files"), Scalar($"SELECT COUNT(DISTINCT root) FROM {_cache}.files"),
            Scalar($"SELECT COUNT(DISTINCT sha256) FROM {_cache}.files"), spaces);
    }

    /// <summary>
    /// Forgets files that are gone or changed since they were read, then the embeddings of contents that no remembered
    /// file has any more, and compacts the file. Nothing of the user's is touched: only this cache.
    /// </summary>
    public PruneResult Prune(string path, bool dryRun, CancellationToken ct = default)
    {
        long before = SizeOnDisk(path);
        var stale = new List<(string Root, string Path)>();
        using (var cmd = Command($"SELECT root, path, length, mtime_ticks FROM {_cache}.files"))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                string root = reader.GetString(0), relative = reader.GetString(1);
                var info = new FileInfo(System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar)));
                if (!info.Exists || info.Length != reader.GetInt64(2) || info.LastWriteTimeUtc.Ticks != reader.GetInt64(3)) stale.Add((root, relative));
            }

        using var tx = _connection.BeginTransaction();
        using (var delete = Command($"DELETE FROM {_cache}.files WHERE root = $root AND path = $path"))
        {
            var root = delete.Parameters.Add("$root", SqliteType.Text);
            var relative = delete.Parameters.Add("$path", SqliteType.Text);
            foreach (var (r, p) in stale)
            {
                root.Value = r;
                relative.Value = p;
                delete.ExecuteNonQuery();
            }
        }
        const string orphans = "FROM {0}.embeddings WHERE sha256 NOT IN (SELECT sha256 FROM {0}.files)";
        long orphanCount = Convert.ToInt64(ScalarOf("SELECT COUNT(*) " + string.Format(System.Globalization.CultureInfo.InvariantCulture, orphans, _cache)),
            System.Globalization.CultureInfo.InvariantCulture);
        if (dryRun)
        {
            tx.Rollback();
            return new PruneResult(stale.Count, orphanCount, before, before, DryRun: true);
        }
        Execute("DELETE " + string.Format(System.Globalization.CultureInfo.InvariantCulture, orphans, _cache));
        tx.Commit();
        Execute($"PRAGMA {_cache}.wal_checkpoint(TRUNCATE); VACUUM {_cache};");
        return new PruneResult(stale.Count, orphanCount, before, SizeOnDisk(path), DryRun: false);
    }

    private object? ScalarOf(string sql)
    {
        using var cmd = Command(sql);
        return cmd.ExecuteScalar();
    }

    private static long SizeOnDisk(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
}
