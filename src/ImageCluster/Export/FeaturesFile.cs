using System.Globalization;
using nietras.SeparatedValues;

namespace ImageCluster.Export;

/// <summary>A feature matrix read from CSV, with the name (path) of every row.</summary>
/// <param name="Paths">First column of each row (image path), or <c>row1</c>, <c>row2</c>… when the file has no path column.</param>
/// <param name="Features">One row per CSV row.</param>
internal sealed record FeaturesTable(IReadOnlyList<string> Paths, FeatureMatrix Features);

/// <summary>
/// Reads and writes feature matrices: the CSV that the embed job writes (<c>path,f0,f1,…</c>, or any CSV of numbers with a
/// header row; a first column named <c>path</c> names the rows), NumPy <c>.npy</c> (see <see cref="NpyFile"/>) or Parquet (see <see cref="ParquetFile"/>), told
/// apart by the extension. Every problem is a <see cref="ImageClusterException"/> naming the file, the line and the cause.
/// </summary>
internal static class FeaturesFile
{
    /// <summary>Reads <paramref name="file"/>: <c>.npy</c> as NumPy, <c>.parquet</c> as Parquet, anything else as CSV.</summary>
    /// <exception cref="ImageClusterException">Missing or empty file, ragged rows, non-numbers, NaN or infinite values.</exception>
    public static FeaturesTable Read(string file)
    {
        if (!File.Exists(file))
            throw new ImageClusterException(Directory.Exists(file) ? $"features file {file} is a folder, not a file" : $"features file not found: {file}");
        if (Is(file, ".npy")) return NpyFile.Read(file);
        if (Is(file, ".parquet")) return ParquetFile.Read(file);
        return ReadCsv(file);
    }

    /// <summary>Writes <paramref name="features"/> to <paramref name="file"/>: <c>.npy</c> (and its row names), <c>.parquet</c> or CSV, replacing it whole.</summary>
    public static void Write(string file, IReadOnlyList<string> paths, FeatureMatrix features, string columnPrefix = "f")
    {
        if (Is(file, ".npy")) NpyFile.Write(file, paths, features);
        else if (Is(file, ".parquet")) ParquetFile.Write(file, paths, features, columnPrefix);
        else RunOutputs.WriteFeatures(file, paths, features, columnPrefix);
    }

    /// <summary>Refuses a NaN or infinite value of a binary features file, naming the file, the row and its name.</summary>
    /// <exception cref="ImageClusterException">The first row (in file order) with such a value.</exception>
    internal static void RequireFinite(string file, IReadOnlyList<string> paths, FeatureMatrix features)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(features.Data)) return;
        for (int i = 0; i < features.Rows; i++)
            foreach (float v in features.ReadRow(i))
                if (!float.IsFinite(v))
                    throw new ImageClusterException($"{file} row {i + 1} ({paths[i]}): a value is {v.ToString(CultureInfo.InvariantCulture)}; features must be finite numbers");
    }

    private static bool Is(string file, string extension) => Path.GetExtension(file).Equals(extension, StringComparison.OrdinalIgnoreCase);

    private static FeaturesTable ReadCsv(string file)
    {
        using var csv = Csv.Reader().FromFile(file);
        if (!csv.MoveNext() || IsBlank(csv.Current))
            throw new ImageClusterException($"{file} is empty: expected a header row (path,f0,f1,…) and one row per image, as the embed job writes");
        var headerRow = csv.Current;
        var header = new string[headerRow.ColCount];
        for (int j = 0; j < header.Length; j++) header[j] = headerRow[j].ToString();
        bool hasPath = header[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase);
        int first = hasPath ? 1 : 0, columns = header.Length - first;
        if (columns < 1) throw new ImageClusterException($"{file}: the header names no feature columns");

        var paths = new List<string>();
        var rows = new List<float[]>();
        // Rows are split and parsed on every core, in file order; the first bad row (in file order) is reported.
        foreach (var row in csv.ParallelEnumerate(row => ParseRow(row, file, header, first)))
        {
            if (row.Error is { } error) throw new ImageClusterException(error);
            if (row.Values is not { } v) continue; // blank line, e.g. at the end
            paths.Add(row.Name ?? $"row{paths.Count + 1}");
            rows.Add(v);
        }
        if (paths.Count == 0)
            throw new ImageClusterException($"{file} has a header but no rows: there is nothing to cluster");
        var values = new float[paths.Count * columns];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(values, i * columns);
        return new FeaturesTable(paths, new FeatureMatrix(paths.Count, columns, values));
    }

    private readonly record struct ParsedRow(string? Name, float[]? Values, string? Error);

    private static ParsedRow ParseRow(SepReader.Row row, string file, string[] header, int first)
    {
        if (IsBlank(row)) return default;
        int line = row.LineNumberFrom;
        if (row.ColCount != header.Length)
            return new ParsedRow(null, null, $"{file} line {line}: {row.ColCount} fields where the header has {header.Length}");
        string? name = first == 1 ? Csv.Unguard(row[0].ToString()) : null;
        string shown = name ?? $"row{row.RowIndex}";
        var values = new float[header.Length - first];
        for (int j = first; j < header.Length; j++)
        {
            var col = row[j];
            // Sep's fast float parser first; the framework's (which also takes surrounding spaces) for what it refuses.
            if (col.TryParse<float>() is not float v && !float.TryParse(col.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                return new ParsedRow(null, null, $"{file} line {line} ({shown}): column {header[j]} is '{col.Span}', not a number");
            if (!float.IsFinite(v))
                return new ParsedRow(null, null, $"{file} line {line} ({shown}): column {header[j]} is {col.Span}; features must be finite numbers");
            values[j - first] = v;
        }
        return new ParsedRow(name, values, null);
    }

    private static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.IsEmpty;
}
