namespace ImageCluster.Clustering;

/// <summary>
/// K-Means clustering in the manner of scikit-learn's <c>KMeans</c>: greedy k-means++ seeding (or given initial
/// centres), Lloyd iterations with Hamerly's or Elkan's bounds (<see cref="KMeansOptions.Algorithm"/>, same result
/// either way), best of <see cref="KMeansOptions.NInit"/> runs by inertia.
/// Results are identical for the same seed whatever the number of threads.
/// Time O(N·k·D) per iteration at worst (far less once the bounds bite); memory O(N·D) for a centred copy of the
/// data (none with <see cref="KMeansOptions.CopyX"/> false), plus O(N) (Lloyd) or O(N·k) (Elkan) for the bounds.
/// </summary>
public sealed class KMeans : IClusterer
{
    // Initialisations seeded together in one pass over the samples; bounds the per-sample scratch
    // (group size × candidates floats per sample) for large NInit.
    private const int SeedingGroup = 16;

    // Above this sample size (in bytes) the data is streamed from memory on every k-means++ step.
    private const long LockstepSeedingBytes = 16L << 20;

    private readonly KMeansOptions _options;

    /// <summary>Creates a clusterer with the given settings.</summary>
    public KMeans(KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Clusters the rows of <paramref name="x"/>. Never returns an empty cluster: if the final assignment
    /// leaves one empty, the sample farthest from its centre (among clusters with at least two members)
    /// is moved into it and the affected centres are recomputed as means of their members.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options or non-finite values in <paramref name="x"/>.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellation"/> is signalled.</exception>
    public KMeansResult Fit(FeatureMatrix x, CancellationToken cancellation = default) => Fit(x, null, cancellation);

    /// <summary>As <see cref="Fit(FeatureMatrix, CancellationToken)"/>, reporting how far its long passes have got to <paramref name="progress"/>
    /// (nothing for a pass that ends within a second).</summary>
    public KMeansResult Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellation,
        };
        float[]? given = GivenCentres(x);
        var data = new KMeansData(x, parallel, centreInPlace: !_options.CopyX);
        InitResult best;
        try
        {
            best = FitCentred(data, given, progress, cancellation);
        }
        finally
        {
            if (!_options.CopyX) data.RestoreInPlace();
        }
        return BuildResult(x, data, _options.NClusters, best.Labels, best.Centres, best.Iterations, best.Init);
    }

    /// <summary>Every initialisation's run on the centred samples; the one with the lowest inertia.</summary>
    private InitResult FitCentred(KMeansData data, float[]? given, IProgress<StageProgress>? progress, CancellationToken cancellation)
    {
        int k = _options.NClusters;
        int nInit = given is null ? _options.NInit : 1;
        double tolerance = data.MeanFeatureVariance * _options.Tol;
        var seeds = new Random(_options.Seed);
        int[] initSeeds = Enumerable.Range(0, nInit).Select(_ => seeds.Next()).ToArray();

        var seedCentres = new float[]?[nInit];
        if (given is not null)
        {
            // The samples are centred on their mean; so must the given centres be.
            for (int f = 0; f < given.Length; f++) given[f] -= data.Mean[f % data.D];
            seedCentres[0] = given;
        }
        // Lockstep seeding only pays once the samples no longer stay in cache between steps; below that,
        // seeding inside each (parallel) run avoids the per-step synchronisation.
        int group = (long)data.N * data.D * sizeof(float) > LockstepSeedingBytes ? SeedingGroup : 1;
        for (int first = 0; first < nInit && group > 1 && given is null; first += group)
        {
            var randoms = initSeeds.Skip(first).Take(group).Select(seed => new Random(seed)).ToArray();
            KMeansPlusPlus.ChooseCentres(data, k, randoms, cancellation).CopyTo(seedCentres, first);
        }

        var runs = new InitResult[nInit];
        var meter = WorkMeter.Start(progress, "kmeans", nInit, "runs");
        int workers = _options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : _options.MaxDegreeOfParallelism;
        if (workers > 1 && nInit >= workers)
        {
            // Whole Lloyd runs per worker scale almost perfectly, whereas splitting each assignment across
            // workers adds synchronisation every iteration. Each run is thread-count independent, so the
            // outcome is the same as running them one after another.
            var sequential = data.WithParallelism(new ParallelOptions { MaxDegreeOfParallelism = 1, CancellationToken = cancellation });
            // An explicit bound: with −1 the thread pool would add threads while runs are in flight,
            // and more runs than cores just evict each other's data from the caches.
            var outer = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellation };
            try
            {
                System.Threading.Tasks.Parallel.For(0, nInit, outer,
                    init =>
                    {
                        runs[init] = RunOnce(sequential, k, initSeeds[init], seedCentres[init], tolerance, cancellation);
                        meter.Add(1);
                    });
            }
            catch (AggregateException e)
            {
                cancellation.ThrowIfCancellationRequested();
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            }
        }
        else
        {
            for (int init = 0; init < nInit; init++)
            {
                runs[init] = RunOnce(data, k, initSeeds[init], seedCentres[init], tolerance, cancellation);
                meter.Add(1);
            }
        }
        meter.Finish();

        // Earliest run wins ties, as when the runs are done in order.
        int bestInit = 0;
        for (int init = 1; init < runs.Length; init++)
            if (runs[init].Inertia < runs[bestInit].Inertia) bestInit = init;
        return runs[bestInit] with { Init = bestInit };
    }

    /// <summary>A copy of <see cref="KMeansOptions.Init"/> after checking it fits <paramref name="x"/>.</summary>
    private float[]? GivenCentres(FeatureMatrix x)
    {
        var init = _options.Init;
        if (init is null) return null;
        if (init.Columns != x.Columns)
            throw new ArgumentException(
                $"Init centres have {init.Columns} features but the data has {x.Columns}; give one value per feature.",
                nameof(KMeansOptions.Init));
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(init.Data))
            throw new ArgumentException("Init centres contain a NaN or infinite value.", nameof(KMeansOptions.Init));
        return (float[])init.Data.Clone();
    }

    private sealed record InitResult(int[] Labels, float[] Centres, double Inertia, int Iterations, int Init = 0);

    private InitResult RunOnce(KMeansData data, int k, int seed, float[]? seedCentres, double tolerance, CancellationToken cancellation)
    {
        seedCentres ??= KMeansPlusPlus.ChooseCentres(data, k, [new Random(seed)], cancellation)[0];
        var run = new LloydRun(data, k, _options.Algorithm);
        run.Run(seedCentres, _options.MaxIter, tolerance, cancellation);
        float[] centres = run.Centres;
        FillEmptyClusters(data, k, run.Labels, run.NearestSquared, ref centres);
        double inertia = 0;
        foreach (float distance in data.ExactDistances(centres, run.Labels)) inertia += (double)distance * distance;
        return new InitResult(run.Labels, centres, inertia, run.Iterations);
    }

    private static void FillEmptyClusters(KMeansData data, int k, int[] labels, float[] nearestSquared, ref float[] centres)
    {
        var counts = new int[k];
        foreach (int label in labels) counts[label]++;
        if (!counts.Contains(0)) return;
        int[] farthestFirst = LloydRun.FarthestFirst(nearestSquared);
        int cursor = 0;
        for (int j = 0; j < k; j++)
        {
            if (counts[j] != 0) continue;
            while (counts[labels[farthestFirst[cursor]]] < 2) cursor++;
            int sample = farthestFirst[cursor++];
            counts[labels[sample]]--;
            labels[sample] = j;
            counts[j] = 1;
        }
        var sums = new double[k * data.D];
        data.SumByCluster(labels, k, sums, counts);
        centres = new float[k * data.D];
        for (int f = 0; f < centres.Length; f++) centres[f] = (float)(sums[f] / counts[f / data.D]);
    }

    private static KMeansResult BuildResult(FeatureMatrix x, KMeansData data, int k, int[] labels, float[] centres,
        int iterations, int bestInit)
    {
        int d = data.D;
        int[] finalLabels = LabelOrder.BySize(labels, k, out int[] order);
        var finalCentres = new FeatureMatrix(k, d);
        for (int rank = 0; rank < k; rank++)
        {
            var target = finalCentres.Row(rank);
            centres.AsSpan(order[rank] * d, d).CopyTo(target);
            System.Numerics.Tensors.TensorPrimitives.Add(target, data.Mean, target);
        }

        var distances = new float[labels.Length];
        double inertia = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            distances[i] = System.Numerics.Tensors.TensorPrimitives.Distance(x.ReadRow(i), finalCentres.ReadRow(finalLabels[i]));
            inertia += (double)distances[i] * distances[i];
        }
        return new KMeansResult(finalLabels, finalCentres, distances, inertia, iterations, bestInit);
    }

    /// <inheritdoc />
    ClustererOptions IClusterer.Options => _options;

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, CancellationToken cancellation) => Fit(x, cancellation);

    /// <inheritdoc />
    IClusteringResult IClusterer.Fit(FeatureMatrix x, IProgress<StageProgress>? progress, CancellationToken cancellation) =>
        Fit(x, progress, cancellation);
}
