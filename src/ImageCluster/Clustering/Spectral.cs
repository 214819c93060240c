namespace ImageCluster.Clustering;

/// <summary>
/// Spectral clustering (Shi &amp; Malik 2000; von Luxburg 2007) as scikit-learn's <c>SpectralClustering</c> does it on a
/// precomputed affinity: the k eigenvectors of the smallest eigenvalues of the normalised Laplacian
/// I − D^−½ W D^−½ of the samples' fuzzy neighbour graph W, each divided by √degree, then K-Means on those rows.
/// </summary>
/// <remarks>
/// The eigenvectors come from Lanczos iteration on the sparse graph (about 2k + 20 products with it, each O(edges)), never
/// from a dense N × N matrix: memory O(N·(k + neighbours)). Same seed, same result.
/// </remarks>
public sealed class Spectral : IClusterer
{
    private readonly SpectralOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public Spectral(SpectralOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public SpectralResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far the neighbour search has got to <paramref name="progress"/>.</summary>
    public SpectralResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var graph = FuzzyNeighbourGraph.Of(x, _options.NNeighbors, _options.Metric, _options.MaxDegreeOfParallelism, progress, cancellation);
        var (eigenvalues, embedding) = Embed(graph, _options.NClusters, _options.Seed, cancellation);
        var kMeans = new KMeans(new KMeansOptions
        {
            NClusters = _options.NClusters, NInit = _options.NInit, Seed = _options.Seed, MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
        }).Fit(embedding, cancellation);
        return new SpectralResult(kMeans.Labels, eigenvalues, embedding);
    }

    /// <summary>
    /// The smallest <paramref name="components"/> eigenvalues of the normalised Laplacian of <paramref name="graph"/> and
    /// scikit-learn's spectral embedding: the eigenvectors divided by √degree, each signed so its largest entry is positive.
    /// </summary>
    internal static (double[] Eigenvalues, FeatureMatrix Embedding) Embed(WeightedGraph graph, int components, int seed, CancellationToken ct)
    {
        int n = graph.NodeCount;
        var rootDegree = RootDegrees(graph);
        var (values, vectors) = Eigenvectors(graph, components, seed, ct);
        var embedding = new FeatureMatrix(n, components);
        for (int c = 0; c < components; c++)
        {
            var column = vectors[c].Select((v, i) => v / rootDegree[i]).ToArray();
            int largest = 0;
            for (int i = 1; i < n; i++)
                if (Math.Abs(column[i]) > Math.Abs(column[largest])) largest = i;
            double sign = column[largest] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) embedding.Data[(long)i * components + c] = (float)(sign * column[i]);
        }
        return (values, embedding);
    }

    /// <summary>
    /// The smallest <paramref name="count"/> eigenvalues of the normalised Laplacian I − D^−½ W D^−½ of <paramref name="graph"/>,
    /// ascending, and their unit eigenvectors.
    /// </summary>
    internal static (double[] Values, double[][] Vectors) Eigenvectors(WeightedGraph graph, int count, int seed, CancellationToken ct)
    {
        int n = graph.NodeCount;
        var rootDegree = RootDegrees(graph);
        // I + D^−½ W D^−½ has the eigenvectors of the Laplacian, its eigenvalues 2 − λ in [0, 2]: the largest are the ones wanted.
        void Apply(double[] v, double[] result)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int e = graph.Offsets[i]; e < graph.Offsets[i + 1]; e++)
                {
                    int j = graph.Targets[e];
                    sum += graph.Weights[e] * v[j] / rootDegree[j];
                }
                result[i] = v[i] + sum / rootDegree[i];
            }
        }
        var (values, vectors) = Lanczos.Largest(n, Apply, count, seed, ct);
        return (values.Select(v => Math.Max(0, 2 - v)).ToArray(), vectors);
    }

    // A node without edges keeps degree 1, as scipy's laplacian(normed=True) does, so nothing divides by zero.
    private static double[] RootDegrees(WeightedGraph graph) => graph.Degree.Select(d => d > 0 ? Math.Sqrt(d) : 1).ToArray();

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
