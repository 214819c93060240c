using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace ImageCluster.Store;

/// <summary>
/// The files-and-embeddings store on a PostgreSQL server, for many processes (shard jobs on several machines) writing at
/// once: the same two tables as the SQLite store, in a schema of their own (<c>imagecluster</c>), vectors as
/// little-endian float32 <c>bytea</c> (Debian 12's PostgreSQL has no pgvector; neighbours come from our own index).
/// Every write is an upsert keyed like the SQLite store's, so a shard that runs twice never duplicates a row.
/// The run folders made with it keep their clusterings, runs and review decisions here too (see PostgresStore.Runs.cs).
/// </summary>
internal sealed partial class PostgresStore : IEmbeddingStore
{
    private const string Schema = "imagecluster";

    // Any constant both processes agree on: the lock that keeps concurrent first runs from creating the tables twice.
    private const long SchemaLock = 0x1A6EC1u;

    private readonly NpgsqlConnection _connection;

    private PostgresStore(NpgsqlConnection connection, string shown)
    {
        _connection = connection;
        Location = shown;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>
    /// Connects to <paramref name="location"/> (a <c>postgres://</c> or <c>postgresql://</c> URL, or an Npgsql connection string)
    /// and creates the tables when missing. A password may come from the location, <c>PGPASSWORD</c> or <c>~/.pgpass</c>.
    /// </summary>
    /// <exception cref="ImageClusterException">No server there, refused, or a store of another schema version: one line naming it.</exception>
    public static PostgresStore Open(string location)
    {
        var builder = StoreLocation.ServerConnection(location);
        string shown = StoreLocation.Redacted(location);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using (var tx = connection.BeginTransaction())
            {
                Execute(connection, $"SELECT pg_advisory_xact_lock({SchemaLock})");
                Execute(connection, $"""
                    CREATE SCHEMA IF NOT EXISTS {Schema};
                    CREATE TABLE IF NOT EXISTS {Schema}.meta (key text PRIMARY KEY, value text NOT NULL);
                    CREATE TABLE IF NOT EXISTS {Schema}.files (
                        root text NOT NULL, path text NOT NULL, length bigint NOT NULL, mtime_ticks bigint NOT NULL,
                        sha256 text NOT NULL, error text, PRIMARY KEY (root, path));
                    CREATE TABLE IF NOT EXISTS {Schema}.embeddings (
                        sha256 text NOT NULL, model text NOT NULL, output text NOT NULL, dimension integer NOT NULL,
                        vector bytea NOT NULL, PRIMARY KEY (sha256, model, output));
                    {RunTables}
                    INSERT INTO {Schema}.meta (key, value) VALUES ('schema_version', '{ImageStore.CurrentSchemaVersion}'), ('kind', 'imagecluster embedding store')
                        ON CONFLICT (key) DO NOTHING;
                    """);
                using var version = new NpgsqlCommand($"SELECT value FROM {Schema}.meta WHERE key = 'schema_version'", connection);
                ImageStore.RequireSchemaVersion(shown, version.ExecuteScalar() as string);
                tx.Commit();
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            connection.Dispose();
            string why = (e as PostgresException)?.MessageText ?? e.InnerException?.Message ?? e.Message;
            throw new ImageClusterException($"cannot use the PostgreSQL store {shown}: {why.TrimEnd('.')}; check that the server runs there and the URL " +
                                            "(postgresql://USER@HOST:PORT/DATABASE; a password from PGPASSWORD or ~/.pgpass)");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new PostgresStore(connection, shown);
    }

    /// <inheritdoc />
    public Dictionary<string, FileRecord> GetFiles(string root)
    {
        var files = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
        using var cmd = new NpgsqlCommand($"SELECT path, length, mtime_ticks, sha256, error FROM {Schema}.files WHERE root = $1", _connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = root });
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var record = new FileRecord(root, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4));
            files[record.Path] = record;
        }
        return files;
    }

    /// <inheritdoc />
    public void PutFiles(IEnumerable<FileRecord> records)
    {
        var list = records as IReadOnlyList<FileRecord> ?? records.ToList();
        if (list.Count == 0) return;
        // One statement per call: the rows travel as arrays, so a batch is one round trip whatever its size.
        using var cmd = new NpgsqlCommand($"""
            INSERT INTO {Schema}.files (root, path, length, mtime_ticks, sha256, error)
                SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[])
            ON CONFLICT (root, path) DO UPDATE SET length = excluded.length, mtime_ticks = excluded.mtime_ticks, sha256 = excluded.sha256, error = excluded.error
            """, _connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Root).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Path).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Length).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.LastWriteUtcTicks).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Sha256).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Error).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public HashSet<string> GetEmbeddedHashes(string model, string output)
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        using var cmd = new NpgsqlCommand(
            $"SELECT sha256 FROM {Schema}.embeddings WHERE model = $1 AND output = $2 AND dimension > 0 AND length(vector) = dimension * 4", _connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = model });
        cmd.Parameters.Add(new NpgsqlParameter { Value = output });
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) hashes.Add(reader.GetString(0));
        return hashes;
    }

    /// <inheritdoc />
    public Dictionary<string, float[]> GetEmbeddings(IEnumerable<string> hashes, string model, string output)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var chunk in hashes.Distinct(StringComparer.Ordinal).Chunk(10_000))
        {
            using var cmd = new NpgsqlCommand(
                $"SELECT sha256, vector, dimension FROM {Schema}.embeddings WHERE model = $1 AND output = $2 AND sha256 = ANY($3)", _connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = model });
            cmd.Parameters.Add(new NpgsqlParameter { Value = output });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk });
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var blob = (byte[])reader.GetValue(1);
                // As in the SQLite store: a vector of another length than its row says is not an embedding.
                if (reader.GetInt32(2) is > 0 and var dimension && blob.Length == dimension * sizeof(float))
                    vectors[reader.GetString(0)] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
            }
        }
        return vectors;
    }

    /// <inheritdoc />
    public void PutEmbeddings(IEnumerable<(string Sha256, float[] Vector)> items, string model, string output)
    {
        var list = items.ToList();
        if (list.Count == 0) return;
        using var cmd = new NpgsqlCommand($"""
            INSERT INTO {Schema}.embeddings (sha256, model, output, dimension, vector)
                SELECT s, $4, $5, d, v FROM unnest($1::text[], $2::integer[], $3::bytea[]) AS t (s, d, v)
            ON CONFLICT (sha256, model, output) DO UPDATE SET dimension = excluded.dimension, vector = excluded.vector
            """, _connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(i => i.Sha256).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(i => i.Vector.Length).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = list.Select(i => MemoryMarshal.AsBytes(i.Vector.AsSpan()).ToArray()).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = model });
        cmd.Parameters.Add(new NpgsqlParameter { Value = output });
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public StoreInfo Describe()
    {
        long Scalar(string sql)
        {
            using var cmd = new NpgsqlCommand(sql, _connection);
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var spaces = new List<StoredFeatureSpace>();
        using (var cmd = new NpgsqlCommand($"SELECT model, output, dimension, count(*), sum(length(vector)) FROM {Schema}.embeddings GROUP BY model, output, dimension ORDER BY model, output", _connection))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read())
                spaces.Add(new StoredFeatureSpace(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), Convert.ToInt64(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture)));
        return new StoreInfo(Location, Scalar($"SELECT pg_total_relation_size('{Schema}.files') + pg_total_relation_size('{Schema}.embeddings')"),
            Scalar($"SELECT count(*) FROM {Schema}.files"), Scalar($"SELECT count(DISTINCT root) FROM {Schema}.files"),
            Scalar($"SELECT count(DISTINCT sha256) FROM {Schema}.files"), spaces);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
