namespace ImageCluster.Clustering;

/// <summary>The three blocked passes of <see cref="Dbscan"/>; none stores a neighbourhood.</summary>
internal static class DbscanPasses
{
    /// <summary>Neighbours within the threshold (the sample itself included) of every sample; each pair scored once.</summary>
    public static int[] CountNeighbours(DensitySpace space, double threshold, ParallelOptions parallel, IProgress<StageProgress>? progress = null)
    {
        var all = space.All;
        var counts = new int[all.Count];
        DensityTiles.Run(space, all, Enumerable.Range(0, all.Count).ToArray(), all, upperOnly: true, parallel,
            () => new int[all.Count],
            (rows, c0, k, tile, local) =>
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    var counter = new Counter(space, rows[r], threshold, local);
                    space.Scan(tile.Slice(r * k, k), c0, Math.Max(c0, rows[r]), all.Norms[rows[r]], all, ref counter);
                }
            },
            local =>
            {
                for (int i = 0; i < counts.Length; i++) counts[i] += local[i];
            },
            WorkMeter.Start(progress, "dbscan neighbours", all.Count));
        return counts;
    }

    /// <summary>
    /// Connected components of the core samples (neighbours within the threshold): the component root of each core
    /// sample, as its lowest index in <paramref name="cores"/>. Each worker unites into its own forest; the forests are
    /// merged at the end, which gives the same components whatever the thread count.
    /// </summary>
    public static int[] ConnectCores(DensitySpace space, DensityRows cores, double threshold, ParallelOptions parallel, IProgress<StageProgress>? progress = null)
    {
        var global = new UnionFind(cores.Count);
        DensityTiles.Run(space, cores, Enumerable.Range(0, cores.Count).ToArray(), cores, upperOnly: true, parallel,
            () => new UnionFind(cores.Count),
            (rows, c0, k, tile, local) =>
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    var linker = new Linker(space, cores, rows[r], threshold, local);
                    space.Scan(tile.Slice(r * k, k), c0, Math.Max(c0, rows[r] + 1), cores.Norms[rows[r]], cores, ref linker);
                }
            },
            local =>
            {
                for (int i = 0; i < cores.Count; i++) global.Union(i, local.Find(i));
            },
            WorkMeter.Start(progress, "dbscan core links", cores.Count));
        var root = new int[cores.Count];
        for (int i = 0; i < root.Length; i++) root[i] = global.Find(i);
        return root;
    }

    /// <summary>
    /// For each of <paramref name="borderIds"/>, the lowest component root among its core neighbours as a sample index,
    /// or −1 when it has none (noise).
    /// </summary>
    public static int[] LowestNeighbouringRoot(DensitySpace space, DensityRows cores, int[] root, int[] borderIds,
        double threshold, ParallelOptions parallel, IProgress<StageProgress>? progress = null)
    {
        var all = space.All;
        var best = new int[all.Count];
        Array.Fill(best, int.MaxValue);
        DensityTiles.Run(space, all, borderIds, cores, upperOnly: false, parallel,
            () => 0,
            (rows, c0, k, tile, _) =>
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    var attacher = new Attacher(space, cores, rows[r], threshold, root, best);
                    space.Scan(tile.Slice(r * k, k), c0, c0, all.Norms[rows[r]], cores, ref attacher);
                }
            },
            _ => { },
            WorkMeter.Start(progress, "dbscan borders", borderIds.Length));
        var result = new int[borderIds.Length];
        for (int b = 0; b < borderIds.Length; b++)
            result[b] = best[borderIds[b]] == int.MaxValue ? -1 : cores.Ids[best[borderIds[b]]];
        return result;
    }

    private readonly struct Counter(DensitySpace space, int i, double threshold, int[] counts) : ICandidateVisitor
    {
        public double Limit => threshold;

        public void Visit(int j, float approx, float band)
        {
            if (!space.Within(i, j, approx, band, threshold)) return;
            counts[i]++;
            if (j != i) counts[j]++;
        }
    }

    private readonly struct Linker(DensitySpace space, DensityRows cores, int i, double threshold, UnionFind forest) : ICandidateVisitor
    {
        public double Limit => threshold;

        public void Visit(int j, float approx, float band)
        {
            // Already connected: the exact distance would change nothing.
            if (forest.Find(i) != forest.Find(j) && space.Within(cores.Ids[i], cores.Ids[j], approx, band, threshold))
                forest.Union(i, j);
        }
    }

    private readonly struct Attacher(DensitySpace space, DensityRows cores, int i, double threshold, int[] root, int[] best)
        : ICandidateVisitor
    {
        public double Limit => threshold;

        public void Visit(int j, float approx, float band)
        {
            if (root[j] < best[i] && space.Within(i, cores.Ids[j], approx, band, threshold)) best[i] = root[j];
        }
    }
}
