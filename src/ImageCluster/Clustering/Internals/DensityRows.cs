using System.Numerics.Tensors;

namespace ImageCluster.Clustering;

/// <summary>Receives the candidate pairs of <see cref="DensitySpace.Scan"/> for one row.</summary>
internal interface ICandidateVisitor
{
    /// <summary>Scores certainly above this are of no interest (it may shrink as candidates arrive).</summary>
    double Limit { get; }

    /// <summary>Column <paramref name="column"/> may be within the limit: its approximate score and rounding band.</summary>
    void Visit(int column, float approx, float band);
}

/// <summary>A contiguous set of working rows with their squared norms and the sample each row belongs to.</summary>
internal sealed class DensityRows
{
    public DensityRows(float[] work, int d, int[] ids)
    {
        Work = work;
        Ids = ids;
        D = d;
        Norms = new float[ids.Length];
        for (int r = 0; r < ids.Length; r++)
            Norms[r] = TensorPrimitives.Dot<float>(Row(r), Row(r));
        MaxNorm = ids.Length == 0 ? 0 : TensorPrimitives.Max<float>(Norms);
    }

    /// <summary>Wraps rows whose norms are already known, without sample ids (no copy).</summary>
    public DensityRows(float[] work, float[] norms, int d)
    {
        Work = work;
        Norms = norms;
        D = d;
        Ids = [];
        MaxNorm = norms.Length == 0 ? 0 : TensorPrimitives.Max<float>(norms);
    }

    private int D { get; }

    /// <summary>Row-major float32 working rows.</summary>
    public float[] Work { get; }

    /// <summary>Squared norm of each working row.</summary>
    public float[] Norms { get; }

    /// <summary>Largest of <see cref="Norms"/>: bounds the rounding band of any score against these rows.</summary>
    public float MaxNorm { get; }

    /// <summary>Sample index of each row.</summary>
    public int[] Ids { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Ids.Length;

    /// <summary>Working row <paramref name="r"/>.</summary>
    public ReadOnlySpan<float> Row(int r) => Work.AsSpan(r * D, D);
}
