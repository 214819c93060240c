namespace ImageCluster.Clustering;

/// <summary>A fitted principal component analysis, produced by <see cref="Pca.Fit"/>.</summary>
public sealed class PcaModel
{
    internal PcaModel(float[] mean, FeatureMatrix components, double[] explainedVariance, double[] explainedVarianceRatio, bool whiten)
    {
        Mean = mean;
        Components = components;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
        Whiten = whiten;
    }

    /// <summary>Per-feature mean of the training data.</summary>
    public float[] Mean { get; }

    /// <summary>
    /// Principal axes, one unit-length row per component, by decreasing explained variance.
    /// Each row's largest-magnitude entry is positive (scikit-learn's <c>svd_flip</c> convention).
    /// </summary>
    public FeatureMatrix Components { get; }

    /// <summary>Variance (divisor n − 1) of the training data along each component.</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Fraction of the total variance carried by each component; the sum is at most 1.</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>Number of components kept.</summary>
    public int NComponents => Components.Rows;

    /// <summary>Whether <see cref="Transform"/> divides each projection by the component's standard deviation.</summary>
    public bool Whiten { get; }

    /// <summary>
    /// Projects rows onto the components: <c>(x − Mean) · Componentsᵀ</c>, divided by √ExplainedVariance when
    /// whitening (components with zero variance then map to 0).
    /// </summary>
    public FeatureMatrix Transform(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != Mean.Length)
            throw new ArgumentException($"Expected {Mean.Length} features per row, got {x.Columns}.", nameof(x));
        int d = Mean.Length, k = NComponents;
        var output = new FeatureMatrix(x.Rows, k);
        var scale = new float[k];
        for (int c = 0; c < k; c++)
            scale[c] = !Whiten ? 1f : ExplainedVariance[c] > 0 ? (float)(1 / Math.Sqrt(ExplainedVariance[c])) : 0f;
        const int blockRows = 256;
        Parallel.For(0, (x.Rows + blockRows - 1) / blockRows, b =>
        {
            int start = b * blockRows, count = Math.Min(blockRows, x.Rows - start);
            var centred = new float[count * d];
            for (int r = 0; r < count; r++)
                System.Numerics.Tensors.TensorPrimitives.Subtract(x.ReadRow(start + r), Mean, centred.AsSpan(r * d, d));
            var rows = Enumerable.Range(0, count).ToArray();
            var block = output.Data.AsSpan(start * k, count * k);
            DotKernel.RowsTimesTransposed(centred, d, rows, Components.Data, k, block);
            for (int r = 0; r < count; r++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(block.Slice(r * k, k), scale, block.Slice(r * k, k));
        });
        return output;
    }
}
