using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// The unprocessed samples of the OPTICS ordering loop: their working rows, norms and reachability kept contiguous (the
/// last row moves into a removed one's place), so that every step streams them sequentially instead of gathering rows
/// scattered over the whole matrix. Memory: a second copy of the working rows, N · d floats.
/// </summary>
internal sealed class OpticsLiveRows
{
    private readonly DensitySpace _space;
    private readonly float[] _work;
    private readonly float[] _norms;
    private readonly double[] _reach;
    private readonly float[] _approx;
    private readonly int[] _position;
    private readonly int[] _iota;
    private readonly DensityRows _rows;

    public OpticsLiveRows(DensitySpace space)
    {
        _space = space;
        var all = space.All;
        _work = (float[])all.Work.Clone();
        _norms = (float[])all.Norms.Clone();
        _rows = new DensityRows(_work, _norms, space.D);
        _reach = new double[all.Count];
        Array.Fill(_reach, double.PositiveInfinity);
        _approx = new float[all.Count];
        Ids = Enumerable.Range(0, all.Count).ToArray();
        _position = Enumerable.Range(0, all.Count).ToArray();
        _iota = Enumerable.Range(0, all.Count).ToArray();
        Count = all.Count;
    }

    /// <summary>Number of unprocessed samples.</summary>
    public int Count { get; private set; }

    /// <summary>Sample index of each live row.</summary>
    public int[] Ids { get; }

    /// <summary>Marks sample <paramref name="id"/> processed.</summary>
    public void Remove(int id)
    {
        int at = _position[id], last = --Count, d = _space.D;
        if (at == last) return;
        _work.AsSpan(last * d, d).CopyTo(_work.AsSpan(at * d, d));
        _norms[at] = _norms[last];
        _reach[at] = _reach[last];
        Ids[at] = Ids[last];
        _position[Ids[at]] = at;
    }

    /// <summary>
    /// <c>_set_reach_dist</c> of the processed core sample <paramref name="p"/> over live rows [start, start + count):
    /// each neighbour within max_eps gets reachability max(distance, core distance) where that is strictly smaller. The
    /// exact distance is computed only when the approximate one, less its rounding band, could still be within max_eps and
    /// improve the reachability; the relative margin covers <see cref="OpticsGraph.Round15"/>, which can move a value by
    /// about one ulp.
    /// </summary>
    public void Relax(int start, int count, int p, double pointCore, double maxScore, double[] reachability, int[] predecessor)
    {
        var approx = _approx.AsSpan(start, count);
        _space.Tile(_rows, _iota.AsSpan(start, count), _space.All, p, 1, approx);
        float pointNorm = _space.All.Norms[p];
        for (int t = start; t < start + count; t++)
        {
            double low = approx[t - start] - (double)_space.Band(pointNorm, _norms[t]);
            double current = _reach[t];
            double bound = current * (1 + 1e-12) + 1e-15;
            if (low > maxScore || pointCore > bound || low > _space.ScoreOf(bound)) continue;
            int j = Ids[t];
            double score = _space.ExactScore(p, j);
            if (score > maxScore) continue;
            double reach = OpticsGraph.Round15(Math.Max(_space.DistanceOf(score), pointCore));
            if (reach < current)
            {
                _reach[t] = reachability[j] = reach;
                predecessor[j] = p;
            }
        }
    }

    /// <summary>The live sample of lowest reachability in [start, start + count), the lowest index on ties.</summary>
    public int Best(int start, int count)
    {
        var reach = _reach.AsSpan(start, count);
        double min = TensorPrimitives.Min<double>(reach);
        int best = int.MaxValue;
        for (int t = 0; t < reach.Length; t++)
            if (reach[t] == min && Ids[start + t] < best) best = Ids[start + t];
        return best;
    }
}
