namespace ImageCluster.Clustering;

/// <summary>Outcome of <see cref="Leiden.Fit(FeatureMatrix, CancellationToken)"/>.</summary>
public sealed class LeidenResult : IClusteringResult
{
    internal LeidenResult(int[] labels, double resolution, double modularity, int resolutionSteps)
    {
        Labels = labels;
        NClusters = LabelOrder.Count(labels);
        Resolution = resolution;
        Modularity = modularity;
        ResolutionSteps = resolutionSteps;
    }

    /// <inheritdoc/>
    public int[] Labels { get; }

    /// <inheritdoc/>
    public int NClusters { get; }

    /// <summary>The resolution of the partition: the one given, or the one the search for <see cref="LeidenOptions.NClusters"/> settled on.</summary>
    public double Resolution { get; }

    /// <summary>Modularity of the partition on the neighbour graph, at <see cref="Resolution"/>.</summary>
    public double Modularity { get; }

    /// <summary>Leiden runs the resolution search made (1 without <see cref="LeidenOptions.NClusters"/>).</summary>
    public int ResolutionSteps { get; }
}
