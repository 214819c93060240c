namespace ImageCluster.Clustering;

/// <summary>
/// K-Medoids (Partitioning Around Medoids): k actual samples as cluster representatives, chosen to minimise the sum
/// of (unsquared) distances from every sample to its nearest medoid, which makes it robust to outliers and usable
/// with cosine distance. The default, BUILD + classic SWAP, reproduces R's <c>cluster::pam</c>; FasterPAM
/// (<see cref="KMedoidsMethod.FasterPam"/>) reproduces <c>pam(pamonce = 6)</c>.
/// </summary>
/// <remarks>
/// Memory: the full N×N distance matrix in float, 4·N² bytes (1.6 GB at N = 20 000), hence
/// <see cref="KMedoidsOptions.MaxSamples"/>; plus O(N·D) for a double copy of the samples.
/// Time: O(N²·D) for the distances, O(k·N²) for BUILD, then O(N²) per swap for PAM (each swap scores all
/// k·(N − k) exchanges) or O(N) per visited candidate for FasterPAM, which usually needs a few passes in all.
/// Distances are computed in double and stored as float; sums are in double. Results do not depend on the thread count.
/// </remarks>
public sealed class KMedoids : IClusterer
{
    private readonly KMedoidsOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public KMedoids(KMedoidsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Invalid options, more samples than <see cref="KMedoidsOptions.MaxSamples"/>, or non-finite values in <paramref name="x"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public KMedoidsResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public KMedoidsResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        int k = _options.NClusters;
        var d = Dissimilarities.Compute(x, _options.Metric, parallel, progress);
        // R's stand-in for "no medoid yet": above every distance.
        double far = d.Max * 1.1 + 1;
        int[] medoids = _options.Init switch
        {
            KMedoidsInit.Given => _options.InitialMedoids!.Order().ToArray(),
            KMedoidsInit.KMedoidsPlusPlus => MedoidInit.PlusPlus(d, k, new Random(_options.Seed)),
            _ => MedoidInit.Build(d, k, far, parallel),
        };
        cancellation.ThrowIfCancellationRequested();
        // As in R, BUILD's single medoid is already optimal; any other start is improved by swaps.
        int swaps = 0;
        if (k > 1 || _options.Init != KMedoidsInit.Build)
            swaps = _options.Method == KMedoidsMethod.FasterPam
                ? new FasterPamSwap(d, medoids, far).Run(_options.MaxIter, parallel)
                : new PamSwap(d, medoids, far).Run(_options.MaxIter, parallel);
        return BuildResult(x, d, medoids, swaps);
    }

    /// <summary>Each sample to its nearest medoid (lowest sample index on ties, a medoid to itself, as R's cstat).</summary>
    private static KMedoidsResult BuildResult(FeatureMatrix x, Dissimilarities d, int[] medoids, int swaps)
    {
        int n = d.N, k = medoids.Length;
        int[] byIndex = medoids.Order().ToArray();
        var labels = new int[n];
        double inertia = 0;
        for (int j = 0; j < n; j++)
        {
            int best = Array.IndexOf(byIndex, j);
            if (best < 0)
            {
                best = 0;
                for (int c = 1; c < k; c++)
                    if (d[byIndex[c], j] < d[byIndex[best], j]) best = c;
            }
            labels[j] = best;
            inertia += d.Exact(j, byIndex[best]);
        }
        int[] ordered = LabelOrder.BySize(labels, k, out int[] order);
        var medoidIndices = new int[k];
        var centers = new FeatureMatrix(k, x.Columns);
        for (int rank = 0; rank < k; rank++)
        {
            medoidIndices[rank] = byIndex[order[rank]];
            x.ReadRow(medoidIndices[rank]).CopyTo(centers.Row(rank));
        }
        return new KMedoidsResult(ordered, medoidIndices, centers, inertia, swaps);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
