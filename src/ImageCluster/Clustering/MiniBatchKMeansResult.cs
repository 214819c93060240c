namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="MiniBatchKMeans.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class MiniBatchKMeansResult : IClusteringResult
{
    internal MiniBatchKMeansResult(int[] labels, FeatureMatrix centers, double inertia, int nIterations)
    {
        Labels = labels;
        Centers = centers;
        Inertia = inertia;
        NIterations = nIterations;
    }

    /// <summary>
    /// Nearest final centre of each sample, in <c>[0, k)</c>, clusters numbered by size (largest first, ties by lowest
    /// sample index). As in scikit-learn a centre can end up with no samples; such clusters come last.
    /// </summary>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters => Centers.Rows;

    /// <summary>Final centres, one row per cluster, in the numbering of <see cref="Labels"/>.</summary>
    public FeatureMatrix Centers { get; }

    /// <summary>Sum of squared distances of all samples to their nearest final centre.</summary>
    public double Inertia { get; }

    /// <summary>Mini-batch steps taken (scikit-learn's <c>n_steps_</c>).</summary>
    public int NIterations { get; }
}
