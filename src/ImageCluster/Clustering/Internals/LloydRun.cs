namespace ImageCluster.Clustering;

/// <summary>
/// One Lloyd run from given centres, following scikit-learn's <c>_kmeans_single_lloyd</c>: stop on
/// unchanged labels ("strict" convergence) or when the squared centre shift drops to the tolerance,
/// then reassign once more so the labels match the final centres. The nearest-centre search is Hamerly's or
/// Elkan's bounded search (<see cref="KMeansAlgorithm"/>); both give the labels of a full search bit for bit.
/// </summary>
internal sealed class LloydRun
{
    private readonly KMeansData _data;
    private readonly int _k;
    private readonly KMeansAlgorithm _algorithm;

    public LloydRun(KMeansData data, int k, KMeansAlgorithm algorithm = KMeansAlgorithm.Lloyd)
    {
        _data = data;
        _k = k;
        _algorithm = algorithm;
        Labels = new int[data.N];
        NearestSquared = new float[data.N];
    }

    public int[] Labels { get; }
    public float[] NearestSquared { get; }
    public float[] Centres { get; private set; } = [];
    public int Iterations { get; private set; }

    public void Run(float[] initialCentres, int maxIter, double tolerance, CancellationToken cancellation)
    {
        int n = _data.N, d = _data.D, k = _k;
        var centres = initialCentres;
        var next = new float[k * d];
        var sums = new double[k * d];
        var counts = new int[k];
        var previousLabels = new int[n];
        Array.Fill(previousLabels, -1);
        var assignment = CentreAssignment.Create(_algorithm, _data, k);
        bool strict = false;
        int iteration = 0;
        while (iteration < maxIter)
        {
            cancellation.ThrowIfCancellationRequested();
            iteration++;
            assignment.Assign(centres, iteration == 1 ? null : next, Labels, NearestSquared);
            _data.SumByCluster(Labels, k, sums, counts);
            bool relocated = RelocateEmptyClusters(sums, counts);
            double shift = 0;
            for (int j = 0; j < k; j++)
            {
                double scale = counts[j] > 0 ? 1.0 / counts[j] : 1.0;
                for (int f = j * d; f < (j + 1) * d; f++)
                {
                    next[f] = (float)(sums[f] * scale);
                    double delta = next[f] - centres[f];
                    shift += delta * delta;
                }
            }
            (centres, next) = (next, centres);
            if (!relocated && Labels.AsSpan().SequenceEqual(previousLabels))
            {
                strict = true;
                break;
            }
            if (shift <= tolerance) break;
            Labels.CopyTo(previousLabels, 0);
        }
        // next holds the centres of the last assignment, which the bounds refer to.
        if (!strict) assignment.Assign(centres, next, Labels, NearestSquared);
        Centres = centres;
        Iterations = iteration;
    }

    /// <summary>
    /// Like scikit-learn, each empty cluster is re-seeded at one of the samples farthest from their centre,
    /// taking that sample's contribution out of its old cluster. Unlike scikit-learn, a sample is never
    /// taken from a cluster it is the only member of, so relocation cannot empty another cluster.
    /// </summary>
    private bool RelocateEmptyClusters(double[] sums, int[] counts)
    {
        int emptyCount = counts.Count(c => c == 0);
        if (emptyCount == 0) return false;
        int d = _data.D;
        int[] farthestFirst = FarthestFirst(NearestSquared);
        int cursor = 0;
        for (int j = 0; j < _k; j++)
        {
            if (counts[j] != 0) continue;
            while (counts[Labels[farthestFirst[cursor]]] < 2) cursor++;
            int sample = farthestFirst[cursor++];
            int from = Labels[sample];
            var row = _data.Row(sample);
            for (int f = 0; f < d; f++)
            {
                sums[from * d + f] -= row[f];
                sums[j * d + f] = row[f];
            }
            counts[from]--;
            counts[j] = 1;
        }
        return true;
    }

    /// <summary>Sample indices by decreasing squared distance, ties by index.</summary>
    internal static int[] FarthestFirst(float[] squaredDistances)
    {
        var order = Enumerable.Range(0, squaredDistances.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byDistance = squaredDistances[b].CompareTo(squaredDistances[a]);
            return byDistance != 0 ? byDistance : a.CompareTo(b);
        });
        return order;
    }
}
