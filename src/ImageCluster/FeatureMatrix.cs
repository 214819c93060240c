using System.Numerics.Tensors;

namespace ImageCluster;

/// <summary>
/// Dense row-major matrix of <see cref="float"/>: one row per image, one column per feature.
/// The single type that flows from embedding through every clustering and evaluation stage.
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>Creates a zero-filled matrix.</summary>
    public FeatureMatrix(int rows, int columns)
        : this(rows, columns, new float[checked(rows * columns)])
    {
    }

    /// <summary>Wraps existing row-major storage (not copied).</summary>
    public FeatureMatrix(int rows, int columns, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (data.Length != (long)rows * columns)
            throw new ArgumentException($"Expected {rows}×{columns} = {(long)rows * columns} values, got {data.Length}.", nameof(data));
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows (samples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>Row-major storage, <c>Rows × Columns</c> values.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="i"/> as a writable span.</summary>
    public Span<float> Row(int i) => Data.AsSpan(i * Columns, Columns);

    /// <summary>Row <paramref name="i"/> as a read-only span.</summary>
    public ReadOnlySpan<float> ReadRow(int i) => Data.AsSpan(i * Columns, Columns);

    /// <summary>Builds a matrix by stacking equally long vectors.</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0) return new FeatureMatrix(0, 0);
        int d = rows[0].Length;
        var m = new FeatureMatrix(rows.Count, d);
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new ArgumentException($"Row {i} has {rows[i].Length} values, row 0 has {d}.", nameof(rows));
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }

    /// <summary>A deep copy.</summary>
    public FeatureMatrix Clone() => new(Rows, Columns, (float[])Data.Clone());

    /// <summary>Scales every row to unit Euclidean length in place; all-zero rows stay zero.</summary>
    public FeatureMatrix NormalizeRowsInPlace()
    {
        for (int i = 0; i < Rows; i++)
        {
            var row = Row(i);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return this;
    }

    /// <summary>Throws when any value is NaN or infinite, naming the first such row (zero-based).</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void ThrowIfNotFinite()
    {
        if (TensorPrimitives.IsFiniteAll<float>(Data)) return;
        for (int i = 0; i < Rows; i++)
            foreach (float v in ReadRow(i))
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Feature vector {i} contains a NaN or infinite value.");
    }

    /// <summary>A copy with every row scaled to unit length (the space in which cosine distance is computed).</summary>
    public FeatureMatrix UnitRows() => Clone().NormalizeRowsInPlace();
}
