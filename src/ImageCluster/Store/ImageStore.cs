using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace ImageCluster.Store;

/// <summary>What the store remembers of one file, so an unchanged file is never read again.</summary>
/// <param name="Root">The scanned folder (absolute) the path is relative to.</param>
/// <param name="Path">Path relative to <paramref name="Root"/>, '/'-separated.</param>
/// <param name="Length">Size in bytes when last read.</param>
/// <param name="LastWriteUtcTicks">Modification time when last read.</param>
/// <param name="Sha256">Content hash, lower-case hex.</param>
/// <param name="Error">Why the file could not be decoded; null when it could.</param>
internal sealed record FileRecord(string Root, string Path, long Length, long LastWriteUtcTicks, string Sha256, string? Error);

/// <summary>A stored clustering result: labels and distances per row, plus algorithm figures as JSON.</summary>
internal sealed record StoredClustering(int[] Labels, float[] Distances, string SummaryJson);

/// <summary>
/// SQLite storage of files (path, size, time, hash) and embeddings keyed by content hash × model × output — the
/// content-addressed cache, shared by every run folder (see <see cref="StoreLocation"/>) — and, in a run folder's own
/// <see cref="FileName"/>, that run's clusterings, runs and decision log (with a PostgreSQL store, the server keeps those
/// too and the file only names the run). <see cref="OpenRun"/> joins the two in one
/// connection (the shared store attached); <see cref="Open(string)"/> keeps everything in one file. Not thread-safe: use it from one thread.
/// </summary>
internal sealed partial class ImageStore : IEmbeddingStore
{
    /// <summary>File name of the run folder's own database (clusterings, runs, decisions).</summary>
    public const string FileName = "imagecluster.db";

    /// <summary>The schema version this build writes and reads (meta key <c>schema_version</c>), in SQLite and PostgreSQL alike.</summary>
    internal const int CurrentSchemaVersion = 1;
    private const string CacheTables = """
        CREATE TABLE IF NOT EXISTS {0}.files (
            root TEXT NOT NULL, path TEXT NOT NULL, length INTEGER NOT NULL, mtime_ticks INTEGER NOT NULL,
            sha256 TEXT NOT NULL, error TEXT, PRIMARY KEY (root, path));
        CREATE TABLE IF NOT EXISTS {0}.embeddings (
            sha256 TEXT NOT NULL, model TEXT NOT NULL, output TEXT NOT NULL, dimension INTEGER NOT NULL,
            vector BLOB NOT NULL, PRIMARY KEY (sha256, model, output));
        """;

    private readonly SqliteConnection _connection;

    // Schema holding files and embeddings: "main" in a single-file store, "cache" when the shared store is attached.
    private readonly string _cache;

    // Files and embeddings on a PostgreSQL server instead of an attached file: every cache call goes there.
    private PostgresStore? _server;

    // The run folder's id on _server, whose tables then hold its clusterings, runs and review log; null when this file holds them.
    private string? _serverRunId;

    private ImageStore(SqliteConnection connection, string cache, string? cachePath, string path)
    {
        _connection = connection;
        _cache = cache;
        CachePath = cachePath;
        Location = path;
    }

    /// <summary>
    /// The shared embedding store attached to this run database (a file, or a server without its password); null when files
    /// and embeddings live in this one file.
    /// </summary>
    public string? CachePath { get; private set; }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>Opens (creating if needed) one database at <paramref name="path"/> holding everything.</summary>
    public static ImageStore Open(string path) => Open(path, cachePath: null);

    /// <summary>Opens (creating if needed) the shared embedding store alone: files and embeddings, no run tables.</summary>
    public static ImageStore OpenShared(string path) => Open(path, cachePath: null, runTables: false);

    /// <summary>
    /// Opens a run folder's database <paramref name="runDatabase"/> with the shared embedding store <paramref name="cachePath"/>
    /// attached (both created if needed). A run database written before stores were shared keeps its own files and
    /// embeddings: pass null to read them.
    /// </summary>
    public static ImageStore OpenRun(string runDatabase, string? cachePath)
    {
        if (cachePath is null || !StoreLocation.IsServer(cachePath)) return Open(runDatabase, cachePath);
        var server = PostgresStore.Open(cachePath);
        try
        {
            var run = Open(runDatabase, cachePath: null);
            try
            {
                (run._server, run.CachePath) = (server, server.Location);
                run._serverRunId = run.RunIdOn(server, runDatabase);
            }
            catch
            {
                run._server = null; // disposed below
                run.Dispose();
                throw;
            }
            return run;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The id under which <paramref name="server"/> keeps this run folder's clusterings, runs and review log: the one this file
    /// names, else a new one registered there. Null for a run folder made before runs lived on the server, whose own file holds them.
    /// </summary>
    /// <exception cref="ImageClusterException">This file names a run the server does not know (another server, or a copy of it).</exception>
    private string? RunIdOn(PostgresStore server, string runDatabase)
    {
        if (ScalarOf("SELECT value FROM meta WHERE key = 'server_run_id'") is string id)
        {
            if (!server.HasRunFolder(id))
                throw new ImageClusterException($"{runDatabase}: this run's clusterings and review decisions are kept on the PostgreSQL store it was made with, " +
                                                $"and {server.Location} does not have them (run {id}); name that store");
            return id;
        }
        if (Convert.ToInt64(ScalarOf("SELECT (SELECT count(*) FROM clusterings) + (SELECT count(*) FROM runs) + (SELECT count(*) FROM decisions)"),
                System.Globalization.CultureInfo.InvariantCulture) > 0)
            return null;
        id = Guid.NewGuid().ToString("N");
        // Registered on the server first: a crash in between leaves an unused id there, never a folder naming a missing one.
        server.AddRunFolder(id, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(runDatabase))!);
        using var cmd = Command("INSERT INTO meta (key, value) VALUES ('server_run_id', $id)");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
        return id;
    }

    /// <summary>
    /// Opens the database of an existing run folder with the store its run.json names (<paramref name="sharedStore"/>;
    /// null for a run made before stores were shared, whose own database holds its embeddings).
    /// </summary>
    /// <exception cref="ImageClusterException">The named store is gone.</exception>
    public static ImageStore OpenExistingRun(string runFolder, string? sharedStore)
    {
        if (sharedStore is not null && !StoreLocation.IsServer(sharedStore) && !File.Exists(sharedStore))
            throw new ImageClusterException($"the embedding store of {runFolder}, {sharedStore}, is missing (moved, deleted or on another machine); " +
                                     "cluster the folder again, naming the store where it is now");
        return OpenRun(System.IO.Path.Combine(runFolder, FileName), sharedStore);
    }

    /// <exception cref="ImageClusterException">A file that cannot be opened or is not a database: one line naming it.</exception>
    private static ImageStore Open(string path, string? cachePath, bool runTables = true)
    {
        // The file a failure is about: the one being opened, then the one being attached.
        string current = path;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        var store = new ImageStore(connection, cachePath is null ? "main" : "cache", cachePath, path);
        try
        {
            if (!runTables) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            connection.Open();
            store.Execute("""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """);
            // A run database that had a review log and lost its table (dropped, or a damaged copy) must not start an empty
            // one as if the decisions had never been made: the marker says it had one.
            if (runTables && Convert.ToInt64(store.ScalarOf("SELECT count(*) FROM meta WHERE key = 'review_log'"), System.Globalization.CultureInfo.InvariantCulture) > 0
                          && Convert.ToInt64(store.ScalarOf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'decisions'"), System.Globalization.CultureInfo.InvariantCulture) == 0)
                throw new ImageClusterException($"{path}: its review log (the decisions table) is gone, and with it this run's review decisions; " +
                                                "move the file away and cluster the folder again to start a new review");
            if (runTables) store.Execute("""
                CREATE TABLE IF NOT EXISTS clusterings (
                    key TEXT PRIMARY KEY, labels BLOB NOT NULL, distances BLOB NOT NULL, summary_json TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, started_utc TEXT NOT NULL, input TEXT NOT NULL,
                    model TEXT NOT NULL, seed INTEGER, summary_json TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS decisions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, base TEXT NOT NULL, kind TEXT NOT NULL, payload_json TEXT NOT NULL,
                    created_utc TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
                """);
            if (runTables) store.Execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('review_log', '1')");
            using (var cmd = store.Command("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', $v)"))
            {
                cmd.Parameters.AddWithValue("$v", CurrentSchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                cmd.ExecuteNonQuery();
            }
            RequireSchemaVersion(path, store.ScalarOf("SELECT value FROM meta WHERE key = 'schema_version'") as string);
            if (cachePath is not null)
            {
                current = cachePath;
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(cachePath)!);
                using (var attach = store.Command("ATTACH DATABASE $path AS cache"))
                {
                    attach.Parameters.AddWithValue("$path", cachePath);
                    attach.ExecuteNonQuery();
                }
                store.Execute("PRAGMA cache.journal_mode = WAL; PRAGMA cache.synchronous = NORMAL; CREATE TABLE IF NOT EXISTS cache.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
                store.Execute("INSERT OR IGNORE INTO cache.meta (key, value) VALUES ('schema_version', '1'), ('kind', 'imagecluster embedding store')");
                RequireSchemaVersion(cachePath, store.ScalarOf("SELECT value FROM cache.meta WHERE key = 'schema_version'") as string);
            }
            store.Execute(string.Format(System.Globalization.CultureInfo.InvariantCulture, CacheTables, store._cache));
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            store.Dispose();
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): the file itself is damaged, and naming it again cannot help.
            bool damaged = e is SqliteException { SqliteErrorCode: 11 or 26 };
            throw new ImageClusterException(current == cachePath || !runTables
                ? $"cannot open the embedding store {current} ({e.Message}); " + (damaged
                    ? "the file is damaged: move it away (a new store is made and the embeddings computed again) or name another store"
                    : $"name another store (or set {StoreLocation.Variable})")
                : $"cannot open the run database {current} ({e.Message}); " + (damaged
                    ? "the file is damaged and with it this run's review decisions: move it away and cluster the folder again"
                    : "move it away (it holds this run's review decisions) or write the run to another folder"));
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>Every file record remembered under <paramref name="root"/>, by relative path.</summary>
    public Dictionary<string, FileRecord> GetFiles(string root)
    {
        if (_server is not null) return _server.GetFiles(root);
        var files = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
        using var cmd = Command($"SELECT path, length, mtime_ticks, sha256, error FROM {_cache}.files WHERE root = $root");
        cmd.Parameters.AddWithValue("$root", root);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var record = new FileRecord(root, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4));
            files[record.Path] = record;
        }
        return files;
    }

    /// <summary>Inserts or replaces file records in one transaction.</summary>
    public void PutFiles(IEnumerable<FileRecord> records)
    {
        if (_server is not null)
        {
            _server.PutFiles(records);
            return;
        }
        using var tx = _connection.BeginTransaction();
        using var cmd = Command($"INSERT OR REPLACE INTO {_cache}.files (root, path, length, mtime_ticks, sha256, error) VALUES ($root, $path, $length, $mtime, $sha, $error)");
        var root = cmd.Parameters.Add("$root", SqliteType.Text);
        var path = cmd.Parameters.Add("$path", SqliteType.Text);
        var length = cmd.Parameters.Add("$length", SqliteType.Integer);
        var mtime = cmd.Parameters.Add("$mtime", SqliteType.Integer);
        var sha = cmd.Parameters.Add("$sha", SqliteType.Text);
        var error = cmd.Parameters.Add("$error", SqliteType.Text);
        foreach (var r in records)
        {
            root.Value = r.Root;
            path.Value = r.Path;
            length.Value = r.Length;
            mtime.Value = r.LastWriteUtcTicks;
            sha.Value = r.Sha256;
            error.Value = (object?)r.Error ?? DBNull.Value;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Content hashes that have an embedding for <paramref name="model"/> / <paramref name="output"/>.</summary>
    public HashSet<string> GetEmbeddedHashes(string model, string output)
    {
        if (_server is not null) return _server.GetEmbeddedHashes(model, output);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        // The same test as GetEmbeddings: a vector of another length than its row says is not an embedding.
        using var cmd = Command($"SELECT sha256 FROM {_cache}.embeddings WHERE model = $model AND output = $output AND dimension > 0 AND length(vector) = dimension * 4");
        cmd.Parameters.AddWithValue("$model", model);
        cmd.Parameters.AddWithValue("$output", output);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) hashes.Add(reader.GetString(0));
        return hashes;
    }

    /// <summary>The stored vectors of the given hashes (those that have one).</summary>
    public Dictionary<string, float[]> GetEmbeddings(IEnumerable<string> hashes, string model, string output)
    {
        if (_server is not null) return _server.GetEmbeddings(hashes, model, output);
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var cmd = Command($"SELECT vector, dimension FROM {_cache}.embeddings WHERE sha256 = $sha AND model = $model AND output = $output");
        var sha = cmd.Parameters.Add("$sha", SqliteType.Text);
        cmd.Parameters.AddWithValue("$model", model);
        cmd.Parameters.AddWithValue("$output", output);
        cmd.Prepare();
        foreach (var hash in hashes)
        {
            if (vectors.ContainsKey(hash)) continue;
            sha.Value = hash;
            using var row = cmd.ExecuteReader();
            // A vector of another length than its row says (a damaged or cut file) is never used: it counts as not stored,
            // so the embedding is computed again.
            if (row.Read() && row.GetValue(0) is byte[] blob && row.GetInt64(1) is > 0 and var dimension && blob.Length == dimension * sizeof(float))
                vectors[hash] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
        }
        return vectors;
    }

    /// <summary>Stores vectors (little-endian float32 blobs) in one transaction.</summary>
    public void PutEmbeddings(IEnumerable<(string Sha256, float[] Vector)> items, string model, string output)
    {
        if (_server is not null)
        {
            _server.PutEmbeddings(items, model, output);
            return;
        }
        using var tx = _connection.BeginTransaction();
        using var cmd = Command($"INSERT OR REPLACE INTO {_cache}.embeddings (sha256, model, output, dimension, vector) VALUES ($sha, $model, $output, $dim, $vector)");
        var sha = cmd.Parameters.Add("$sha", SqliteType.Text);
        var dim = cmd.Parameters.Add("$dim", SqliteType.Integer);
        var vector = cmd.Parameters.Add("$vector", SqliteType.Blob);
        cmd.Parameters.AddWithValue("$model", model);
        cmd.Parameters.AddWithValue("$output", output);
        foreach (var (hash, v) in items)
        {
            sha.Value = hash;
            dim.Value = v.Length;
            vector.Value = MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>A clustering stored under <paramref name="key"/>, or null.</summary>
    public StoredClustering? GetClustering(string key)
    {
        if (_serverRunId is { } run) return _server!.GetClustering(run, key);
        using var cmd = Command("SELECT labels, distances, summary_json FROM clusterings WHERE key = $key");
        cmd.Parameters.AddWithValue("$key", key);
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) return null;
        return new StoredClustering(
            MemoryMarshal.Cast<byte, int>((byte[])reader.GetValue(0)).ToArray(),
            MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray(),
            reader.GetString(2));
    }

    /// <summary>Stores a clustering under <paramref name="key"/> (replacing any).</summary>
    public void PutClustering(string key, StoredClustering clustering)
    {
        if (_serverRunId is { } run)
        {
            _server!.PutClustering(run, key, clustering);
            return;
        }
        using var cmd = Command("INSERT OR REPLACE INTO clusterings (key, labels, distances, summary_json) VALUES ($key, $labels, $distances, $summary)");
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$labels", MemoryMarshal.AsBytes(clustering.Labels.AsSpan()).ToArray());
        cmd.Parameters.AddWithValue("$distances", MemoryMarshal.AsBytes(clustering.Distances.AsSpan()).ToArray());
        cmd.Parameters.AddWithValue("$summary", clustering.SummaryJson);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Records a finished run; returns its id.</summary>
    public long AddRun(DateTime startedUtc, string input, string model, int? seed, string summaryJson)
    {
        if (_serverRunId is { } run) return _server!.AddRun(run, startedUtc, input, model, seed, summaryJson);
        using var cmd = Command("INSERT INTO runs (started_utc, input, model, seed, summary_json) VALUES ($started, $input, $model, $seed, $summary); SELECT last_insert_rowid();");
        cmd.Parameters.AddWithValue("$started", startedUtc.ToString("O"));
        cmd.Parameters.AddWithValue("$input", input);
        cmd.Parameters.AddWithValue("$model", model);
        cmd.Parameters.AddWithValue("$seed", (object?)seed ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$summary", summaryJson);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Number of runs recorded.</summary>
    public long CountRuns()
    {
        if (_serverRunId is { } run) return _server!.CountRuns(run);
        using var cmd = Command("SELECT COUNT(*) FROM runs");
        return (long)cmd.ExecuteScalar()!;
    }

    private SqliteCommand Command(string sql)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _server?.Dispose();
        _connection.Dispose();
    }
}
