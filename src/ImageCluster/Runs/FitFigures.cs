using ImageCluster.Clustering;

namespace ImageCluster.Runs;

/// <summary>OPTICS' cluster ordering and the reachability of each sample in it (the reachability plot).</summary>
/// <param name="Ordering">Sample indices in OPTICS order.</param>
/// <param name="Reachability">Reachability distance of each sample, by sample index (+∞ = none).</param>
internal sealed record ReachabilityFigure(int[] Ordering, double[] Reachability);

/// <summary>
/// What the report draws of the fit itself, kept with the run (<c>fit.json</c>, and with a cached clustering) so the
/// report reads it instead of fitting the algorithm again: OPTICS' reachability, and the top of the agglomerative merge
/// tree as drawn. Null fields: the algorithm has no such figure.
/// </summary>
internal sealed record FitFigures
{
    /// <summary>Top merges drawn as the report's dendrogram.</summary>
    public const int DendrogramLeaves = 40;

    /// <summary>OPTICS runs: the reachability plot.</summary>
    public ReachabilityFigure? Reachability { get; init; }

    /// <summary>Agglomerative runs: the dendrogram's line segments, each (x1, y1, x2, y2).</summary>
    public double[][]? DendrogramSegments { get; init; }

    /// <summary>Agglomerative runs: images under each drawn leaf.</summary>
    public int[]? DendrogramLeafSizes { get; init; }

    /// <summary>Agglomerative runs: height of the cut line (+∞ = none).</summary>
    public double? DendrogramCut { get; init; }

    /// <summary>The dendrogram, when the run has one.</summary>
    public Dendrogram? Dendrogram() =>
        DendrogramSegments is { } s && DendrogramLeafSizes is { } leaves && DendrogramCut is { } cut
            ? new Dendrogram([.. s.Select(v => (v[0], v[1], v[2], v[3]))], leaves, cut)
            : null;

    /// <summary>The figures of <paramref name="result"/>, or null when its algorithm draws none.</summary>
    public static FitFigures? Of(IClusteringResult? result, ClustererOptions? options, int rows) => result switch
    {
        OpticsResult o => new FitFigures { Reachability = new ReachabilityFigure(o.Ordering, o.Reachability) },
        AgglomerativeResult tree when options is AgglomerativeOptions a => FromDendrogram(DendrogramLayout.Truncate(tree, rows, DendrogramLeaves,
            kCut: a.DistanceThreshold is null && a.Sim is null)),
        _ => null,
    };

    private static FitFigures FromDendrogram(Dendrogram d) => new()
    {
        DendrogramSegments = [.. d.Segments.Select(s => new[] { s.X1, s.Y1, s.X2, s.Y2 })],
        DendrogramLeafSizes = d.LeafSizes,
        DendrogramCut = d.CutDistance,
    };
}

/// <summary>The file list of run.json (<see cref="RunSummary.Files"/>).</summary>
internal static class RunFiles
{
    /// <summary>The list, with <c>fit.json</c> when the run kept figures of its fit.</summary>
    public static Dictionary<string, string> WithFit(this Dictionary<string, string> files, FitFigures? fit)
    {
        if (fit is not null) files["fit"] = RunFolder.FitFileName;
        return files;
    }
}
