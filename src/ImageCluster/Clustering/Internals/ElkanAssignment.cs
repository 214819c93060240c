using System.Buffers;
using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>
/// Elkan's nearest-centre search (Elkan 2003, "Using the triangle inequality to accelerate k-means"): every
/// sample keeps a lower bound on its distance to each of the k centres, decreased by how far that centre moved,
/// and a distance is only computed when neither that bound nor half the distance between the current best
/// centre and the candidate rules the candidate out. Extra memory is O(N·k) floats plus O(k²).
/// </summary>
/// <remarks>
/// Labels and squared distances are bit-identical to <see cref="KMeansData.Assign"/>, so a run gives exactly the
/// same centres as <see cref="KMeansAlgorithm.Lloyd"/>: every computed value uses the same dot product as the
/// blocked kernel, equal values go to the lower centre index, and a candidate is only skipped when its bound beats
/// the best value by more than <see cref="CentreAssignment.RelativeMargin"/>, far beyond what rounding could change.
/// Unlike the textbook version the distance to the current centre is recomputed every iteration (one dot product
/// of k), which keeps the upper bound exact and gives the exact squared distance the empty-cluster rule needs.
/// </remarks>
internal sealed class ElkanAssignment : ICentreAssignment
{
    private readonly KMeansData _data;
    private readonly int _k;
    private readonly float[] _lower;
    private const float Shrink = 1 - 1f / (1 << 22);

    private readonly double[] _shifts;
    private readonly float[] _shiftsUp;
    private readonly double[] _between;
    private readonly double[] _halfNearest;
    private bool _boundsValid;

    public ElkanAssignment(KMeansData data, int k)
    {
        _data = data;
        _k = k;
        _lower = new float[(long)data.N * k];
        _shifts = new double[k];
        _shiftsUp = new float[k];
        _between = new double[k * k];
        _halfNearest = new double[k];
    }

    /// <inheritdoc/>
    public void Assign(float[] centres, float[]? previousCentres, int[] labels, float[] nearestSquared)
    {
        float[] centreNorms = _data.CentreNorms(centres, _k);
        float maxCentreNorm = centreNorms.Max();
        if (_boundsValid && previousCentres is not null)
        {
            CentreAssignment.Shifts(centres, previousCentres, _k, _data.D, _shifts);
            // The shifts already carry a relative 1e-6 margin, far above float's rounding of them.
            for (int j = 0; j < _k; j++) _shiftsUp[j] = (float)_shifts[j];
            CentreDistances(centres);
            _data.ForBlocks(_data.N, (start, count) =>
            {
                for (int i = start; i < start + count; i++)
                    Update(i, centres, centreNorms, maxCentreNorm, labels, nearestSquared);
            });
        }
        else
        {
            AssignAll(centres, centreNorms, maxCentreNorm, labels, nearestSquared);
        }
        _boundsValid = true;
    }

    private void Update(int i, float[] centres, float[] centreNorms, float maxCentreNorm, int[] labels, float[] nearestSquared)
    {
        int k = _k, d = _data.D;
        var x = _data.X.AsSpan(i * d, d);
        var lower = _lower.AsSpan(i * k, k);
        // Each bound drops by its centre's movement (rounded up); the extra 2⁻²² shrink outweighs the
        // rounding of the float subtraction, so no bound can ever exceed the true distance.
        TensorPrimitives.Subtract(lower, _shiftsUp, lower);
        TensorPrimitives.Max(lower, 0f, lower);
        TensorPrimitives.Multiply(lower, Shrink, lower);

        float norm = _data.SquaredNorms[i];
        float margin = CentreAssignment.RelativeMargin * (norm + maxCentreNorm);
        int own = labels[i], best = own;
        float bestValue = centreNorms[own] - 2 * DotKernel.Dot(x, centres.AsSpan(own * d, d));
        lower[own] = MathF.Sqrt(Math.Max(0f, norm + bestValue - margin));
        // Above the true distance to the best centre even if its float value came out low by the margin.
        float upper = MathF.Sqrt(Math.Max(0f, norm + bestValue) + margin);
        if (_halfNearest[own] <= upper)
        {
            for (int j = 0; j < k; j++)
            {
                if (j == own || j == best) continue;
                // ‖x − cⱼ‖ ≥ ‖c_best − cⱼ‖ − ‖x − c_best‖: out of reach when the centres are over 2·upper apart.
                if (lower[j] > upper || _between[best * k + j] > 2.0 * upper) continue;
                float value = centreNorms[j] - 2 * DotKernel.Dot(x, centres.AsSpan(j * d, d));
                lower[j] = MathF.Sqrt(Math.Max(0f, norm + value - margin));
                if (value < bestValue || (value == bestValue && j < best))
                {
                    best = j;
                    bestValue = value;
                    upper = MathF.Sqrt(Math.Max(0f, norm + value) + margin);
                }
            }
        }
        labels[i] = best;
        nearestSquared[i] = Math.Max(0f, norm + bestValue);
    }

    private void AssignAll(float[] centres, float[] centreNorms, float maxCentreNorm, int[] labels, float[] nearestSquared)
    {
        int k = _k, d = _data.D;
        _data.ForBlocks(_data.N, () => ArrayPool<float>.Shared.Rent(KMeansData.BlockRows * k),
            (_, start, count, products) =>
            {
                DotKernel.RowsTimesTransposed(_data.X, d, _data.AllRows.AsSpan(start, count), centres, k, products);
                for (int r = 0; r < count; r++)
                {
                    int i = start + r;
                    float norm = _data.SquaredNorms[i];
                    float margin = CentreAssignment.RelativeMargin * (norm + maxCentreNorm);
                    var lower = _lower.AsSpan(i * k, k);
                    int best = 0;
                    float bestValue = float.PositiveInfinity;
                    for (int j = 0; j < k; j++)
                    {
                        float value = centreNorms[j] - 2 * products[r * k + j];
                        lower[j] = MathF.Sqrt(Math.Max(0f, norm + value - margin));
                        if (value < bestValue) { bestValue = value; best = j; }
                    }
                    labels[i] = best;
                    nearestSquared[i] = Math.Max(0f, norm + bestValue);
                }
            },
            products => ArrayPool<float>.Shared.Return(products));
    }

    /// <summary>Centre–centre distances (rounded down, so they never overstate) and half the nearest one per centre.</summary>
    private void CentreDistances(float[] centres)
    {
        int k = _k, d = _data.D;
        Array.Fill(_halfNearest, double.PositiveInfinity);
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
            {
                double squared = 0;
                for (int f = 0; f < d; f++)
                {
                    double delta = (double)centres[a * d + f] - centres[b * d + f];
                    squared += delta * delta;
                }
                double distance = Math.Sqrt(squared) * (1 - 1e-6);
                _between[a * k + b] = _between[b * k + a] = distance;
                _halfNearest[a] = Math.Min(_halfNearest[a], distance / 2);
                _halfNearest[b] = Math.Min(_halfNearest[b], distance / 2);
            }
    }
}
