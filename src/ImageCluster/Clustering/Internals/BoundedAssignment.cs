using System.Buffers;

namespace ImageCluster.Clustering;

/// <summary>
/// Nearest-centre assignment for successive Lloyd iterations that skips the full x·cᵀ row for samples
/// that provably keep their label (Hamerly's bounds: a lower bound on the distance to the second-nearest
/// centre, decreased by how far the centres moved). Labels and squared distances are bit-identical to
/// <see cref="KMeansData.Assign"/>: a skipped sample's own distance comes from the same dot product, and
/// a sample is only skipped when the bound beats its own distance by far more than rounding could change.
/// </summary>
internal sealed class BoundedAssignment : ICentreAssignment
{
    private const float RelativeMargin = CentreAssignment.RelativeMargin;

    private readonly KMeansData _data;
    private readonly int _k;
    private readonly float[] _lower;
    private readonly double[] _shifts;
    private bool _boundsValid;

    public BoundedAssignment(KMeansData data, int k)
    {
        _data = data;
        _k = k;
        _lower = new float[data.N];
        _shifts = new double[k];
    }

    /// <inheritdoc/>
    public void Assign(float[] centres, float[]? previousCentres, int[] labels, float[] nearestSquared)
    {
        int k = _k, d = _data.D;
        float[] centreNorms = _data.CentreNorms(centres, k);
        float maxCentreNorm = centreNorms.Max();
        bool useBounds = _boundsValid && previousCentres is not null;
        (double largest, int largestAt, double secondLargest) = useBounds ? Shifts(centres, previousCentres!) : (0, -1, 0);
        var x = _data.X;
        var norms = _data.SquaredNorms;
        _data.ForBlocks(_data.N,
            () => (Products: ArrayPool<float>.Shared.Rent(KMeansData.BlockRows * k), Rows: ArrayPool<int>.Shared.Rent(KMeansData.BlockRows)),
            (_, start, count, buffers) =>
            {
                int selected = 0;
                for (int i = start; i < start + count; i++)
                {
                    if (useBounds)
                    {
                        int a = labels[i];
                        float lower = (float)(_lower[i] - (a == largestAt ? secondLargest : largest));
                        float value = centreNorms[a] - 2 * DotKernel.Dot(x.AsSpan(i * d, d), centres.AsSpan(a * d, d));
                        float own = norms[i] + value;
                        if (lower > 0 && lower * lower > own + RelativeMargin * (norms[i] + maxCentreNorm))
                        {
                            _lower[i] = lower;
                            nearestSquared[i] = Math.Max(0f, own);
                            continue;
                        }
                    }
                    buffers.Rows[selected++] = i;
                }
                var rows = buffers.Rows.AsSpan(0, selected);
                var products = buffers.Products;
                DotKernel.RowsTimesTransposed(x, d, rows, centres, k, products);
                for (int r = 0; r < selected; r++)
                {
                    int i = rows[r];
                    var g = products.AsSpan(r * k, k);
                    int best = 0;
                    float bestValue = centreNorms[0] - 2 * g[0], secondValue = float.PositiveInfinity;
                    for (int j = 1; j < k; j++)
                    {
                        float value = centreNorms[j] - 2 * g[j];
                        if (value < bestValue)
                        {
                            secondValue = bestValue;
                            bestValue = value;
                            best = j;
                        }
                        else if (value < secondValue) secondValue = value;
                    }
                    labels[i] = best;
                    nearestSquared[i] = Math.Max(0f, norms[i] + bestValue);
                    float margin = RelativeMargin * (norms[i] + maxCentreNorm);
                    _lower[i] = MathF.Sqrt(Math.Max(0f, norms[i] + secondValue - margin));
                }
            },
            buffers =>
            {
                ArrayPool<float>.Shared.Return(buffers.Products);
                ArrayPool<int>.Shared.Return(buffers.Rows);
            });
        _boundsValid = true;
    }

    /// <summary>The two largest centre movements (and which centre moved most).</summary>
    private (double Largest, int LargestAt, double SecondLargest) Shifts(float[] centres, float[] previous)
    {
        CentreAssignment.Shifts(centres, previous, _k, _data.D, _shifts);
        double largest = 0, second = 0;
        int largestAt = -1;
        for (int j = 0; j < _k; j++)
        {
            if (_shifts[j] > largest)
            {
                second = largest;
                largest = _shifts[j];
                largestAt = j;
            }
            else if (_shifts[j] > second) second = _shifts[j];
        }
        return (largest, largestAt, second);
    }
}
