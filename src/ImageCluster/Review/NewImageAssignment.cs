using System.Numerics.Tensors;

namespace ImageCluster.Review;

/// <summary>Settings of <see cref="NewImageAssignment"/>.</summary>
internal sealed record AssignmentOptions
{
    /// <summary>
    /// Which of a cluster's own distances to its centre is its reach: a new image joins the nearest cluster when it is no
    /// farther from the centre than this quantile of the members' distances.
    /// </summary>
    public double Quantile { get; init; } = 0.95;

    /// <summary>
    /// Clusters with fewer members have too few distances to learn a reach from; they get the median reach of the others
    /// (or join nothing when no cluster is that large).
    /// </summary>
    public int MinMembers { get; init; } = 5;
}

/// <summary>Where one new image went.</summary>
/// <param name="Cluster">The existing cluster it joins, or null: none is near enough (it goes to the "new" group).</param>
/// <param name="Nearest">The nearest cluster.</param>
/// <param name="Distance">Its cosine distance to that cluster's mean direction.</param>
/// <param name="Reach">The distance up to which that cluster takes new images.</param>
internal sealed record NewImagePlace(int? Cluster, int Nearest, float Distance, float Reach);

/// <summary>
/// Puts images added to a reviewed dump into the clusters the reviewer already has, without touching the old ones:
/// each existing cluster (as the review left it: merged, split, moved) is its members' mean direction on the unit
/// embeddings, with a reach learnt from the cluster itself — the <see cref="AssignmentOptions.Quantile"/> of its
/// members' cosine distances to that direction. A new image joins the nearest cluster within that cluster's reach,
/// else none ("new"). Noise (−1) takes no new images. O((old + new) · d + new · clusters · d); no I/O.
/// </summary>
internal static class NewImageAssignment
{
    /// <summary>Places every row of <paramref name="added"/>.</summary>
    /// <param name="old">Unit rows of the images already in the run.</param>
    /// <param name="clusterOf">The current cluster of each row of <paramref name="old"/>.</param>
    /// <param name="added">Unit rows of the new images.</param>
    /// <param name="options">Settings.</param>
    public static NewImagePlace[] Assign(FeatureMatrix old, IReadOnlyList<int> clusterOf, FeatureMatrix added, AssignmentOptions options)
    {
        if (added.Rows > 0 && added.Columns != old.Columns) throw new ArgumentException($"new rows have {added.Columns} columns, old {old.Columns}", nameof(added));
        return Assign(old, [.. Enumerable.Range(0, old.Rows)], clusterOf, added, [.. Enumerable.Range(0, added.Rows)], options);
    }

    /// <summary>
    /// Places the rows <paramref name="addedRows"/> of <paramref name="rows"/> among its rows <paramref name="oldRows"/>, all
    /// unit rows of one matrix: a grown run's vectors are placed where they are, not copied (at a million images a copy
    /// is gigabytes).
    /// </summary>
    /// <param name="rows">Unit rows.</param>
    /// <param name="oldRows">The rows of the images already in the run.</param>
    /// <param name="clusterOf">The current cluster of each of <paramref name="oldRows"/>.</param>
    /// <param name="addedRows">The rows of the new images.</param>
    /// <param name="options">Settings.</param>
    public static NewImagePlace[] Assign(FeatureMatrix rows, IReadOnlyList<int> oldRows, IReadOnlyList<int> clusterOf, IReadOnlyList<int> addedRows, AssignmentOptions options) =>
        Assign(rows, oldRows, clusterOf, rows, addedRows, options);

    private static NewImagePlace[] Assign(FeatureMatrix oldSource, IReadOnlyList<int> oldRows, IReadOnlyList<int> clusterOf, FeatureMatrix addedSource,
        IReadOnlyList<int> addedRows, AssignmentOptions options)
    {
        if (oldRows.Count != clusterOf.Count) throw new ArgumentException($"{oldRows.Count} rows but {clusterOf.Count} clusters", nameof(clusterOf));
        var old = new RowView(oldSource, oldRows);
        var added = new RowView(addedSource, addedRows);
        int d = oldSource.Columns;
        var members = Enumerable.Range(0, old.Rows).Where(r => clusterOf[r] >= 0).GroupBy(r => clusterOf[r]).OrderBy(g => g.Key).ToList();
        var labels = members.Select(g => g.Key).ToArray();
        var centres = new float[labels.Length * d];
        var reach = new float[labels.Length];
        var learnt = new List<float>();
        for (int c = 0; c < labels.Length; c++)
        {
            var centre = centres.AsSpan(c * d, d);
            foreach (int r in members[c]) TensorPrimitives.Add(centre, old.ReadRow(r), centre);
            float norm = TensorPrimitives.Norm(centre);
            if (norm > 0) TensorPrimitives.Divide(centre, norm, centre);
            var distances = new float[members[c].Count()];
            int m = 0;
            foreach (int r in members[c]) distances[m++] = 1 - TensorPrimitives.Dot(old.ReadRow(r), centre);
            Array.Sort(distances);
            reach[c] = float.NaN;
            if (distances.Length >= options.MinMembers)
            {
                reach[c] = distances[Math.Min(distances.Length - 1, (int)Math.Ceiling(options.Quantile * distances.Length) - 1)];
                learnt.Add(reach[c]);
            }
        }
        float fallback = learnt.Count == 0 ? float.NegativeInfinity : learnt.Order().ElementAt(learnt.Count / 2);
        for (int c = 0; c < reach.Length; c++)
            if (float.IsNaN(reach[c])) reach[c] = fallback;

        var places = new NewImagePlace[added.Rows];
        Parallel.For(0, added.Rows, i =>
        {
            var row = added.ReadRow(i);
            int best = -1;
            float bestDistance = float.PositiveInfinity;
            for (int c = 0; c < labels.Length; c++)
            {
                float distance = 1 - TensorPrimitives.Dot(row, centres.AsSpan(c * d, d));
                if (distance < bestDistance) (best, bestDistance) = (c, distance);
            }
            places[i] = best < 0
                ? new NewImagePlace(null, -1, float.PositiveInfinity, float.NegativeInfinity)
                : new NewImagePlace(bestDistance <= reach[best] ? labels[best] : null, labels[best], bestDistance, reach[best]);
        });
        return places;
    }

    // Some rows of a matrix, numbered from 0.
    private readonly struct RowView(FeatureMatrix source, IReadOnlyList<int> rows)
    {
        public int Rows => rows.Count;

        public ReadOnlySpan<float> ReadRow(int i) => source.ReadRow(rows[i]);
    }
}
