namespace ImageCluster.Clustering;

/// <summary>
/// FasterPAM (Schubert &amp; Rousseeuw 2021) with the choices of R's <c>pam(pamonce = 6)</c>: non-medoids are visited
/// cyclically from the one after the last swap; the first whose best exchange lowers the total distance is swapped in
/// at once, and the nearest/second-nearest bookkeeping is updated rather than recomputed. Each visit costs O(N + k),
/// a full pass without a swap O(N²). Medoids keep their slot when exchanged, so equal distances go to the lower slot.
/// </summary>
internal sealed class FasterPamSwap
{
    private const double Epsilon = 2.220446049250313e-16;
    private const int MinSamplesForParallel = 2000;

    private readonly Dissimilarities _d;
    private readonly int[] _medoids;
    private readonly double _far;
    private readonly double[] _nearest;
    private readonly double[] _second;
    private readonly int[] _nearestSlot;
    private readonly int[] _secondSlot;

    /// <param name="d">All dissimilarities.</param>
    /// <param name="medoids">Initial medoids, by increasing sample index, one per slot; updated in place.</param>
    /// <param name="far">Stands for "no medoid yet" (above every distance), as R's <c>s</c>.</param>
    public FasterPamSwap(Dissimilarities d, int[] medoids, double far)
    {
        _d = d;
        _medoids = medoids;
        _far = far;
        _nearest = new double[d.N];
        _second = new double[d.N];
        _nearestSlot = new int[d.N];
        _secondSlot = new int[d.N];
        Array.Fill(_nearestSlot, -1);
    }

    /// <summary>Swaps until a full pass finds no improving exchange or <paramref name="maxSwaps"/> are made; returns the number made.</summary>
    public int Run(int maxSwaps, ParallelOptions parallel)
    {
        int n = _d.N, k = _medoids.Length;
        var isMedoid = new bool[n];
        foreach (int m in _medoids) isMedoid[m] = true;
        double total = 0;
        for (int j = 0; j < n; j++)
        {
            Recompute(j);
            total += _nearest[j];
        }
        var removal = new double[k];
        // Candidates are scored a chunk at a time, side by side; the chunk is then read in visiting order, so the
        // swap chosen is the one a purely sequential scan would choose.
        int chunk = n >= MinSamplesForParallel ? 8 * Environment.ProcessorCount : 1;
        var losses = new double[chunk * k];
        var order = new int[chunk];
        int lastSwap = -1, swaps = 0;
        while (swaps < maxSwaps)
        {
            Array.Clear(removal);
            for (int j = 0; j < n; j++) removal[_nearestSlot[j]] += _second[j] - _nearest[j];
            double change = 1;
            int candidate = -1, chosen = -1;
            bool found = false;
            for (int visited = 0; visited < n && !found;)
            {
                int count = 0;
                for (; count < chunk && visited < n; visited++)
                {
                    int h = (lastSwap + 1 + visited) % n;
                    if (!isMedoid[h]) order[count++] = h;
                }
                if (count == 1) Score(order[0], removal, losses.AsSpan(0, k));
                else System.Threading.Tasks.Parallel.For(0, count, parallel, c => Score(order[c], removal, losses.AsSpan(c * k, k)));
                for (int c = 0; c < count && !found; c++)
                {
                    for (int slot = 0; slot < k; slot++)
                        if (losses[c * k + slot] < change) (change, candidate, chosen) = (losses[c * k + slot], order[c], slot);
                    found = change < 0;
                }
            }
            // R's guard against endlessly swapping equivalent objects (duplicates) on rounding noise.
            if (!(change < -16 * Epsilon * Math.Abs(total))) break;
            isMedoid[_medoids[chosen]] = false;
            isMedoid[candidate] = true;
            _medoids[chosen] = candidate;
            lastSwap = candidate;
            swaps++;
            total = Update(candidate, chosen);
        }
        return swaps;
    }

    /// <summary>Loss (change of the total) of exchanging each slot's medoid for <paramref name="h"/>.</summary>
    private void Score(int h, double[] removal, Span<double> losses)
    {
        var row = _d.Row(h);
        losses.Clear();
        double shared = -_nearest[h];
        losses[_nearestSlot[h]] += _nearest[h] - _second[h];
        for (int j = 0; j < row.Length; j++)
        {
            if (j == h) continue;
            double distance = row[j], nearest = _nearest[j], second = _second[j];
            if (distance < nearest)
            {
                shared += distance - nearest;
                losses[_nearestSlot[j]] += nearest - second;
            }
            else if (distance < second)
            {
                losses[_nearestSlot[j]] += distance - second;
            }
        }
        for (int slot = 0; slot < losses.Length; slot++) losses[slot] = losses[slot] + shared + removal[slot];
    }

    /// <summary>Bookkeeping after <paramref name="h"/> took slot <paramref name="slot"/>; returns the new total.</summary>
    private double Update(int h, int slot)
    {
        var row = _d.Row(h);
        double total = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double distance = row[j];
            if (_nearestSlot[j] == slot)
            {
                if (distance < _second[j]) _nearest[j] = distance;
                else Recompute(j);
            }
            else if (distance < _nearest[j])
            {
                _secondSlot[j] = _nearestSlot[j];
                _second[j] = _nearest[j];
                _nearestSlot[j] = slot;
                _nearest[j] = distance;
            }
            else if (_secondSlot[j] == slot) Recompute(j);
            else if (distance < _second[j])
            {
                _secondSlot[j] = slot;
                _second[j] = distance;
            }
            total += _nearest[j];
        }
        return total;
    }

    /// <summary>Nearest and second-nearest medoid of sample <paramref name="j"/> from scratch, over the slots in order.</summary>
    private void Recompute(int j)
    {
        double a = _far, b = _far;
        for (int slot = 0; slot < _medoids.Length; slot++)
        {
            double value = _d[_medoids[slot], j];
            if (a > value)
            {
                _secondSlot[j] = _nearestSlot[j];
                b = a;
                _nearestSlot[j] = slot;
                a = value;
            }
            else if (b > value)
            {
                _secondSlot[j] = slot;
                b = value;
            }
        }
        _nearest[j] = a;
        _second[j] = b;
    }
}
