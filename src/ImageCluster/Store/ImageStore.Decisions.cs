namespace ImageCluster.Store;

/// <summary>One entry of a run's review log.</summary>
/// <param name="Seq">Sequence number: the log's order, increasing.</param>
/// <param name="Kind">What was decided (<c>Review.Decision</c>'s kind name).</param>
/// <param name="PayloadJson">The decision as JSON.</param>
/// <param name="CreatedUtc">When it was recorded.</param>
/// <param name="Undone">True when undone (it can still be redone until a new decision is recorded).</param>
internal sealed record DecisionRecord(long Seq, string Kind, string PayloadJson, DateTime CreatedUtc, bool Undone);

internal sealed partial class ImageStore
{
    // The log is the source of truth and the state is replayed from it: undo and redo only flip a flag, so a crash
    // between two statements cannot leave a materialised state that disagrees with the log. Every row names the
    // clustering it applies to (a hash of assignments.csv), because a rerun of 'cluster' renumbers the clusters; that
    // rerun appends the decisions that still apply to the new clustering's log (Review.ReviewCarryOver).

    /// <summary>The log of decisions on the clustering <paramref name="baseKey"/>, oldest first (undone ones included).</summary>
    public List<DecisionRecord> GetDecisions(string baseKey)
    {
        if (_serverRunId is { } run) return _server!.GetDecisions(run, baseKey);
        using var cmd = Command("SELECT seq, kind, payload_json, created_utc, undone FROM decisions WHERE base = $base ORDER BY seq");
        cmd.Parameters.AddWithValue("$base", baseKey);
        using var reader = cmd.ExecuteReader();
        var list = new List<DecisionRecord>();
        while (reader.Read())
            list.Add(new DecisionRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                DateTime.Parse(reader.GetString(3), null, System.Globalization.DateTimeStyles.RoundtripKind), reader.GetInt64(4) != 0));
        return list;
    }

    /// <summary>
    /// Appends a decision (committed before this returns). Undone decisions after the last live one are dropped first:
    /// a new decision ends the redo history, as in any editor.
    /// </summary>
    public long AppendDecision(string baseKey, string kind, string payloadJson)
    {
        if (_serverRunId is { } run) return _server!.AppendDecision(run, baseKey, kind, payloadJson);
        using var tx = _connection.BeginTransaction();
        using (var drop = Command("DELETE FROM decisions WHERE base = $base AND undone = 1"))
        {
            drop.Parameters.AddWithValue("$base", baseKey);
            drop.ExecuteNonQuery();
        }
        using var cmd = Command("INSERT INTO decisions (base, kind, payload_json, created_utc) VALUES ($base, $kind, $payload, $created); SELECT last_insert_rowid();");
        cmd.Parameters.AddWithValue("$base", baseKey);
        cmd.Parameters.AddWithValue("$kind", kind);
        cmd.Parameters.AddWithValue("$payload", payloadJson);
        cmd.Parameters.AddWithValue("$created", DateTime.UtcNow.ToString("O"));
        long seq = (long)cmd.ExecuteScalar()!;
        tx.Commit();
        return seq;
    }

    /// <summary>Marks the last live decision undone; returns it, or null when there is nothing to undo.</summary>
    public DecisionRecord? UndoDecision(string baseKey) => _serverRunId is { } run ? _server!.UndoDecision(run, baseKey) :
        Flip(baseKey, "SELECT seq FROM decisions WHERE base = $base AND undone = 0 ORDER BY seq DESC LIMIT 1", undone: true);

    /// <summary>Restores the earliest undone decision; returns it, or null when there is nothing to redo.</summary>
    public DecisionRecord? RedoDecision(string baseKey) => _serverRunId is { } run ? _server!.RedoDecision(run, baseKey) :
        Flip(baseKey, "SELECT seq FROM decisions WHERE base = $base AND undone = 1 ORDER BY seq LIMIT 1", undone: false);

    private DecisionRecord? Flip(string baseKey, string select, bool undone)
    {
        using var tx = _connection.BeginTransaction();
        long seq;
        using (var find = Command(select))
        {
            find.Parameters.AddWithValue("$base", baseKey);
            if (find.ExecuteScalar() is not long found) return null;
            seq = found;
        }
        using (var update = Command("UPDATE decisions SET undone = $undone WHERE seq = $seq"))
        {
            update.Parameters.AddWithValue("$undone", undone ? 1 : 0);
            update.Parameters.AddWithValue("$seq", seq);
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return GetDecisions(baseKey).First(d => d.Seq == seq);
    }
}
