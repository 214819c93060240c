using System.Numerics.Tensors;
using ImageCluster.Neighbours;

namespace ImageCluster.Curation;

/// <summary>Which image of a duplicate group is kept.</summary>
internal enum KeepRule
{
    /// <summary>Most pixels, then the largest file (the least reduced, least recompressed copy).</summary>
    Largest,

    /// <summary>Highest sharpness (variance of the Laplacian), then most pixels.</summary>
    Sharpest,

    /// <summary>Earliest modification time (the original a copy was made from, as far as file times tell).</summary>
    Oldest,

    /// <summary>First path in ordinal order: predictable, and the only rule a features file without images allows.</summary>
    First,
}

/// <summary>What the keep rules compare, per row; null entries where it is unknown (a features file has no images).</summary>
internal sealed record KeepFacts(IReadOnlyList<string> Paths, IReadOnlyList<ImageQuality?>? Quality = null, IReadOnlyList<long>? Lengths = null,
    IReadOnlyList<DateTime>? Modified = null);

/// <summary>
/// Duplicate groups of a collection: each group is a centre image and every image byte-identical to it (same content
/// hash) or whose embedding has cosine similarity of at least a threshold with it, and the one image a
/// <see cref="KeepRule"/> keeps of them. Candidates come from the neighbours (<see cref="NearDuplicateGroups"/>, never
/// N × N); groups never chain.
/// </summary>
/// <param name="Group">Group of every row, or −1 for a row with no duplicate.</param>
/// <param name="Kept">Row kept of each group, by group number.</param>
/// <param name="Similarity">Cosine similarity of every grouped row to its group's kept row (1 for the kept row; NaN outside groups).</param>
/// <param name="Exact">True for a grouped row byte-identical to its group's kept row (the kept row included).</param>
internal sealed record DuplicateGroups(int[] Group, int[] Kept, float[] Similarity, bool[] Exact)
{
    /// <summary>Components above this many rows are split by their neighbour lists instead of all their pairs.</summary>
    internal const int LargeComponent = 2000;

    /// <summary>Rows that belong to a group.</summary>
    public int Members => Group.Count(g => g >= 0);

    /// <summary>
    /// Groups <paramref name="unitRows"/> (L2-normalised) from their neighbours: pairs at or above <paramref name="threshold"/>
    /// and pairs with the same content hash are the candidates; every group is a star around its centre.
    /// </summary>
    /// <param name="unitRows">The rows, L2-normalised.</param>
    /// <param name="neighbours">All-kNN of the rows under cosine distance.</param>
    /// <param name="threshold">Least cosine similarity of a near-duplicate pair, in [0, 1].</param>
    /// <param name="hashes">Content hash per row, or null (a features file).</param>
    /// <param name="keep">Which image of a group is kept.</param>
    /// <param name="facts">What the keep rule compares.</param>
    /// <param name="maxHashDistance">Most bits in which the perceptual hashes of a near pair may differ (when both rows have
    /// <see cref="KeepFacts.Quality"/>); null = the embedding alone decides.</param>
    /// <exception cref="ArgumentException">A threshold outside [0, 1] (ParamName <c>Threshold</c>).</exception>
    public static DuplicateGroups Find(FeatureMatrix unitRows, AllNeighbours neighbours, double threshold, IReadOnlyList<string>? hashes, KeepRule keep,
        KeepFacts facts, int? maxHashDistance = null)
    {
        // Both images measured: their perceptual hashes must agree too, which tells a re-encode or crop of one photo from
        // another photo of the same kind of subject (an embedding sees both as "a dandelion close-up").
        Func<int, int, bool>? confirm = maxHashDistance is { } most && facts.Quality is { } q
            ? (a, b) => q[a] is not { } qa || q[b] is not { } qb || qa.HashDistance(qb) <= most
            : null;
        var component = NearDuplicateGroups.Of(neighbours, threshold, hashes, confirm);
        var comparer = Comparer(keep, facts);
        var members = new Dictionary<int, List<int>>();
        for (int i = 0; i < component.Length; i++)
            if (component[i] >= 0)
                (members.TryGetValue(component[i], out var list) ? list : members[component[i]] = []).Add(i);

        var group = Enumerable.Repeat(-1, component.Length).ToArray();
        var kept = new List<int>();
        // Components link through chains, and a chain of similar shots can join two that are not alike at all (the
        // dandelions of Oxford 17 at 0.90). So each component is split into stars: the image near the most others takes
        // every image still free within the threshold of it, then the next such image of those left, and so on. Every
        // member of a group is then a near duplicate of its centre; the rule then picks which of them is kept.
        var byHash = hashes is null ? null : Enumerable.Range(0, component.Length).Where(i => component[i] >= 0).ToLookup(i => hashes[i], StringComparer.Ordinal);
        foreach (var rows in members.Values.OrderBy(m => m[0]))
        {
            var near = rows.ToDictionary(r => r, r => Near(r, rows, unitRows, neighbours, threshold, hashes, byHash, confirm));
            var centres = rows.OrderByDescending(r => near[r].Count).ThenBy(r => r, comparer).ToList();
            foreach (int centre in centres)
            {
                if (group[centre] >= 0) continue;
                var star = near[centre].Where(r => group[r] < 0).Append(centre).ToList();
                if (star.Count < 2) continue; // its near duplicates are all in other stars: it joins one of them below
                star.Sort(comparer);
                foreach (int row in star) group[row] = kept.Count;
                kept.Add(star[0]);
            }
            // A row whose near duplicates all went to other stars joins the star of the most similar of them rather than
            // being left out: it is a duplicate, only less alike to that star's centre (its similarity column says how much).
            foreach (int row in rows.Where(r => group[r] < 0).ToList())
            {
                int nearest = -1;
                float best = float.NegativeInfinity;
                foreach (int other in near[row])
                    if (group[other] >= 0 && Dot(unitRows.ReadRow(other), unitRows.ReadRow(row)) is var cosine && cosine > best)
                        (nearest, best) = (other, cosine);
                if (nearest < 0) continue;
                group[row] = group[nearest];
                if (comparer.Compare(row, kept[group[row]]) < 0) kept[group[row]] = row; // the rule decides among all members
            }
        }
        var similarity = Enumerable.Repeat(float.NaN, component.Length).ToArray();
        var exact = new bool[component.Length];
        for (int i = 0; i < group.Length; i++)
        {
            if (group[i] < 0) continue;
            int k = kept[group[i]];
            exact[i] = i == k || (hashes is not null && hashes[i] == hashes[k]);
            similarity[i] = exact[i] ? 1f : Math.Clamp(Dot(unitRows.ReadRow(i), unitRows.ReadRow(k)), -1f, 1f);
        }
        return new DuplicateGroups(group, kept.ToArray(), similarity, exact);
    }

    // The rows of the component within the threshold of row (or identical to it). A large component (a burst, a video's
    // frames) is not compared all against all: a row looks only at its own neighbours and copies, so the work stays O(N·k).
    private static List<int> Near(int row, List<int> component, FeatureMatrix unitRows, AllNeighbours neighbours, double threshold,
        IReadOnlyList<string>? hashes, ILookup<string, int>? byHash, Func<int, int, bool>? confirm)
    {
        var candidates = component.Count <= LargeComponent ? (IEnumerable<int>)component
            : Enumerable.Range(row * neighbours.K, neighbours.K).Select(j => neighbours.Rows[j]).Where(r => r >= 0)
                .Concat(byHash is null ? [] : byHash[hashes![row]]).Distinct();
        return candidates.Where(other => other != row &&
            ((hashes is not null && hashes[other] == hashes[row]) ||
             (Dot(unitRows.ReadRow(other), unitRows.ReadRow(row)) >= threshold && (confirm is null || confirm(row, other))))).ToList();
    }

    /// <summary>Orders rows best first by <paramref name="keep"/>, ties by path; refuses a rule the facts cannot decide.</summary>
    /// <exception cref="ArgumentException">The rule needs images and the facts have none (ParamName <c>Keep</c>).</exception>
    public static IComparer<int> Comparer(KeepRule keep, KeepFacts facts)
    {
        Comparison<int> byPath = (a, b) => string.CompareOrdinal(facts.Paths[a], facts.Paths[b]);
        Comparison<int> rule = keep switch
        {
            KeepRule.First => byPath,
            KeepRule.Largest when facts.Quality is { } q => (a, b) =>
                Then(((long)q[b]!.Width * q[b]!.Height).CompareTo((long)q[a]!.Width * q[a]!.Height), facts.Lengths is { } l ? l[b].CompareTo(l[a]) : 0),
            KeepRule.Sharpest when facts.Quality is { } q => (a, b) =>
                Then(q[b]!.Sharpness.CompareTo(q[a]!.Sharpness), ((long)q[b]!.Width * q[b]!.Height).CompareTo((long)q[a]!.Width * q[a]!.Height)),
            KeepRule.Oldest when facts.Modified is { } m => (a, b) => m[a].CompareTo(m[b]),
            _ => throw new ArgumentException($"Keep {keep.ToString().ToLowerInvariant()} compares the images themselves; a features file has only vectors, so only first applies", "Keep"),
        };
        return Comparer<int>.Create((a, b) => Then(rule(a, b), byPath(a, b)));
    }

    private static int Then(int first, int second) => first != 0 ? first : second;

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Dot(a, b);
}
