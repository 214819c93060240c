namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="Dbscan.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class DbscanResult : IClusteringResult
{
    internal DbscanResult(int[] labels, int[] coreSampleIndices)
    {
        Labels = labels;
        NClusters = LabelOrder.Count(labels);
        CoreSampleIndices = coreSampleIndices;
    }

    /// <inheritdoc/>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters { get; }

    /// <summary>
    /// Indices of the core samples (at least <see cref="DbscanOptions.MinSamples"/> samples within
    /// <see cref="DbscanOptions.Eps"/>), ascending, as scikit-learn's <c>core_sample_indices_</c>.
    /// </summary>
    public int[] CoreSampleIndices { get; }
}
