using System.Buffers;

namespace ImageCluster.Clustering;

/// <summary>
/// PAM's SWAP phase with the choices of R's <c>cluster::pam</c> (pamonce = 0): every step makes the exchange of
/// medoid i for non-medoid h with the most negative change of the total distance, the first such (h, i) in
/// increasing sample order, and stops when no exchange gains more than 16 ε × the total.
/// </summary>
/// <remarks>
/// R scores each (h, i) with its own pass over the samples (O(k·N²) per swap). The change is the same sum split
/// differently (FastPAM1, Schubert &amp; Rousseeuw 2019): every sample j contributes min(0, d(h, j) − nearestⱼ)
/// whatever medoid leaves, except when it leaves j's nearest medoid, when j moves to min(d(h, j), secondⱼ) instead.
/// One shared pass per h thus scores all k exchanges, O(N²) per swap. As in R, a sample equally near to several
/// medoids counts as "nearest" for each of them.
/// </remarks>
internal sealed class PamSwap(Dissimilarities d, int[] medoids, double far) : MedoidSwap(d, medoids, far)
{
    private const int CandidatesPerTask = 16;

    private readonly List<(int Sample, int Slot)> _alsoNearest = [];

    /// <summary>Makes the best swap while one improves the total, at most <paramref name="maxSwaps"/> times; returns the number made.</summary>
    public override int Run(int maxSwaps, ParallelOptions parallel)
    {
        int n = D.N, k = Medoids.Length;
        FindNearest();
        double total = 0;
        for (int j = 0; j < n; j++) total += Nearest[j];
        int blocks = (n + CandidatesPerTask - 1) / CandidatesPerTask;
        var blockBest = new (double Change, int Candidate, int Slot)[blocks];
        int swaps = 0;
        while (swaps < maxSwaps)
        {
            System.Threading.Tasks.Parallel.For(0, blocks, parallel, block =>
            {
                double[] changes = ArrayPool<double>.Shared.Rent(k);
                // R starts from 1: only a negative change can win, and ties go to the earlier (h, i).
                var best = (Change: 1.0, Candidate: -1, Slot: -1);
                for (int h = block * CandidatesPerTask; h < Math.Min(n, (block + 1) * CandidatesPerTask); h++)
                {
                    if (IsMedoid[h]) continue;
                    Score(h, changes.AsSpan(0, k));
                    for (int slot = 0; slot < k; slot++)
                        if (changes[slot] < best.Change) best = (changes[slot], h, slot);
                }
                blockBest[block] = best;
                ArrayPool<double>.Shared.Return(changes);
            });
            var (change, candidate, chosen) = (1.0, -1, -1);
            foreach (var best in blockBest)
                if (best.Change < change) (change, candidate, chosen) = best;
            if (!Improves(change, total)) break;
            Exchange(chosen, candidate);
            // PAM's ties go to the lower sample index, so the slots stay in index order.
            Array.Sort(Medoids);
            total += change;
            swaps++;
            FindNearest();
        }
        return swaps;
    }

    /// <summary>Nearest and second-nearest medoid distance of every sample, looping over medoids as R does.</summary>
    private void FindNearest()
    {
        int n = D.N, k = Medoids.Length;
        _alsoNearest.Clear();
        for (int j = 0; j < n; j++)
        {
            double a = Far, b = Far;
            for (int slot = 0; slot < k; slot++)
            {
                double value = D[Medoids[slot], j];
                if (a > value) { b = a; a = value; }
                else if (b > value) b = value;
            }
            Nearest[j] = a;
            Second[j] = b;
            NearestSlot[j] = -1;
            for (int slot = 0; slot < k; slot++)
            {
                if (D[Medoids[slot], j] != a) continue;
                if (NearestSlot[j] < 0) NearestSlot[j] = slot;
                else _alsoNearest.Add((j, slot));
            }
        }
    }

    /// <summary>Change of the total distance for exchanging each medoid slot for <paramref name="h"/>.</summary>
    private void Score(int h, Span<double> changes)
    {
        var row = D.Row(h);
        changes.Clear();
        double shared = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double distance = row[j], nearest = Nearest[j];
            double gained = distance < nearest ? distance - nearest : 0;
            shared += gained;
            changes[NearestSlot[j]] += Math.Min(Second[j], distance) - nearest - gained;
        }
        foreach (var (j, slot) in _alsoNearest)
        {
            double distance = row[j], nearest = Nearest[j];
            double gained = distance < nearest ? distance - nearest : 0;
            changes[slot] += Math.Min(Second[j], distance) - nearest - gained;
        }
        for (int slot = 0; slot < changes.Length; slot++) changes[slot] += shared;
    }
}
