using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>Initial medoids for <see cref="KMedoids"/>: PAM's BUILD and k-medoids++.</summary>
internal static class MedoidInit
{
    private const int RowsPerTask = 32;

    /// <summary>
    /// BUILD as in R's <c>cluster::pam</c>: k times, add the non-medoid whose addition lowers the total distance most,
    /// the gain of i being Σⱼ max(0, nearestⱼ − d(i, j)) with every nearestⱼ starting at <paramref name="far"/>
    /// (1.1 × the largest distance + 1, as R does); equal gains go to the highest index, as in R. O(k·N²).
    /// Returns the medoids by increasing sample index.
    /// </summary>
    public static int[] Build(Dissimilarities d, int k, double far, ParallelOptions parallel)
    {
        int n = d.N;
        var nearest = new double[n];
        Array.Fill(nearest, far);
        var isMedoid = new bool[n];
        var gains = new double[n];
        var medoids = new int[k];
        for (int c = 0; c < k; c++)
        {
            System.Threading.Tasks.Parallel.For(0, (n + RowsPerTask - 1) / RowsPerTask, parallel, block =>
            {
                for (int i = block * RowsPerTask; i < Math.Min(n, (block + 1) * RowsPerTask); i++)
                    gains[i] = isMedoid[i] ? -1 : Gain(d.Row(i), nearest);
            });
            int best = -1;
            double bestGain = 0;
            for (int i = 0; i < n; i++)
                if (!isMedoid[i] && bestGain <= gains[i])
                {
                    bestGain = gains[i];
                    best = i;
                }
            isMedoid[best] = true;
            medoids[c] = best;
            var row = d.Row(best);
            for (int j = 0; j < n; j++) nearest[j] = Math.Min(nearest[j], row[j]);
        }
        Array.Sort(medoids);
        return medoids;
    }

    private static double Gain(ReadOnlySpan<float> row, double[] nearest)
    {
        int j = 0;
        double gain = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (; j + 8 <= row.Length; j += 8)
            {
                var v = Vector256.Create(row.Slice(j, 8));
                low += Vector256.Max(Vector256.Create(nearest.AsSpan(j, 4)) - Vector256.WidenLower(v), Vector256<double>.Zero);
                high += Vector256.Max(Vector256.Create(nearest.AsSpan(j + 4, 4)) - Vector256.WidenUpper(v), Vector256<double>.Zero);
            }
            gain = Vector256.Sum(low + high);
        }
        for (; j < row.Length; j++) gain += Math.Max(0, nearest[j] - row[j]);
        return gain;
    }

    /// <summary>
    /// k-medoids++ as in scikit-learn-extra: a uniformly random first medoid, then each next one the best (lowest
    /// Σ min squared distance) of 2 + ⌊ln k⌋ samples drawn with probability ∝ squared distance to the nearest medoid.
    /// When every sample already sits on a medoid the lowest free index is taken, so the medoids stay distinct.
    /// Returns the medoids by increasing sample index.
    /// </summary>
    public static int[] PlusPlus(Dissimilarities d, int k, Random random)
    {
        int n = d.N, trials = 2 + (int)Math.Log(k);
        var isMedoid = new bool[n];
        var medoids = new int[k];
        medoids[0] = random.Next(n);
        isMedoid[medoids[0]] = true;
        var closest = new double[n];
        for (int j = 0; j < n; j++) closest[j] = Square(d[medoids[0], j]);
        var cumulative = new double[n];
        var candidate = new double[n];
        var best = new double[n];
        for (int c = 1; c < k; c++)
        {
            double running = 0;
            for (int j = 0; j < n; j++) cumulative[j] = running += closest[j];
            int chosen = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                int id = Draw(cumulative, random.NextDouble() * running);
                if (running == 0 || isMedoid[id]) id = Array.IndexOf(isMedoid, false);
                double potential = 0;
                for (int j = 0; j < n; j++) potential += candidate[j] = Math.Min(closest[j], Square(d[id, j]));
                if (potential < bestPotential)
                {
                    bestPotential = potential;
                    chosen = id;
                    (best, candidate) = (candidate, best);
                }
            }
            medoids[c] = chosen;
            isMedoid[chosen] = true;
            (closest, best) = (best, closest);
        }
        Array.Sort(medoids);
        return medoids;
    }

    private static double Square(float value) => (double)value * value;

    /// <summary>numpy.searchsorted(side="left"): the first index whose cumulative sum reaches the target.</summary>
    private static int Draw(double[] cumulative, double target)
    {
        int id = Array.BinarySearch(cumulative, target);
        if (id < 0) id = ~id;
        else while (id > 0 && cumulative[id - 1] == target) id--;
        return Math.Min(id, cumulative.Length - 1);
    }
}
