namespace ImageCluster.Evaluation;

/// <summary>
/// Woźniak &amp; Wrzesiński's business view of a clustering used as a filter: the user keeps some clusters, and what
/// matters is how much of the class of interest they kept (recall) and how clean the kept images are (precision).
/// </summary>
/// <param name="PositiveClass">The class of interest.</param>
/// <param name="KeptClusters">The clusters counted as selected.</param>
/// <param name="KeptChosenBy">"user" when named, else "majority" (the clusters whose most common class is the positive one).</param>
/// <param name="Selected">Images in the kept clusters.</param>
/// <param name="Positives">Images of the class of interest.</param>
/// <param name="TruePositives">Images of the class of interest in the kept clusters.</param>
/// <param name="Precision">TruePositives / Selected (0 when nothing is selected).</param>
/// <param name="Recall">TruePositives / Positives.</param>
/// <param name="PrecisionWeight">Weight of precision in the Quality Metric.</param>
/// <param name="RecallWeight">Weight of recall in the Quality Metric.</param>
/// <param name="QualityMetric">PrecisionWeight · Precision + RecallWeight · Recall; the paper deems ≥ 0.9 worth using.</param>
public sealed record ClassOfInterestScore(
    string PositiveClass, IReadOnlyList<int> KeptClusters, string KeptChosenBy, long Selected, long Positives, long TruePositives,
    double Precision, double Recall, double PrecisionWeight, double RecallWeight, double QualityMetric);

/// <summary>Computes <see cref="ClassOfInterestScore"/>.</summary>
public static class ClassOfInterest
{
    /// <summary>The paper's weights: recall matters more, since a missed document is costlier than a stray one.</summary>
    public static readonly (double Precision, double Recall) DefaultWeights = (0.3, 0.7);

    /// <summary>
    /// Scores the clusters <paramref name="kept"/> (or, when null, the clusters whose majority class is
    /// <paramref name="positiveClass"/>) as the selection of <paramref name="positiveClass"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown class, mismatched lengths or weights not summing to 1.</exception>
    public static ClassOfInterestScore Score(IReadOnlyList<string> truth, IReadOnlyList<int> clusters, string positiveClass,
        IReadOnlyCollection<int>? kept = null, (double Precision, double Recall)? weights = null)
    {
        if (truth.Count != clusters.Count)
            throw new ArgumentException($"The labelings have different lengths ({truth.Count} true labels, {clusters.Count} clusters).");
        var (wp, wr) = weights ?? DefaultWeights;
        if (wp < 0 || wr < 0 || Math.Abs(wp + wr - 1) > 1e-9)
            throw new ArgumentException($"The Quality Metric weights must be ≥ 0 and sum to 1 (got {wp}, {wr}).");
        if (!truth.Contains(positiveClass))
            throw new ArgumentException($"Class '{positiveClass}' does not occur in the labels; classes: {string.Join(", ", truth.Distinct().Order(StringComparer.Ordinal))}.");

        string chosenBy = kept is null ? "majority" : "user";
        var keptSet = kept is not null ? new HashSet<int>(kept) : MajorityClusters(truth, clusters, positiveClass);
        long selected = 0, positives = 0, truePositives = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            bool isPositive = truth[i] == positiveClass, isSelected = keptSet.Contains(clusters[i]);
            if (isSelected) selected++;
            if (isPositive) positives++;
            if (isPositive && isSelected) truePositives++;
        }
        double precision = selected == 0 ? 0 : (double)truePositives / selected;
        double recall = (double)truePositives / positives;
        return new ClassOfInterestScore(positiveClass, keptSet.Order().ToList(), chosenBy, selected, positives, truePositives,
            precision, recall, wp, wr, QualityMetric(selected, positives, truePositives, (wp, wr)));
    }

    /// <summary>The Quality Metric of a selection from its counts (0 when nothing is selected or nothing is positive).</summary>
    internal static double QualityMetric(long selected, long positives, long truePositives, (double Precision, double Recall)? weights = null)
    {
        var (wp, wr) = weights ?? DefaultWeights;
        if (selected == 0 || positives == 0) return 0;
        return wp * truePositives / selected + wr * truePositives / positives;
    }

    /// <summary>Clusters (noise −1 excluded) whose most common class is the positive one; ties go to the positive class.</summary>
    private static HashSet<int> MajorityClusters(IReadOnlyList<string> truth, IReadOnlyList<int> clusters, string positiveClass)
    {
        var kept = new HashSet<int>();
        foreach (var group in Enumerable.Range(0, truth.Count).Where(i => clusters[i] >= 0).GroupBy(i => clusters[i]))
        {
            var counts = group.GroupBy(i => truth[i]).ToDictionary(g => g.Key, g => g.Count());
            if (counts.TryGetValue(positiveClass, out int positive) && positive >= counts.Values.Max()) kept.Add(group.Key);
        }
        return kept;
    }
}
