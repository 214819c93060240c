using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageCluster.Clustering;

/// <summary>A <see cref="FeatureMatrix"/> in JSON as an array of rows (arrays of numbers), so options that hold one
/// (K-Means' initial centres) round-trip through run.json.</summary>
internal sealed class FeatureMatrixJsonConverter : JsonConverter<FeatureMatrix>
{
    public override FeatureMatrix? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var rows = JsonSerializer.Deserialize<float[][]>(ref reader, options);
        if (rows is null) return null;
        int columns = rows.Length == 0 ? 0 : rows[0].Length;
        var matrix = new FeatureMatrix(rows.Length, columns);
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns) throw new JsonException($"row {i} of the matrix has {rows[i].Length} numbers, row 0 has {columns}");
            rows[i].CopyTo(matrix.Row(i));
        }
        return matrix;
    }

    public override void Write(Utf8JsonWriter writer, FeatureMatrix value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        for (int i = 0; i < value.Rows; i++)
        {
            writer.WriteStartArray();
            foreach (float v in value.ReadRow(i)) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }
}
