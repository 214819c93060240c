using ImageCluster.Clustering;
using ImageCluster.Diagnostics;

namespace ImageCluster.Reports;

/// <summary>
/// The neighbourhood map of a run shared by the report and the review page: exact t-SNE of every image up to
/// <see cref="TsneOptions.MaxSamples"/>, above that UMAP of every image (exact t-SNE is O(N²) and would show a random few
/// of them, losing the small clusters), seeded by the run's seed.
/// </summary>
internal static class RunMaps
{
    /// <summary>The method <see cref="Neighbourhood"/> uses for <paramref name="rows"/> images.</summary>
    public static string MethodFor(int rows, TsneOptions tsne) => rows <= tsne.MaxSamples ? "t-SNE" : "UMAP";

    /// <summary>Lays out the rows of <paramref name="x"/> in 2-D.</summary>
    public static ReportMap Neighbourhood(FeatureMatrix x, int seed, TsneOptions tsne, UmapOptions umap, CancellationToken ct)
    {
        if (MethodFor(x.Rows, tsne) == "t-SNE")
        {
            var tsneOptions = tsne with { Seed = seed };
            var fitted = Tsne.Fit(x, tsneOptions, ct);
            return new ReportMap("t-SNE", fitted.Samples, fitted.X, fitted.Y,
                $"exact t-SNE, perplexity {Math.Min(tsneOptions.Perplexity, (fitted.Samples.Length - 1) / 3.0):0.#}, {tsneOptions.MaxIter} iterations, seed {tsneOptions.Seed}, KL {fitted.KlDivergence:F3}");
        }
        var umapOptions = umap with { NComponents = 2, Seed = seed };
        // On the first 50 principal components, as scanpy builds its neighbour graph: the exact neighbour search over
        // 20 000 full-width vectors took most of 12 minutes. By the covariance matrix (blocked, parallel), not by subspace
        // iteration over the rows, which took 10 minutes for 100 000 × 1280.
        int components = Math.Min(50, Math.Min(x.Columns, x.Rows));
        var reduced = Pca.Fit(x, new PcaOptions { Components = components }, ct).Transform(x);
        var layout = Umap.Fit(reduced, umapOptions with { Metric = DistanceMetric.Euclidean }, cancellation: ct);
        var all = Enumerable.Range(0, x.Rows).ToArray();
        return new ReportMap("UMAP", all, all.Select(i => (double)layout.Data[2 * i]).ToArray(), all.Select(i => (double)layout.Data[2 * i + 1]).ToArray(),
            $"UMAP (umap-learn's method) of the first {components} principal components, {umapOptions.NNeighbors} neighbours, min_dist {umapOptions.MinDist:0.###}, seed {umapOptions.Seed}: all {x.Rows} images " +
            $"(exact t-SNE above {tsne.MaxSamples} would show a random {tsne.MaxSamples})");
    }
}
