using ImageCluster.Clustering;

namespace ImageCluster.Review;

/// <summary>Settings of <see cref="ExampleProposals"/>.</summary>
internal sealed record ProposalOptions
{
    /// <summary>
    /// Neighbours per image of the graph the examples spread over. Small on purpose: groups of a handful of near copies
    /// stay apart at 5, while 10 or 15 join each group to its neighbours.
    /// </summary>
    public int Neighbours { get; init; } = 5;

    /// <summary>
    /// How far a label travels (Zhou et al.'s α): the share of an image's score taken from its neighbours rather than from
    /// its own seed. 0.9 reaches a class of a few hundred images from three examples.
    /// </summary>
    public double Alpha { get; init; } = 0.9;

    /// <summary>
    /// Unlike-seed weight of every other undecided image (those in the like seeds' clusters), against 1 for an image of
    /// another cluster: a prior that an image is something else until the graph ties it to the like seeds. Without it a
    /// cluster that joins two classes proposes both with full confidence (coil100: 0.88 precision at ≥ 0.9; 1.00 with it).
    /// </summary>
    public double PriorWeight { get; init; } = 0.1;

    /// <summary>Smallest confidence a proposal needs to be accepted by default.</summary>
    public const double DefaultMinConfidence = 0.9;

    /// <summary>True for a confidence a proposal can have: from 0.5 (either verdict as likely) to 1.</summary>
    public static bool IsConfidence(double value) => value >= 0.5 && value <= 1;
}

/// <summary>What the examples propose for one image.</summary>
/// <param name="Path">Relative to the input folder.</param>
/// <param name="Verdict">Keep (like the examples) or discard.</param>
/// <param name="Confidence">Probability of the proposed verdict, in [0.5, 1]; 1 for an example or a decided image.</param>
internal sealed record ImageProposal(string Path, Verdict Verdict, double Confidence);

/// <summary>What the examples propose for a cluster, and how much deciding it would change the result.</summary>
/// <param name="Cluster">Label.</param>
/// <param name="Verdict">Keep when its images are more like the examples than not.</param>
/// <param name="Confidence">The mean probability of that verdict over its images, in [0.5, 1].</param>
/// <param name="Undecided">Images of it with no verdict yet.</param>
/// <param name="Value">
/// The wanted images a look there is expected to save: its undecided images × their mean like-probability. Undecided
/// images are not exported (and "discard all undecided" ends a review), so that is how much deciding this cluster can
/// change the result; the review queue is ordered by it, largest first.
/// </param>
/// <param name="Impurity">
/// How mixed the cluster is by the proposals: the share of its images whose proposal is the other verdict than the
/// cluster's. Above <see cref="ProposalSet.ImpureFrom"/> the page suggests a split.
/// </param>
internal sealed record ClusterProposal(int Cluster, Verdict Verdict, double Confidence, int Undecided, double Value, double Impurity);

/// <summary>Every image's and every cluster's proposal, in the state's order (images) and by value (clusters).</summary>
/// <param name="Images">One per image with an embedding.</param>
/// <param name="Clusters">One per non-empty cluster, largest <see cref="ClusterProposal.Value"/> first.</param>
/// <param name="Like">Images the proposals started from as "like" (examples and kept images).</param>
/// <param name="Unlike">Images they started from as "unlike" (unlike examples and discarded images).</param>
internal sealed record ProposalSet(IReadOnlyList<ImageProposal> Images, IReadOnlyList<ClusterProposal> Clusters, int Like, int Unlike)
{
    /// <summary>A cluster whose <see cref="ClusterProposal.Impurity"/> is at least this is flagged as worth a split.</summary>
    public const double ImpureFrom = 0.2;

    /// <summary>
    /// Undecided images whose proposal reaches <paramref name="minConfidence"/>, as one decision (null when none): the
    /// keep proposals, and the discard proposals too when <paramref name="discards"/> is set. Discards are left out by
    /// default: an undecided image is not exported anyway, while an accepted discard stays one when its cluster is kept later.
    /// </summary>
    public AcceptProposals? Accept(ReviewState state, double minConfidence, bool discards = false)
    {
        var undecided = state.Images.Where(i => i.Verdict == Verdict.Undecided).Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        var sure = Images.Where(p => p.Confidence >= minConfidence && undecided.Contains(p.Path) && (discards || p.Verdict == Verdict.Keep)).ToList();
        if (sure.Count == 0) return null;
        return new AcceptProposals([.. sure.Where(p => p.Verdict == Verdict.Keep).Select(p => p.Path)],
            [.. sure.Where(p => p.Verdict == Verdict.Discard).Select(p => p.Path)], minConfidence);
    }
}

/// <summary>
/// Query by example: how like the reviewer's examples every image is, as a probability. The examples' labels spread
/// over the run's neighbour graph (label spreading, Zhou et al. 2004, F = (1 − α)(I − αS)⁻¹Y on the symmetrically
/// normalised graph S) from two kinds of seed: "like" — the like examples and every kept image — and "unlike" — the
/// unlike examples, every discarded image and every undecided image of a cluster that holds no like seed (what the
/// clustering says is something else; a seed, not a verdict, so images strongly tied to the like seeds still come out
/// like) and, weakly (<see cref="ProposalOptions.PriorWeight"/>), every other undecided image. The like seeds together
/// weigh as much as the clusters they lie in, so the first three examples of a class of 80 are not outvoted by a thousand
/// background images. The probability of "like" is F_like / (F_like + F_unlike).
/// No I/O; the graph is the run's own (see <see cref="Graph(SimilarImages, ProposalOptions, CancellationToken)"/>).
/// </summary>
internal static class ExampleProposals
{
    /// <summary>Why there are no proposals before the first like example.</summary>
    public const string NoExamples = "no image is marked as an example: mark at least one image the others should be like";

    /// <summary>The neighbour graph proposals spread over: UMAP's fuzzy kNN graph of the unit rows, as Leiden's.</summary>
    internal static WeightedGraph Graph(FeatureMatrix unitRows, ProposalOptions options, CancellationToken ct = default) =>
        FuzzyNeighbourGraph.Of(unitRows, options.Neighbours, DistanceMetric.Cosine, threads: 0, progress: null, ct);

    /// <summary><see cref="Graph(FeatureMatrix, ProposalOptions, CancellationToken)"/> of a run's images, through their neighbour index when they have one.</summary>
    internal static WeightedGraph Graph(SimilarImages images, ProposalOptions options, CancellationToken ct = default) =>
        images.NeighbourGraph(options.Neighbours, ct);

    /// <summary>Proposals for the state's images from its examples and verdicts.</summary>
    /// <param name="state">The review state (examples, verdicts, clusters).</param>
    /// <param name="rowPaths">The path of each node of <paramref name="graph"/>.</param>
    /// <param name="graph">From <see cref="Graph(SimilarImages, ProposalOptions, CancellationToken)"/>.</param>
    /// <param name="options">Settings.</param>
    /// <exception cref="ImageClusterException">No like example, or the like seeds cover every cluster and nothing is unlike.</exception>
    public static ProposalSet Of(ReviewState state, IReadOnlyList<string> rowPaths, WeightedGraph graph, ProposalOptions options)
    {
        if (state.LikeExamples.Count == 0) throw new ImageClusterException(NoExamples);
        var images = state.Images.ToDictionary(i => i.Path, StringComparer.Ordinal);
        int n = rowPaths.Count;
        var isLike = new bool[n];
        var isUnlike = new bool[n];
        for (int r = 0; r < n; r++)
        {
            var image = images[rowPaths[r]];
            isLike[r] = state.LikeExamples.Contains(image.Path) || image.Verdict == Verdict.Keep;
            isUnlike[r] = !isLike[r] && (state.UnlikeExamples.Contains(image.Path) || image.Verdict == Verdict.Discard);
        }
        var likeClusters = Enumerable.Range(0, n).Where(r => isLike[r]).Select(r => images[rowPaths[r]].Cluster).ToHashSet();
        var background = new bool[n];
        for (int r = 0; r < n; r++)
            background[r] = !isLike[r] && (isUnlike[r] || !likeClusters.Contains(images[rowPaths[r]].Cluster));
        int likeCount = isLike.Count(b => b), backgroundCount = background.Count(b => b);
        if (likeCount == 0) throw new ImageClusterException("none of the like examples has a stored embedding; cluster the folder again");
        if (backgroundCount == 0)
            throw new ImageClusterException("the like examples lie in every cluster and nothing is unlike them: mark an unlike example or discard a cluster first");

        int inLikeClusters = rowPaths.Count(p => likeClusters.Contains(images[p].Cluster));
        double likeWeight = Math.Max(1.0, (double)inLikeClusters / likeCount);
        var yLike = new double[n];
        var yUnlike = new double[n];
        for (int r = 0; r < n; r++)
        {
            if (isLike[r]) yLike[r] = likeWeight;
            // An unlike example or a discarded image weighs as a like seed does; the clustering's background, once.
            else if (background[r]) yUnlike[r] = isUnlike[r] ? likeWeight : 1;
            else yUnlike[r] = options.PriorWeight;
        }
        var fLike = Spread(graph, yLike, options.Alpha);
        var fUnlike = Spread(graph, yUnlike, options.Alpha);

        var probability = new Dictionary<string, double>(n, StringComparer.Ordinal);
        for (int r = 0; r < n; r++)
        {
            double a = Math.Max(0, fLike[r]), b = Math.Max(0, fUnlike[r]);
            string path = rowPaths[r];
            // Examples and verdicts are what the reviewer said, not a guess.
            probability[path] = isLike[r] ? 1 : isUnlike[r] ? 0 : a + b > 0 ? a / (a + b) : 0.5;
        }
        var proposals = state.Images.Where(i => probability.ContainsKey(i.Path)).Select(i =>
        {
            double p = probability[i.Path];
            return p >= 0.5 ? new ImageProposal(i.Path, Verdict.Keep, p) : new ImageProposal(i.Path, Verdict.Discard, 1 - p);
        }).ToList();
        var clusters = state.Images.Where(i => probability.ContainsKey(i.Path)).GroupBy(i => i.Cluster).Select(g =>
        {
            double p = g.Average(i => probability[i.Path]);
            var open = g.Where(i => i.Verdict == Verdict.Undecided).Select(i => probability[i.Path]).ToList();
            bool keep = p >= 0.5;
            double impurity = g.Count(i => probability[i.Path] >= 0.5 != keep) / (double)g.Count();
            return new ClusterProposal(g.Key, keep ? Verdict.Keep : Verdict.Discard, Math.Max(p, 1 - p), open.Count, open.Sum(), impurity);
        }).OrderByDescending(c => c.Value).ThenBy(c => c.Cluster).ToList();
        return new ProposalSet(proposals, clusters, likeCount, isUnlike.Count(b => b));
    }

    // Solves (I − αS)F = (1 − α)Y by the fixed-point iteration F ← αSF + (1 − α)Y, S = D^−½WD^−½; the error shrinks by α
    // a step, so 200 steps leave α²⁰⁰ ≈ 10⁻⁹ of it at α = 0.9.
    private static double[] Spread(WeightedGraph graph, double[] seeds, double alpha)
    {
        int n = graph.NodeCount, steps = (int)Math.Ceiling(Math.Log(1e-9) / Math.Log(Math.Clamp(alpha, 0.01, 0.999)));
        var scale = new double[n];
        for (int v = 0; v < n; v++) scale[v] = graph.Degree[v] > 0 ? 1 / Math.Sqrt(graph.Degree[v]) : 0;
        var f = new double[n];
        var next = new double[n];
        for (int v = 0; v < n; v++) f[v] = (1 - alpha) * seeds[v];
        for (int step = 0; step < steps; step++)
        {
            Parallel.For(0, n, v =>
            {
                double sum = 0;
                for (int e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                    sum += graph.Weights[e] * scale[graph.Targets[e]] * f[graph.Targets[e]];
                next[v] = alpha * scale[v] * sum + (1 - alpha) * seeds[v];
            });
            (f, next) = (next, f);
        }
        return f;
    }
}
