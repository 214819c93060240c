namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="Spectral.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class SpectralResult : IClusteringResult
{
    internal SpectralResult(int[] labels, double[] eigenvalues, FeatureMatrix embedding)
    {
        Labels = labels;
        NClusters = LabelOrder.Count(labels);
        Eigenvalues = eigenvalues;
        Embedding = embedding;
    }

    /// <inheritdoc/>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters { get; }

    /// <summary>The smallest eigenvalues of the graph's normalised Laplacian, ascending (0 once per connected part of the graph).</summary>
    public double[] Eigenvalues { get; }

    /// <summary>The spectral embedding K-Means labelled: one row per sample, one column per eigenvector (as scikit-learn's <c>spectral_embedding</c>).</summary>
    public FeatureMatrix Embedding { get; }
}
