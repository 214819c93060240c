using Parquet;
using Parquet.Schema;

namespace ImageCluster.Export;

/// <summary>
/// Apache Parquet feature files (through Parquet.Net, fully managed). Read: a <c>path</c> column (string) names the rows,
/// and the features are either every top-level float or double column, in schema order (what pandas'
/// <c>DataFrame.to_parquet</c> writes for the embed CSV), or one list column of floats (one vector per row, as
/// Hugging Face datasets, LanceDB or Polars write embeddings). Write: the CSV's columns (<c>path</c>, then one float column per
/// feature), one row group per 65 536 rows, Snappy, so pandas and DuckDB read it as they read the CSV.
/// </summary>
internal static class ParquetFile
{
    private const int RowGroupRows = 65_536;

    /// <exception cref="ImageClusterException">Not a Parquet file, no float columns, nulls, ragged lists, non-finite values.</exception>
    public static FeaturesTable Read(string file) => ReadAsync(file).GetAwaiter().GetResult();

    /// <summary>Writes <paramref name="features"/> with the row names in a <c>path</c> column, replacing <paramref name="file"/> whole.</summary>
    public static void Write(string file, IReadOnlyList<string> paths, FeatureMatrix features, string columnPrefix = "f") =>
        WriteAsync(file, paths, features, columnPrefix).GetAwaiter().GetResult();

    private static async Task<FeaturesTable> ReadAsync(string file)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new ImageClusterException($"{file} is not a readable Parquet file: {e.Message}");
        }
        await using var _ = reader;
        var fields = reader.Schema.GetDataFields();
        var pathField = fields.FirstOrDefault(f => f.Path.ToList().Count == 1 && f.Name.Equals("path", StringComparison.OrdinalIgnoreCase) && IsText(f.ClrType));
        var flat = fields.Where(f => f.Path.ToList().Count == 1 && !f.IsArray && IsFloat(f.ClrType)).ToArray();
        var lists = fields.Where(f => f.MaxRepetitionLevel == 1 && IsFloat(f.ClrType)).ToArray();
        if (flat.Length == 0 && lists.Length != 1)
        {
            string found = string.Join(", ", fields.Select(f => $"{string.Join('.', f.Path.ToList())} ({TypeName(f.ClrType)}{(f.MaxRepetitionLevel > 0 ? " list" : "")})"));
            throw new ImageClusterException(lists.Length > 1
                ? $"{file}: {lists.Length} list columns of floats ({string.Join(", ", lists.Select(l => l.Path.ToList()[0]))}); name one per file"
                : $"{file}: no float columns (found {(found.Length == 0 ? "none" : found)}); expected a path column with float columns, or one list column of floats");
        }

        // Every row group lands in one array sized from the footer's row count, so the values are never copied a second time.
        int totalRows = checked((int)reader.Metadata!.NumRows);
        var paths = new List<string>(totalRows);
        int columns = flat.Length > 0 ? flat.Length : -1;
        float[]? data = columns > 0 ? new float[checked(totalRows * columns)] : null;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            int first = paths.Count;
            if (pathField is not null)
            {
                var names = new string?[rows];
                await group.ReadAsync(pathField, names.AsMemory());
                for (int i = 0; i < rows; i++)
                    paths.Add(names[i] ?? throw new ImageClusterException($"{file} row {first + i + 1}: the path is empty (null)"));
            }
            else
            {
                for (int i = 0; i < rows; i++) paths.Add($"row{first + i + 1}");
            }

            if (flat.Length > 0)
            {
                for (int j = 0; j < flat.Length; j++)
                {
                    var column = await ReadFloatsAsync(group, flat[j], rows, file, first);
                    for (int i = 0; i < rows; i++) data![(first + i) * columns + j] = column[i];
                }
            }
            else
            {
                (columns, var packed) = await ReadListAsync(group, lists[0], rows, columns, file, first);
                data ??= new float[checked(totalRows * columns)];
                packed.CopyTo(data, (long)first * columns);
            }
        }
        if (paths.Count == 0) throw new ImageClusterException($"{file} has no rows: there is nothing to cluster");
        if (paths.Count != totalRows) throw new ImageClusterException($"{file}: the row groups hold {paths.Count} rows where the footer says {totalRows}");
        var features = new FeatureMatrix(paths.Count, columns, data!);
        FeaturesFile.RequireFinite(file, paths, features);
        return new FeaturesTable(paths, features);
    }

    private static bool IsFloat(Type t) => t == typeof(float) || t == typeof(double);

    // Parquet.Net gives UTF-8 columns as ReadOnlyMemory<char> unless asked for strings.
    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static string TypeName(Type t) => IsText(t) ? "string" : t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? "bytes" : t.Name.ToLowerInvariant();

    // One flat column of a row group as float; a null is refused with its row.
    private static async Task<float[]> ReadFloatsAsync(ParquetRowGroupReader group, DataField field, int rows, string file, int first)
    {
        var result = new float[rows];
        if (field.ClrType == typeof(float)) await ReadAs<float>(group, field, rows, file, first, result, v => v);
        else await ReadAs<double>(group, field, rows, file, first, result, v => (float)v);
        return result;
    }

    private static async Task ReadAs<T>(ParquetRowGroupReader group, DataField field, int rows, string file, int first, float[] result, Func<T, float> convert)
        where T : struct
    {
        if (!field.IsNullable)
        {
            var raw = new T[rows];
            await group.ReadAsync(field, raw.AsMemory());
            for (int i = 0; i < rows; i++) result[i] = convert(raw[i]);
            return;
        }
        var nullable = new T?[rows];
        await group.ReadAsync(field, nullable.AsMemory());
        for (int i = 0; i < rows; i++)
            result[i] = nullable[i] is { } v ? convert(v) : throw new ImageClusterException($"{file} row {first + i + 1}: column {field.Name} is empty (null); every feature needs a value");
    }

    // A list column: every row's list is its vector, all of one length. Repetition level 0 starts a row.
    private static async Task<(int Columns, float[] Values)> ReadListAsync(ParquetRowGroupReader group, DataField field, int rows, int columns, string file, int first)
    {
        long count = group.GetMetadata(field)?.MetaData?.NumValues ?? throw new ImageClusterException($"{file}: the column {field.Name} has no value count");
        int n = checked((int)count);
        // Raw reading: the non-null values packed, with a definition level (below the maximum = a null or an empty list) and a
        // repetition level (0 = a new row) per slot.
        var repetition = new int[n];
        var definition = new int[n];
        var packed = new float[n];
        if (field.ClrType == typeof(float))
        {
            await group.ReadRawAsync(field, packed.AsMemory(), definition.AsMemory(), repetition.AsMemory());
        }
        else
        {
            var raw = new double[n];
            await group.ReadRawAsync(field, raw.AsMemory(), definition.AsMemory(), repetition.AsMemory());
            for (int i = 0; i < n; i++) packed[i] = (float)raw[i];
        }
        var values = new float[n];
        for (int i = 0, next = 0; i < n; i++)
            values[i] = field.MaxDefinitionLevel == 0 || definition[i] == field.MaxDefinitionLevel ? packed[next++] : float.NaN;
        var levels = repetition;
        int row = -1, length = 0;
        for (int i = 0; i <= n; i++)
        {
            if (i == n || levels[i] == 0)
            {
                if (row >= 0)
                {
                    if (columns < 0) columns = length;
                    if (length != columns || length == 0)
                        throw new ImageClusterException($"{file} row {first + row + 1}: the list {field.Path.ToList()[0]} holds {length} values where the first row holds {columns}");
                }
                row++;
                length = 0;
                if (i == n) break;
            }
            if (float.IsNaN(values[i]))
                throw new ImageClusterException($"{file} row {first + row + 1}: the list {field.Path.ToList()[0]} holds an empty (null) or NaN value");
            length++;
        }
        if (row != rows)
            throw new ImageClusterException($"{file}: the list column {field.Path.ToList()[0]} holds {row} rows where the row group has {rows}");
        return (columns, values);
    }

    private static async Task WriteAsync(string file, IReadOnlyList<string> paths, FeatureMatrix features, string columnPrefix)
    {
        var pathField = new DataField<string>("path");
        var featureFields = Enumerable.Range(0, features.Columns).Select(j => new DataField<float>($"{columnPrefix}{j}")).ToArray();
        var schema = new ParquetSchema([pathField, .. featureFields]);
        // Written beside the target and moved over it when complete, so a failure never leaves half a file under its name.
        string full = Path.GetFullPath(file);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            await using (var stream = File.Create(temporary))
            await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
            {
                var column = new float[Math.Min(RowGroupRows, features.Rows)];
                for (int start = 0; start < features.Rows; start += RowGroupRows)
                {
                    int rows = Math.Min(RowGroupRows, features.Rows - start);
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync(pathField, paths.Skip(start).Take(rows).ToArray());
                    for (int j = 0; j < features.Columns; j++)
                    {
                        for (int i = 0; i < rows; i++) column[i] = features.Data[(long)(start + i) * features.Columns + j];
                        await group.WriteAsync<float>(featureFields[j], column.AsMemory(0, rows));
                    }
                }
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
