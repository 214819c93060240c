namespace ImageCluster.Clustering;

/// <summary>
/// FasterPAM (Schubert &amp; Rousseeuw 2021) with the choices of R's <c>pam(pamonce = 6)</c>: non-medoids are visited
/// cyclically from the one after the last swap; the first whose best exchange lowers the total distance is swapped in
/// at once, and the nearest/second-nearest bookkeeping is updated rather than recomputed. Each visit costs O(N + k),
/// a full pass without a swap O(N²). Medoids keep their slot when exchanged, so equal distances go to the lower slot.
/// </summary>
internal sealed class FasterPamSwap(Dissimilarities d, int[] medoids, double far) : MedoidSwap(d, medoids, far)
{
    private const int MinSamplesForParallel = 2000;

    private readonly int[] _secondSlot = new int[d.N];

    /// <summary>
    /// Swaps until a full pass over the non-medoids finds no improving exchange, or after <paramref name="maxPasses"/>
    /// passes' worth of candidates; returns the number of swaps made.
    /// </summary>
    public override int Run(int maxPasses, ParallelOptions parallel)
    {
        int n = D.N, k = Medoids.Length;
        double total = 0;
        for (int j = 0; j < n; j++)
        {
            Recompute(j);
            total += Nearest[j];
        }
        var removal = new double[k];
        // Candidates are scored a chunk at a time, side by side; the chunk is then read in visiting order, so the
        // swap chosen is the one a purely sequential scan would choose.
        int chunk = n >= MinSamplesForParallel ? 8 * Environment.ProcessorCount : 1;
        var losses = new double[chunk * k];
        var order = new int[chunk];
        int lastSwap = -1, swaps = 0;
        // MaxIter counts passes: one pass scores every non-medoid once (and may make many swaps).
        long budget = (long)maxPasses * (n - k), evaluated = 0;
        while (evaluated < budget)
        {
            Array.Clear(removal);
            for (int j = 0; j < n; j++) removal[NearestSlot[j]] += Second[j] - Nearest[j];
            double change = 1;
            int candidate = -1, chosen = -1;
            bool found = false;
            for (int visited = 0; visited < n && !found && evaluated < budget;)
            {
                int count = 0;
                for (; count < chunk && visited < n; visited++)
                {
                    int h = (lastSwap + 1 + visited) % n;
                    if (!IsMedoid[h]) order[count++] = h;
                }
                if (count == 1) Score(order[0], removal, losses.AsSpan(0, k));
                else System.Threading.Tasks.Parallel.For(0, count, parallel, c => Score(order[c], removal, losses.AsSpan(c * k, k)));
                for (int c = 0; c < count && !found && evaluated < budget; c++, evaluated++)
                {
                    for (int slot = 0; slot < k; slot++)
                        if (losses[c * k + slot] < change) (change, candidate, chosen) = (losses[c * k + slot], order[c], slot);
                    found = change < 0;
                }
            }
            if (!Improves(change, total)) break;
            Exchange(chosen, candidate);
            lastSwap = candidate;
            swaps++;
            total = Update(candidate, chosen);
        }
        return swaps;
    }

    /// <summary>Loss (change of the total) of exchanging each slot's medoid for <paramref name="h"/>.</summary>
    private void Score(int h, double[] removal, Span<double> losses)
    {
        var row = D.Row(h);
        losses.Clear();
        double shared = -Nearest[h];
        losses[NearestSlot[h]] += Nearest[h] - Second[h];
        for (int j = 0; j < row.Length; j++)
        {
            if (j == h) continue;
            double distance = row[j], nearest = Nearest[j], second = Second[j];
            if (distance < nearest)
            {
                shared += distance - nearest;
                losses[NearestSlot[j]] += nearest - second;
            }
            else if (distance < second)
            {
                losses[NearestSlot[j]] += distance - second;
            }
        }
        for (int slot = 0; slot < losses.Length; slot++) losses[slot] = losses[slot] + shared + removal[slot];
    }

    /// <summary>Bookkeeping after <paramref name="h"/> took slot <paramref name="slot"/>; returns the new total.</summary>
    private double Update(int h, int slot)
    {
        var row = D.Row(h);
        double total = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double distance = row[j];
            if (NearestSlot[j] == slot)
            {
                if (distance < Second[j]) Nearest[j] = distance;
                else Recompute(j);
            }
            else if (distance < Nearest[j])
            {
                _secondSlot[j] = NearestSlot[j];
                Second[j] = Nearest[j];
                NearestSlot[j] = slot;
                Nearest[j] = distance;
            }
            else if (_secondSlot[j] == slot) Recompute(j);
            else if (distance < Second[j])
            {
                _secondSlot[j] = slot;
                Second[j] = distance;
            }
            total += Nearest[j];
        }
        return total;
    }

    /// <summary>Nearest and second-nearest medoid of sample <paramref name="j"/> from scratch, over the slots in order.</summary>
    private void Recompute(int j)
    {
        double a = Far, b = Far;
        for (int slot = 0; slot < Medoids.Length; slot++)
        {
            double value = D[Medoids[slot], j];
            if (a > value)
            {
                _secondSlot[j] = NearestSlot[j];
                b = a;
                NearestSlot[j] = slot;
                a = value;
            }
            else if (b > value)
            {
                _secondSlot[j] = slot;
                b = value;
            }
        }
        Nearest[j] = a;
        Second[j] = b;
    }
}
