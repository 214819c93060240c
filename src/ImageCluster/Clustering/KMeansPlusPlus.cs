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
    /// <remarks>
    /// A candidate c cannot get closer to sample x than x's current nearest centre a when
    /// ‖c − a‖ ≥ 2‖x − a‖ (triangle inequality), so such samples skip the distance computation; the
    /// chosen centres and potentials are those of the unpruned algorithm (up to rounding).
    /// </remarks>
    public static float[] ChooseCentres(KMeansData data, int k, Random random, CancellationToken cancellation)
    {
        int n = data.N, d = data.D;
        int trials = 2 + (int)Math.Log(k);
        var centres = new float[k * d];
        var nearest = new float[n];
        var owner = new int[n];
        var candidateNearest = new float[trials * n];
        var cumulative = new double[n];
        var candidateIds = new int[trials];
        var candidates = new float[trials * d];
        var candidateToCentre = new float[trials * k];
        var blockPotentials = new double[data.BlockCount(n) * trials];

        int first = random.Next(n);
        data.Row(first).CopyTo(centres);
        ComputeNearest(data, centres.AsSpan(0, d).ToArray(), [first], 1, nearest, blockPotentials, null);
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
                for (int j = 0; j < c; j++)
                {
                    float distance = System.Numerics.Tensors.TensorPrimitives.Distance(
                        candidates.AsSpan(t * d, d), centres.AsSpan(j * d, d));
                    candidateToCentre[t * k + j] = distance * distance;
                }
            }

            var pruning = new Pruning(owner, candidateToCentre, k);
            ComputeNearest(data, candidates, candidateIds, trials, candidateNearest, blockPotentials, nearest, pruning);
            int best = 0;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double p = SumInOrder(blockPotentials, data.BlockCount(n), trials, t);
                if (p < bestPotential) { bestPotential = p; best = t; }
            }
            potential = bestPotential;
            for (int i = 0; i < n; i++)
            {
                float value = candidateNearest[i * trials + best];
                if (value < nearest[i]) owner[i] = c;
                nearest[i] = value;
            }
            candidates.AsSpan(best * d, d).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    /// <summary>Which centre each sample is nearest to, and squared candidate-to-centre distances.</summary>
    private sealed record Pruning(int[] Owner, float[] CandidateToCentre, int Stride)
    {
        // Skip when ‖c − a‖² ≥ 4‖x − a‖² for every candidate; the small slack guards against rounding.
        public bool MayImprove(int sample, float nearestSquared, int trials)
        {
            float limit = 4 * nearestSquared * (1 + 1e-4f);
            for (int t = 0; t < trials; t++)
                if (CandidateToCentre[t * Stride + Owner[sample]] < limit) return true;
            return false;
        }
    }

    /// <summary>
    /// For each sample i and candidate t: <c>output[i·m + t] = min(previous[i], ‖xᵢ − candidate_t‖²)</c>
    /// (just the distance when there is no previous), with per-block potentials for each candidate.
    /// </summary>
    private static void ComputeNearest(KMeansData data, float[] candidates, int[] candidateIds, int m,
        float[] output, double[] blockPotentials, float[]? previous, Pruning? pruning = null)
    {
        var candidateNorms = new float[m];
        for (int t = 0; t < m; t++) candidateNorms[t] = data.SquaredNorms[candidateIds[t]];
        System.Threading.Tasks.Parallel.For(0, data.BlockCount(data.N), data.Parallel,
            () => (Products: ArrayPool<float>.Shared.Rent(KMeansData.BlockRows * m), Rows: new int[KMeansData.BlockRows]),
            (b, _, buffers) =>
            {
                int start = b * KMeansData.BlockRows, count = Math.Min(KMeansData.BlockRows, data.N - start);
                int selected = 0;
                for (int i = start; i < start + count; i++)
                {
                    if (pruning is null || previous is null || pruning.MayImprove(i, previous[i], m))
                        buffers.Rows[selected++] = i;
                    else
                        output.AsSpan(i * m, m).Fill(previous[i]);
                }
                var rows = buffers.Rows.AsSpan(0, selected);
                var products = buffers.Products;
                DotKernel.RowsTimesTransposed(data.X, data.D, rows, candidates, m, products);
                for (int r = 0; r < selected; r++)
                {
                    int i = rows[r];
                    for (int t = 0; t < m; t++)
                    {
                        float squared = Math.Max(0f, data.SquaredNorms[i] - 2 * products[r * m + t] + candidateNorms[t]);
                        output[i * m + t] = previous is null ? squared : Math.Min(squared, previous[i]);
                    }
                }
                Span<double> sums = stackalloc double[m];
                sums.Clear();
                for (int i = start; i < start + count; i++)
                    for (int t = 0; t < m; t++) sums[t] += output[i * m + t];
                sums.CopyTo(blockPotentials.AsSpan(b * m, m));
                return buffers;
            },
            buffers => ArrayPool<float>.Shared.Return(buffers.Products));
    }

    private static double SumInOrder(double[] blockPotentials, int blocks, int m, int t)
    {
        double total = 0;
        for (int b = 0; b < blocks; b++) total += blockPotentials[b * m + t];
        return total;
    }
}
