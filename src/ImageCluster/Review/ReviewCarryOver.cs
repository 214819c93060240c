using ImageCluster.Runs;
using ImageCluster.Store;

namespace ImageCluster.Review;

/// <summary>
/// Carries a review over a new clustering of the same run folder. A person's verdict on an image survives as long as the
/// image is in the run. A verdict on a cluster becomes the verdict of each image the cluster held at the time (so "keep
/// these images" survives), since the cluster number now means another group. Names, merges, splits and moves name
/// clusters that no longer exist: they are dropped, and the line returned says so. The previous log stays as it was
/// (append-only); the new clustering's log gets one <see cref="CarryOver"/>, which an undo reverts.
/// </summary>
internal sealed class ReviewCarryOver
{
    private readonly string _baseKey;
    private readonly string _input;
    private readonly IReadOnlyList<ImageStatus> _images;
    private readonly IReadOnlyList<Decision> _live;
    private readonly string[] _like;
    private readonly string[] _unlike;

    private ReviewCarryOver(string baseKey, string input, ReviewState state, IReadOnlyList<Decision> live)
    {
        _baseKey = baseKey;
        _input = input;
        _images = state.Images;
        _live = live;
        _like = [.. state.LikeExamples.Order(StringComparer.Ordinal)];
        _unlike = [.. state.UnlikeExamples.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Reads the review of the clustering in <paramref name="runFolder"/> before it is replaced; null when it has no live
    /// decision (or there is no clustering yet).
    /// </summary>
    public static ReviewCarryOver? Capture(string runFolder, Action<string>? notice)
    {
        string assignments = Path.Combine(runFolder, Runs.RunFolder.AssignmentsFileName), db = Path.Combine(runFolder, ImageStore.FileName);
        if (!File.Exists(assignments) || !File.Exists(db)) return null;
        try
        {
            // Decisions only: they live in the run's own database, whatever became of the embedding store.
            using var session = ReviewSession.Open(runFolder, withEmbeddings: false);
            var live = session.LiveDecisions();
            return live.Count == 0 ? null : new ReviewCarryOver(session.BaseKey, session.InputFolder, session.State, live);
        }
        catch (Exception e) when (e is ImageClusterException or IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            // A features run (nothing to review) or a run without a review: nothing is lost, say nothing.
            if (!HasLiveDecisions(db, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(assignments))))) return null;
            notice?.Invoke($"the review of the previous clustering in {runFolder} cannot be read ({e.Message}); it is not carried over to the new clustering");
            return null;
        }
    }

    private static bool HasLiveDecisions(string db, string baseKey)
    {
        using var store = ImageStore.Open(db);
        return store.GetDecisions(baseKey).Any(d => !d.Undone);
    }

    /// <summary>
    /// Records the carry-over into the log of the clustering now in <paramref name="runFolder"/> (of the images of
    /// <paramref name="input"/>); null when that is the very clustering the review was made on.
    /// </summary>
    public ReviewCarryOverInfo? CarryInto(string runFolder, string input)
    {
        var (paths, _, baseKey) = ReviewSession.ReadAssignments(Path.Combine(runFolder, Runs.RunFolder.AssignmentsFileName), input);
        if (baseKey == _baseKey) return null;

        bool sameInput = string.Equals(Path.GetFullPath(_input).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(input).TrimEnd(Path.DirectorySeparatorChar),
            StringComparison.Ordinal);
        var present = sameInput ? new HashSet<string>(paths, StringComparer.Ordinal) : [];
        var decided = _images.Where(i => i.Verdict != Verdict.Undecided).ToList();
        var carried = decided.Where(i => present.Contains(i.Path)).ToList();
        int own = carried.Count(i => i.Own is not null), fromCluster = carried.Count - own, gone = decided.Count - carried.Count;
        string[] like = [.. _like.Where(present.Contains)], unlike = [.. _unlike.Where(present.Contains)];

        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var decision in _live)
        {
            string? kind = decision switch
            {
                ClusterVerdict v => v.Verdict.ToString().ToLowerInvariant(),
                RenameCluster => "rename",
                MergeClusters => "merge",
                SplitCluster => "split",
                MoveImages => "move",
                _ => null, // image verdicts and earlier carry-overs live on in the images' own verdicts
            };
            if (kind is not null) kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        string[] verdictKinds = ["keep", "discard", "undecided"], droppedKinds = ["rename", "merge", "split", "move"];
        int turned = verdictKinds.Sum(k => kinds.GetValueOrDefault(k));
        string droppedDecisions = string.Join(", ", droppedKinds.Where(kinds.ContainsKey).Select(k => Count(kinds[k], k)));
        var dropped = new List<string>();
        if (droppedDecisions.Length > 0)
            dropped.Add(droppedDecisions + (droppedKinds.Sum(k => kinds.GetValueOrDefault(k)) == 1 ? " (it names a cluster that no longer exists)" : " (they name clusters that no longer exist)"));
        if (gone > 0) dropped.Add($"the verdicts of {Count(gone, "image")} no longer in the run");

        string db = Path.Combine(runFolder, ImageStore.FileName);
        bool replaced;
        using (var store = ImageStore.Open(db))
        {
            replaced = store.GetDecisions(baseKey).Any(d => !d.Undone);
            if (carried.Count > 0 || replaced)
                ReviewSession.Append(store, baseKey, new CarryOver(
                    carried.Where(i => i.Verdict == Verdict.Keep).Select(i => i.Path).ToArray(),
                    carried.Where(i => i.Verdict == Verdict.Discard).Select(i => i.Path).ToArray(),
                    string.Join("; ", dropped), like.Length > 0 ? like : null, unlike.Length > 0 ? unlike : null));
        }

        var parts = new List<string>();
        if (!sameInput) parts.Add($"reclustered another folder ({input}) than the reviewed clustering ({_input}): no decision carried over");
        else
        {
            parts.Add($"reclustered: kept the verdicts of {Count(own, "image")} decided one by one" +
                      (like.Length + unlike.Length > 0 ? $" (among them the examples: like {like.Length}, unlike {unlike.Length})" : ""));
            if (turned > 0)
                parts.Add($"turned {Count(turned, "cluster verdict")} of the previous clustering " +
                          $"({string.Join(", ", verdictKinds.Where(k => k != "undecided" || kinds.ContainsKey(k)).Select(k => $"{k} {kinds.GetValueOrDefault(k)}"))}) into verdicts of the {Count(fromCluster, "image")} they covered");
        }
        if (dropped.Count > 0) parts.Add("dropped " + string.Join(" and ", dropped));
        if (replaced) parts.Add("this replaces the earlier review of the same clustering (undoing the carry-over brings it back)");
        return new ReviewCarryOverInfo(own, fromCluster, kinds, gone, replaced, string.Join("; ", parts));
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
