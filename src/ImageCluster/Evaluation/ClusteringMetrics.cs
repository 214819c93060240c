namespace ImageCluster.Evaluation;

/// <summary>
/// External clustering quality scores, matching scikit-learn 1.2 (<c>sklearn.metrics</c>) including its
/// degenerate cases. Labels are compared only as partitions: any distinct value is its own group, so the
/// noise label −1 counts as one more cluster. Empty labelings score 1 (nothing is misplaced).
/// </summary>
public static class ClusteringMetrics
{
    /// <summary>
    /// Normalised mutual information with the arithmetic mean of the two entropies as normaliser
    /// (<c>normalized_mutual_info_score</c> defaults). Both labelings with a single group (or none) score 1;
    /// otherwise zero mutual information scores 0.
    /// </summary>
    public static double NormalizedMutualInformation(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Build(truth, predicted);
        if (table.Classes.Count == table.Clusters.Count && table.Classes.Count <= 1) return 1.0;
        double mutualInformation = MutualInformation(table);
        if (mutualInformation == 0) return 0.0;
        double normaliser = (Entropy(table.ClassSizes, table.Total) + Entropy(table.ClusterSizes, table.Total)) / 2;
        return mutualInformation / normaliser;
    }

    /// <summary>String-labelled <see cref="NormalizedMutualInformation(IReadOnlyList{int}, IReadOnlyList{int})"/>; labels compare ordinally.</summary>
    public static double NormalizedMutualInformation(IReadOnlyList<string> truth, IReadOnlyList<string> predicted) =>
        NormalizedMutualInformation(ToIntegers(truth), ToIntegers(predicted));

    /// <summary>Mutual information in nats (<c>mutual_info_score</c>).</summary>
    public static double MutualInformation(IReadOnlyList<int> truth, IReadOnlyList<int> predicted) =>
        MutualInformation(Contingency.Build(truth, predicted));

    /// <summary>Adjusted Rand index (<c>adjusted_rand_score</c>): 1 for identical partitions, about 0 for random ones, may be negative.</summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var (tn, fp, fn, tp) = PairConfusion(Contingency.Build(truth, predicted));
        if (fn == 0 && fp == 0) return 1.0;
        Int128 numerator = 2 * (tp * tn - fn * fp);
        Int128 denominator = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
        return (double)numerator / (double)denominator;
    }

    /// <summary>String-labelled <see cref="AdjustedRandIndex(IReadOnlyList{int}, IReadOnlyList{int})"/>.</summary>
    public static double AdjustedRandIndex(IReadOnlyList<string> truth, IReadOnlyList<string> predicted) =>
        AdjustedRandIndex(ToIntegers(truth), ToIntegers(predicted));

    /// <summary>Rand index (<c>rand_score</c>): fraction of sample pairs on which the two labelings agree.</summary>
    public static double RandIndex(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var (tn, fp, fn, tp) = PairConfusion(Contingency.Build(truth, predicted));
        Int128 agreeing = tn + tp, all = tn + fp + fn + tp;
        if (agreeing == all || all == 0) return 1.0;
        return (double)agreeing / (double)all;
    }

    /// <summary>String-labelled <see cref="RandIndex(IReadOnlyList{int}, IReadOnlyList{int})"/>.</summary>
    public static double RandIndex(IReadOnlyList<string> truth, IReadOnlyList<string> predicted) =>
        RandIndex(ToIntegers(truth), ToIntegers(predicted));

    /// <summary>Purity: fraction of samples that belong to the most common true class of their predicted cluster.</summary>
    public static double Purity(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Build(truth, predicted);
        if (table.Total == 0) return 1.0;
        var largest = new long[table.Clusters.Count];
        foreach (var (_, column, count) in table.Cells) largest[column] = Math.Max(largest[column], count);
        return (double)largest.Sum() / table.Total;
    }

    /// <summary>String-labelled <see cref="Purity(IReadOnlyList{int}, IReadOnlyList{int})"/>.</summary>
    public static double Purity(IReadOnlyList<string> truth, IReadOnlyList<string> predicted) =>
        Purity(ToIntegers(truth), ToIntegers(predicted));

    /// <summary>
    /// Homogeneity (each cluster holds one class), completeness (each class sits in one cluster) and their weighted
    /// harmonic mean, the V-measure (<c>homogeneity_completeness_v_measure</c>; β = 1 makes V equal to NMI).
    /// </summary>
    public static (double Homogeneity, double Completeness, double VMeasure) HomogeneityCompletenessVMeasure(
        IReadOnlyList<int> truth, IReadOnlyList<int> predicted, double beta = 1.0)
    {
        var table = Contingency.Build(truth, predicted);
        if (table.Total == 0) return (1.0, 1.0, 1.0);
        double mi = MutualInformation(table);
        double classEntropy = Entropy(table.ClassSizes, table.Total);
        double clusterEntropy = Entropy(table.ClusterSizes, table.Total);
        double homogeneity = classEntropy == 0 ? 1.0 : mi / classEntropy;
        double completeness = clusterEntropy == 0 ? 1.0 : mi / clusterEntropy;
        double v = homogeneity + completeness == 0 ? 0.0
            : (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness);
        return (homogeneity, completeness, v);
    }

    /// <summary>Maps string labels to integers, equal strings (ordinal) to equal integers.</summary>
    /// <exception cref="ArgumentException">When an entry is null.</exception>
    public static int[] ToIntegers(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            string label = labels[i] ?? throw new ArgumentException($"Label {i} is null.", nameof(labels));
            if (!ids.TryGetValue(label, out int id)) ids[label] = id = ids.Count;
            result[i] = id;
        }
        return result;
    }

    internal const double MachineEpsilon = 2.220446049250313e-16; // numpy.finfo(float64).eps

    internal static double MutualInformation(Contingency table)
    {
        if (table.Classes.Count == 1 || table.Clusters.Count == 1 || table.Total == 0) return 0.0;
        double logTotal = Math.Log(table.Total);
        double sum = 0;
        foreach (var (row, column, count) in table.Cells)
        {
            double p = (double)count / table.Total;
            double term = p * (Math.Log(count) - logTotal)
                + p * (-Math.Log((double)table.ClassSizes[row] * table.ClusterSizes[column]) + 2 * logTotal);
            // scikit-learn zeroes rounding-level terms before summing.
            if (Math.Abs(term) >= MachineEpsilon) sum += term;
        }
        return Math.Max(0, sum);
    }

    internal static double Entropy(IReadOnlyList<long> sizes, long total)
    {
        if (total == 0) return 1.0;
        double logTotal = Math.Log(total), entropy = 0;
        foreach (long size in sizes)
            if (size > 0) entropy -= (double)size / total * (Math.Log(size) - logTotal);
        return entropy;
    }

    /// <summary>Ordered-pair counts as in <c>pair_confusion_matrix</c>: (tn, fp, fn, tp).</summary>
    private static (Int128 Tn, Int128 Fp, Int128 Fn, Int128 Tp) PairConfusion(Contingency table)
    {
        Int128 n = table.Total;
        Int128 sumSquares = 0, classSquares = 0, clusterSquares = 0;
        foreach (var cell in table.Cells) sumSquares += (Int128)cell.Count * cell.Count;
        foreach (long a in table.ClassSizes) classSquares += (Int128)a * a;
        foreach (long b in table.ClusterSizes) clusterSquares += (Int128)b * b;
        Int128 tp = sumSquares - n;
        Int128 fp = clusterSquares - sumSquares;
        Int128 fn = classSquares - sumSquares;
        Int128 tn = n * n - fp - fn - sumSquares;
        return (tn, fp, fn, tp);
    }
}
