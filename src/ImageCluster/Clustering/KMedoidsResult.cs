namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="KMedoids.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class KMedoidsResult : IClusteringResult
{
    internal KMedoidsResult(int[] labels, int[] medoidIndices, FeatureMatrix centers, double inertia, int nIterations)
    {
        Labels = labels;
        MedoidIndices = medoidIndices;
        Centers = centers;
        Inertia = inertia;
        NIterations = nIterations;
    }

    /// <summary>
    /// Cluster of each sample: its nearest medoid (equal distances go to the lower medoid index, a medoid to itself),
    /// clusters numbered by size, largest first, ties by lowest sample index.
    /// </summary>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters => MedoidIndices.Length;

    /// <summary>Zero-based sample index of each cluster's medoid, in the numbering of <see cref="Labels"/>.</summary>
    public int[] MedoidIndices { get; }

    /// <summary>The medoids' rows of the input, in the numbering of <see cref="Labels"/>.</summary>
    public FeatureMatrix Centers { get; }

    /// <summary>
    /// The PAM objective: sum over samples of the distance (not squared) to their medoid. R's <c>pam</c> reports this
    /// divided by N as <c>objective["swap"]</c>.
    /// </summary>
    public double Inertia { get; }

    /// <summary>Number of swaps made after the initialisation.</summary>
    public int NIterations { get; }
}
