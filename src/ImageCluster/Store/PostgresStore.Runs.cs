using System.Runtime.InteropServices;
using Npgsql;

namespace ImageCluster.Store;

internal sealed partial class PostgresStore
{
    // A run folder made with this store names itself by an id (kept in its own small database); its clusterings, runs and
    // review log live here under that id, so every machine that reaches the server sees the same review. The same tables
    // as a run folder's SQLite database, with the run's id in front.
    private const string RunTables = $"""
        CREATE TABLE IF NOT EXISTS {Schema}.run_folders (
            run_id text PRIMARY KEY, folder text NOT NULL, created_utc timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS {Schema}.clusterings (
            run_id text NOT NULL REFERENCES {Schema}.run_folders, key text NOT NULL, labels bytea NOT NULL, distances bytea NOT NULL,
            summary_json text NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE IF NOT EXISTS {Schema}.runs (
            id bigserial PRIMARY KEY, run_id text NOT NULL REFERENCES {Schema}.run_folders, started_utc timestamptz NOT NULL,
            input text NOT NULL, model text NOT NULL, seed integer, summary_json text NOT NULL);
        CREATE TABLE IF NOT EXISTS {Schema}.decisions (
            seq bigserial PRIMARY KEY, run_id text NOT NULL REFERENCES {Schema}.run_folders, base text NOT NULL, kind text NOT NULL,
            payload_json text NOT NULL, created_utc timestamptz NOT NULL, undone boolean NOT NULL DEFAULT false);
        CREATE INDEX IF NOT EXISTS decisions_by_run ON {Schema}.decisions (run_id, base, seq);
        """;

    /// <summary>Registers a new run folder (<paramref name="folder"/> as it was named, for people reading the tables).</summary>
    public void AddRunFolder(string runId, string folder)
    {
        using var cmd = Command($"INSERT INTO {Schema}.run_folders (run_id, folder, created_utc) VALUES ($1, $2, now())", runId, folder);
        cmd.ExecuteNonQuery();
    }

    /// <summary>True when the run folder <paramref name="runId"/> was registered here.</summary>
    public bool HasRunFolder(string runId)
    {
        using var cmd = Command($"SELECT count(*) FROM {Schema}.run_folders WHERE run_id = $1", runId);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>As <see cref="ImageStore.GetClustering"/>, for the run folder <paramref name="runId"/>.</summary>
    public StoredClustering? GetClustering(string runId, string key)
    {
        using var cmd = Command($"SELECT labels, distances, summary_json FROM {Schema}.clusterings WHERE run_id = $1 AND key = $2", runId, key);
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) return null;
        return new StoredClustering(MemoryMarshal.Cast<byte, int>((byte[])reader.GetValue(0)).ToArray(),
            MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray(), reader.GetString(2));
    }

    /// <summary>As <see cref="ImageStore.PutClustering"/>, for the run folder <paramref name="runId"/>.</summary>
    public void PutClustering(string runId, string key, StoredClustering clustering)
    {
        using var cmd = Command($"""
            INSERT INTO {Schema}.clusterings (run_id, key, labels, distances, summary_json) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (run_id, key) DO UPDATE SET labels = excluded.labels, distances = excluded.distances, summary_json = excluded.summary_json
            """, runId, key, MemoryMarshal.AsBytes(clustering.Labels.AsSpan()).ToArray(),
            MemoryMarshal.AsBytes(clustering.Distances.AsSpan()).ToArray(), clustering.SummaryJson);
        cmd.ExecuteNonQuery();
    }

    /// <summary>As <see cref="ImageStore.AddRun"/>, for the run folder <paramref name="runId"/>.</summary>
    public long AddRun(string runId, DateTime startedUtc, string input, string model, int? seed, string summaryJson)
    {
        using var cmd = Command($"INSERT INTO {Schema}.runs (run_id, started_utc, input, model, seed, summary_json) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            runId, DateTime.SpecifyKind(startedUtc, DateTimeKind.Utc), input, model, (object?)seed ?? DBNull.Value, summaryJson);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs recorded for the run folder <paramref name="runId"/>.</summary>
    public long CountRuns(string runId)
    {
        using var cmd = Command($"SELECT count(*) FROM {Schema}.runs WHERE run_id = $1", runId);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>As <see cref="ImageStore.GetDecisions"/>, for the run folder <paramref name="runId"/>.</summary>
    public List<DecisionRecord> GetDecisions(string runId, string baseKey)
    {
        using var cmd = Command($"SELECT seq, kind, payload_json, created_utc, undone FROM {Schema}.decisions WHERE run_id = $1 AND base = $2 ORDER BY seq",
            runId, baseKey);
        using var reader = cmd.ExecuteReader();
        var list = new List<DecisionRecord>();
        while (reader.Read())
            list.Add(new DecisionRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc), reader.GetBoolean(4)));
        return list;
    }

    /// <summary>As <see cref="ImageStore.AppendDecision"/>, for the run folder <paramref name="runId"/>.</summary>
    public long AppendDecision(string runId, string baseKey, string kind, string payloadJson)
    {
        using var tx = _connection.BeginTransaction();
        using (var drop = Command($"DELETE FROM {Schema}.decisions WHERE run_id = $1 AND base = $2 AND undone", runId, baseKey))
            drop.ExecuteNonQuery();
        using var insert = Command($"INSERT INTO {Schema}.decisions (run_id, base, kind, payload_json, created_utc) VALUES ($1, $2, $3, $4, now()) RETURNING seq",
            runId, baseKey, kind, payloadJson);
        long seq = Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        tx.Commit();
        return seq;
    }

    /// <summary>As <see cref="ImageStore.UndoDecision"/>, for the run folder <paramref name="runId"/>.</summary>
    public DecisionRecord? UndoDecision(string runId, string baseKey) =>
        Flip(runId, baseKey, $"SELECT seq FROM {Schema}.decisions WHERE run_id = $1 AND base = $2 AND NOT undone ORDER BY seq DESC LIMIT 1", undone: true);

    /// <summary>As <see cref="ImageStore.RedoDecision"/>, for the run folder <paramref name="runId"/>.</summary>
    public DecisionRecord? RedoDecision(string runId, string baseKey) =>
        Flip(runId, baseKey, $"SELECT seq FROM {Schema}.decisions WHERE run_id = $1 AND base = $2 AND undone ORDER BY seq LIMIT 1", undone: false);

    private DecisionRecord? Flip(string runId, string baseKey, string select, bool undone)
    {
        using var tx = _connection.BeginTransaction();
        long seq;
        // FOR UPDATE: two review pages on one run (two machines) must not flip the same decision twice.
        using (var find = Command(select + " FOR UPDATE", runId, baseKey))
        {
            if (find.ExecuteScalar() is not long found) return null;
            seq = found;
        }
        using (var update = Command($"UPDATE {Schema}.decisions SET undone = $1 WHERE seq = $2", undone, seq))
            update.ExecuteNonQuery();
        tx.Commit();
        return GetDecisions(runId, baseKey).First(d => d.Seq == seq);
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var cmd = new NpgsqlCommand(sql, _connection);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return cmd;
    }
}
