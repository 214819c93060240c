namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="Dbscan"/>, mirroring scikit-learn's <c>DBSCAN</c> parameters.</summary>
public sealed record DbscanOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new Dbscan(this);

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


    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (!(Eps > 0) || double.IsInfinity(Eps))
            throw new ArgumentException($"DBSCAN's Eps must be a finite number greater than 0 (got {Eps}).", nameof(Eps));
        if (MinSamples < 1)
            throw new ArgumentException($"DBSCAN's MinSamples must be at least 1 (got {MinSamples}).", nameof(MinSamples));
    }
}
