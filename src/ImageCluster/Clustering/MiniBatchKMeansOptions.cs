namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="MiniBatchKMeans"/>, mirroring scikit-learn's <c>MiniBatchKMeans</c> parameters.</summary>
public sealed record MiniBatchKMeansOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new MiniBatchKMeans(this);

    /// <summary>Number of clusters k (at least 1, at most the number of samples).</summary>
    public required int NClusters { get; init; }

    /// <summary>Samples drawn (with replacement) per step; capped at the number of samples.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Maximum number of passes over the data: at most <c>MaxIter × N / BatchSize</c> steps are taken.</summary>
    public int MaxIter { get; init; } = 100;

    /// <summary>
    /// Stop after this many consecutive steps without improvement of the smoothed (exponentially weighted) batch
    /// inertia; null never stops on that ground.
    /// </summary>
    public int? MaxNoImprovement { get; init; } = 10;

    /// <summary>
    /// Stop when the squared centre movement of one step is at most <c>Tol × mean(per-feature variance)</c>;
    /// 0 (the default, as in scikit-learn) turns this test off.
    /// </summary>
    public double Tol { get; init; }

    /// <summary>Number of k-means++ initialisations; the one with the lowest inertia on a validation sample is used.</summary>
    public int NInit { get; init; } = 3;

    /// <summary>
    /// Samples drawn for each initialisation and for the validation set; null means 3 × BatchSize (at least 3 × k).
    /// Capped at the number of samples.
    /// </summary>
    public int? InitSize { get; init; }

    /// <summary>
    /// Centres whose accumulated count falls below this fraction of the largest count are moved to random samples of
    /// the batch (every 10·k samples seen, or whenever a centre has none). 0 disables reassignment.
    /// </summary>
    public double ReassignmentRatio { get; init; } = 0.01;

    /// <summary>Seed of every random choice (initialisation samples, k-means++, batches, reassignments).</summary>
    public int Seed { get; init; }


    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        ValidateClusterCount(NClusters, nSamples);
        if (BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        if (MaxIter < 1)
            throw new ArgumentException($"MaxIter must be at least 1 (got {MaxIter}).", nameof(MaxIter));
        if (MaxNoImprovement < 0)
            throw new ArgumentException($"MaxNoImprovement must be null or ≥ 0 (got {MaxNoImprovement}).", nameof(MaxNoImprovement));
        if (!(Tol >= 0) || double.IsInfinity(Tol))
            throw new ArgumentException($"Tol must be a finite number ≥ 0 (got {Tol}).", nameof(Tol));
        if (NInit < 1)
            throw new ArgumentException($"NInit must be at least 1 (got {NInit}).", nameof(NInit));
        if (InitSize < 1)
            throw new ArgumentException($"InitSize must be null or at least 1 (got {InitSize}).", nameof(InitSize));
        if (!(ReassignmentRatio >= 0) || double.IsInfinity(ReassignmentRatio))
            throw new ArgumentException($"ReassignmentRatio must be a finite number ≥ 0 (got {ReassignmentRatio}).",
                nameof(ReassignmentRatio));
    }
}
