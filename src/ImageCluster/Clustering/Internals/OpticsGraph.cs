namespace ImageCluster.Clustering;

/// <summary>
/// scikit-learn 1.2.1's <c>compute_optics_graph</c> with brute-force distances: core distances by blocked k-nearest
/// neighbours, then the ordering loop that expands from the unprocessed sample of lowest reachability.
/// </summary>
internal static class OpticsGraph
{
    /// <summary>
    /// <c>_compute_core_distances_</c>: distance to the <paramref name="minSamples"/>-th nearest sample (the sample itself
    /// counts, at distance 0), +∞ above <paramref name="maxEps"/>, rounded like scikit-learn's <c>np.around(…, 15)</c>.
    /// Blocked: each row keeps a sorted buffer of its <paramref name="minSamples"/> smallest exact scores; an approximate
    /// score is recomputed exactly only when it may beat the buffer's largest. Memory O(N · minSamples).
    /// </summary>
    public static double[] CoreDistances(DensitySpace space, int minSamples, double maxEps, ParallelOptions parallel,
        IProgress<StageProgress>? progress = null)
    {
        var all = space.All;
        int n = all.Count, k = minSamples;
        var nearest = new double[(long)n * k];
        var filled = new int[n];
        DensityTiles.Run(space, all, Enumerable.Range(0, n).ToArray(), all, upperOnly: false, parallel,
            () => 0,
            (rows, c0, width, tile, _) =>
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    var nearestK = new NearestK(space, rows[r], nearest.AsSpan(rows[r] * k, k), ref filled[rows[r]]);
                    space.Scan(tile.Slice(r * width, width), c0, c0, all.Norms[rows[r]], all, ref nearestK);
                }
            },
            _ => { },
            WorkMeter.Start(progress, "optics core distances", n));
        var core = new double[n];
        for (int i = 0; i < n; i++)
        {
            double distance = space.DistanceOf(nearest[(long)i * k + k - 1]);
            core[i] = Round15(distance > maxEps ? double.PositiveInfinity : distance);
        }
        return core;
    }

    // The k smallest exact scores of row i so far, ascending; a candidate is scored exactly only if it may beat the largest.
    private ref struct NearestK(DensitySpace space, int i, Span<double> buffer, ref int filled) : ICandidateVisitor
    {
        private readonly Span<double> _buffer = buffer;
        private ref int _filled = ref filled;

        public readonly double Limit => _filled == _buffer.Length ? _buffer[^1] : double.PositiveInfinity;

        public void Visit(int j, float approx, float band)
        {
            double score = space.ExactScore(i, j);
            if (_filled < _buffer.Length) _filled++;
            else if (score >= _buffer[^1]) return;
            int at = _filled - 1;
            for (; at > 0 && _buffer[at - 1] > score; at--) _buffer[at] = _buffer[at - 1];
            _buffer[at] = score;
        }
    }

    /// <summary>
    /// The main loop of <c>compute_optics_graph</c> with <c>_set_reach_dist</c>: the next sample is the unprocessed one of
    /// lowest reachability, the lowest index on ties (+∞ included); a processed core sample lowers its unprocessed
    /// neighbours' (within max_eps) reachability to max(distance, core distance) where that is strictly smaller.
    /// Each step scores one row on demand: O(N · d) time per step, O(N) memory.
    /// </summary>
    public static (int[] Ordering, double[] Reachability, int[] Predecessor) Order(
        DensitySpace space, double[] core, double maxEps, ParallelOptions parallel, IProgress<StageProgress>? progress = null)
    {
        int n = core.Length, d = space.D;
        var reachability = new double[n];
        Array.Fill(reachability, double.PositiveInfinity);
        var predecessor = new int[n];
        Array.Fill(predecessor, -1);
        var ordering = new int[n];
        var live = new OpticsLiveRows(space);
        double maxScore = space.ScoreOf(maxEps);
        // Chunks of about 1 MB of rows: enough work per chunk to pay for handing it to another worker.
        int chunk = Math.Max(256, 262144 / Math.Max(1, d));
        var chunkBest = new int[(n + chunk - 1) / chunk];

        int point = 0;
        var meter = WorkMeter.Start(progress, "optics ordering", n);
        for (int step = 0; step < n; step++)
        {
            parallel.CancellationToken.ThrowIfCancellationRequested();
            meter.Add(1);
            ordering[step] = point;
            live.Remove(point);
            if (live.Count == 0) break;

            double pointCore = core[point];
            bool expand = !double.IsInfinity(pointCore);
            int from = point;
            int chunks = (live.Count + chunk - 1) / chunk;
            void Scan(int c)
            {
                int start = c * chunk, count = Math.Min(live.Count - start, chunk);
                if (expand) live.Relax(start, count, from, pointCore, maxScore, reachability, predecessor);
                chunkBest[c] = live.Best(start, count);
            }
            if (chunks > 1 && expand)
                Parallel.For(0, chunks, parallel, Scan);
            else
                for (int c = 0; c < chunks; c++) Scan(c);
            point = chunkBest[0];
            for (int c = 1; c < chunks; c++)
                if (Before(chunkBest[c], point, reachability)) point = chunkBest[c];
        }
        meter.Finish();
        return (ordering, reachability, predecessor);
    }

    // Lower reachability first, then lower index: numpy's argmin over the unprocessed indices in ascending order.
    private static bool Before(int a, int b, double[] reachability) =>
        reachability[a] < reachability[b] || (reachability[a] == reachability[b] && a < b);

    /// <summary>numpy's <c>np.around(v, decimals=15)</c> for float64: rint(v · 10¹⁵) / 10¹⁵.</summary>
    public static double Round15(double v) =>
        double.IsFinite(v) ? Math.Round(v * 1e15, MidpointRounding.ToEven) / 1e15 : v;
}
