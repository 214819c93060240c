namespace ImageCluster.Clustering;

/// <summary>Options of <see cref="Umap"/>, with umap-learn's names and defaults.</summary>
public sealed record UmapOptions
{
    /// <summary>Dimensions of the layout (umap-learn <c>n_components</c>): 2 for a map, 5–10 before density clustering.</summary>
    public int NComponents { get; init; } = 2;

    /// <summary>Neighbours of each sample in the fuzzy graph, itself not counted (umap-learn's <c>n_neighbors</c> counts it).</summary>
    public int NNeighbors { get; init; } = 15;

    /// <summary>Distance of the neighbour graph.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>Smallest distance between laid-out points (umap-learn <c>min_dist</c>): lower packs clusters tighter.</summary>
    public double MinDist { get; init; } = 0.1;

    /// <summary>Scale of the laid-out distances (umap-learn <c>spread</c>).</summary>
    public double Spread { get; init; } = 1.0;

    /// <summary>Passes of the stochastic gradient descent; null = umap-learn's choice, 500 up to 10 000 samples and 200 above.</summary>
    public int? NEpochs { get; init; }

    /// <summary>Negative samples per positive one (umap-learn <c>negative_sample_rate</c>).</summary>
    public int NegativeSampleRate { get; init; } = 5;

    /// <summary>Seed of the start layout's noise and of the negative samples.</summary>
    public int Seed { get; init; }

    /// <summary>Upper bound on threads of the neighbour search (the descent itself runs on one, so that a seed fixes the layout).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">Naming the property (<see cref="ArgumentException.ParamName"/>).</exception>
    public void Validate(int nSamples)
    {
        if (nSamples < 2) throw new ArgumentException("UMAP needs at least 2 rows.", nameof(nSamples));
        if (NComponents < 1) throw new ArgumentException($"NComponents must be at least 1 (got {NComponents}).", nameof(NComponents));
        if (NNeighbors < 1) throw new ArgumentException($"NNeighbors must be at least 1 (got {NNeighbors}).", nameof(NNeighbors));
        if (!(MinDist >= 0) || !(Spread > 0) || MinDist > Spread)
            throw new ArgumentException($"MinDist must be between 0 and Spread (got MinDist {MinDist}, Spread {Spread}).", nameof(MinDist));
        if (NEpochs < 1) throw new ArgumentException($"NEpochs must be at least 1 (got {NEpochs}).", nameof(NEpochs));
        if (NegativeSampleRate < 0) throw new ArgumentException($"NegativeSampleRate must be ≥ 0 (got {NegativeSampleRate}).", nameof(NegativeSampleRate));
    }
}

/// <summary>
/// UMAP (McInnes, Healy &amp; Melville 2018) as umap-learn 0.5 computes it: the fuzzy simplicial set of the k-nearest-neighbour
/// graph (shared with <see cref="Leiden"/> and <see cref="Spectral"/>), a spectral start layout, then stochastic gradient descent
/// of the fuzzy cross-entropy with the curve 1 / (1 + a·d^2b) fitted to <see cref="UmapOptions.MinDist"/> and
/// <see cref="UmapOptions.Spread"/>, edges sampled in proportion to their weight and negative samples drawn at random. The
/// descent runs on one thread with a seeded generator, so a seed gives the same layout. Time about linear in the samples
/// (edges × epochs); memory O(N·(k + components)).
/// </summary>
public static class Umap
{
    // umap-learn clips every gradient coordinate to ±4.
    private const float Clip = 4f;

    /// <summary>Lays out the rows of <paramref name="x"/> in <see cref="UmapOptions.NComponents"/> dimensions, one row per sample.</summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public static FeatureMatrix Fit(FeatureMatrix x, UmapOptions? options = null, IProgress<StageProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        var o = options ?? new UmapOptions();
        o.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var graph = FuzzyNeighbourGraph.Of(x, o.NNeighbors, o.Metric, o.MaxDegreeOfParallelism, progress, cancellation);
        return Layout(graph, o, progress, cancellation);
    }

    /// <summary>The layout of <paramref name="graph"/> (a fuzzy neighbour graph).</summary>
    internal static FeatureMatrix Layout(WeightedGraph graph, UmapOptions o, IProgress<StageProgress>? progress, CancellationToken ct)
    {
        int n = graph.NodeCount, dim = o.NComponents;
        int epochs = o.NEpochs ?? (n <= 10_000 ? 500 : 200);
        var (a, b) = CurveParameters(o.Spread, o.MinDist);
        var random = new Random(o.Seed);
        var embedding = StartLayout(graph, dim, random, o.Seed, ct);

        // Both directions of every edge, as umap-learn's COO graph; edges too weak to be sampled once in all epochs dropped.
        double largest = 0;
        foreach (double w in graph.Weights) largest = Math.Max(largest, w);
        var heads = new List<int>();
        var tails = new List<int>();
        var perSample = new List<double>();
        for (int v = 0; v < n; v++)
            for (int e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
            {
                double w = graph.Weights[e];
                if (graph.Targets[e] == v || w < largest / epochs) continue;
                heads.Add(v);
                tails.Add(graph.Targets[e]);
                perSample.Add(largest / w);
            }
        int edges = heads.Count;
        var epochsPerSample = perSample.ToArray();
        var epochsPerNegative = epochsPerSample.Select(p => p / Math.Max(1, o.NegativeSampleRate)).ToArray();
        var nextSample = (double[])epochsPerSample.Clone();
        var nextNegative = (double[])epochsPerNegative.Clone();
        var data = embedding.Data;
        int negativeRate = o.NegativeSampleRate;
        var meter = WorkMeter.Start(progress, "umap", epochs, "epochs");
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            float alpha = (float)(1.0 - (double)epoch / epochs);
            for (int i = 0; i < edges; i++)
            {
                if (nextSample[i] > epoch) continue;
                int head = heads[i], tail = tails[i];
                var current = data.AsSpan(head * dim, dim);
                var other = data.AsSpan(tail * dim, dim);
                float squared = SquaredDistance(current, other);
                float attract = squared > 0 ? (float)(-2.0 * a * b * Math.Pow(squared, b - 1) / (a * Math.Pow(squared, b) + 1)) : 0f;
                for (int d = 0; d < dim; d++)
                {
                    float step = Math.Clamp(attract * (current[d] - other[d]), -Clip, Clip) * alpha;
                    current[d] += step;
                    other[d] -= step;
                }
                nextSample[i] += epochsPerSample[i];
                if (negativeRate == 0) continue;
                int negatives = (int)((epoch - nextNegative[i]) / epochsPerNegative[i]);
                for (int p = 0; p < negatives; p++)
                {
                    int k = random.Next(n);
                    var away = data.AsSpan(k * dim, dim);
                    squared = SquaredDistance(current, away);
                    float repel;
                    if (squared > 0) repel = (float)(2.0 * b / ((0.001 + squared) * (a * Math.Pow(squared, b) + 1)));
                    else if (k == head) continue;
                    else repel = 0;
                    for (int d = 0; d < dim; d++)
                        current[d] += (repel > 0 ? Math.Clamp(repel * (current[d] - away[d]), -Clip, Clip) : Clip) * alpha;
                }
                nextNegative[i] += negatives * epochsPerNegative[i];
            }
            meter.Add(1);
        }
        meter.Finish();
        return embedding;
    }

    /// <summary>
    /// umap-learn's <c>find_ab_params</c>: the a and b of 1 / (1 + a·x^2b) closest in least squares to 1 below
    /// <paramref name="minDist"/> and exp(−(x − minDist) / spread) above it, on 300 points of [0, 3·spread].
    /// </summary>
    internal static (double A, double B) CurveParameters(double spread, double minDist)
    {
        const int points = 300;
        var xs = new double[points];
        var ys = new double[points];
        for (int i = 0; i < points; i++)
        {
            xs[i] = 3 * spread * i / (points - 1);
            ys[i] = xs[i] < minDist ? 1 : Math.Exp(-(xs[i] - minDist) / spread);
        }
        double Loss(double a, double b)
        {
            double sum = 0;
            for (int i = 0; i < points; i++)
            {
                double r = 1 / (1 + a * Math.Pow(xs[i], 2 * b)) - ys[i];
                sum += r * r;
            }
            return sum;
        }
        // Levenberg–Marquardt on (a, b) from (1, 1), as scipy's curve_fit does.
        double ca = 1, cb = 1, lambda = 1e-3, loss = Loss(ca, cb);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 0; i < points; i++)
            {
                double xp = xs[i] == 0 ? 0 : Math.Pow(xs[i], 2 * cb);
                double f = 1 / (1 + ca * xp);
                double r = f - ys[i];
                double da = -xp * f * f;
                double db = xs[i] == 0 ? 0 : -ca * xp * 2 * Math.Log(xs[i]) * f * f;
                jaa += da * da; jab += da * db; jbb += db * db;
                ga += da * r; gb += db * r;
            }
            double maa = jaa * (1 + lambda), mbb = jbb * (1 + lambda), det = maa * mbb - jab * jab;
            if (det == 0) break;
            double stepA = -(mbb * ga - jab * gb) / det, stepB = -(maa * gb - jab * ga) / det;
            double next = Loss(ca + stepA, cb + stepB);
            if (next < loss)
            {
                bool small = Math.Abs(stepA) < 1e-12 * (1 + Math.Abs(ca)) && Math.Abs(stepB) < 1e-12 * (1 + Math.Abs(cb));
                (ca, cb, loss, lambda) = (ca + stepA, cb + stepB, next, lambda / 10);
                if (small) break;
            }
            else
            {
                lambda *= 10;
                if (lambda > 1e12) break;
            }
        }
        return (ca, cb);
    }

    // umap-learn's spectral start: the Laplacian's eigenvectors 2..dim+1, scaled so the largest coordinate is 10, plus noise of
    // SD 1e-4; then every coordinate rescaled to [0, 10].
    private static FeatureMatrix StartLayout(WeightedGraph graph, int dim, Random random, int seed, CancellationToken ct)
    {
        int n = graph.NodeCount;
        var layout = new FeatureMatrix(n, dim);
        if (dim + 1 < n)
        {
            var (_, vectors) = Spectral.Eigenvectors(graph, dim + 1, seed, ct);
            double largest = 0;
            for (int c = 0; c < dim; c++)
                foreach (double v in vectors[c + 1]) largest = Math.Max(largest, Math.Abs(v));
            double expansion = largest > 0 ? 10 / largest : 1;
            for (int i = 0; i < n; i++)
                for (int c = 0; c < dim; c++)
                    layout.Data[i * dim + c] = (float)(vectors[c + 1][i] * expansion + Gaussian(random) * 1e-4);
        }
        else
        {
            for (int i = 0; i < layout.Data.Length; i++) layout.Data[i] = (float)(random.NextDouble() * 20 - 10);
        }
        for (int c = 0; c < dim; c++)
        {
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            for (int i = 0; i < n; i++) { min = Math.Min(min, layout.Data[i * dim + c]); max = Math.Max(max, layout.Data[i * dim + c]); }
            float range = max > min ? max - min : 1;
            for (int i = 0; i < n; i++) layout.Data[i * dim + c] = 10 * (layout.Data[i * dim + c] - min) / range;
        }
        return layout;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int d = 0; d < a.Length; d++)
        {
            float diff = a[d] - b[d];
            sum += diff * diff;
        }
        return sum;
    }
}
