namespace ImageCluster.Clustering;

/// <summary>One nearest-centre search strategy for the Lloyd loop (see <see cref="KMeansAlgorithm"/>).</summary>
internal interface ICentreAssignment
{
    /// <summary>
    /// Assigns every sample to its nearest centre (ties to the lowest index), bit-identically to
    /// <see cref="KMeansData.Assign"/>. <paramref name="previousCentres"/> must be the centres of the previous call,
    /// or null to recompute everything; <paramref name="labels"/> must still hold that call's labels.
    /// </summary>
    void Assign(float[] centres, float[]? previousCentres, int[] labels, float[] nearestSquared);
}

/// <summary>What the bounded searches share: the rounding margin and the centre movements.</summary>
internal static class CentreAssignment
{
    /// <summary>
    /// Relative margin on squared distances. The float expansion ‖x‖² + ‖c‖² − 2x·c errs by roughly
    /// d·2⁻²⁴·(‖x‖² + ‖c‖²) in the worst case (≈ 1e-5 at d = 1280 with FMA blocks of 16), so 1e-4
    /// leaves every decision to skip a distance safely outside what rounding could flip.
    /// </summary>
    public const float RelativeMargin = 1e-4f;

    public static ICentreAssignment Create(KMeansAlgorithm algorithm, KMeansData data, int k) => algorithm switch
    {
        KMeansAlgorithm.Elkan => new ElkanAssignment(data, k),
        _ => new BoundedAssignment(data, k),
    };

    /// <summary>
    /// Euclidean movement of each centre, computed in double and rounded up slightly so that float rounding
    /// of the bounds it is subtracted from cannot make them optimistic.
    /// </summary>
    public static void Shifts(float[] centres, float[] previous, int k, int d, double[] shifts)
    {
        for (int j = 0; j < k; j++)
        {
            double squared = 0;
            for (int f = j * d; f < (j + 1) * d; f++)
            {
                double delta = (double)centres[f] - previous[f];
                squared += delta * delta;
            }
            shifts[j] = Math.Sqrt(squared) * (1 + 1e-6);
        }
    }
}
