using ImageCluster.Neighbours;

namespace ImageCluster.Clustering;

/// <summary>
/// UMAP's fuzzy simplicial set of a kNN graph (McInnes, Healy &amp; Melville 2018; umap-learn's <c>fuzzy_simplicial_set</c>):
/// each sample's distances are shifted by the distance to its nearest neighbour (ρ) and scaled (σ) so that its
/// memberships sum to log₂(k), which makes the graph adapt to the local density; the two directions of an edge are
/// joined as a fuzzy union, w = a + b − a·b. Leiden, spectral clustering and the UMAP layout all work on this graph.
/// </summary>
internal static class FuzzyNeighbourGraph
{
    // umap-learn's SMOOTH_K_TOLERANCE and MIN_K_DIST_SCALE.
    private const double Tolerance = 1e-5;
    private const double MinScale = 1e-3;
    private const int SearchSteps = 64;

    /// <summary>Up to this many samples the neighbours come from an exact scan; above, from an HNSW index.</summary>
    public const int ExactNeighboursUpTo = 20_000;

    /// <summary>The fuzzy graph of the <paramref name="neighbours"/> nearest samples of every row of <paramref name="x"/>.</summary>
    /// <param name="x">The samples.</param>
    /// <param name="neighbours">Neighbours per sample.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="threads">Threads of an index built here (0 = one per core).</param>
    /// <param name="progress">Progress of the neighbour queries.</param>
    /// <param name="ct">Cancels.</param>
    /// <param name="index">An index over the rows of <paramref name="x"/> already at hand (a saved one; the caller keeps
    /// it); null = an exact scan up to <see cref="ExactNeighboursUpTo"/> rows, else an HNSW index built here.</param>
    public static WeightedGraph Of(FeatureMatrix x, int neighbours, DistanceMetric metric, int threads, IProgress<StageProgress>? progress,
        CancellationToken ct, INeighbourIndex? index = null)
    {
        int k = Math.Min(neighbours, x.Rows - 1);
        if (k < 1) return new WeightedGraph(new int[x.Rows + 1], [], []);
        if (index is not null) return Build(AllNeighbours.Of(index, x, k, progress, ct));
        using INeighbourIndex built = x.Rows <= ExactNeighboursUpTo
            ? new ExactNeighbourIndex(x, metric)
            : HnswNeighbourIndex.Build(x, metric, new HnswOptions { Threads = threads > 0 ? threads : 0 });
        return Build(AllNeighbours.Of(built, x, k, progress, ct));
    }

    /// <summary>The fuzzy union graph of <paramref name="neighbours"/> (each row's nearest first, itself left out).</summary>
    public static WeightedGraph Build(AllNeighbours neighbours)
    {
        int k = neighbours.K, n = neighbours.Rows.Length / k;
        var distances = neighbours.Distances;
        // umap-learn counts the sample itself among its n_neighbors; these k leave it out.
        double target = Math.Log2(k + 1);
        double meanAll = 0;
        long finite = 0;
        foreach (float d in distances)
            if (float.IsFinite(d)) { meanAll += d; finite++; }
        meanAll = finite == 0 ? 0 : meanAll / finite;

        var directed = new List<(int, int, double)>(n * k);
        for (int i = 0; i < n; i++)
        {
            var row = distances.AsSpan(i * k, k);
            double rho = 0, mean = 0;
            int found = 0;
            foreach (float d in row)
            {
                if (!float.IsFinite(d)) break;
                if (rho == 0 && d > 0) rho = d;
                mean += d;
                found++;
            }
            if (found == 0) continue;
            mean /= found;
            double sigma = Sigma(row[..found], rho, target);
            sigma = Math.Max(sigma, MinScale * (rho > 0 ? mean : meanAll));
            for (int j = 0; j < found; j++)
            {
                double shifted = row[j] - rho;
                double membership = shifted <= 0 || sigma == 0 ? 1 : Math.Exp(-shifted / sigma);
                directed.Add((i, neighbours.Rows[i * k + j], membership));
            }
        }
        var forward = WeightedGraph.FromEdges(n, directed, symmetrise: false);
        var backward = WeightedGraph.FromEdges(n, directed.ConvertAll(e => (e.Item2, e.Item1, e.Item3)), symmetrise: false);
        return FuzzyUnion(forward, backward);
    }

    // umap-learn's smooth_knn_dist: the σ at which Σ exp(−max(0, d − ρ)/σ) = target, by bisection.
    private static double Sigma(ReadOnlySpan<float> row, double rho, double target)
    {
        double lo = 0, hi = double.PositiveInfinity, mid = 1;
        for (int step = 0; step < SearchSteps; step++)
        {
            double sum = 0;
            foreach (float d in row)
            {
                double shifted = d - rho;
                sum += shifted > 0 ? Math.Exp(-shifted / mid) : 1;
            }
            if (Math.Abs(sum - target) < Tolerance) break;
            if (sum > target)
            {
                hi = mid;
                mid = (lo + hi) / 2;
            }
            else
            {
                lo = mid;
                mid = double.IsPositiveInfinity(hi) ? mid * 2 : (lo + hi) / 2;
            }
        }
        return mid;
    }

    // Row by row, both sorted by target: w = a + b − a·b, a missing edge being 0.
    private static WeightedGraph FuzzyUnion(WeightedGraph a, WeightedGraph b)
    {
        int n = a.NodeCount;
        var offsets = new int[n + 1];
        var targets = new List<int>(a.Targets.Length * 2);
        var weights = new List<double>(a.Targets.Length * 2);
        for (int v = 0; v < n; v++)
        {
            int i = a.Offsets[v], iEnd = a.Offsets[v + 1], j = b.Offsets[v], jEnd = b.Offsets[v + 1];
            while (i < iEnd || j < jEnd)
            {
                int ta = i < iEnd ? a.Targets[i] : int.MaxValue, tb = j < jEnd ? b.Targets[j] : int.MaxValue;
                double wa = 0, wb = 0;
                int t = Math.Min(ta, tb);
                if (ta == t) wa = a.Weights[i++];
                if (tb == t) wb = b.Weights[j++];
                double w = wa + wb - wa * wb;
                if (t == v || w <= 0) continue;
                targets.Add(t);
                weights.Add(w);
            }
            offsets[v + 1] = targets.Count;
        }
        return new WeightedGraph(offsets, [.. targets], [.. weights]);
    }
}
