namespace ImageCluster.Clustering;

/// <summary>Settings for <see cref="Pca"/>, mirroring scikit-learn's <c>PCA(n_components, whiten)</c>.</summary>
public sealed record PcaOptions
{
    /// <summary>
    /// How many components to keep. A value in (0, 1) is a fraction of the total variance: the smallest
    /// number of components whose cumulative explained-variance ratio reaches it is kept. An integer value
    /// ≥ 1 is the number of components itself (at most min(samples, features)). Other values are invalid.
    /// </summary>
    public required double Components { get; init; }

    /// <summary>Whether <see cref="PcaModel.Transform"/> scales each component to unit variance.</summary>
    public bool Whiten { get; init; }

    /// <summary>Upper bound on worker threads (−1 = no limit). Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Checks the options against a data set of the given shape.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples, int nFeatures)
    {
        if (nSamples < 2)
            throw new ArgumentException($"PCA needs at least 2 images (got {nSamples}).", nameof(nSamples));
        if (nFeatures < 1)
            throw new ArgumentException("PCA needs at least one feature per image.", nameof(nFeatures));
        if (!(Components > 0) || double.IsInfinity(Components))
            throw new ArgumentException(
                $"The number of PCA components must be a fraction in (0, 1) or a whole number ≥ 1 (got {Components}).",
                nameof(Components));
        if (Components >= 1)
        {
            int limit = Math.Min(nSamples, nFeatures);
            if (Components != Math.Floor(Components))
                throw new ArgumentException(
                    $"The number of PCA components must be a whole number when it is 1 or more (got {Components}).",
                    nameof(Components));
            if (Components > limit)
                throw new ArgumentException(
                    $"Cannot keep {Components} PCA components: at most {limit} (the smaller of {nSamples} images and {nFeatures} features).",
                    nameof(Components));
        }
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentException(
                $"MaxDegreeOfParallelism must be −1 (no limit) or at least 1 (got {MaxDegreeOfParallelism}).",
                nameof(MaxDegreeOfParallelism));
    }
}
