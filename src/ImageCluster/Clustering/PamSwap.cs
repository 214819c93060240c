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
internal sealed class PamSwap
{
    private const int CandidatesPerTask = 16;
    private const double Epsilon = 2.220446049250313e-16;

    private readonly Dissimilarities _d;
    private readonly int[] _medoids;
    private readonly double _far;
    private readonly double[] _nearest;
    private readonly double[] _second;
    private readonly int[] _nearestSlot;
    private readonly List<(int Sample, int Slot)> _alsoNearest = [];

    /// <param name="d">All dissimilarities.</param>
    /// <param name="medoids">Initial medoids, by increasing sample index; updated in place.</param>
    /// <param name="far">Stands for "no medoid yet" (above every distance), as R's <c>s</c>.</param>
    public PamSwap(Dissimilarities d, int[] medoids, double far)
    {
        _d = d;
        _medoids = medoids;
        _far = far;
        _nearest = new double[d.N];
        _second = new double[d.N];
        _nearestSlot = new int[d.N];
    }

    /// <summary>Swaps until no exchange improves the total or <paramref name="maxSwaps"/> are made; returns the number made.</summary>
    public int Run(int maxSwaps, ParallelOptions parallel)
    {
        int n = _d.N, k = _medoids.Length;
        var isMedoid = new bool[n];
        foreach (int m in _medoids) isMedoid[m] = true;
        FindNearest();
        double total = 0;
        for (int j = 0; j < n; j++) total += _nearest[j];
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
                    if (isMedoid[h]) continue;
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
            // R's guard against endlessly swapping equivalent objects (duplicates) on rounding noise.
            if (!(change < -16 * Epsilon * Math.Abs(total))) break;
            isMedoid[_medoids[chosen]] = false;
            isMedoid[candidate] = true;
            _medoids[chosen] = candidate;
            Array.Sort(_medoids);
            total += change;
            swaps++;
            FindNearest();
        }
        return swaps;
    }

    /// <summary>Nearest and second-nearest medoid distance of every sample, looping over medoids as R does.</summary>
    private void FindNearest()
    {
        int n = _d.N, k = _medoids.Length;
        _alsoNearest.Clear();
        for (int j = 0; j < n; j++)
        {
            double a = _far, b = _far;
            for (int slot = 0; slot < k; slot++)
            {
                double value = _d[_medoids[slot], j];
                if (a > value) { b = a; a = value; }
                else if (b > value) b = value;
            }
            _nearest[j] = a;
            _second[j] = b;
            _nearestSlot[j] = -1;
            for (int slot = 0; slot < k; slot++)
            {
                if (_d[_medoids[slot], j] != a) continue;
                if (_nearestSlot[j] < 0) _nearestSlot[j] = slot;
                else _alsoNearest.Add((j, slot));
            }
        }
    }

    /// <summary>Change of the total distance for exchanging each medoid slot for <paramref name="h"/>.</summary>
    private void Score(int h, Span<double> changes)
    {
        var row = _d.Row(h);
        changes.Clear();
        double shared = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double distance = row[j], nearest = _nearest[j];
            double gained = distance < nearest ? distance - nearest : 0;
            shared += gained;
            changes[_nearestSlot[j]] += Math.Min(_second[j], distance) - nearest - gained;
        }
        foreach (var (j, slot) in _alsoNearest)
        {
            double distance = row[j], nearest = _nearest[j];
            double gained = distance < nearest ? distance - nearest : 0;
            changes[slot] += Math.Min(_second[j], distance) - nearest - gained;
        }
        for (int slot = 0; slot < changes.Length; slot++) changes[slot] += shared;
    }
}
