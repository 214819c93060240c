namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="KMeans"/>, mirroring scikit-learn's <c>KMeans</c> parameters.</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters k (at least 1, at most the number of samples).</summary>
    public required int NClusters { get; init; }

    /// <summary>Number of k-means++ initialisations; the run with the lowest inertia wins.</summary>
    public int NInit { get; init; } = 10;

    /// <summary>Maximum number of Lloyd iterations per initialisation.</summary>
    public int MaxIter { get; init; } = 300;

    /// <summary>
    /// Convergence tolerance, relative as in scikit-learn: a run stops when the squared Frobenius norm of the
    /// centre shift between two iterations is at most <c>Tol × mean(per-feature variance of the data)</c>.
    /// </summary>
    public double Tol { get; init; } = 1e-4;

    /// <summary>Seed from which every initialisation's random generator is derived.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// How each iteration finds the nearest centres (scikit-learn's <c>algorithm</c>). Both give exactly the same
    /// labels and centres; they differ only in speed and memory.
    /// </summary>
    public KMeansAlgorithm Algorithm { get; init; } = KMeansAlgorithm.Lloyd;

    /// <summary>
    /// Initial centres (k rows, one column per feature), or null for k-means++ seeding (scikit-learn's
    /// <c>init</c> given an array). With given centres there is nothing random to repeat, so, as in
    /// scikit-learn, only one run is made whatever <see cref="NInit"/> says.
    /// </summary>
    public FeatureMatrix? Init { get; init; }

    /// <summary>
    /// Upper bound on worker threads (as <see cref="ParallelOptions.MaxDegreeOfParallelism"/>; −1 = no limit).
    /// Results do not depend on it.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Checks the options against a data set of <paramref name="nSamples"/> rows.
    /// </summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples <= 0)
            throw new ArgumentException("There are no images to cluster.", nameof(nSamples));
        if (NClusters < 1)
            throw new ArgumentException($"The number of clusters k must be at least 1 (got {NClusters}).", nameof(NClusters));
        if (NClusters > nSamples)
            throw new ArgumentException(
                $"k = {NClusters} is larger than the number of images ({nSamples}); choose k between 1 and {nSamples}.",
                nameof(NClusters));
        if (NInit < 1)
            throw new ArgumentException($"The number of initialisations must be at least 1 (got {NInit}).", nameof(NInit));
        if (MaxIter < 1)
            throw new ArgumentException($"The maximum number of iterations must be at least 1 (got {MaxIter}).", nameof(MaxIter));
        if (!(Tol >= 0) || double.IsInfinity(Tol))
            throw new ArgumentException($"The tolerance must be a finite number ≥ 0 (got {Tol}).", nameof(Tol));
        if (Init is not null && Init.Rows != NClusters)
            throw new ArgumentException(
                $"Init has {Init.Rows} initial centres but k = {NClusters}; give exactly one row per cluster.", nameof(Init));
        if (!Enum.IsDefined(Algorithm))
            throw new ArgumentException($"Unknown K-Means algorithm {(int)Algorithm}; use Lloyd or Elkan.", nameof(Algorithm));
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentException(
                $"MaxDegreeOfParallelism must be −1 (no limit) or at least 1 (got {MaxDegreeOfParallelism}).",
                nameof(MaxDegreeOfParallelism));
    }
}
