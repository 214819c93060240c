namespace ImageCluster.Clustering;

/// <summary>
/// Distance from cluster i to the union of clusters x and y, from their distances before the merge
/// (Lance–Williams), written exactly as SciPy's <c>_hierarchy_distance_update.pxi</c> so rounding matches.
/// </summary>
internal interface ILanceWilliams
{
    static abstract double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni);
}

/// <summary>Ward: √(2 · increase of the within-cluster sum of squares) when the inputs are such distances.</summary>
internal readonly struct Ward : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni)
    {
        double t = 1.0 / (nx + ny + ni);
        return Math.Sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
    }
}

/// <summary>Complete linkage: the larger of the two distances.</summary>
internal readonly struct Complete : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni) => Math.Max(dxi, dyi);
}

/// <summary>Average linkage (UPGMA): size-weighted mean of the two distances.</summary>
internal readonly struct Average : ILanceWilliams
{
    public static double Update(double dxi, double dyi, double dxy, int nx, int ny, int ni) =>
        (nx * dxi + ny * dyi) / (nx + ny);
}
