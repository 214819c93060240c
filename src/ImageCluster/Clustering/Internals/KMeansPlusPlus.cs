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
    /// <summary>
    /// Seeds several independent initialisations in lockstep, one per generator in <paramref name="randoms"/>;
    /// returns k centres (row-major, k × D) for each. Every result equals seeding that initialisation alone.
    /// </summary>
    /// <remarks>
    /// Each step of one initialisation only multiplies the samples by a handful of candidates, so it is
    /// bound by streaming the samples from memory; one pass serving the candidates of all initialisations
    /// at once does the same arithmetic with a fraction of the memory traffic.
    /// A candidate c cannot get closer to sample x than x's current nearest centre a when
    /// ‖c − a‖ ≥ 2‖x − a‖ (triangle inequality), so such samples keep their distance; the chosen centres
    /// and potentials are those of the unpruned algorithm (up to rounding).
    /// </remarks>
    public static float[][] ChooseCentres(KMeansData data, int k, Random[] randoms, CancellationToken cancellation)
    {
        int n = data.N, d = data.D, runs = randoms.Length;
        int trials = 2 + (int)Math.Log(k);
        int m = runs * trials, blocks = data.BlockCount(n);
        var states = new Seeding[runs];
        var candidateIds = new int[m];
        var candidates = new float[m * d];
        var candidateNearest = new float[m * n];
        var blockPotentials = new double[blocks * m];

        for (int g = 0; g < runs; g++)
        {
            states[g] = new Seeding(n, k, d, trials);
            candidateIds[g] = randoms[g].Next(n);
            data.Row(candidateIds[g]).CopyTo(candidates.AsSpan(g * d, d));
            data.Row(candidateIds[g]).CopyTo(states[g].Centres);
        }
        ComputeNearest(data, candidates, candidateIds, runs, 1, candidateNearest, blockPotentials, null);
        for (int g = 0; g < runs; g++)
        {
            states[g].Potential = SumInOrder(blockPotentials, blocks, runs, g);
            for (int i = 0; i < n; i++) states[g].Nearest[i] = candidateNearest[i * runs + g];
        }

        for (int c = 1; c < k; c++)
        {
            cancellation.ThrowIfCancellationRequested();
            // Drawing includes the exact candidate-to-centre distances (c per candidate), worth spreading.
            int step = c;
            System.Threading.Tasks.Parallel.For(0, runs, data.Parallel, g => states[g].Draw(data, step, randoms[g],
                candidateIds.AsSpan(g * trials, trials), candidates.AsSpan(g * trials * d, trials * d)));
            ComputeNearest(data, candidates, candidateIds, m, trials, candidateNearest, blockPotentials, states);
            for (int g = 0; g < runs; g++)
            {
                int best = 0;
                double bestPotential = double.PositiveInfinity;
                for (int t = 0; t < trials; t++)
                {
                    double p = SumInOrder(blockPotentials, blocks, m, g * trials + t);
                    if (p < bestPotential) { bestPotential = p; best = t; }
                }
                states[g].Accept(c, best, bestPotential, candidateNearest, m, g * trials,
                    candidates.AsSpan((g * trials + best) * d, d));
            }
        }
        return states.Select(s => s.Centres).ToArray();
    }

    /// <summary>One initialisation's progress: chosen centres, nearest distances, and pruning data.</summary>
    private sealed class Seeding(int n, int k, int d, int trials)
    {
        public float[] Centres { get; } = new float[k * d];
        public float[] Nearest { get; } = new float[n];
        public double Potential { get; set; }
        private readonly int[] _owner = new int[n];
        private readonly double[] _cumulative = new double[n];
        private readonly float[] _candidateToCentre = new float[trials * k];

        public void Draw(KMeansData data, int c, Random random, Span<int> ids, Span<float> candidates)
        {
            int n = data.N, d = data.D;
            double running = 0;
            for (int i = 0; i < n; i++) _cumulative[i] = running += Nearest[i];
            for (int t = 0; t < ids.Length; t++)
            {
                double target = random.NextDouble() * Potential;
                // numpy.searchsorted(side="left"): first index whose cumulative sum reaches the target.
                int id = Array.BinarySearch(_cumulative, target);
                if (id < 0) id = ~id;
                else while (id > 0 && _cumulative[id - 1] == target) id--;
                ids[t] = Math.Min(id, n - 1);
                var candidate = candidates.Slice(t * d, d);
                data.Row(ids[t]).CopyTo(candidate);
                for (int j = 0; j < c; j++)
                {
                    float distance = System.Numerics.Tensors.TensorPrimitives.Distance(candidate, Centres.AsSpan(j * d, d));
                    _candidateToCentre[t * k + j] = distance * distance;
                }
            }
        }

        // Skip when ‖c − a‖² ≥ 4‖x − a‖² for every candidate; the small slack guards against rounding.
        public bool MayImprove(int sample, int trials)
        {
            float limit = 4 * Nearest[sample] * (1 + 1e-4f);
            for (int t = 0; t < trials; t++)
                if (_candidateToCentre[t * k + _owner[sample]] < limit) return true;
            return false;
        }

        public void Accept(int c, int best, double potential, float[] candidateNearest, int stride, int offset, ReadOnlySpan<float> centre)
        {
            Potential = potential;
            for (int i = 0; i < Nearest.Length; i++)
            {
                float value = candidateNearest[i * stride + offset + best];
                if (value < Nearest[i]) _owner[i] = c;
                Nearest[i] = value;
            }
            centre.CopyTo(Centres.AsSpan(c * d, d));
        }
    }

    /// <summary>
    /// For each sample i and candidate t (of m, <paramref name="trials"/> per initialisation g):
    /// <c>output[i·m + t] = min(nearest_g[i], ‖xᵢ − candidate_t‖²)</c> (just the distance when there are no
    /// states yet), with per-block potentials for each candidate.
    /// </summary>
    private static void ComputeNearest(KMeansData data, float[] candidates, int[] candidateIds, int m, int trials,
        float[] output, double[] blockPotentials, Seeding[]? states)
    {
        var candidateNorms = new float[m];
        for (int t = 0; t < m; t++) candidateNorms[t] = data.SquaredNorms[candidateIds[t]];
        int runs = m / trials;
        data.ForBlocks(data.N,
            () => (Products: ArrayPool<float>.Shared.Rent(KMeansData.BlockRows * m), Rows: ArrayPool<int>.Shared.Rent(KMeansData.BlockRows),
                Improves: new bool[KMeansData.BlockRows * runs]),
            (b, start, count, buffers) =>
            {
                int selected = 0;
                for (int i = start; i < start + count; i++)
                {
                    bool any = states is null;
                    for (int g = 0; g < runs && states is not null; g++)
                        any |= buffers.Improves[selected * runs + g] = states[g].MayImprove(i, trials);
                    if (any) buffers.Rows[selected++] = i;
                    else
                        for (int g = 0; g < runs; g++) output.AsSpan(i * m + g * trials, trials).Fill(states![g].Nearest[i]);
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
                        if (states is null) { output[i * m + t] = squared; continue; }
                        float previous = states[t / trials].Nearest[i];
                        output[i * m + t] = buffers.Improves[r * runs + t / trials] ? Math.Min(squared, previous) : previous;
                    }
                }
                Span<double> sums = m <= 256 ? stackalloc double[m] : new double[m];
                sums.Clear();
                for (int i = start; i < start + count; i++)
                    for (int t = 0; t < m; t++) sums[t] += output[i * m + t];
                sums.CopyTo(blockPotentials.AsSpan(b * m, m));
            },
            buffers =>
            {
                ArrayPool<float>.Shared.Return(buffers.Products);
                ArrayPool<int>.Shared.Return(buffers.Rows);
            });
    }

    private static double SumInOrder(double[] blockPotentials, int blocks, int m, int t)
    {
        double total = 0;
        for (int b = 0; b < blocks; b++) total += blockPotentials[b * m + t];
        return total;
    }
}
