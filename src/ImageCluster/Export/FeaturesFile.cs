using System.Globalization;

namespace ImageCluster.Export;

/// <summary>A feature matrix read from CSV, with the name (path) of every row.</summary>
/// <param name="Paths">First column of each row (image path), or <c>row1</c>, <c>row2</c>… when the file has no path column.</param>
/// <param name="Features">One row per CSV row.</param>
internal sealed record FeaturesTable(IReadOnlyList<string> Paths, FeatureMatrix Features);

/// <summary>
/// Reads the CSV that <c>imagecluster embed</c> writes (<c>path,f0,f1,…</c>), or any CSV of numbers with a header
/// row (a first column named <c>path</c> names the rows). Every problem is a <see cref="UsageException"/> naming the file, the line and the cause.
/// </summary>
internal static class FeaturesFile
{
    /// <summary>Reads <paramref name="file"/>.</summary>
    /// <exception cref="UsageException">Missing or empty file, ragged rows, non-numbers, NaN or infinite values.</exception>
    public static FeaturesTable Read(string file)
    {
        if (!File.Exists(file))
            throw new UsageException(Directory.Exists(file) ? $"--features {file} is a folder, not a CSV file" : $"features file not found: {file}");
        using var reader = new StreamReader(file);
        using var records = Csv.Read(reader).GetEnumerator();
        if (!records.MoveNext() || records.Current is [""])
            throw new UsageException($"{file} is empty: expected a header row (path,f0,f1,…) and one row per image, as 'imagecluster embed' writes");
        string[] header = records.Current;
        bool hasPath = header[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase);
        int first = hasPath ? 1 : 0, columns = header.Length - first;
        if (columns < 1) throw new UsageException($"{file}: the header names no feature columns");

        var paths = new List<string>();
        var values = new List<float>();
        int line = 1;
        while (records.MoveNext())
        {
            line++;
            var row = records.Current;
            if (row is [""]) continue; // blank line, e.g. at the end
            if (row.Length != header.Length)
                throw new UsageException($"{file} line {line}: {row.Length} fields where the header has {header.Length}");
            string name = hasPath ? row[0] : $"row{paths.Count + 1}";
            for (int j = first; j < row.Length; j++)
            {
                if (!float.TryParse(row[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new UsageException($"{file} line {line} ({name}): column {header[j]} is '{row[j]}', not a number");
                if (!float.IsFinite(v))
                    throw new UsageException($"{file} line {line} ({name}): column {header[j]} is {row[j]}; features must be finite numbers");
                values.Add(v);
            }
            paths.Add(name);
        }
        if (paths.Count == 0)
            throw new UsageException($"{file} has a header but no rows: there is nothing to cluster");
        return new FeaturesTable(paths, new FeatureMatrix(paths.Count, columns, values.ToArray()));
    }
}
