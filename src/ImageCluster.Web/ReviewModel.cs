using ImageCluster.Export;
using ImageCluster.Review;
using ImageCluster.Runs;

namespace ImageCluster.Web;

/// <summary>A cluster card of the overview.</summary>
/// <param name="Cluster">Label.</param>
/// <param name="Name">Reviewer's name or null.</param>
/// <param name="Verdict">Keep, discard or undecided.</param>
/// <param name="Size">Images.</param>
/// <param name="Kept">Kept images.</param>
/// <param name="Discarded">Discarded images.</param>
/// <param name="Undecided">Undecided images.</param>
/// <param name="Cohesion">Mean cosine similarity to the cluster's mean direction, or null without embeddings.</param>
/// <param name="Samples">Image numbers of up to four sample thumbnails.</param>
/// <param name="Proposal">What the examples propose for it, when there are examples.</param>
internal sealed record ClusterCard(int Cluster, string? Name, Verdict Verdict, int Size, int Kept, int Discarded, int Undecided, double? Cohesion, int[] Samples,
    ClusterProposal? Proposal = null);

/// <summary>The examples and what they propose, as far as the overview shows it.</summary>
/// <param name="Like">Like seeds (examples and kept images).</param>
/// <param name="Unlike">Unlike seeds.</param>
/// <param name="SureKeep">Undecided images proposed to keep at confidence ≥ 0.9.</param>
/// <param name="SureDiscard">Undecided images proposed to discard at confidence ≥ 0.9.</param>
/// <param name="Error">Why there are no proposals although there are examples (e.g. they lie in every cluster).</param>
internal sealed record ProposalsView(int Like, int Unlike, int SureKeep, int SureDiscard, string? Error);

/// <summary>What the page shows outside a cluster: counts, cards (largest first), undo/redo and recent history.</summary>
/// <param name="Run">Run folder.</param>
/// <param name="Input">Input folder.</param>
/// <param name="Counts">Images by verdict.</param>
/// <param name="Clusters">Cards, largest first.</param>
/// <param name="CanUndo">Something to undo.</param>
/// <param name="CanRedo">Something to redo.</param>
/// <param name="History">The latest decisions, newest first.</param>
/// <param name="Decisions">Live decisions a person made (what the review has cost so far, one action each; a carry-over
/// and added images are recorded by <c>cluster</c>, not made).</param>
/// <param name="Proposals">The examples' proposals, or null without examples; the cards are then in the queue's order.</param>
internal sealed record OverviewView(string Run, string Input, VerdictCounts Counts, IReadOnlyList<ClusterCard> Clusters, bool CanUndo, bool CanRedo,
    IReadOnlyList<HistoryEntry> History, int Decisions, ProposalsView? Proposals);

/// <summary>An image whose path matched a search.</summary>
/// <param name="Image">Image number.</param>
/// <param name="Path">Relative path.</param>
/// <param name="Cluster">Its cluster now.</param>
internal sealed record SearchHit(int Image, string Path, int Cluster);

/// <summary>The members of one cluster, in run order: parallel arrays of numbers, so 10 000 images stay a small response.</summary>
/// <param name="Cluster">The card.</param>
/// <param name="Images">Image numbers.</param>
/// <param name="Verdicts">Effective verdict per image: 0 undecided, 1 keep, 2 discard.</param>
/// <param name="Own">1 when the image has its own verdict (it overrides the cluster's), 2 when that verdict is an accepted proposal.</param>
/// <param name="Examples">1 for a like example, 2 for an unlike example, else 0.</param>
/// <param name="Added">1 for an image added to the dump after the review began, else 0.</param>
internal sealed record ClusterView(ClusterCard Cluster, int[] Images, int[] Verdicts, int[] Own, int[] Examples, int[] Added);

/// <summary>A neighbour of "find similar".</summary>
/// <param name="Image">Image number.</param>
/// <param name="Path">Relative path.</param>
/// <param name="Cluster">Its cluster now.</param>
/// <param name="Similarity">Cosine similarity.</param>
internal sealed record SimilarView(int Image, string Path, int Cluster, float Similarity);

/// <summary>One image of a duplicate group on the page.</summary>
/// <param name="Image">Image number.</param>
/// <param name="Similarity">Cosine similarity to the group's kept image.</param>
/// <param name="Keep">The image the keep rule keeps.</param>
/// <param name="Verdict">Its effective verdict now (0 undecided, 1 keep, 2 discard).</param>
internal sealed record DuplicateMemberView(int Image, double Similarity, bool Keep, int Verdict);

/// <summary>The run's duplicate groups, as far as the page shows them.</summary>
/// <param name="Found">The run folder holds findings of <c>duplicates</c>; when not, <paramref name="Missing"/> says how to make them.</param>
/// <param name="Groups">Groups with at least two images of the run.</param>
/// <param name="ToDiscard">Images of the run the rule lets go.</param>
/// <param name="NotInRun">Images the findings name that the run does not hold.</param>
/// <param name="Shown">The first groups, in the file's order.</param>
/// <param name="Missing">Why there is nothing to show, when <paramref name="Found"/> is false.</param>
internal sealed record DuplicatesView(bool Found, int Groups, int ToDiscard, int NotInRun, IReadOnlyList<DuplicateMemberView[]> Shown, string? Missing);

/// <summary>One issue of the run's findings on the page.</summary>
/// <param name="Issue">Its name, as in issues.csv.</param>
/// <param name="Images">Images of the run with it.</param>
/// <param name="Worst">The worst of them (highest score first), as image numbers.</param>
internal sealed record IssueView(string Issue, int Images, int[] Worst);

/// <summary>The run's issues.</summary>
/// <param name="Found">The run folder holds findings of <c>issues</c>.</param>
/// <param name="Issues">Every issue with at least one image of the run.</param>
/// <param name="NotInRun">Rows naming images the run does not hold (unreadable files are <c>corrupt</c> and never in a run).</param>
/// <param name="Missing">Why there is nothing to show.</param>
internal sealed record IssuesView(bool Found, IReadOnlyList<IssueView> Issues, int NotInRun, string? Missing);

/// <summary>The run's 2-D map (<see cref="Reports.RunMaps"/>) and where every image on it is now: parallel arrays.</summary>
/// <param name="Method">t-SNE or UMAP.</param>
/// <param name="Note">How it was made.</param>
/// <param name="Images">Image numbers of the points (images without a stored embedding are not on the map).</param>
/// <param name="X">Horizontal coordinate per point.</param>
/// <param name="Y">Vertical coordinate per point.</param>
/// <param name="Clusters">The cluster of each point now.</param>
/// <param name="Verdicts">Effective verdict of each point now: 0 undecided, 1 keep, 2 discard.</param>
internal sealed record MapView(string Method, string Note, int[] Images, float[] X, float[] Y, int[] Clusters, int[] Verdicts);

/// <summary>Where the map's points are now, in the order of <see cref="MapView.Images"/>: what a decision changes.</summary>
/// <param name="Clusters">The cluster of each point.</param>
/// <param name="Verdicts">Effective verdict of each point: 0 undecided, 1 keep, 2 discard.</param>
internal sealed record MapColours(int[] Clusters, int[] Verdicts);

/// <summary>
/// The review state behind the server. Images are addressed by their number (row of assignments.csv), so no request
/// carries a file path; one lock serialises the session, which is not thread-safe, and every read first picks up what
/// another process (the CLI) recorded.
/// </summary>
internal sealed class ReviewModel : IDisposable
{
    private readonly ReviewSession _session;
    private readonly Lazy<SimilarImages> _similar;
    private readonly Lazy<(int[] Images, float[] X, float[] Y, string Method, string Note)> _layout;
    private readonly Lazy<Clustering.WeightedGraph> _graph;
    private (string Key, ProposalSet? Set, string? Error) _proposals = ("", null, null);
    private readonly Dictionary<string, int> _number;
    private readonly object _gate = new();

    // Decisions the cluster job records on its own; they cost the reviewer nothing.
    private static readonly HashSet<string> Automatic = new(StringComparer.Ordinal) { CarryOver.KindName, AddImages.KindName };

    public ReviewModel(ReviewSession session)
    {
        _session = session;
        Paths = [.. session.State.Images.Select(i => i.Path)];
        _number = Paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        _similar = new Lazy<SimilarImages>(() => _session.OpenSimilarOnOwnConnection());
        _layout = new(Layout);
        _graph = new(() => ExampleProposals.Graph(_similar.Value, new ProposalOptions()));
        // Read the embeddings while the person is still opening the page, on a connection of their own and outside the
        // session's lock: at 100 000 images that takes seconds, and the clusters are listed (cohesion to follow) meanwhile.
        // A run with examples shows proposals at once: build their graph the same way, not inside the first request's lock.
        bool hasExamples = session.State.LikeExamples.Count > 0;
        Task.Run(() =>
        {
            _ = _similar.Value;
            if (hasExamples) _ = _graph.Value;
        });
    }

    /// <summary>Relative path of every image, by number.</summary>
    public string[] Paths { get; }

    public string InputFolder => _session.InputFolder;

    public string RunFolder => _session.RunFolder;

    /// <summary>Full path of image <paramref name="number"/>, checked again (a symlink may have changed since the run).</summary>
    public string? FullPath(int number) =>
        number >= 0 && number < Paths.Length && InputPaths.TryResolve(InputFolder, Paths[number], out var p, out _) ? p.Full : null;

    /// <summary>Number of the image a user-given path names, or null when it is refused or not an image of the run.</summary>
    public int? NumberOf(string path, out string error)
    {
        if (!InputPaths.TryResolve(InputFolder, path, out var resolved, out error)) return null;
        if (_number.TryGetValue(resolved.Relative, out int n)) return n;
        error = $"{path} is not an image of this run";
        return null;
    }

    public OverviewView Overview()
    {
        lock (_gate)
        {
            _session.Refresh();
            return BuildOverview();
        }
    }

    public ClusterView? Cluster(int cluster)
    {
        lock (_gate)
        {
            _session.Refresh();
            if (!_session.State.HasCluster(cluster)) return null;
            var members = _session.State.Images.Select((img, n) => (img, n)).Where(x => x.img.Cluster == cluster).ToList();
            var card = Cards(members.Select(m => m.img)).First(c => c.Cluster == cluster);
            var state = _session.State;
            return new ClusterView(card, [.. members.Select(m => m.n)], [.. members.Select(m => (int)m.img.Verdict)],
                [.. members.Select(m => m.img.Own is null ? 0 : state.AcceptedProposals.Contains(m.img.Path) ? 2 : 1)],
                [.. members.Select(m => state.LikeExamples.Contains(m.img.Path) ? 1 : state.UnlikeExamples.Contains(m.img.Path) ? 2 : 0)],
                [.. members.Select(m => state.AddedImages.Contains(m.img.Path) ? 1 : 0)]);
        }
    }

    /// <summary>Records a decision and returns the new overview.</summary>
    /// <exception cref="ImageClusterException">The decision does not fit the current state.</exception>
    public OverviewView Record(Func<ReviewSession, Decision> decide)
    {
        lock (_gate)
        {
            _session.Record(decide); // worked out on what the CLI wrote meanwhile (all undecided, the duplicates' plan)
            return BuildOverview();
        }
    }

    public OverviewView Undo(bool redo)
    {
        lock (_gate)
        {
            if (redo) _session.Redo();
            else _session.Undo();
            return BuildOverview();
        }
    }

    public IReadOnlyList<SimilarView> Similar(int number, int count)
    {
        lock (_gate)
        {
            _session.Refresh();
            var clusterOf = _session.State.Images.ToDictionary(i => i.Path, i => i.Cluster, StringComparer.Ordinal);
            return [.. _similar.Value.Nearest(Paths[number], count).Select(s => new SimilarView(_number[s.Path], s.Path, clusterOf[s.Path], s.Similarity))];
        }
    }

    /// <summary>
    /// The map of the run: laid out once per server (exact t-SNE up to 1 500 images, UMAP of all of them above, on the
    /// unit-length stored embeddings, seed 0), coloured by what the reviewer has made of the clusters since.
    /// </summary>
    /// <exception cref="ImageClusterException">Fewer than three images have a stored embedding.</exception>
    public MapView Map()
    {
        var (images, x, y, method, note) = _layout.Value; // outside the lock: UMAP of 100 000 images takes minutes
        lock (_gate)
        {
            _session.Refresh();
            var state = _session.State.Images;
            return new MapView(method, note, images, x, y, [.. images.Select(n => state[n].Cluster)], [.. images.Select(n => (int)state[n].Verdict)]);
        }
    }

    /// <summary>
    /// The clusters and verdicts of the map's points now, without the layout: after a decision the page needs only
    /// these (two numbers a point, not the 3 MB of a 100 000-image map).
    /// </summary>
    public MapColours Colours()
    {
        var images = _layout.Value.Images;
        lock (_gate)
        {
            _session.Refresh();
            var state = _session.State.Images;
            return new MapColours([.. images.Select(n => state[n].Cluster)], [.. images.Select(n => (int)state[n].Verdict)]);
        }
    }

    private (int[] Images, float[] X, float[] Y, string Method, string Note) Layout()
    {
        var similar = _similar.Value;
        if (similar.RowPaths.Count < 3)
            throw new ImageClusterException($"a map needs at least 3 images with a stored embedding; this run has {similar.RowPaths.Count}");
        var map = Reports.RunMaps.Neighbourhood(similar.UnitRows, seed: 0, new Clustering.TsneOptions(), new Clustering.UmapOptions(), CancellationToken.None);
        int[] images = [.. map.Samples.Select(row => _number[similar.RowPaths[row]])];
        return (images, [.. map.X.Select(v => (float)v)], [.. map.Y.Select(v => (float)v)], map.Name, map.Note);
    }

    /// <summary>At most this many duplicate groups go to the page at once.</summary>
    public const int ShownGroups = 300;

    /// <summary>At most this many examples per issue go to the page.</summary>
    public const int WorstPerIssue = 12;

    public DuplicatesView Duplicates()
    {
        if (!File.Exists(Path.Combine(RunFolder, CurationFiles.Duplicates)))
            return new DuplicatesView(false, 0, 0, 0, [], $"no duplicates found yet: 'imagecluster duplicates {FindingsInput} --out {RunFolder}' finds them");
        lock (_gate)
        {
            _session.Refresh();
            var rows = CurationFiles.ReadDuplicates(RunFolder, InputFolder);
            var verdicts = _session.State.Images.ToDictionary(i => i.Path, i => (int)i.Verdict, StringComparer.Ordinal);
            var groups = CurationFiles.GroupsIn(rows, _number.ContainsKey)
                .Select(g => g.Select(r => new DuplicateMemberView(_number[r.Path], r.Similarity, r.Keep, verdicts[r.Path])).ToArray()).ToList();
            return new DuplicatesView(true, groups.Count, groups.Sum(g => g.Count(m => !m.Keep)), rows.Count(r => !_number.ContainsKey(r.Path)),
                [.. groups.Take(ShownGroups)], null);
        }
    }

    public IssuesView Issues()
    {
        if (!File.Exists(Path.Combine(RunFolder, CurationFiles.Issues)))
            return new IssuesView(false, [], 0, $"no issues found yet: 'imagecluster issues {FindingsInput} --out {RunFolder}' finds them");
        var rows = CurationFiles.ReadIssues(RunFolder, InputFolder);
        var issues = CurationFiles.IssuesIn(rows, _number.ContainsKey)
            .Select(i => new IssueView(i.Issue, i.WorstFirst.Length, [.. i.WorstFirst.Take(WorstPerIssue).Select(r => _number[r.Path])]))
            .ToList();
        return new IssuesView(true, issues, rows.Count(r => !_number.ContainsKey(r.Path)), null);
    }

    // A run of a features file takes its findings from the same file.
    private string FindingsInput => File.Exists(InputFolder) ? $"--features {InputFolder}" : InputFolder;

    /// <summary>Runs an export of the current decisions (the exporter reads them from the store itself).</summary>
    public ExportResult Export(ExportOptions options)
    {
        lock (_gate) return Exporter.Run(options with { Run = RunFolder });
    }

    /// <summary>Records the examples' sure proposals for the undecided images (keeps; discards too when asked).</summary>
    /// <exception cref="ImageClusterException">No examples, or nothing reaches <paramref name="minConfidence"/>.</exception>
    public OverviewView AcceptProposals(double minConfidence, bool discards)
    {
        lock (_gate)
        {
            _session.Refresh();
            var (set, error) = Proposals(_session.Status());
            if (set is null) throw new ImageClusterException(error ?? ExampleProposals.NoExamples);
            var accept = set.Accept(_session.State, minConfidence, discards)
                         ?? throw new ImageClusterException($"no undecided image has a proposal at confidence ≥ {minConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}: nothing accepted");
            _session.Record(accept);
            return BuildOverview();
        }
    }

    /// <summary>At most this many search hits go to the page.</summary>
    public const int SearchHits = 50;

    /// <summary>Images whose relative path contains <paramref name="text"/> (case-insensitive), in run order.</summary>
    public IReadOnlyList<SearchHit> Search(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ImageClusterException("type part of an image's path to search for");
        lock (_gate)
        {
            _session.Refresh();
            var state = _session.State.Images;
            return [.. Paths.Select((p, n) => (p, n)).Where(x => x.p.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)).Take(SearchHits)
                .Select(x => new SearchHit(x.n, x.p, state[x.n].Cluster))];
        }
    }

    // The proposals of the current state, computed once per state of the log (the key changes with every decision,
    // undo and redo); null with the reason when they cannot be made.
    private (ProposalSet? Set, string? Error) Proposals(ReviewStatus status)
    {
        if (_session.State.LikeExamples.Count == 0) return (null, null);
        string key = $"{status.History.Count}:{status.History.Count(h => h.Undone)}:{status.History.LastOrDefault()?.Seq}";
        if (_proposals.Key != key)
        {
            try
            {
                _proposals = (key, ExampleProposals.Of(_session.State, _similar.Value.RowPaths, _graph.Value, new ProposalOptions()), null);
            }
            catch (ImageClusterException e)
            {
                _proposals = (key, null, e.Message);
            }
        }
        return (_proposals.Set, _proposals.Error);
    }

    private OverviewView BuildOverview()
    {
        var status = _session.Status();
        var (set, error) = Proposals(status);
        var cards = Cards(_session.State.Images);
        ProposalsView? view = null;
        if (set is not null || error is not null)
        {
            var byCluster = set?.Clusters.ToDictionary(c => c.Cluster) ?? [];
            var rank = set?.Clusters.Select((c, i) => (c.Cluster, i)).ToDictionary(x => x.Cluster, x => x.i) ?? [];
            cards = [.. cards.Select(c => c with { Proposal = byCluster.GetValueOrDefault(c.Cluster) })
                .OrderBy(c => c.Undecided == 0).ThenBy(c => rank.GetValueOrDefault(c.Cluster, int.MaxValue)).ThenByDescending(c => c.Size)];
            var sure = set?.Accept(_session.State, ProposalOptions.DefaultMinConfidence, discards: true);
            view = new ProposalsView(set?.Like ?? 0, set?.Unlike ?? 0, sure?.Kept.Length ?? 0, sure?.Discarded.Length ?? 0, error);
        }
        return new OverviewView(status.Run, status.Input, status.Counts, cards, status.CanUndo, status.CanRedo,
            [.. status.History.Where(h => !h.Undone).Reverse().Take(15)], status.History.Count(h => !h.Undone && !Automatic.Contains(h.Kind)), view);
    }

    private List<ClusterCard> Cards(IEnumerable<ImageStatus> images)
    {
        var clusters = _session.State.Clusters.ToDictionary(c => c.Cluster);
        return images.GroupBy(i => i.Cluster).Select(g =>
            {
                var c = clusters[g.Key];
                var paths = g.Select(i => i.Path).ToList();
                return new ClusterCard(c.Cluster, c.Name, c.Verdict, c.Size, c.Kept, c.Discarded, c.Undecided, Cohesion(paths),
                    [.. paths.Take(4).Select(p => _number[p])]);
            })
            .Concat(clusters.Values.Where(c => c.Size == 0).Select(c => new ClusterCard(c.Cluster, c.Name, c.Verdict, 0, 0, 0, 0, null, [])))
            .OrderByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList();
    }

    // Null until the embeddings are read: the overview never waits for them.
    private double? Cohesion(List<string> paths) => _similar.IsValueCreated ? _similar.Value.Cohesion(paths) : null;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_similar.IsValueCreated) _similar.Value.Dispose();
            _session.Dispose();
        }
    }
}
