namespace ImageCluster.Clustering;

/// <summary>
/// A clustering feature: sample count, linear sum and sum of squared norms of the samples it absorbed (scikit-learn 1.2.1
/// <c>_CFSubcluster</c>). Kept in double precision: the radius is computed as <c>SS/n − |centroid|²</c>, a difference of
/// nearly equal numbers once a subcluster holds many samples.
/// </summary>
internal sealed class CFSubcluster
{
    /// <summary>An empty subcluster (the parent entry that a node split creates).</summary>
    public CFSubcluster(int d)
    {
        LinearSum = new double[d];
        Centroid = new double[d];
    }

    /// <summary>A subcluster of one sample.</summary>
    public CFSubcluster(ReadOnlySpan<float> sample)
    {
        LinearSum = new double[sample.Length];
        for (int f = 0; f < sample.Length; f++) LinearSum[f] = sample[f];
        // As scikit-learn, where centroid_ and linear_sum_ start as the same array (see OwnArrays).
        Centroid = LinearSum;
        NSamples = 1;
        SquaredSum = SqNorm = Dot(LinearSum, LinearSum);
    }

    public int NSamples { get; private set; }

    public double[] LinearSum { get; private set; }

    public double SquaredSum { get; private set; }

    public double[] Centroid { get; private set; }

    public double SqNorm { get; private set; }

    public CFNode? Child { get; set; }

    /// <summary>Absorbs <paramref name="other"/> unconditionally (<c>update</c>).</summary>
    public void Update(CFSubcluster other)
    {
        NSamples += other.NSamples;
        OwnArrays();
        for (int f = 0; f < LinearSum.Length; f++)
        {
            LinearSum[f] += other.LinearSum[f];
            Centroid[f] = LinearSum[f] / NSamples;
        }
        SquaredSum += other.SquaredSum;
        SqNorm = Dot(Centroid, Centroid);
    }

    // scikit-learn builds new arrays on every update; the values are the same when this subcluster's own two arrays
    // are overwritten instead, once they are no longer the single array a one-sample subcluster starts with.
    private void OwnArrays()
    {
        if (ReferenceEquals(LinearSum, Centroid)) Centroid = new double[LinearSum.Length];
    }

    /// <summary>Absorbs <paramref name="nominee"/> if the merged radius stays within <paramref name="threshold"/> (<c>merge_subcluster</c>).</summary>
    public bool TryMerge(CFSubcluster nominee, double threshold)
    {
        double newSquaredSum = SquaredSum + nominee.SquaredSum;
        int newN = NSamples + nominee.NSamples;
        double scale = 1.0 / newN;
        // The same values scikit-learn computes into new arrays, but only stored once the merge is accepted:
        // most candidates are rejected, and this runs for every sample.
        double newSqNorm = 0;
        for (int f = 0; f < LinearSum.Length; f++)
        {
            double centroid = scale * (LinearSum[f] + nominee.LinearSum[f]);
            newSqNorm += centroid * centroid;
        }
        // r² = Σ|xᵢ − c|²/n = SS/n − |c|²
        double squaredRadius = newSquaredSum / newN - newSqNorm;
        if (!(squaredRadius <= threshold * threshold)) return false;
        OwnArrays();
        for (int f = 0; f < LinearSum.Length; f++)
        {
            LinearSum[f] += nominee.LinearSum[f];
            Centroid[f] = scale * LinearSum[f];
        }
        (NSamples, SquaredSum, SqNorm) = (newN, newSquaredSum, newSqNorm);
        return true;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int f = 0; f < a.Length; f++) sum += a[f] * b[f];
        return sum;
    }
}
