namespace ImageCluster.Clustering;

/// <summary>Nearest-centre search used by <see cref="KMeans"/> (scikit-learn's <c>algorithm</c> option).</summary>
public enum KMeansAlgorithm
{
    /// <summary>
    /// Lloyd iterations over the blocked x·cᵀ product, skipping samples that provably keep their centre
    /// (Hamerly's single lower bound per sample). Extra memory O(N).
    /// </summary>
    Lloyd,

    /// <summary>
    /// Elkan's triangle-inequality method: k lower bounds per sample plus the centre–centre distances, so that
    /// most distances are never computed once the centres settle. Extra memory O(N·k); pays off for larger k
    /// and well-separated clusters.
    /// </summary>
    Elkan,
}
