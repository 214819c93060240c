using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ImageCluster.Clustering;

/// <summary>
/// Distances for the density-based algorithms, fast and exact where it matters. Blocks of pairs are scored approximately
/// with the float32 dot-product kernel (squared Euclidean distance = |a|² + |b|² − 2a·b on mean-centred rows; cosine
/// distance = 1 − a·b on unit rows); a pair whose approximate score lies within a proven rounding band of a threshold is
/// recomputed exactly in float64 from the original values. Decisions such as "distance ≤ eps" therefore agree with
/// scikit-learn's float64 trees even for points exactly on the boundary, at the cost of a few exact recomputations.
/// </summary>
/// <remarks>
/// Scores are squared distances for Euclidean and distances for cosine, so thresholds need no square roots.
/// Memory: one float32 working copy of the data (N·d) plus N norms.
/// </remarks>
internal sealed class DensitySpace
{
    private readonly FeatureMatrix _x;
    private readonly double[]? _exactNorms;
    // Relative rounding bound of an approximate score: 2d + 4 unit roundoffs for the float32 dot product and norms,
    // a few more for rounding the centred or unit rows to float32, doubled for safety. Real errors are ~√d times smaller.
    private readonly float _gamma;

    public DensitySpace(FeatureMatrix x, DistanceMetric metric)
    {
        _x = x;
        Cosine = metric == DistanceMetric.Cosine;
        D = x.Columns;
        _gamma = (float)((4.0 * D + 32) * Math.Pow(2, -24));
        var work = new float[x.Data.Length];
        if (Cosine)
        {
            _exactNorms = new double[x.Rows];
            for (int i = 0; i < x.Rows; i++)
            {
                _exactNorms[i] = Math.Sqrt(ExactDot(x.ReadRow(i), x.ReadRow(i)));
                var row = x.ReadRow(i);
                for (int f = 0; f < D; f++) work[i * D + f] = _exactNorms[i] > 0 ? (float)(row[f] / _exactNorms[i]) : 0f;
            }
        }
        else
        {
            // Centring shrinks the norms, and with them the cancellation error of |a|² + |b|² − 2a·b.
            var mean = new double[D];
            for (int i = 0; i < x.Rows; i++)
            {
                var row = x.ReadRow(i);
                for (int f = 0; f < D; f++) mean[f] += row[f];
            }
            for (int f = 0; f < D; f++) mean[f] /= Math.Max(1, x.Rows);
            for (int i = 0; i < x.Rows; i++)
            {
                var row = x.ReadRow(i);
                for (int f = 0; f < D; f++) work[i * D + f] = (float)(row[f] - mean[f]);
            }
        }
        All = new DensityRows(work, D, Enumerable.Range(0, x.Rows).ToArray());
    }

    /// <summary>Whether the metric is cosine (scores are distances) rather than Euclidean (scores are squared distances).</summary>
    public bool Cosine { get; }

    /// <summary>Number of features.</summary>
    public int D { get; }

    /// <summary>Every sample's working row, in sample order.</summary>
    public DensityRows All { get; }

    /// <summary>Columns per tile that keep a tile of working rows in the L2 cache.</summary>
    public int TileColumns => Math.Clamp(65536 / Math.Max(1, D), 64, 1024);

    /// <summary>The score that corresponds to a distance.</summary>
    public double ScoreOf(double distance) => Cosine ? distance : distance * distance;

    /// <summary>The distance that corresponds to a score.</summary>
    public double DistanceOf(double score) => Cosine ? score : Math.Sqrt(score);

    /// <summary>The working rows of the given samples, gathered contiguously (for tiles over a subset of columns).</summary>
    public DensityRows Gather(int[] ids)
    {
        var work = new float[(long)ids.Length * D];
        for (int r = 0; r < ids.Length; r++) All.Row(ids[r]).CopyTo(work.AsSpan(r * D, D));
        return new DensityRows(work, D, ids);
    }

    /// <summary>
    /// Approximate scores of <paramref name="localRows"/> (indices into <paramref name="rows"/>) against columns
    /// <c>[c0, c0 + k)</c> of <paramref name="columns"/>: <c>tile[r * k + j]</c>.
    /// </summary>
    public void Tile(DensityRows rows, ReadOnlySpan<int> localRows, DensityRows columns, int c0, int k, Span<float> tile)
    {
        DotKernel.RowsTimesTransposed(rows.Work, D, localRows, columns.Work.AsSpan(c0 * D, k * D), k, tile);
        for (int r = 0; r < localRows.Length; r++)
        {
            var line = tile.Slice(r * k, k);
            if (Cosine)
            {
                for (int j = 0; j < k; j++) line[j] = 1f - line[j];
                continue;
            }
            float ni = rows.Norms[localRows[r]];
            var nj = columns.Norms.AsSpan(c0, k);
            for (int j = 0; j < k; j++) line[j] = Math.Max(0f, ni + nj[j] - 2f * line[j]);
        }
    }

    /// <summary>Columns whose approximate scores are screened together before any pair is looked at.</summary>
    private const int Segment = 32;

    /// <summary>
    /// Hands <paramref name="visitor"/> every column j ≥ <paramref name="from"/> of a tile line (columns c0 … of
    /// <paramref name="columns"/>) whose approximate score, less its rounding band, is at most the visitor's limit.
    /// Segments of <see cref="Segment"/> columns are first screened by one vectorised minimum, so a sparse neighbourhood
    /// costs little more than the dot products.
    /// </summary>
    public void Scan<TVisitor>(ReadOnlySpan<float> line, int c0, int from, float rowNorm, DensityRows columns, ref TVisitor visitor)
        where TVisitor : ICandidateVisitor, allows ref struct
    {
        int end = c0 + line.Length;
        float segmentBand = Band(rowNorm, columns.MaxNorm);
        for (int s = from; s < end; s += Segment)
        {
            int e = Math.Min(end, s + Segment);
            if (TensorPrimitives.Min(line[(s - c0)..(e - c0)]) - (double)segmentBand > visitor.Limit) continue;
            for (int j = s; j < e; j++)
            {
                float approx = line[j - c0], band = Band(rowNorm, columns.Norms[j]);
                if (approx - (double)band <= visitor.Limit) visitor.Visit(j, approx, band);
            }
        }
    }

    /// <summary>Largest possible error of an approximate score between rows with the given working norms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Band(float normA, float normB) => _gamma * (normA + normB) + float.Epsilon;

    /// <summary>
    /// Whether the exact score of samples <paramref name="i"/> and <paramref name="j"/> is at most
    /// <paramref name="threshold"/>, given their approximate score and its band.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Within(int i, int j, float approx, float band, double threshold)
    {
        if (approx - (double)band > threshold) return false;
        if (approx + (double)band < threshold) return true;
        return ExactScore(i, j) <= threshold;
    }

    /// <summary>
    /// Exact score in float64 from the original values: Σ(aₖ − bₖ)² (each float32 difference is exact in float64), or
    /// 1 − a·b / (|a||b|) clipped to [0, 2] with an all-zero row at distance 1 from everything, as scikit-learn.
    /// </summary>
    public double ExactScore(int i, int j)
    {
        if (!Cosine) return ExactSquaredDistance(_x.ReadRow(i), _x.ReadRow(j));
        double ni = _exactNorms![i], nj = _exactNorms[j];
        if (ni == 0 || nj == 0) return 1;
        return Math.Clamp(1 - ExactDot(_x.ReadRow(i), _x.ReadRow(j)) / (ni * nj), 0, 2);
    }

    /// <summary>Exact distance of two samples (see <see cref="ExactScore"/>).</summary>
    public double ExactDistance(int i, int j) => DistanceOf(ExactScore(i, j));

    private static double ExactSquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int f = 0;
        var acc = Vector256<double>.Zero;
        for (; f + 8 <= a.Length; f += 8)
        {
            var (al, ah) = Vector256.Widen(Vector256.Create(a.Slice(f, 8)));
            var (bl, bh) = Vector256.Widen(Vector256.Create(b.Slice(f, 8)));
            var dl = al - bl;
            var dh = ah - bh;
            acc = Vector256.FusedMultiplyAdd(dl, dl, acc);
            acc = Vector256.FusedMultiplyAdd(dh, dh, acc);
        }
        double sum = Vector256.Sum(acc);
        for (; f < a.Length; f++)
        {
            double diff = (double)a[f] - b[f];
            sum += diff * diff;
        }
        return sum;
    }

    private static double ExactDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int f = 0;
        var acc = Vector256<double>.Zero;
        for (; f + 8 <= a.Length; f += 8)
        {
            var (al, ah) = Vector256.Widen(Vector256.Create(a.Slice(f, 8)));
            var (bl, bh) = Vector256.Widen(Vector256.Create(b.Slice(f, 8)));
            acc = Vector256.FusedMultiplyAdd(al, bl, acc);
            acc = Vector256.FusedMultiplyAdd(ah, bh, acc);
        }
        double sum = Vector256.Sum(acc);
        for (; f < a.Length; f++) sum += (double)a[f] * b[f];
        return sum;
    }
}
