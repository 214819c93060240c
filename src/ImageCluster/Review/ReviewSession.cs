using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Export;
using ImageCluster.Store;

namespace ImageCluster.Review;

/// <summary>Counts of images by effective verdict.</summary>
/// <param name="Images">All images of the run.</param>
/// <param name="Kept">Kept.</param>
/// <param name="Discarded">Discarded.</param>
/// <param name="Undecided">Undecided.</param>
/// <param name="LikeExamples">Images marked as like examples.</param>
/// <param name="UnlikeExamples">Images marked as unlike examples.</param>
/// <param name="AcceptedProposals">Images whose verdict is an accepted proposal.</param>
/// <param name="AddedImages">Images added to the dump after the review began.</param>
/// <param name="InheritedKeep">Added images that follow a kept cluster.</param>
/// <param name="InheritedDiscard">Added images that follow a discarded cluster.</param>
/// <param name="InNewGroup">Added images in the group of those near no cluster.</param>
/// <param name="AddedUndecided">Added images still undecided.</param>
internal sealed record VerdictCounts(int Images, int Kept, int Discarded, int Undecided, int LikeExamples = 0, int UnlikeExamples = 0, int AcceptedProposals = 0,
    int AddedImages = 0, int InheritedKeep = 0, int InheritedDiscard = 0, int InNewGroup = 0, int AddedUndecided = 0);

/// <summary>One history entry of <see cref="ReviewStatus"/>.</summary>
/// <param name="Seq">Sequence number in the log.</param>
/// <param name="Kind">Decision kind.</param>
/// <param name="Description">One line.</param>
/// <param name="CreatedUtc">When it was recorded.</param>
/// <param name="Undone">Undone (redo brings it back).</param>
internal sealed record HistoryEntry(long Seq, string Kind, string Description, DateTime CreatedUtc, bool Undone);

/// <summary>Everything a status view shows (the review's counts and decisions).</summary>
/// <param name="Run">Run folder.</param>
/// <param name="Input">Input folder.</param>
/// <param name="Counts">Images by verdict.</param>
/// <param name="Clusters">Clusters with names, verdicts and counts.</param>
/// <param name="History">The log, oldest first.</param>
/// <param name="CanUndo">A live decision exists.</param>
/// <param name="CanRedo">An undone decision can be redone.</param>
/// <param name="Proposals">What the examples propose, when asked for.</param>
internal sealed record ReviewStatus(string Run, string Input, VerdictCounts Counts, IReadOnlyList<ClusterStatus> Clusters,
    IReadOnlyList<HistoryEntry> History, bool CanUndo, bool CanRedo, ProposalSet? Proposals = null);

/// <summary>A bulk decision picked from a run's findings (duplicates or issues), before it is recorded.</summary>
/// <param name="Decision">The decision, or null when the findings name no image of the run.</param>
/// <param name="Images">Images of the run it decides.</param>
/// <param name="NotInRun">Images the findings name that the run does not hold (unreadable, or added after clustering).</param>
/// <param name="KeptNotInRun">Duplicates left undecided because the image their group keeps is not in the run.</param>
internal sealed record CurationPlan(ImageVerdict? Decision, int Images, int NotInRun, int KeptNotInRun = 0);

/// <summary>
/// The review of one run folder: its assignments, plus the decisions recorded in its SQLite store. Every decision is
/// committed to the store before <see cref="Record(Decision)"/> returns, so a reload or a crash loses nothing. Several sessions (processes)
/// may share a run: each decision is checked against the stored log, and <see cref="Refresh"/> picks up the others'. Not thread-safe.
/// </summary>
internal sealed class ReviewSession : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly ImageStore _store;
    private readonly string _baseKey;
    private readonly IReadOnlyList<string> _paths;
    private readonly IReadOnlyList<int> _labels;
    private readonly RunInfo _run;

    private sealed record RunInfo(string Input, string ModelName, string CacheKey, string Output, bool Normalize, string? Store);

    private ReviewSession(string runFolder, RunInfo run, IReadOnlyList<string> paths, IReadOnlyList<int> labels, string baseKey, ImageStore store)
    {
        RunFolder = runFolder;
        _run = run;
        _paths = paths;
        _labels = labels;
        _baseKey = baseKey;
        _store = store;
        State = Replay();
    }

    /// <summary>Absolute run folder.</summary>
    public string RunFolder { get; }

    /// <summary>Absolute input folder of the run.</summary>
    public string InputFolder => _run.Input;

    /// <summary>The current state (the live decisions replayed over the assignments).</summary>
    public ReviewState State { get; private set; }

    /// <summary>Opens the review of a run folder written by <see cref="Pipeline.ClusterJob"/>.</summary>
    /// <exception cref="ImageClusterException">Not a run folder of images, or a file of it is missing or unreadable.</exception>
    public static ReviewSession Open(string runFolder) => Open(runFolder, withEmbeddings: true);

    /// <summary>
    /// Opens the review of a run folder; without <paramref name="withEmbeddings"/> only its decision log is opened, so the
    /// decisions can be read even where the shared store that holds the embeddings is gone (what a carry-over needs).
    /// </summary>
    internal static ReviewSession Open(string runFolder, bool withEmbeddings)
    {
        var runFolderFiles = Runs.RunFolder.Open(runFolder);
        string folder = runFolderFiles.Path, assignments = runFolderFiles.AssignmentsFile, db = Path.Combine(folder, ImageStore.FileName);
        foreach (var required in new[] { assignments, db })
            if (!File.Exists(required))
                throw new ImageClusterException($"{runFolder} is not a run folder: {Path.GetFileName(required)} is missing (cluster a folder into it first)");
        var summary = runFolderFiles.Summary;
        if (summary.Model is not { } model)
            throw new ImageClusterException($"{runFolder} clustered a features file, not a folder of images: there are no images to review or export");
        var run = new RunInfo(summary.Input, model.Name, model.CacheKey, model.Output, summary.Options.Normalize, summary.Store);

        var (paths, labels, baseKey) = ReadAssignments(assignments, run.Input);
        runFolderFiles.RequireAllAssignments(paths.Count);
        var store = withEmbeddings ? ImageStore.OpenExistingRun(folder, run.Store) : ImageStore.Open(db);
        return new ReviewSession(folder, run, paths, labels, baseKey, store);
    }

    /// <summary>
    /// The images and labels of an assignments.csv, and the key its decisions are stored under (a hash of the file:
    /// another clustering is another key, since it numbers its clusters afresh).
    /// </summary>
    internal static (List<string> Paths, List<int> Labels, string BaseKey) ReadAssignments(string assignments, string input)
    {
        byte[] bytes = File.ReadAllBytes(assignments);
        var paths = new List<string>();
        var labels = new List<int>();
        using (var reader = new StringReader(new System.Text.UTF8Encoding(false).GetString(bytes)))
            foreach (var row in Csv.Read(reader).Skip(1))
            {
                if (row.Length < 2 || !int.TryParse(row[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
                    throw new ImageClusterException($"{assignments} line {paths.Count + 2} is not 'path,cluster,…'");
                // The guard runs on every path the run hands us: an edited assignments.csv must not reach outside the input.
                paths.Add(InputPaths.Resolve(input, row[0]).Relative);
                labels.Add(label);
            }
        return (paths, labels, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>The live (not undone) decisions of this clustering, oldest first.</summary>
    internal IReadOnlyList<Decision> LiveDecisions() => _store.GetDecisions(_baseKey).Where(d => !d.Undone).Select(Parse).ToList();

    /// <summary>The key this session's decisions are stored under (see <see cref="ReadAssignments"/>).</summary>
    internal string BaseKey => _baseKey;

    /// <summary>Stores <paramref name="decision"/> in the log of clustering <paramref name="baseKey"/> without replaying it.</summary>
    internal static long Append(ImageStore store, string baseKey, Decision decision) =>
        store.AppendDecision(baseKey, decision.Kind, JsonSerializer.Serialize(decision, Json));

    /// <summary>Checks a path from a user (relative to the input, or absolute) and returns the run's image it names.</summary>
    /// <exception cref="ImageClusterException">Outside the input folder (see <see cref="InputPaths"/>) or not an image of this run.</exception>
    public InputPath ResolveImage(string path)
    {
        var resolved = InputPaths.Resolve(InputFolder, path);
        if (!State.Contains(resolved.Relative)) throw new ImageClusterException($"{path} is not an image of this run");
        return resolved;
    }

    /// <summary>Applies and stores a decision (committed before returning). A decision that does not fit changes nothing.</summary>
    public long Record(Decision decision) => Record(_ => decision);

    /// <summary>
    /// Stores the decision <paramref name="decide"/> works out from this session (e.g. "every undecided image") once the
    /// session has read what other processes stored, so it is worked out on the state it is applied to.
    /// </summary>
    public long Record(Func<ReviewSession, Decision> decide)
    {
        // Another process (the CLI beside the review page) may have written since: decide on the stored state.
        State = Replay();
        var decision = decide(this).Normalized();
        var next = State.Clone();
        next.Apply(decision);
        long seq = Append(_store, _baseKey, decision);
        State = next;
        return seq;
    }

    /// <summary>
    /// Records several decisions, in order, all or none: each is tried on the state the previous ones leave, and nothing
    /// is stored when one does not fit.
    /// </summary>
    /// <returns>The sequence number of each decision.</returns>
    public IReadOnlyList<(long Seq, Decision Decision)> RecordAll(IReadOnlyList<Decision> decisions)
    {
        State = Replay();
        var trial = State.Clone();
        foreach (var d in decisions) trial.Apply(d.Normalized());
        return decisions.Select(d => (Record(d), d)).ToList();
    }

    /// <summary>Reads the log again (another process may have recorded decisions since this session opened).</summary>
    public void Refresh() => State = Replay();

    /// <summary>Undoes the last live decision; returns it, or null when there is none.</summary>
    public HistoryEntry? Undo() => Flip(_store.UndoDecision(_baseKey));

    /// <summary>Redoes the earliest undone decision; returns it, or null when there is none.</summary>
    public HistoryEntry? Redo() => Flip(_store.RedoDecision(_baseKey));

    private HistoryEntry? Flip(DecisionRecord? record)
    {
        if (record is null) return null;
        State = Replay();
        return ToEntry(record);
    }

    /// <summary>
    /// Computes a split of <paramref name="cluster"/> by K-Means (k = 2) on the stored embeddings of its images, in the
    /// run's feature space before PCA (L2-normalised when the run was). The larger part keeps the label. Record the
    /// result to apply it.
    /// </summary>
    /// <exception cref="ImageClusterException">Unknown cluster, fewer than two images, or embeddings missing from the store.</exception>
    public SplitCluster PlanSplit(int cluster, int seed = 0)
    {
        if (!State.HasCluster(cluster)) throw new ImageClusterException($"there is no cluster {cluster}");
        var members = State.Members(cluster);
        if (members.Count < 2) throw new ImageClusterException($"cluster {cluster} has {members.Count} image(s); a split needs at least 2");
        var files = _store.GetFiles(InputFolder);
        var hashes = members.Select(p => files.TryGetValue(p, out var f) ? f.Sha256 : throw new ImageClusterException(
            $"{p} is not in the store of {RunFolder}; cluster the folder again")).ToList();
        var vectors = _store.GetEmbeddings(hashes, _run.CacheKey, _run.Output);
        var rows = hashes.Select((h, i) => vectors.TryGetValue(h, out var v) ? v : throw new ImageClusterException(
            $"the embedding of {members[i]} is not in the store of {RunFolder}; cluster the folder again")).ToList();
        var features = FeatureMatrix.FromRows(rows);
        if (_run.Normalize) features.NormalizeRowsInPlace();
        return Split(State, cluster, members, features, seed, _run.ModelName);
    }

    /// <summary>
    /// The split <see cref="PlanSplit"/> records, from the members' feature rows: K-Means (k = 2), the larger part keeps
    /// the label.
    /// </summary>
    internal static SplitCluster Split(ReviewState state, int cluster, IReadOnlyList<string> members, FeatureMatrix features, int seed, string model)
    {
        var labels = new KMeans(new KMeansOptions { NClusters = 2, Seed = seed }).Fit(features).Labels;
        int larger = labels.Count(l => l == 0) >= labels.Count(l => l == 1) ? 0 : 1;
        var moved = members.Where((_, i) => labels[i] != larger).ToArray();
        return new SplitCluster(cluster, state.NextCluster, moved, $"kmeans k=2 seed {seed} on {model}");
    }

    /// <summary>
    /// One decision discarding every image of the run that the run folder's <c>duplicates.csv</c> lets go: all but the
    /// kept image of each group. Images the findings name that are not in this run (unreadable ones, or images added
    /// since the clustering) are counted, not decided. Record the result to apply it; one undo takes it back.
    /// </summary>
    /// <exception cref="ImageClusterException">No findings in the run folder, or findings made for another input.</exception>
    public CurationPlan PlanDiscardDuplicates()
    {
        var rows = CurationFiles.ReadDuplicates(RunFolder, InputFolder);
        // A group whose kept image is not in the run keeps all its copies here: discarding them would export none.
        var keptHere = rows.Where(r => r.Keep && State.Contains(r.Path)).Select(r => r.Group).ToHashSet();
        var goes = rows.Where(r => !r.Keep).ToList();
        var plan = Plan(goes.Where(r => keptHere.Contains(r.Group)).Select(r => r.Path), "duplicates: all but the kept image of each group");
        return plan with { KeptNotInRun = goes.Count(r => !keptHere.Contains(r.Group) && State.Contains(r.Path)) };
    }

    /// <summary>
    /// One decision discarding every image of the run that the run folder's <c>issues.csv</c> gives one of
    /// <paramref name="issues"/> (names as written there, e.g. blurry, dark). Record the result to apply it.
    /// </summary>
    /// <exception cref="ArgumentException">An issue name that does not exist.</exception>
    /// <exception cref="ImageClusterException">No findings in the run folder, or findings made for another input.</exception>
    public CurationPlan PlanDiscardIssues(IReadOnlyCollection<string> issues)
    {
        if (issues.Count == 0) throw new ArgumentException("name at least one issue", "Issues");
        if (issues.FirstOrDefault(i => !Curation.IssueNames.All.Contains(i)) is { } unknown)
            throw new ArgumentException($"Issues: '{unknown}' is not an issue; the issues are {string.Join(", ", Curation.IssueNames.All)}", "Issues");
        var wanted = issues.ToHashSet(StringComparer.Ordinal);
        var rows = CurationFiles.ReadIssues(RunFolder, InputFolder);
        return Plan(rows.Where(r => wanted.Contains(r.Issue)).Select(r => r.Path), $"issues: {string.Join(", ", wanted.Order(StringComparer.Ordinal))}");
    }

    private CurationPlan Plan(IEnumerable<string> found, string reason)
    {
        var paths = found.Distinct(StringComparer.Ordinal).ToList();
        var inRun = paths.Where(State.Contains).ToArray();
        return new CurationPlan(inRun.Length == 0 ? null : new ImageVerdict(inRun, Verdict.Discard, reason), inRun.Length, paths.Count - inRun.Length);
    }

    /// <summary>
    /// The stored embedding of every image of the run that has one (in the run's feature space before PCA, L2-normalised
    /// when the run was), by relative path. Images whose file or embedding is not in the store are left out.
    /// </summary>
    public Dictionary<string, float[]> LoadEmbeddings() => LoadEmbeddingsFrom(_store);

    private Dictionary<string, float[]> LoadEmbeddingsFrom(ImageStore store)
    {
        var files = store.GetFiles(InputFolder);
        var hashes = _paths.Where(files.ContainsKey).ToDictionary(p => p, p => files[p].Sha256, StringComparer.Ordinal);
        var vectors = store.GetEmbeddings(hashes.Values.Distinct(), _run.CacheKey, _run.Output);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (path, hash) in hashes)
            if (vectors.TryGetValue(hash, out var v))
                result[path] = _run.Normalize ? FeatureMatrix.FromRows([v]).NormalizeRowsInPlace().Data : v;
        return result;
    }

    /// <summary>
    /// What the examples marked so far propose for every image and cluster (<see cref="ExampleProposals"/>), on the run's
    /// stored embeddings and their neighbour graph.
    /// </summary>
    /// <exception cref="ImageClusterException">No example, or the embeddings are missing from the store.</exception>
    public ProposalSet Propose(ProposalOptions? options = null) => Propose(State, options);

    /// <summary>
    /// <see cref="Propose(ProposalOptions?)"/> for <paramref name="state"/>, a trial state of this run (decisions tried
    /// on a <see cref="ReviewState.Clone"/> before they are recorded).
    /// </summary>
    public ProposalSet Propose(ReviewState state, ProposalOptions? options = null)
    {
        options ??= new ProposalOptions();
        if (state.LikeExamples.Count == 0) throw new ImageClusterException(ExampleProposals.NoExamples); // before the graph is built
        // The graph depends on the embeddings only: built once per session. Above the exact scan's reach its neighbours come
        // from the folder's saved index (built and saved the first time), so a later select pays the queries, not a build.
        if (_graph is not { } built || built.Neighbours != options.Neighbours)
        {
            using var similar = OpenSimilar(exactUpTo: Clustering.FuzzyNeighbourGraph.ExactNeighboursUpTo);
            if (similar.RowPaths.Count < 2)
                throw new ImageClusterException($"proposals need the stored embeddings of the run's images; the store of {RunFolder} has {similar.RowPaths.Count}");
            _graph = built = (similar.RowPaths, ExampleProposals.Graph(similar, options), options.Neighbours);
        }
        return ExampleProposals.Of(state, built.Paths, built.Graph, options);
    }

    private (IReadOnlyList<string> Paths, Clustering.WeightedGraph Graph, int Neighbours)? _graph;

    /// <summary>
    /// "Find similar" over the run's stored embeddings; above <paramref name="exactUpTo"/> images from the neighbour index
    /// kept beside the store for this folder and model (the one the duplicates and issues jobs save), built there if missing.
    /// </summary>
    public SimilarImages OpenSimilar(Action<string>? notice = null, int exactUpTo = SimilarImages.DefaultExactUpTo) =>
        OpenSimilarFrom(_store, notice, exactUpTo);

    /// <summary>
    /// <see cref="OpenSimilar"/> through a connection of its own, so it may run on another thread
    /// while this session serves requests: reading 100 000 stored vectors takes seconds.
    /// </summary>
    public SimilarImages OpenSimilarOnOwnConnection(Action<string>? notice = null)
    {
        using var store = ImageStore.OpenExistingRun(RunFolder, _run.Store);
        return OpenSimilarFrom(store, notice, SimilarImages.DefaultExactUpTo);
    }

    private SimilarImages OpenSimilarFrom(ImageStore storeToRead, Action<string>? notice, int exactUpTo)
    {
        var embeddings = LoadEmbeddingsFrom(storeToRead);
        if (_run.Store is not { } storePath) return new SimilarImages(embeddings, exactUpTo: exactUpTo);
        var files = storeToRead.GetFiles(InputFolder);
        return new SimilarImages(embeddings, (unit, paths) => Neighbours.SavedNeighbourIndex.Open(
            Neighbours.SavedNeighbourIndex.BesideStore(storePath, InputFolder, _run.CacheKey), unit, DistanceMetric.Cosine,
            [.. paths.Select(p => files[p].Sha256)], keepVectorsNotInRows: true, notice: notice).Index, exactUpTo);
    }

    /// <summary>Counts, clusters and history.</summary>
    public ReviewStatus Status()
    {
        var images = State.Images;
        var inheritedPaths = State.InheritedImages.ToHashSet(StringComparer.Ordinal);
        var inherited = images.Where(i => inheritedPaths.Contains(i.Path)).ToList();
        var history = _store.GetDecisions(_baseKey).Select(ToEntry).ToList();
        return new ReviewStatus(RunFolder, InputFolder,
            new VerdictCounts(images.Count, images.Count(i => i.Verdict == Verdict.Keep), images.Count(i => i.Verdict == Verdict.Discard),
                images.Count(i => i.Verdict == Verdict.Undecided), State.LikeExamples.Count, State.UnlikeExamples.Count, State.AcceptedProposals.Count,
                State.AddedImages.Count, inherited.Count(i => i.Verdict == Verdict.Keep), inherited.Count(i => i.Verdict == Verdict.Discard),
                images.Count(i => State.AddedImages.Contains(i.Path) && State.NewGroups.Contains(i.Cluster)),
                images.Count(i => State.AddedImages.Contains(i.Path) && i.Verdict == Verdict.Undecided)),
            State.Clusters, history, history.Any(h => !h.Undone), history.Any(h => h.Undone));
    }

    private HistoryEntry ToEntry(DecisionRecord r) => new(r.Seq, r.Kind, Parse(r).Describe(), r.CreatedUtc, r.Undone);

    private Decision Parse(DecisionRecord r)
    {
        try
        {
            return JsonSerializer.Deserialize<Decision>(r.PayloadJson, Json) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ImageClusterException($"decision {r.Seq} ({r.Kind}) in the review log of {RunFolder} cannot be read ({e.Message}): " +
                                            $"{Path.Combine(RunFolder, ImageStore.FileName)} is damaged");
        }
    }

    private ReviewState Replay()
    {
        var state = new ReviewState(_paths, _labels);
        foreach (var record in _store.GetDecisions(_baseKey).Where(d => !d.Undone))
            state.Apply(Parse(record));
        return state;
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
