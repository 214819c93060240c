using System.Diagnostics;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Evaluation;

namespace ImageCluster.Pipeline;

/// <summary>
/// The auto sweep: runs a grid of algorithms × parameters (see <see cref="Candidates"/>) through <see cref="AlgorithmRunner"/>, scores each and
/// keeps the best. Without labels the score is the silhouette (with noise joined to its nearest cluster, so labelling
/// samples noise cannot win) or the stability of graph clusterings across subsamples; with labels it can be NMI, ARI or
/// the Quality Metric.
/// </summary>
internal static class AutoSweep
{
    /// <summary>Sweeps and ranks. <paramref name="paths"/> name the rows for label matching.</summary>
    /// <exception cref="ArgumentException">An external ranking without labels, QM without a class of interest, or no k to try.</exception>
    /// <remarks>A candidate over <see cref="FitContext.TimeLimit"/> is left out with a notice: the linear ones always run.</remarks>
    public static (ClusteringOutcome Best, AutoResult Result) Run(FeatureMatrix x, IReadOnlyList<string> paths, AutoOptions options, FitContext? context = null,
        CancellationToken ct = default)
    {
        context ??= new FitContext();
        var notice = context.Notice;
        options.Validate();
        var ranking = options.Ranking;
        int seed = options.Seed;
        var labelFile = options.Labels is { } labelsPath ? LabelFile.Read(labelsPath) : null;
        if (options.Positive is { } positive) labelFile?.RequireClass(positive);
        if (x.Rows < 3) throw new ArgumentException($"Choosing the clustering ({(ranking == AutoRanking.Stability ? "without a number of clusters" : "the auto sweep")}) needs at least 3 images (got {x.Rows}); with fewer, name an algorithm and its k.", "nSamples");
        int kMax = Math.Min(options.KMax ?? 15, x.Rows - 1);
        if (options.KMin > kMax)
            throw new ArgumentException($"KMin = {options.KMin} and KMax = {kMax} leave no k to try (2 ≤ KMin ≤ KMax ≤ images − 1).", nameof(options.KMin));

        int sampleSize = Math.Min(options.SilhouetteSampleSize, x.Rows);
        if (x.Rows > LargeSweepRows && ranking != AutoRanking.Stability)
            notice?.Invoke($"auto: {x.Rows:N0} rows, more than {LargeSweepRows:N0}: the sweep tries MiniBatch K-Means for k = {options.KMin}…{kMax} and " +
                           "leaves out K-Means, ward, HDBSCAN and DBSCAN (each fit would take minutes to hours here); choose one of them as the algorithm to run it alone");
        if (ranking == AutoRanking.Stability && x.Columns < LowDimensional)
            notice?.Invoke($"auto: the features have only {x.Columns} columns; on such low-dimensional data modularity cuts round clusters into patches, " +
                           "so a fixed number of clusters or HDBSCAN may fit better (image embeddings, with hundreds of columns, do not have this problem)");
        var rows = new List<(AutoCandidate Row, ClusteringOutcome Outcome, ClustererOptions Options)>();
        var candidates = ranking == AutoRanking.Stability ? StabilityCandidates(x.Rows, seed) : Candidates(x, seed, options.KMin, kMax);
        foreach (var (candidate, parameters) in candidates)
        {
            ct.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            if (FitBudget.Estimate(candidate, x, ct) is { } estimate)
            {
                string expected = estimate.Describe(candidate.AlgorithmName, x.Rows);
                if (estimate.Exceeds(context.TimeLimit))
                {
                    notice?.Invoke($"auto: {candidate.AlgorithmName} {parameters}: left out, {expected}, over the time limit of {FitBudget.Format(context.TimeLimit!.Value.TotalSeconds)}");
                    continue;
                }
                if (estimate.WorthAnnouncing) notice?.Invoke($"auto: {candidate.AlgorithmName} {parameters}: {expected}");
            }
            var outcome = AlgorithmRunner.FitUnguarded(candidate, x, context, ct);
            double? stability = ranking == AutoRanking.Stability && candidate is LeidenOptions leiden && x.Rows >= StabilityMinimumRows
                ? Stability(leiden, x, seed, ct) : null;
            double seconds = sw.Elapsed.TotalSeconds;
            var row = Score(x, paths, outcome, options, labelFile, sampleSize, seed, parameters, seconds) with { Stability = stability };
            if (stability is not null) row = row with { Score = stability };
            notice?.Invoke($"auto: {row.Algorithm} {row.Parameters}: {row.Clusters} clusters, noise {row.Noise}, " +
                           $"{ranking.ToString().ToLowerInvariant()} {(row.Score is { } s ? s.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "n/a")}");
            rows.Add((row, outcome, candidate));
        }
        var ranked = rows.OrderByDescending(r => r.Row.Score ?? double.NegativeInfinity).ToList(); // stable: earlier candidate wins ties
        var best = ranked[0];
        return (best.Outcome, new AutoResult(best.Options, ranked.Select(r => r.Row).ToList(), ranking, sampleSize,
            labelFile is null ? null : options.Positive));
    }

    /// <summary>Largest set on which the sweep tries agglomerative ward (O(N²) memory and time per fit).</summary>
    public const int AgglomerativeLimit = 10_000;

    /// <summary>
    /// Largest set on which the sweep tries everything; above it only MiniBatch K-Means over the k range (a million rows:
    /// seconds per fit, where K-Means with 10 starts takes minutes and the density algorithms need a kNN graph of all rows).
    /// </summary>
    public const int LargeSweepRows = 100_000;

    /// <summary>Neighbour counts of the graph clusterings the stability ranking compares: near-duplicate-sized groups and scanpy's default scale.</summary>
    public static readonly IReadOnlyList<int> StabilityNeighbourCounts = [5, 15];

    // Below this many feature columns the stability sweep warns that graph clustering over-splits (measured on 2-D blobs).
    private const int LowDimensional = 8;

    /// <summary>Largest sample the stability is measured on; above it a random sample of this many rows stands for the set.</summary>
    public const int StabilitySampleRows = 4000;

    /// <summary>Pairs of subsamples, and the share of the (sampled) rows each subsample draws.</summary>
    private const int StabilityPairs = 3;
    private const double SubsampleShare = 0.8;

    /// <summary>Fewer images than this are too few to compare neighbour counts by subsamples: the first count alone runs.</summary>
    public const int StabilityMinimumRows = 20;

    private static IEnumerable<(ClustererOptions Options, string Parameters)> StabilityCandidates(int rows, int seed) =>
        StabilityNeighbourCounts.Take(rows < StabilityMinimumRows ? 1 : StabilityNeighbourCounts.Count)
            .Select(n => ((ClustererOptions)new LeidenOptions { NNeighbors = n, Seed = seed }, $"n_neighbors={n}, resolution=1"));

    /// <summary>
    /// Mean adjusted Rand index between fits of <paramref name="candidate"/> on two random subsamples (each
    /// <see cref="SubsampleShare"/> of the rows), over the rows both drew; <see cref="StabilityPairs"/> pairs, each with its own seeds.
    /// </summary>
    private static double Stability(LeidenOptions candidate, FeatureMatrix x, int seed, CancellationToken ct)
    {
        var sample = x.Rows > StabilitySampleRows ? Sampling.Rows(x, Sampling.Subset(x.Rows, StabilitySampleRows, seed)) : x;
        double sum = 0;
        for (int pair = 0; pair < StabilityPairs; pair++)
        {
            var random = new Random(Sampling.Derived(seed, pair));
            int[] first = Draw(random, sample.Rows), second = Draw(random, sample.Rows);
            int[] Fit(int[] rows, int salt) =>
                new Leiden(candidate with { Seed = Sampling.Derived(seed, 2 * pair + salt) }).Fit(Sampling.Rows(sample, rows), ct).Labels;
            int[] a = Fit(first, 0), b = Fit(second, 1);
            var clusterInFirst = new Dictionary<int, int>(first.Length);
            for (int i = 0; i < first.Length; i++) clusterInFirst[first[i]] = a[i];
            var (left, right) = (new List<int>(), new List<int>());
            for (int i = 0; i < second.Length; i++)
                if (clusterInFirst.TryGetValue(second[i], out int label))
                {
                    left.Add(label);
                    right.Add(b[i]);
                }
            sum += ClusteringMetrics.AdjustedRandIndex(left, right);
        }
        return sum / StabilityPairs;

        static int[] Draw(Random random, int n) => Enumerable.Range(0, n).Where(_ => random.NextDouble() < SubsampleShare).ToArray();
    }

    /// <summary>
    /// The grid: K-Means and (up to <see cref="AgglomerativeLimit"/> samples) ward over the k range; HDBSCAN over a few
    /// minimum cluster sizes; DBSCAN around the eps of the k-distance knee (min_samples 5). Above <see cref="LargeSweepRows"/>
    /// rows: MiniBatch K-Means over the k range only.
    /// </summary>
    private static IEnumerable<(ClustererOptions Options, string Parameters)> Candidates(FeatureMatrix x, int seed, int kMin, int kMax)
    {
        if (x.Rows > LargeSweepRows)
        {
            for (int k = kMin; k <= kMax; k++)
                yield return (new MiniBatchKMeansOptions { NClusters = k, Seed = seed }, $"n_clusters={k}");
            yield break;
        }
        for (int k = kMin; k <= kMax; k++)
            yield return (new KMeansOptions { NClusters = k, Seed = seed }, $"n_clusters={k}");
        if (x.Rows <= AgglomerativeLimit)
            for (int k = kMin; k <= kMax; k++)
                yield return (new AgglomerativeOptions { NClusters = k, Linkage = Linkage.Ward }, $"linkage=ward, n_clusters={k}");
        foreach (int size in new[] { 5, 10, 20, 40 }.Where(size => size <= x.Rows / 2))
            yield return (new HdbscanOptions { MinClusterSize = size }, $"min_cluster_size={size}");
        const int minSamples = 5;
        if (x.Rows > minSamples && KDistance.Compute(x, new KDistanceOptions { MinSamples = minSamples, Seed = seed }).SuggestedEps is { } knee && knee > 0)
            foreach (double factor in new[] { 0.75, 1.0, 1.25 })
            {
                double eps = Math.Round(knee * factor, 6);
                yield return (new DbscanOptions { Eps = eps, MinSamples = minSamples },
                    FormattableString.Invariant($"eps={eps}, min_samples={minSamples}"));
            }
    }

    private static AutoCandidate Score(FeatureMatrix x, IReadOnlyList<string> paths, ClusteringOutcome outcome, AutoOptions options,
        LabelFile? labelFile, int sampleSize, int seed, string parameters, double seconds)
    {
        var labels = outcome.Labels;
        double? silhouette = CompletedSilhouette(x, labels, sampleSize, seed);
        double? nmi = null, ari = null, qm = null;
        if (labelFile is not null)
        {
            var report = EvaluateJob.Evaluate(paths, labels, labelFile, "the features", options.Positive);
            // No cluster with a majority of the class selects nothing: the Quality Metric of that is undefined, not 0.
            (nmi, ari, qm) = (report.Nmi, report.AdjustedRandIndex,
                report.ClassOfInterest is { KeptClusters.Count: > 0 } q ? q.QualityMetric : null);
        }
        double? score = options.Ranking switch
        {
            AutoRanking.Silhouette => silhouette,
            AutoRanking.Nmi => nmi,
            AutoRanking.Ari => ari,
            _ => qm,
        };
        return new AutoCandidate(outcome.Info.Algorithm, parameters, outcome.Info.Clusters, outcome.Info.Noise, score, silhouette, nmi, ari, qm, seconds);
    }

    /// <summary>
    /// Silhouette of a sample of the rows, with every noise row of the sample given the cluster of its nearest non-noise
    /// row: noise then costs what those rows would cost in a cluster. (Noise scored as silhouette 0, or the kept rows' mean
    /// times their share, rewards calling the awkward rows noise: DBSCAN with a few noise rows beat a clean two-cluster split.)
    /// Null below two clusters.
    /// </summary>
    private static double? CompletedSilhouette(FeatureMatrix x, int[] labels, int sampleSize, int seed)
    {
        int[] rows = Sampling.Subset(x.Rows, sampleSize < x.Rows ? sampleSize : null, seed);
        var sample = Sampling.Rows(x, rows);
        int[] sampleLabels = rows.Select(i => labels[i]).ToArray();
        int[] kept = Enumerable.Range(0, rows.Length).Where(i => sampleLabels[i] >= 0).ToArray();
        int clusters = kept.Select(i => sampleLabels[i]).Distinct().Count();
        if (clusters < 2 || clusters > rows.Length - 1) return null;
        int[] completed = (int[])sampleLabels.Clone();
        for (int i = 0; i < rows.Length; i++)
        {
            if (sampleLabels[i] >= 0) continue;
            int nearest = -1;
            float best = float.PositiveInfinity;
            foreach (int j in kept)
            {
                float d = System.Numerics.Tensors.TensorPrimitives.Distance(sample.ReadRow(i), sample.ReadRow(j));
                if (d < best) (best, nearest) = (d, j);
            }
            completed[i] = sampleLabels[nearest];
        }
        return Silhouette.Score(sample, completed).Mean;
    }
}
