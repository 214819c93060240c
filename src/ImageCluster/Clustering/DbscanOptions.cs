namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="Dbscan"/>, mirroring scikit-learn's <c>DBSCAN</c> parameters.</summary>
public sealed record DbscanOptions
{
    /// <summary>
    /// Neighbourhood radius (greater than 0). Two samples are neighbours when their distance is at most <c>Eps</c>; the
    /// boundary counts as inside, as in scikit-learn.
    /// </summary>
    public double Eps { get; init; } = 0.5;

    /// <summary>
    /// Neighbours (the sample itself included, as in scikit-learn) a sample needs within <see cref="Eps"/> to be a core
    /// sample (at least 1).
    /// </summary>
    public int MinSamples { get; init; } = 5;

    /// <summary>Distance between samples.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>
    /// Upper bound on worker threads (as <see cref="ParallelOptions.MaxDegreeOfParallelism"/>; −1 = no limit).
    /// Results do not depend on it.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples <= 0)
            throw new ArgumentException("There are no images to cluster.", nameof(nSamples));
        if (!(Eps > 0) || double.IsInfinity(Eps))
            throw new ArgumentException($"DBSCAN's Eps must be a finite number greater than 0 (got {Eps}).", nameof(Eps));
        if (MinSamples < 1)
            throw new ArgumentException($"DBSCAN's MinSamples must be at least 1 (got {MinSamples}).", nameof(MinSamples));
        DensityOptions.ValidateParallelism(MaxDegreeOfParallelism);
    }
}

/// <summary>Checks shared by the density-based algorithms' options.</summary>
internal static class DensityOptions
{
    public static void ValidateParallelism(int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
            throw new ArgumentException(
                $"MaxDegreeOfParallelism must be −1 (no limit) or at least 1 (got {maxDegreeOfParallelism}).",
                nameof(maxDegreeOfParallelism));
    }
}
