namespace ImageCluster.Clustering;

/// <summary>
/// Cluster extraction from an OPTICS reachability plot, ported line by line from scikit-learn 1.2.1
/// (<c>sklearn/cluster/_optics.py</c>); each method names the function it ports. Labels here are scikit-learn's raw
/// numbering (−1 = noise); <see cref="Optics"/> renumbers them by size.
/// </summary>
internal static class OpticsExtraction
{
    /// <summary><c>cluster_optics_dbscan</c>: DBSCAN-like labels for any eps ≤ max_eps, from one OPTICS run.</summary>
    public static int[] Dbscan(double[] reachability, double[] coreDistances, int[] ordering, double eps)
    {
        var labels = new int[ordering.Length];
        int label = -1;
        foreach (int p in ordering)
        {
            bool farReach = reachability[p] > eps, nearCore = coreDistances[p] <= eps;
            if (farReach && nearCore) label++;
            labels[p] = farReach && !nearCore ? -1 : label;
        }
        return labels;
    }

    /// <summary><c>_extract_xi_labels</c>: the clusters in list order, each taking only still unlabelled positions.</summary>
    public static int[] XiLabels(int[] ordering, IReadOnlyList<(int Start, int End)> clusters)
    {
        var byPosition = new int[ordering.Length];
        Array.Fill(byPosition, -1);
        int label = 0;
        foreach (var (start, end) in clusters)
        {
            if (byPosition.AsSpan(start, end - start + 1).ContainsAnyExcept(-1)) continue;
            byPosition.AsSpan(start, end - start + 1).Fill(label++);
        }
        var labels = new int[ordering.Length];
        for (int position = 0; position < ordering.Length; position++) labels[ordering[position]] = byPosition[position];
        return labels;
    }

    /// <summary>
    /// <c>_xi_cluster</c>: steep-down / steep-up areas of the reachability plot (Ankerst et al. 1999, Figure 19, with
    /// scikit-learn's corrections to Definitions 9 and 11), returning clusters as (start, end) positions in the ordering,
    /// smaller clusters before the larger ones that contain them.
    /// </summary>
    public static List<(int Start, int End)> XiClusters(double[] reachability, int[] predecessor, int[] ordering, double xi,
        int minSamples, int minClusterSize, bool predecessorCorrection)
    {
        int n = ordering.Length;
        // scikit-learn appends +inf so that a cluster at the very end of the plot is still closed.
        var plot = new double[n + 1];
        var predecessorPlot = new int[n];
        for (int position = 0; position < n; position++)
        {
            plot[position] = reachability[ordering[position]];
            predecessorPlot[position] = predecessor[ordering[position]];
        }
        plot[n] = double.PositiveInfinity;

        double xiComplement = 1 - xi;
        var steepUpward = new bool[n];
        var steepDownward = new bool[n];
        var downward = new bool[n];
        var upward = new bool[n];
        for (int p = 0; p < n; p++)
        {
            // inf / inf = NaN compares false everywhere, as numpy's ratio does.
            double ratio = plot[p] / plot[p + 1];
            steepUpward[p] = ratio <= xiComplement;
            steepDownward[p] = ratio >= 1 / xiComplement;
            downward[p] = ratio > 1;
            upward[p] = ratio < 1;
        }

        var sdas = new List<SteepDownArea>();
        var clusters = new List<(int Start, int End)>();
        int index = 0;
        double mib = 0.0;
        for (int steepIndex = 0; steepIndex < n; steepIndex++)
        {
            if (!(steepUpward[steepIndex] || steepDownward[steepIndex]) || steepIndex < index) continue;
            mib = Math.Max(mib, Max(plot, index, steepIndex + 1));
            sdas = UpdateFilterSdas(sdas, mib, xiComplement, plot);
            if (steepDownward[steepIndex])
            {
                int dEnd = ExtendRegion(steepDownward, upward, steepIndex, minSamples);
                sdas.Add(new SteepDownArea(steepIndex, dEnd));
                index = dEnd + 1;
                mib = plot[index];
                continue;
            }

            int uStart = steepIndex;
            int uEnd = ExtendRegion(steepUpward, downward, uStart, minSamples);
            index = uEnd + 1;
            mib = plot[index];
            var uClusters = new List<(int Start, int End)>();
            foreach (var d in sdas)
            {
                int cStart = d.Start, cEnd = uEnd;
                // line (**), sc2*
                if (plot[cEnd + 1] * xiComplement < d.Mib) continue;
                // Definition 11: criterion 4
                double dMax = plot[d.Start];
                if (dMax * xiComplement >= plot[cEnd + 1])
                {
                    while (plot[cStart + 1] > plot[cEnd + 1] && cStart < d.End) cStart++;
                }
                else if (plot[cEnd + 1] * xiComplement >= dMax)
                {
                    while (plot[cEnd - 1] > dMax && cEnd > uStart) cEnd--;
                }
                if (predecessorCorrection && !CorrectPredecessor(plot, predecessorPlot, ordering, ref cStart, ref cEnd))
                    continue;
                if (cEnd - cStart + 1 < minClusterSize) continue; // criterion 3.a
                if (cStart > d.End) continue; // criterion 1
                if (cEnd < uStart) continue; // criterion 2
                uClusters.Add((cStart, cEnd));
            }
            uClusters.Reverse(); // smaller clusters first
            clusters.AddRange(uClusters);
        }
        return clusters;
    }

    private sealed class SteepDownArea(int start, int end)
    {
        public int Start { get; } = start;
        public int End { get; } = end;
        public double Mib { get; set; }
    }

    private static double Max(double[] values, int from, int to)
    {
        double max = double.NegativeInfinity;
        for (int i = from; i < to; i++) max = Math.Max(max, values[i]);
        return max;
    }

    /// <summary><c>_extend_region</c>: the end of a maximal steep area starting at <paramref name="start"/>.</summary>
    private static int ExtendRegion(bool[] steepPoint, bool[] xwardPoint, int start, int minSamples)
    {
        int nonXwardPoints = 0, end = start;
        for (int index = start; index < steepPoint.Length; index++)
        {
            if (steepPoint[index])
            {
                nonXwardPoints = 0;
                end = index;
            }
            else if (!xwardPoint[index])
            {
                // Not steep but still going the same way: at most minSamples such points in a row.
                if (++nonXwardPoints > minSamples) break;
            }
            else
            {
                return end;
            }
        }
        return end;
    }

    /// <summary><c>_update_filter_sdas</c>: drops steep-down areas too low for the current maximum in between.</summary>
    private static List<SteepDownArea> UpdateFilterSdas(List<SteepDownArea> sdas, double mib, double xiComplement, double[] plot)
    {
        if (double.IsInfinity(mib)) return [];
        var kept = sdas.Where(sda => mib <= plot[sda.Start] * xiComplement).ToList();
        foreach (var sda in kept) sda.Mib = Math.Max(sda.Mib, mib);
        return kept;
    }

    /// <summary>
    /// <c>_correct_predecessor</c>: shrinks the cluster end until its predecessor lies inside the cluster. Ported with
    /// scikit-learn's indexing as is: <c>ordering[predecessor_plot[e]]</c> indexes the ordering by a sample id (and by −1,
    /// numpy's last element, for an undefined predecessor).
    /// </summary>
    private static bool CorrectPredecessor(double[] plot, int[] predecessorPlot, int[] ordering, ref int s, ref int e)
    {
        int n = ordering.Length;
        while (s < e)
        {
            if (plot[s] > plot[e]) return true;
            int p = predecessorPlot[e];
            int pe = ordering[p < 0 ? p + n : p];
            for (int i = s; i < e; i++)
                if (pe == ordering[i]) return true;
            e--;
        }
        return false;
    }
}
