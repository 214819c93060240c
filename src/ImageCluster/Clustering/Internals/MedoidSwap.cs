namespace ImageCluster.Clustering;

/// <summary>
/// What PAM's SWAP and FasterPAM share: the medoids being improved, every sample's nearest and second-nearest medoid
/// distance, and R's rule for accepting an exchange.
/// </summary>
internal abstract class MedoidSwap
{
    private const double Epsilon = 2.220446049250313e-16;

    /// <param name="d">All dissimilarities.</param>
    /// <param name="medoids">Initial medoids, by increasing sample index; updated in place.</param>
    /// <param name="far">Stands for "no medoid yet" (above every distance), as R's <c>s</c>.</param>
    protected MedoidSwap(Dissimilarities d, int[] medoids, double far)
    {
        D = d;
        Medoids = medoids;
        Far = far;
        Nearest = new double[d.N];
        Second = new double[d.N];
        NearestSlot = new int[d.N];
        IsMedoid = new bool[d.N];
        foreach (int m in medoids) IsMedoid[m] = true;
    }

    protected Dissimilarities D { get; }

    protected int[] Medoids { get; }

    protected double Far { get; }

    /// <summary>Distance of each sample to its nearest medoid.</summary>
    protected double[] Nearest { get; }

    /// <summary>Distance of each sample to its second-nearest medoid (<see cref="Far"/> when k = 1).</summary>
    protected double[] Second { get; }

    /// <summary>Slot in <see cref="Medoids"/> of each sample's nearest medoid.</summary>
    protected int[] NearestSlot { get; }

    protected bool[] IsMedoid { get; }

    /// <summary>Swaps until no exchange improves the total or <paramref name="limit"/> is reached; returns the number of swaps.</summary>
    public abstract int Run(int limit, ParallelOptions parallel);

    /// <summary>
    /// R's acceptance test: "basically &lt; 0", with a margin of 16 ε × the total so that rounding noise cannot keep
    /// swapping equivalent objects (duplicates) for ever.
    /// </summary>
    protected static bool Improves(double change, double total) => change < -16 * Epsilon * Math.Abs(total);

    /// <summary>Puts <paramref name="candidate"/> in place of the medoid in <paramref name="slot"/>.</summary>
    protected void Exchange(int slot, int candidate)
    {
        IsMedoid[Medoids[slot]] = false;
        IsMedoid[candidate] = true;
        Medoids[slot] = candidate;
    }
}
