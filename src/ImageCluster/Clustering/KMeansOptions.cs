namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="KMeans"/>, mirroring scikit-learn's <c>KMeans</c> parameters.</summary>
public sealed record KMeansOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new KMeans(this);

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
    [System.Text.Json.Serialization.JsonConverter(typeof(FeatureMatrixJsonConverter))]
    public FeatureMatrix? Init { get; init; }

    /// <summary>
    /// True (the default): the fit works on a centred copy of the data. False (scikit-learn's <c>copy_x=False</c>): the data's own
    /// matrix is centred during the fit and its mean added back at the end, which saves one copy of the data; values may then
    /// differ from the originals in the last bit, and nothing else may read or change the matrix while the fit runs.
    /// </summary>
    public bool CopyX { get; init; } = true;


    /// <summary>
    /// Checks the options against a data set of <paramref name="nSamples"/> rows.
    /// </summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        ValidateClusterCount(NClusters, nSamples);
        if (NInit < 1)
            throw new ArgumentException($"NInit must be at least 1 (got {NInit}).", nameof(NInit));
        if (MaxIter < 1)
            throw new ArgumentException($"MaxIter must be at least 1 (got {MaxIter}).", nameof(MaxIter));
        if (!(Tol >= 0) || double.IsInfinity(Tol))
            throw new ArgumentException($"Tol must be a finite number ≥ 0 (got {Tol}).", nameof(Tol));
        if (Init is not null && Init.Rows != NClusters)
            throw new ArgumentException(
                $"Init has {Init.Rows} initial centres but k = {NClusters}; give exactly one row per cluster.", nameof(Init));
        if (!Enum.IsDefined(Algorithm))
            throw new ArgumentException($"Algorithm {(int)Algorithm} is unknown; use Lloyd or Elkan.", nameof(Algorithm));
    }
}
