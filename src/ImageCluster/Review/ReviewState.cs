namespace ImageCluster.Review;

/// <summary>A cluster in the review state.</summary>
/// <param name="Cluster">Label (−1 = noise).</param>
/// <param name="Name">Reviewer's name for it, or null.</param>
/// <param name="Verdict">Its verdict.</param>
/// <param name="Size">Images in it now.</param>
/// <param name="Kept">Of which kept (after per-image verdicts).</param>
/// <param name="Discarded">Of which discarded.</param>
/// <param name="Undecided">Of which undecided.</param>
internal sealed record ClusterStatus(int Cluster, string? Name, Verdict Verdict, int Size, int Kept, int Discarded, int Undecided);

/// <summary>An image in the review state.</summary>
/// <param name="Path">Relative to the input folder.</param>
/// <param name="Cluster">Its cluster now.</param>
/// <param name="Own">Its own verdict (overrides the cluster's), or null.</param>
/// <param name="Verdict">The effective verdict: its own, else its cluster's.</param>
internal sealed record ImageStatus(string Path, int Cluster, Verdict? Own, Verdict Verdict);

/// <summary>
/// Clusters, names and verdicts after replaying a review log over a run's assignments. Applying a decision that does not
/// fit (an unknown cluster or image) is a <see cref="ImageClusterException"/> and leaves the state unchanged.
/// </summary>
internal sealed class ReviewState
{
    private readonly List<string> _order;
    private readonly int[] _labels; // as clustered, for a carry-over that starts the review again
    private readonly Dictionary<string, int> _cluster;
    private readonly Dictionary<string, Verdict> _own;
    private readonly Dictionary<int, (string? Name, Verdict Verdict)> _clusters;
    private readonly HashSet<string> _like, _unlike, _accepted, _added;
    private readonly HashSet<int> _newGroups = [];
    private int _highest; // largest label ever used, so a merged-away label is never given to a new cluster

    /// <summary>The state of a fresh clustering: every cluster of <paramref name="labels"/> undecided.</summary>
    public ReviewState(IReadOnlyList<string> paths, IReadOnlyList<int> labels)
    {
        _order = [.. paths];
        _labels = [.. labels];
        _cluster = new Dictionary<string, int>(StringComparer.Ordinal);
        _own = new Dictionary<string, Verdict>(StringComparer.Ordinal);
        _clusters = new Dictionary<int, (string?, Verdict)>();
        (_like, _unlike, _accepted, _added) = (new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        Reset();
    }

    private void Reset()
    {
        _cluster.Clear();
        for (int i = 0; i < _order.Count; i++) _cluster[_order[i]] = _labels[i];
        _own.Clear();
        _like.Clear();
        _unlike.Clear();
        _accepted.Clear();
        _added.Clear();
        _newGroups.Clear();
        _clusters.Clear();
        foreach (int label in _labels.Distinct()) _clusters[label] = (null, Verdict.Undecided);
        _highest = _labels.DefaultIfEmpty(-1).Max();
    }

    private ReviewState(ReviewState other)
    {
        _order = other._order;
        _labels = other._labels;
        _cluster = new Dictionary<string, int>(other._cluster, StringComparer.Ordinal);
        _own = new Dictionary<string, Verdict>(other._own, StringComparer.Ordinal);
        _clusters = new Dictionary<int, (string?, Verdict)>(other._clusters);
        _like = new HashSet<string>(other._like, StringComparer.Ordinal);
        _unlike = new HashSet<string>(other._unlike, StringComparer.Ordinal);
        _accepted = new HashSet<string>(other._accepted, StringComparer.Ordinal);
        _added = new HashSet<string>(other._added, StringComparer.Ordinal);
        _newGroups = [.. other._newGroups];
        _highest = other._highest;
    }

    /// <summary>An independent copy (to try a decision before recording it).</summary>
    public ReviewState Clone() => new(this);

    /// <summary>True when <paramref name="path"/> (relative, as in assignments.csv) is an image of the run.</summary>
    public bool Contains(string path) => _cluster.ContainsKey(path);

    /// <summary>Images marked as examples of what the reviewer wants.</summary>
    public IReadOnlySet<string> LikeExamples => _like;

    /// <summary>Images marked as examples of what the reviewer does not want.</summary>
    public IReadOnlySet<string> UnlikeExamples => _unlike;

    /// <summary>Images whose own verdict is an accepted proposal (see <see cref="AcceptProposals"/>).</summary>
    public IReadOnlySet<string> AcceptedProposals => _accepted;

    /// <summary>Images added to the dump after the review began (see <see cref="AddImages"/>).</summary>
    public IReadOnlySet<string> AddedImages => _added;

    /// <summary>Labels of the groups of added images near no cluster.</summary>
    public IReadOnlySet<int> NewGroups => _newGroups;

    /// <summary>
    /// Added images whose verdict is inherited: they follow (no verdict of their own) a cluster that has one.
    /// </summary>
    public IEnumerable<string> InheritedImages => _added.Where(p => !_own.ContainsKey(p) && _clusters[_cluster[p]].Verdict != Verdict.Undecided);

    /// <summary>"Discard all undecided" as one decision, or null when no image is undecided.</summary>
    public ImageVerdict? DiscardUndecided() =>
        Images.Where(i => i.Verdict == Verdict.Undecided).Select(i => i.Path).ToArray() is { Length: > 0 } rest
            ? new ImageVerdict(rest, Verdict.Discard, "all undecided") : null;

    /// <summary>True when <paramref name="cluster"/> exists (merged clusters do not).</summary>
    public bool HasCluster(int cluster) => _clusters.ContainsKey(cluster);

    /// <summary>Current members of a cluster, in assignments order.</summary>
    public IReadOnlyList<string> Members(int cluster) => _order.Where(p => _cluster[p] == cluster).ToList();

    /// <summary>Every image with its cluster and verdicts, in assignments order.</summary>
    public IReadOnlyList<ImageStatus> Images => _order.Select(p =>
    {
        Verdict? own = _own.TryGetValue(p, out var v) ? v : null;
        return new ImageStatus(p, _cluster[p], own, own ?? _clusters[_cluster[p]].Verdict);
    }).ToList();

    /// <summary>Every cluster with its counts, by label; noise (−1) last.</summary>
    public IReadOnlyList<ClusterStatus> Clusters
    {
        get
        {
            var images = Images.ToLookup(i => i.Cluster);
            return _clusters.OrderBy(c => c.Key < 0).ThenBy(c => c.Key).Select(c =>
            {
                var members = images[c.Key].ToList();
                return new ClusterStatus(c.Key, c.Value.Name, c.Value.Verdict, members.Count, members.Count(i => i.Verdict == Verdict.Keep),
                    members.Count(i => i.Verdict == Verdict.Discard), members.Count(i => i.Verdict == Verdict.Undecided));
            }).ToList();
        }
    }

    /// <summary>The label a new cluster gets: one above the largest ever used (merged-away labels are not reused).</summary>
    public int NextCluster => _highest + 1;

    /// <summary>Applies <paramref name="decision"/>; throws (changing nothing) when it does not fit this state.</summary>
    public void Apply(Decision decision)
    {
        switch (decision)
        {
            case ClusterVerdict d:
                RequireVerdict(d.Verdict);
                RequireClusters(d.Clusters);
                foreach (int c in d.Clusters) _clusters[c] = (_clusters[c].Name, d.Verdict);
                break;
            case RenameCluster d:
                RequireClusters([d.Cluster]);
                if (d.Name?.Length > MaxNameLength)
                    throw new ImageClusterException($"a cluster name is at most {MaxNameLength} characters (got {d.Name.Length})");
                _clusters[d.Cluster] = (string.IsNullOrWhiteSpace(d.Name) ? null : d.Name.Trim(), _clusters[d.Cluster].Verdict);
                break;
            case MergeClusters d:
                RequireClusters([d.Into, .. d.From]);
                if (d.From.Length == 0 || d.From.Contains(d.Into)) throw new ImageClusterException("merge needs two different clusters, e.g. 1,2 (2 goes into 1)");
                foreach (var p in _order.Where(p => d.From.Contains(_cluster[p]))) _cluster[p] = d.Into;
                foreach (int c in d.From) _clusters.Remove(c);
                break;
            case SplitCluster d:
                RequireClusters([d.Cluster]);
                if (HasCluster(d.NewCluster)) throw new ImageClusterException($"cluster {d.NewCluster} already exists");
                RequireImages(d.Moved);
                if (d.Moved.FirstOrDefault(p => _cluster[p] != d.Cluster) is { } stray)
                    throw new ImageClusterException($"{stray} is not in cluster {d.Cluster}");
                _clusters[d.NewCluster] = (null, _clusters[d.Cluster].Verdict);
                _highest = Math.Max(_highest, d.NewCluster);
                foreach (var p in d.Moved) _cluster[p] = d.NewCluster;
                break;
            case MoveImages d:
                RequireClusters([d.To]);
                RequireImages(d.Paths);
                foreach (var p in d.Paths) _cluster[p] = d.To;
                break;
            case CarryOver d:
                RequireImages([.. d.Kept, .. d.Discarded, .. d.Like ?? [], .. d.Unlike ?? []]);
                Reset();
                foreach (var p in d.Kept) _own[p] = Verdict.Keep;
                foreach (var p in d.Discarded) _own[p] = Verdict.Discard;
                _like.UnionWith(d.Like ?? []);
                _unlike.UnionWith(d.Unlike ?? []);
                break;
            case ImageVerdict d:
                RequireVerdict(d.Verdict);
                RequireImages(d.Paths);
                foreach (var p in d.Paths)
                {
                    if (d.Verdict == Verdict.Undecided) _own.Remove(p);
                    else _own[p] = d.Verdict;
                    _accepted.Remove(p);
                    // An example is a verdict with a mark: a verdict that contradicts it takes the mark away too.
                    if (d.Verdict != Verdict.Keep) _like.Remove(p);
                    if (d.Verdict != Verdict.Discard) _unlike.Remove(p);
                }
                break;
            case MarkExamples d:
                RequireImages([.. d.Like, .. d.Unlike, .. d.Unmark ?? []]);
                if (d.Like.Intersect(d.Unlike, StringComparer.Ordinal).FirstOrDefault() is { } both)
                    throw new ImageClusterException($"{both} cannot be a like and an unlike example at once");
                if (d.Like.Length + d.Unlike.Length + (d.Unmark?.Length ?? 0) == 0) throw new ImageClusterException("no image to mark as an example");
                foreach (var p in d.Unmark ?? [])
                {
                    _like.Remove(p);
                    _unlike.Remove(p);
                }
                foreach (var (paths, into, other, verdict) in new[] { (d.Like, _like, _unlike, Verdict.Keep), (d.Unlike, _unlike, _like, Verdict.Discard) })
                    foreach (var p in paths)
                    {
                        into.Add(p);
                        other.Remove(p);
                        _own[p] = verdict;
                        _accepted.Remove(p);
                    }
                break;
            case AddImages d:
                RequireImages(d.Paths);
                if (d.Paths.Length != d.Clusters.Length) throw new ImageClusterException($"{d.Paths.Length} added images but {d.Clusters.Length} clusters");
                if (d.Paths.FirstOrDefault(_added.Contains) is { } twice) throw new ImageClusterException($"{twice} was added before");
                RequireClusters(d.Clusters.Where(c => c != d.NewGroup).Distinct());
                // The group is in assignments.csv when some image went there; it is named for the reviewer either way.
                _clusters[d.NewGroup] = HasCluster(d.NewGroup) ? (_clusters[d.NewGroup].Name ?? "new", _clusters[d.NewGroup].Verdict) : ("new", Verdict.Undecided);
                _highest = Math.Max(_highest, d.NewGroup);
                _newGroups.Add(d.NewGroup);
                for (int i = 0; i < d.Paths.Length; i++)
                {
                    _cluster[d.Paths[i]] = d.Clusters[i];
                    _added.Add(d.Paths[i]);
                }
                break;
            case AcceptProposals d:
                RequireImages([.. d.Kept, .. d.Discarded]);
                if (d.Kept.Length + d.Discarded.Length == 0) throw new ImageClusterException("no proposal to accept");
                foreach (var (paths, verdict) in new[] { (d.Kept, Verdict.Keep), (d.Discarded, Verdict.Discard) })
                    foreach (var p in paths)
                    {
                        _own[p] = verdict;
                        _accepted.Add(p);
                    }
                break;
            default:
                throw new ArgumentException($"unknown decision {decision.GetType().Name}", nameof(decision));
        }
    }

    /// <summary>Longest cluster name kept (a name is a label for people, not a document).</summary>
    public const int MaxNameLength = 200;

    private static void RequireVerdict(Verdict verdict)
    {
        if (!Enum.IsDefined(verdict)) throw new ImageClusterException($"verdict {(int)verdict} is not keep, discard or undecided");
    }

    private void RequireClusters(IEnumerable<int> clusters)
    {
        if (clusters.FirstOrDefault(c => !_clusters.ContainsKey(c), int.MinValue) is var missing and not int.MinValue)
            throw new ImageClusterException($"there is no cluster {missing} (clusters: {string.Join(",", _clusters.Keys.Order())})");
    }

    private void RequireImages(IEnumerable<string> paths)
    {
        if (paths.FirstOrDefault(p => !_cluster.ContainsKey(p)) is { } missing)
            throw new ImageClusterException($"{missing} is not an image of this run");
    }
}
