using System.Buffers;

namespace ImageCluster.Clustering;

/// <summary>
/// Greedy k-means++ seeding as in scikit-learn's <c>_kmeans_plusplus</c>: the first centre is a uniformly
/// random sample; each further centre is the best of <c>2 + ⌊ln k⌋</c> candidates drawn with probability
/// proportional to the squared distance to the nearest chosen centre, "best" meaning the candidate that
/// minimises the resulting potential (sum of squared nearest-centre distances).
/// </summary>
internal static class KMeansPlusPlus
{
    /// <summary>Returns k centres (row-major, k × D) chosen from the rows of <paramref name="data"/>.</summary>
    public static float[] ChooseCentres(KMeansData data, int k, Random random, CancellationToken cancellation)
    {
        int n = data.N, d = data.D;
        int trials = 2 + (int)Math.Log(k);
        var centres = new float[k * d];
        var nearest = new float[n];
        var candidateNearest = new float[trials * n];
        var cumulative = new double[n];
        var candidateIds = new int[trials];
        var candidates = new float[trials * d];
        var blockPotentials = new double[data.BlockCount(n) * trials];

        int first = random.Next(n);
        data.Row(first).CopyTo(centres);
        ComputeNearest(data, centres.AsSpan(0, d).ToArray(), [first], 1, nearest, blockPotentials);
        double potential = SumInOrder(blockPotentials, data.BlockCount(n), 1, 0);

        for (int c = 1; c < k; c++)
        {
            cancellation.ThrowIfCancellationRequested();
            double running = 0;
            for (int i = 0; i < n; i++) cumulative[i] = running += nearest[i];
            for (int t = 0; t < trials; t++)
            {
                double target = random.NextDouble() * potential;
                // numpy.searchsorted(side="left"): first index whose cumulative sum reaches the target.
                int id = Array.BinarySearch(cumulative, target);
                if (id < 0) id = ~id;
                else while (id > 0 && cumulative[id - 1] == target) id--;
                candidateIds[t] = Math.Min(id, n - 1);
                data.Row(candidateIds[t]).CopyTo(candidates.AsSpan(t * d, d));
            }

            ComputeNearest(data, candidates, candidateIds, trials, candidateNearest, blockPotentials, nearest);
            int best = 0;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double p = SumInOrder(blockPotentials, data.BlockCount(n), trials, t);
                if (p < bestPotential) { bestPotential = p; best = t; }
            }
            potential = bestPotential;
            for (int i = 0; i < n; i++) nearest[i] = candidateNearest[i * trials + best];
            candidates.AsSpan(best * d, d).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    /// <summary>
    /// For each sample i and candidate t: <c>output[i·m + t] = min(previous[i], ‖xᵢ − candidate_t‖²)</c>
    /// (just the distance when there is no previous), with per-block potentials for each candidate.
    /// </summary>
    private static void ComputeNearest(KMeansData data, float[] candidates, int[] candidateIds, int m,
        float[] output, double[] blockPotentials, float[]? previous = null)
    {
        var candidateNorms = new float[m];
        for (int t = 0; t < m; t++) candidateNorms[t] = data.SquaredNorms[candidateIds[t]];
        System.Threading.Tasks.Parallel.For(0, data.BlockCount(data.N), data.Parallel,
            () => ArrayPool<float>.Shared.Rent(KMeansData.BlockRows * m),
            (b, _, products) =>
            {
                int start = b * KMeansData.BlockRows, count = Math.Min(KMeansData.BlockRows, data.N - start);
                DotKernel.RowsTimesTransposed(data.X, data.D, data.AllRows.AsSpan(start, count), candidates, m, products);
                Span<double> sums = stackalloc double[m];
                sums.Clear();
                for (int r = 0; r < count; r++)
                {
                    int i = start + r;
                    for (int t = 0; t < m; t++)
                    {
                        float squared = Math.Max(0f, data.SquaredNorms[i] - 2 * products[r * m + t] + candidateNorms[t]);
                        if (previous is not null) squared = Math.Min(squared, previous[i]);
                        output[i * m + t] = squared;
                        sums[t] += squared;
                    }
                }
                sums.CopyTo(blockPotentials.AsSpan(b * m, m));
                return products;
            },
            products => ArrayPool<float>.Shared.Return(products));
    }

    private static double SumInOrder(double[] blockPotentials, int blocks, int m, int t)
    {
        double total = 0;
        for (int b = 0; b < blocks; b++) total += blockPotentials[b * m + t];
        return total;
    }
}
