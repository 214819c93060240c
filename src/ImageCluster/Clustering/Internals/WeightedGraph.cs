namespace ImageCluster.Clustering;

/// <summary>
/// An undirected weighted graph in compressed sparse rows: the neighbours of node v are
/// <c>Targets[Offsets[v]..Offsets[v+1]]</c> with <c>Weights</c> alike, every edge stored in both directions. A node may
/// have a self-loop (an aggregated community's internal weight); <see cref="Degree"/> counts it once, as the sum of its row.
/// </summary>
internal sealed class WeightedGraph
{
    public WeightedGraph(int[] offsets, int[] targets, double[] weights)
    {
        Offsets = offsets;
        Targets = targets;
        Weights = weights;
        NodeCount = offsets.Length - 1;
        Degree = new double[NodeCount];
        for (int v = 0; v < NodeCount; v++)
        {
            double sum = 0;
            for (int e = offsets[v]; e < offsets[v + 1]; e++) sum += weights[e];
            Degree[v] = sum;
            TotalDegree += sum;
        }
    }

    public int NodeCount { get; }
    public int[] Offsets { get; }
    public int[] Targets { get; }
    public double[] Weights { get; }

    /// <summary>Sum of the weights of each node's row (its self-loop included once).</summary>
    public double[] Degree { get; }

    /// <summary>Sum of all degrees: twice the total edge weight (2m).</summary>
    public double TotalDegree { get; }

    /// <summary>
    /// The graph of the given weighted edges, weights of the same pair summed; with <paramref name="symmetrise"/> each edge
    /// is also stored the other way (the undirected graph), without it only as given. Self-edges are kept as self-loops.
    /// </summary>
    public static WeightedGraph FromEdges(int nodes, IReadOnlyList<(int From, int To, double Weight)> edges, bool symmetrise)
    {
        var count = new int[nodes + 1];
        foreach (var (from, to, _) in edges)
        {
            count[from + 1]++;
            if (symmetrise && from != to) count[to + 1]++;
        }
        for (int v = 0; v < nodes; v++) count[v + 1] += count[v];
        var targets = new int[count[nodes]];
        var weights = new double[count[nodes]];
        var cursor = count.AsSpan(0, nodes).ToArray();
        foreach (var (from, to, weight) in edges)
        {
            targets[cursor[from]] = to;
            weights[cursor[from]++] = weight;
            if (symmetrise && from != to)
            {
                targets[cursor[to]] = from;
                weights[cursor[to]++] = weight;
            }
        }
        return Compact(nodes, count, targets, weights);
    }

    /// <summary>
    /// The graph of the communities of <paramref name="membership"/> (numbered 0..communities−1): one node per community,
    /// edge weights summed, a community's internal weight as its self-loop (so degrees are preserved).
    /// </summary>
    public WeightedGraph Aggregate(int[] membership, int communities)
    {
        var edges = new List<(int, int, double)>(Targets.Length);
        for (int v = 0; v < NodeCount; v++)
            for (int e = Offsets[v]; e < Offsets[v + 1]; e++)
                edges.Add((membership[v], membership[Targets[e]], Weights[e]));
        // Both directions are already present, so no symmetrising: a pair of communities gets each direction's sum.
        return FromEdges(communities, edges, symmetrise: false);
    }

    // Sorts each row by target and sums repeated targets, so rows are duplicate-free and in a fixed order.
    private static WeightedGraph Compact(int nodes, int[] offsets, int[] targets, double[] weights)
    {
        var newOffsets = new int[nodes + 1];
        int write = 0;
        for (int v = 0; v < nodes; v++)
        {
            int start = offsets[v], end = offsets[v + 1];
            Array.Sort(targets, weights, start, end - start);
            int rowStart = write;
            for (int e = start; e < end; e++)
            {
                if (write > rowStart && targets[write - 1] == targets[e]) weights[write - 1] += weights[e];
                else
                {
                    targets[write] = targets[e];
                    weights[write++] = weights[e];
                }
            }
            newOffsets[v + 1] = write;
        }
        return new WeightedGraph(newOffsets, targets[..write], weights[..write]);
    }
}
