namespace ImageCluster;

/// <summary>Distance between two feature vectors, for every algorithm and diagnostic that takes a metric.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean (L2) distance.</summary>
    Euclidean,

    /// <summary>
    /// Cosine distance, 1 − cos(a, b), in [0, 2]. Computed on unit-length copies of the rows, where it equals half the
    /// squared Euclidean distance; an all-zero row has distance 1 to everything, as in scikit-learn.
    /// </summary>
    Cosine,
}
