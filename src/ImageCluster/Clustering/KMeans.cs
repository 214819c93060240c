namespace ImageCluster.Clustering;

/// <summary>
/// K-Means clustering in the manner of scikit-learn's <c>KMeans(algorithm="lloyd")</c>: greedy k-means++
/// seeding, Lloyd iterations, best of <see cref="KMeansOptions.NInit"/> runs by inertia.
/// Results are identical for the same seed whatever the number of threads.
/// </summary>
public sealed class KMeans
{
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
    public KMeansResult Fit(FeatureMatrix x, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        _options.Validate(x.Rows);
        EnsureFinite(x);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellation,
        };
        var data = new KMeansData(x, parallel);
        int k = _options.NClusters;
        double tolerance = data.MeanFeatureVariance * _options.Tol;
        var seeds = new Random(_options.Seed);
        int[] initSeeds = Enumerable.Range(0, _options.NInit).Select(_ => seeds.Next()).ToArray();

        int[]? bestLabels = null;
        float[]? bestCentres = null;
        double bestInertia = double.PositiveInfinity;
        int bestIterations = 0, bestInit = 0;
        for (int init = 0; init < _options.NInit; init++)
        {
            var random = new Random(initSeeds[init]);
            float[] seedsCentres = KMeansPlusPlus.ChooseCentres(data, k, random, cancellation);
            var run = new LloydRun(data, k);
            run.Run(seedsCentres, _options.MaxIter, tolerance, cancellation);
            float[] centres = run.Centres;
            FillEmptyClusters(data, k, run.Labels, run.NearestSquared, ref centres);
            double inertia = 0;
            foreach (float distance in data.ExactDistances(centres, run.Labels)) inertia += (double)distance * distance;
            if (inertia < bestInertia || bestLabels is null)
            {
                bestInertia = inertia;
                bestLabels = run.Labels;
                bestCentres = centres;
                bestIterations = run.Iterations;
                bestInit = init;
            }
        }
        return BuildResult(x, data, k, bestLabels!, bestCentres!, bestIterations, bestInit);
    }

    private static void EnsureFinite(FeatureMatrix x)
    {
        for (int i = 0; i < x.Rows; i++)
            foreach (float v in x.ReadRow(i))
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Feature vector {i} contains a NaN or infinite value.", nameof(x));
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
        var sizes = new int[k];
        var firstMember = new int[k];
        Array.Fill(firstMember, int.MaxValue);
        for (int i = 0; i < labels.Length; i++)
        {
            sizes[labels[i]]++;
            firstMember[labels[i]] = Math.Min(firstMember[labels[i]], i);
        }
        int[] order = Enumerable.Range(0, k)
            .OrderByDescending(j => sizes[j]).ThenBy(j => firstMember[j]).ToArray();
        var newLabelOf = new int[k];
        for (int rank = 0; rank < k; rank++) newLabelOf[order[rank]] = rank;

        var finalLabels = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) finalLabels[i] = newLabelOf[labels[i]];
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
}
