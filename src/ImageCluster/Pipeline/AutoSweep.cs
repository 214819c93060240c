using System.Diagnostics;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Evaluation;

namespace ImageCluster.Pipeline;

/// <summary>
/// The auto sweep: runs a grid of algorithms × parameters (see <see cref="Candidates"/>) through <see cref="AlgorithmRunner"/>, scores each and
/// keeps the best. Without labels the score is the silhouette (noise-discounted, so labelling everything noise cannot
/// win); with labels it can be NMI, ARI or the Quality Metric.
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
        if (x.Rows < 3) throw new ArgumentException($"The auto sweep needs at least 3 images (got {x.Rows}).", "nSamples");
        int kMax = Math.Min(options.KMax ?? 15, x.Rows - 1);
        if (options.KMin > kMax)
            throw new ArgumentException($"KMin = {options.KMin} and KMax = {kMax} leave no k to try (2 ≤ KMin ≤ KMax ≤ images − 1).", nameof(options.KMin));

        int sampleSize = Math.Min(options.SilhouetteSampleSize, x.Rows);
        if (x.Rows > LargeSweepRows)
            notice?.Invoke($"auto: {x.Rows:N0} rows, more than {LargeSweepRows:N0}: the sweep tries MiniBatch K-Means for k = {options.KMin}…{kMax} and " +
                           "leaves out K-Means, ward, HDBSCAN and DBSCAN (each fit would take minutes to hours here); choose one of them as the algorithm to run it alone");
        var rows = new List<(AutoCandidate Row, ClusteringOutcome Outcome, ClustererOptions Options)>();
        foreach (var (candidate, parameters) in Candidates(x, seed, options.KMin, kMax))
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
            double seconds = sw.Elapsed.TotalSeconds;
            var row = Score(x, paths, outcome, options, labelFile, sampleSize, seed, parameters, seconds);
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
        double? silhouette = NoiseDiscountedSilhouette(x, labels, sampleSize, seed);
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

    /// <summary>Silhouette of the non-noise samples times their share; null below two clusters.</summary>
    private static double? NoiseDiscountedSilhouette(FeatureMatrix x, int[] labels, int sampleSize, int seed)
    {
        int[] kept = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= 0).ToArray();
        int clusters = kept.Select(i => labels[i]).Distinct().Count();
        if (clusters < 2 || clusters > kept.Length - 1) return null;
        var subset = Sampling.Rows(x, kept);
        int size = (int)Math.Min(kept.Length, Math.Max(2, (long)sampleSize * kept.Length / labels.Length));
        var result = Silhouette.Score(subset, kept.Select(i => labels[i]).ToArray(),
            new SilhouetteOptions { SampleSize = size < kept.Length ? size : null, Seed = seed });
        return result.Mean * kept.Length / labels.Length;
    }
}
