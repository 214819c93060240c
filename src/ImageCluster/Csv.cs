using System.Globalization;
using System.Text;
using nietras.SeparatedValues;

namespace ImageCluster;

/// <summary>Minimal RFC 4180 CSV writing and reading (paths may hold commas, quotes and any Unicode).</summary>
internal static class Csv
{
    /// <summary>Quotes a field when it holds a comma, quote, CR or LF.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>Formats a float so it reads back to the same value.</summary>
    public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Formats a double so it reads back to the same value.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes a file atomically: to a temporary name first, then renamed over the target.</summary>
    public static void WriteAtomically(string path, Action<TextWriter> write)
    {
        string temp = path + ".tmp-" + Environment.ProcessId;
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)) { NewLine = "\n" })
            write(writer);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Writes <paramref name="temp"/> (flushed to disk), then renames it to <paramref name="path"/>, failing rather than
    /// replacing a file that has that name.
    /// </summary>
    public static void WriteAtomicallyNoReplace(string temp, string path, Action<TextWriter> write)
    {
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
                write(writer);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: false);
    }

    /// <summary>
    /// Splits CSV text into records of fields (quoted fields may span lines; a blank line is one empty field). No header
    /// handling and no column-count check: the callers name the file and line of a ragged row themselves.
    /// </summary>
    public static IEnumerable<string[]> Read(TextReader reader)
    {
        using var csv = Reader().From(reader);
        foreach (var row in csv)
        {
            var fields = new string[row.ColCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
            yield return fields;
        }
    }

    /// <summary>Like <see cref="Read"/>, with the line each record starts on (1-based), for messages that name it.</summary>
    public static IEnumerable<(int Line, string[] Fields)> ReadLines(TextReader reader)
    {
        using var csv = Reader().From(reader);
        foreach (var row in csv)
        {
            var fields = new string[row.ColCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
            yield return (row.LineNumberFrom, fields);
        }
    }

    /// <summary>The one reader configuration: comma-separated (never sniffed), quotes removed, rows of any length.</summary>
    internal static SepReaderOptions Reader() =>
        Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true });
}
