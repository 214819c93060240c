using ImageCluster.Clustering;

namespace ImageCluster.Neighbours;

/// <summary>
/// Near-duplicate groups: the connected components of the pairs whose cosine similarity (1 − cosine distance) is at
/// least a threshold, the pairs taken from every row's k nearest neighbours. Linking through neighbours makes a group
/// transitive (a re-encode of a crop joins the crop's group) at O(N·k), never N × N.
/// </summary>
internal static class NearDuplicateGroups
{
    /// <summary>
    /// The group of every row (0, 1, … in order of each group's first row), or −1 for a row with no near duplicate.
    /// </summary>
    /// <param name="neighbours">All-kNN under <see cref="DistanceMetric.Cosine"/>.</param>
    /// <param name="threshold">Least similarity of a linking pair, in [0, 1].</param>
    /// <param name="hashes">Content hash of every row, or null: rows with the same hash are linked whatever their
    /// neighbours (more identical copies than k, or a threshold of 1 that rounding would miss).</param>
    /// <param name="confirm">A second test a pair above the threshold must pass (rows i, j), or null.</param>
    /// <exception cref="ArgumentException">A threshold outside [0, 1] (ParamName <c>Threshold</c>).</exception>
    public static int[] Of(AllNeighbours neighbours, double threshold, IReadOnlyList<string>? hashes = null, Func<int, int, bool>? confirm = null)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"Threshold must be a cosine similarity between 0 and 1 (got {threshold}).", "Threshold");
        int n = neighbours.Rows.Length / neighbours.K;
        var components = new UnionFind(n);
        var linked = new bool[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < neighbours.K; j++)
            {
                int other = neighbours.Rows[i * neighbours.K + j];
                if (other < 0 || 1 - neighbours.Distances[i * neighbours.K + j] < threshold || (confirm is not null && !confirm(i, other))) continue;
                components.Union(i, other);
                linked[i] = linked[other] = true;
            }
        if (hashes is not null)
        {
            var firstWith = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (!firstWith.TryAdd(hashes[i], i))
                {
                    components.Union(i, firstWith[hashes[i]]);
                    linked[i] = linked[firstWith[hashes[i]]] = true;
                }
            }
        }
        var group = new int[n];
        var numbers = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            if (!linked[i])
            {
                group[i] = -1;
                continue;
            }
            int root = components.Find(i);
            if (!numbers.TryGetValue(root, out int number)) numbers[root] = number = numbers.Count;
            group[i] = number;
        }
        return group;
    }

    /// <summary>
    /// Pairwise scores against true groups: of the pairs in one found group, the share in one true group (precision),
    /// and of the pairs in one true group, the share found together (recall); 1 where there are no pairs to count.
    /// </summary>
    public static (double Precision, double Recall) PairwiseScores(int[] found, IReadOnlyList<string> truth)
    {
        long foundPairs = 0, truePairs = 0, both = 0;
        for (int i = 0; i < found.Length; i++)
            for (int j = i + 1; j < found.Length; j++) // O(N²): for labelled evaluation sets, not for dumps
            {
                bool sameFound = found[i] >= 0 && found[i] == found[j], sameTrue = truth[i] == truth[j];
                foundPairs += sameFound ? 1 : 0;
                truePairs += sameTrue ? 1 : 0;
                both += sameFound && sameTrue ? 1 : 0;
            }
        return (foundPairs == 0 ? 1 : (double)both / foundPairs, truePairs == 0 ? 1 : (double)both / truePairs);
    }
}
