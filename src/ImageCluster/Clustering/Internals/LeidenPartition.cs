namespace ImageCluster.Clustering;

/// <summary>
/// The Leiden algorithm (Traag, Waltman &amp; van Eck 2019, "From Louvain to Leiden: guaranteeing well-connected
/// communities") for modularity with a resolution γ: fast local moving of nodes, refinement of each community into
/// well-connected parts (merges chosen at random among those that do not lower the quality, with probability ∝
/// exp(gain/θ)), aggregation of the refined parts with the unrefined partition as the start, repeated until no node
/// moves. Quality of a partition: Σ_c [ e_c − γ·K_c²/(2m) ] / (2m), with e_c the weight inside c counted in both
/// directions and K_c the sum of degrees. One thread; the same seed gives the same partition.
/// </summary>
internal sealed class LeidenPartition
{
    private readonly double _resolution;
    private readonly double _randomness;
    private readonly Random _random;
    private readonly CancellationToken _ct;

    public LeidenPartition(double resolution, double randomness, int seed, CancellationToken ct)
    {
        _resolution = resolution;
        _randomness = randomness;
        _random = new Random(seed);
        _ct = ct;
    }

    /// <summary>
    /// Runs <paramref name="iterations"/> passes of the algorithm over <paramref name="graph"/> (−1: until a pass changes
    /// nothing), each starting from the previous pass's partition; returns the community of every node, numbered 0..c−1.
    /// </summary>
    public int[] Run(WeightedGraph graph, int iterations, int[]? start = null)
    {
        int[] membership = start is null ? Enumerable.Range(0, graph.NodeCount).ToArray() : LabelOrder.ByFirstAppearance(start, out _);
        for (int pass = 0; iterations < 0 || pass < iterations; pass++)
        {
            bool changed = Pass(graph, membership);
            if (!changed) break;
        }
        return LabelOrder.ByFirstAppearance(membership, out _);
    }

    /// <summary>The quality (modularity at the resolution) of <paramref name="membership"/> on <paramref name="graph"/>.</summary>
    public static double Quality(WeightedGraph graph, int[] membership, double resolution)
    {
        int communities = membership.Length == 0 ? 0 : membership.Max() + 1;
        var inside = new double[communities];
        var degree = new double[communities];
        for (int v = 0; v < graph.NodeCount; v++)
        {
            degree[membership[v]] += graph.Degree[v];
            for (int e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                if (membership[graph.Targets[e]] == membership[v]) inside[membership[v]] += graph.Weights[e];
        }
        double m2 = graph.TotalDegree, quality = 0;
        if (m2 == 0) return 0;
        for (int c = 0; c < communities; c++) quality += inside[c] - resolution * degree[c] * degree[c] / m2;
        return quality / m2;
    }

    // One pass of the algorithm over all levels; membership (of the original nodes) is updated in place.
    private bool Pass(WeightedGraph graph, int[] membership)
    {
        bool changed = false;
        var current = graph;
        // The community of each node of `current`, and which node of `current` every original node belongs to.
        int[] partition = (int[])membership.Clone();
        int[] nodeOf = Enumerable.Range(0, graph.NodeCount).ToArray();
        while (true)
        {
            _ct.ThrowIfCancellationRequested();
            changed |= MoveNodesFast(current, partition);
            int communities = CountAndRenumber(partition);
            if (communities == current.NodeCount) break;
            int[] refined = Refine(current, partition, communities);
            int parts = CountAndRenumber(refined);
            // A refinement that merged nothing would aggregate nothing, and the loop would never end: aggregate the
            // communities themselves then, as leidenalg does.
            if (parts == current.NodeCount) (refined, parts) = ((int[])partition.Clone(), communities);
            // Each refined part lies inside one community: that community is the aggregate node's start.
            var startOfPart = new int[parts];
            for (int v = 0; v < current.NodeCount; v++) startOfPart[refined[v]] = partition[v];
            for (int i = 0; i < nodeOf.Length; i++) nodeOf[i] = refined[nodeOf[i]];
            current = current.Aggregate(refined, parts);
            partition = startOfPart;
        }
        for (int i = 0; i < membership.Length; i++)
        {
            int community = partition[nodeOf[i]];
            if (community != membership[i]) changed = true;
            membership[i] = community;
        }
        return changed;
    }

    // Leiden's fast local moving: a queue of nodes; a node moves to the neighbouring community (or an empty one) of the
    // highest gain, and its neighbours outside that community are queued again.
    private bool MoveNodesFast(WeightedGraph g, int[] partition)
    {
        int n = g.NodeCount;
        double m2 = g.TotalDegree;
        if (m2 == 0) return false;
        var communityDegree = new double[n];
        var communitySize = new int[n];
        for (int v = 0; v < n; v++)
        {
            communityDegree[partition[v]] += g.Degree[v];
            communitySize[partition[v]]++;
        }
        var empty = new Stack<int>();
        for (int c = n - 1; c >= 0; c--) if (communitySize[c] == 0) empty.Push(c);

        var order = Enumerable.Range(0, n).ToArray();
        _random.Shuffle(order);
        var queue = new Queue<int>(order);
        var queued = new bool[n];
        Array.Fill(queued, true);
        var weightTo = new double[n];
        var touched = new List<int>();
        bool moved = false;
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            queued[v] = false;
            int old = partition[v];
            double kv = g.Degree[v];
            foreach (int c in touched) weightTo[c] = 0;
            touched.Clear();
            touched.Add(old);
            for (int e = g.Offsets[v]; e < g.Offsets[v + 1]; e++)
            {
                int u = g.Targets[e];
                if (u == v) continue;
                int c = partition[u];
                if (weightTo[c] == 0 && c != old) touched.Add(c);
                weightTo[c] += g.Weights[e];
            }
            communityDegree[old] -= kv;
            communitySize[old]--;
            if (communitySize[old] == 0) empty.Push(old);
            int best = old;
            double bestGain = weightTo[old] - _resolution * kv * communityDegree[old] / m2;
            // An empty community gains 0.
            if (bestGain < 0 && communitySize[old] > 0)
            {
                best = empty.Peek();
                bestGain = 0;
            }
            foreach (int c in touched)
            {
                double gain = weightTo[c] - _resolution * kv * communityDegree[c] / m2;
                if (gain > bestGain) { best = c; bestGain = gain; }
            }
            if (communitySize[best] == 0) empty.Pop();
            partition[v] = best;
            communityDegree[best] += kv;
            communitySize[best]++;
            if (best == old) continue;
            moved = true;
            for (int e = g.Offsets[v]; e < g.Offsets[v + 1]; e++)
            {
                int u = g.Targets[e];
                if (!queued[u] && partition[u] != best)
                {
                    queued[u] = true;
                    queue.Enqueue(u);
                }
            }
        }
        return moved;
    }

    // Leiden's refinement: inside each community, nodes start alone and a well-connected singleton joins a
    // well-connected part of its community, chosen at random among the merges that do not lower the quality.
    private int[] Refine(WeightedGraph g, int[] partition, int communities)
    {
        int n = g.NodeCount;
        double m2 = g.TotalDegree;
        var refined = Enumerable.Range(0, n).ToArray();
        var partDegree = (double[])g.Degree.Clone();
        var partSize = new int[n];
        Array.Fill(partSize, 1);
        var communityDegree = new double[communities];
        for (int v = 0; v < n; v++) communityDegree[partition[v]] += g.Degree[v];
        // Weight from each part to the rest of its community (starts as each node's weight to the rest of its community).
        var external = new double[n];
        for (int v = 0; v < n; v++)
            for (int e = g.Offsets[v]; e < g.Offsets[v + 1]; e++)
                if (g.Targets[e] != v && partition[g.Targets[e]] == partition[v]) external[v] += g.Weights[e];

        var order = Enumerable.Range(0, n).ToArray();
        _random.Shuffle(order);
        var weightTo = new double[n];
        var touched = new List<int>();
        var candidates = new List<(int Part, double Gain)>();
        foreach (int v in order)
        {
            if (partSize[refined[v]] != 1) continue;
            int community = partition[v];
            double kv = g.Degree[v], total = communityDegree[community];
            if (external[v] < _resolution * kv * (total - kv) / m2) continue; // not well connected to its community
            foreach (int c in touched) weightTo[c] = 0;
            touched.Clear();
            for (int e = g.Offsets[v]; e < g.Offsets[v + 1]; e++)
            {
                int u = g.Targets[e];
                if (u == v || partition[u] != community) continue;
                int part = refined[u];
                if (weightTo[part] == 0) touched.Add(part);
                weightTo[part] += g.Weights[e];
            }
            candidates.Clear();
            double bestGain = double.NegativeInfinity;
            foreach (int part in touched)
            {
                // Only parts well connected to the rest of their community may take new members.
                if (external[part] < _resolution * partDegree[part] * (total - partDegree[part]) / m2) continue;
                double gain = weightTo[part] - _resolution * kv * partDegree[part] / m2;
                if (gain < 0) continue;
                candidates.Add((part, gain));
                bestGain = Math.Max(bestGain, gain);
            }
            if (candidates.Count == 0) continue;
            int chosen = Choose(candidates, bestGain);
            int own = refined[v];
            refined[v] = chosen;
            partSize[own] = 0;
            partSize[chosen]++;
            partDegree[chosen] += kv;
            partDegree[own] = 0;
            // The edges between v and the part become inside edges; v's other edges to the community become the part's.
            external[chosen] += external[v] - 2 * weightTo[chosen];
            external[own] = 0;
        }
        return refined;
    }

    // Probability ∝ exp(gain / θ), gains relative to the best so that the exponentials stay finite.
    private int Choose(List<(int Part, double Gain)> candidates, double bestGain)
    {
        if (_randomness <= 0) return candidates.First(c => c.Gain == bestGain).Part;
        double total = 0;
        var weights = new double[candidates.Count];
        for (int i = 0; i < candidates.Count; i++) total += weights[i] = Math.Exp((candidates[i].Gain - bestGain) / _randomness);
        double pick = _random.NextDouble() * total;
        for (int i = 0; i < candidates.Count; i++)
        {
            pick -= weights[i];
            if (pick <= 0) return candidates[i].Part;
        }
        return candidates[^1].Part;
    }

    // Renumbers in place to 0..c−1 in order of first appearance; returns c.
    private static int CountAndRenumber(int[] labels)
    {
        var renumbered = LabelOrder.ByFirstAppearance(labels, out int count);
        renumbered.CopyTo(labels, 0);
        return count;
    }
}
