using System.Globalization;
using System.Text;
using nietras.SeparatedValues;

namespace ImageCluster;

/// <summary>Minimal RFC 4180 CSV writing and reading (paths may hold commas, quotes and any Unicode).</summary>
internal static class Csv
{
    /// <summary>
    /// Quotes a field when it holds a comma, quote, CR or LF, and defuses one a spreadsheet would run as a formula (a file
    /// named <c>=cmd|…</c>): such a field gets a leading apostrophe, which <see cref="Read"/> takes off again.
    /// </summary>
    public static string Escape(string field)
    {
        if (NeedsFormulaGuard(field)) field = "'" + field;
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }

    // OWASP's list of cell starts that spreadsheets evaluate. An apostrophe before one of them (or before another
    // apostrophe) is guarded too, so that reading back is exact for every name.
    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    private static bool NeedsFormulaGuard(string field) =>
        field.Length > 0 && (IsFormulaStart(field[0]) || (field[0] == '\'' && field.Length > 1 && (IsFormulaStart(field[1]) || field[1] == '\'')));

    /// <summary>A field as written before <see cref="Escape"/> guarded it.</summary>
    public static string Unguard(string field) =>
        field.Length > 1 && field[0] == '\'' && (IsFormulaStart(field[1]) || field[1] == '\'') ? field[1..] : field;

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
    public static IEnumerable<string[]> Read(TextReader reader) => ReadLines(reader).Select(r => r.Fields);

    /// <summary>Like <see cref="Read"/>, with the line each record starts on (1-based), for messages that name it.</summary>
    public static IEnumerable<(int Line, string[] Fields)> ReadLines(TextReader reader)
    {
        using var csv = Reader().From(reader);
        foreach (var row in csv)
        {
            var fields = new string[row.ColCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = Unguard(row[i].ToString());
            // Sep 0.18 gives the first row of a file read without a header the line it ends on; it always starts on line 1.
            yield return (row.RowIndex == 0 ? 1 : row.LineNumberFrom, fields);
        }
    }

    /// <summary>The one reader configuration: comma-separated (never sniffed), quotes removed, rows of any length.</summary>
    internal static SepReaderOptions Reader() =>
        Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true });
}
