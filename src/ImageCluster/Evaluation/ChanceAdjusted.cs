namespace ImageCluster.Evaluation;

/// <summary>
/// Scores that need more than the contingency table's entropies: adjusted mutual information (corrected for chance,
/// like scikit-learn's <c>adjusted_mutual_info_score</c>) and the accuracy of the best one-to-one matching of clusters
/// to classes (Hungarian algorithm), the "clustering accuracy" of the deep-clustering literature.
/// </summary>
internal static class ChanceAdjusted
{
    /// <summary>
    /// AMI with the arithmetic-mean normaliser (scikit-learn's default): 1 for identical partitions, about 0 for
    /// random ones. The expected mutual information costs O(classes × clusters × min(class, cluster size)).
    /// </summary>
    public static double AdjustedMutualInformation(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Build(truth, predicted);
        if (table.Classes.Count == table.Clusters.Count && table.Classes.Count <= 1) return 1.0;
        double mi = ClusteringMetrics.MutualInformation(table);
        double emi = ExpectedMutualInformation(table);
        double normaliser = (ClusteringMetrics.Entropy(table.ClassSizes, table.Total) + ClusteringMetrics.Entropy(table.ClusterSizes, table.Total)) / 2;
        double denominator = normaliser - emi;
        // As scikit-learn: keep the sign but never divide by (almost) zero when the expectation meets the maximum.
        const double eps = ClusteringMetrics.MachineEpsilon;
        denominator = denominator < 0 ? Math.Min(denominator, -eps) : Math.Max(denominator, eps);
        return (mi - emi) / denominator;
    }

    /// <summary>
    /// Fraction of samples whose cluster maps to their class under the best one-to-one assignment of clusters to
    /// classes; clusters left without a class (more clusters than classes) count as wrong.
    /// </summary>
    public static double HungarianAccuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Build(truth, predicted);
        if (table.Total == 0) return 1.0;
        int n = Math.Max(table.Classes.Count, table.Clusters.Count);
        var cost = new double[n, n];
        foreach (var (row, column, count) in table.Cells) cost[column, row] = -count; // maximise matched counts
        var assignment = MinimumCostAssignment(cost);
        long matched = 0;
        for (int column = 0; column < n; column++)
            matched += (long)-cost[column, assignment[column]];
        return (double)matched / table.Total;
    }

    private static double ExpectedMutualInformation(Contingency table)
    {
        long n = table.Total;
        double logN = Math.Log(n), lgN = LogGamma(n + 1);
        double sum = 0;
        foreach (long a in table.ClassSizes)
            foreach (long b in table.ClusterSizes)
            {
                // Terms of the hypergeometric distribution of the cell count nij, in log space.
                double constant = LogGamma(a + 1) + LogGamma(b + 1) + LogGamma(n - a + 1) + LogGamma(n - b + 1) - lgN;
                for (long nij = Math.Max(1, a + b - n); nij <= Math.Min(a, b); nij++)
                {
                    double logProbability = constant - LogGamma(nij + 1) - LogGamma(a - nij + 1) - LogGamma(b - nij + 1) - LogGamma(n - a - b + nij + 1);
                    sum += nij / (double)n * (logN + Math.Log(nij) - Math.Log(a) - Math.Log(b)) * Math.Exp(logProbability);
                }
            }
        return sum;
    }

    /// <summary>ln Γ(x) for x ≥ 1 by the Lanczos approximation (g = 7, 9 terms): relative error below 1e-15.</summary>
    internal static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>Hungarian algorithm (Kuhn–Munkres with potentials, O(n³)) on a square cost matrix; returns row → column.</summary>
    private static int[] MinimumCostAssignment(double[,] cost)
    {
        int n = cost.GetLength(0);
        var u = new double[n + 1];
        var v = new double[n + 1];
        var p = new int[n + 1]; // p[column] = row matched to it (1-based; 0 = none)
        var way = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            var minv = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    double current = cost[i0 - 1, j - 1] - u[i0] - v[j];
                    if (current < minv[j]) { minv[j] = current; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= n; j++) assignment[p[j] - 1] = j - 1;
        return assignment;
    }
}
