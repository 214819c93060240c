using System.Diagnostics;
using System.Globalization;
using System.Text;
using ImageCluster.Export;

namespace ImageCluster.Bench;

/// <summary>
/// Reading a features CSV (<c>path,f0,…</c>, as <c>embed</c> writes it): the library's Sep-based reader beside the
/// char-by-char reader it replaced (kept below verbatim as the "before"), alternating in one process on one file.
/// Usage: bench csv &lt;scratch folder&gt; [--rows 10000] [--dims 512] [--runs 5]
/// </summary>
internal static class CsvBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string folder = Path.GetFullPath(args[0]);
        int rows = int.Parse(Arg("--rows", "10000"), CultureInfo.InvariantCulture);
        int dims = int.Parse(Arg("--dims", "512"), CultureInfo.InvariantCulture);
        int runs = int.Parse(Arg("--runs", "5"), CultureInfo.InvariantCulture);
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, $"features-{rows}x{dims}.csv");

        // Unit vectors of normal noise, like a normalised embedding: the digits and lengths of real features.
        var random = new Random(7);
        var values = new float[rows * dims];
        for (int r = 0; r < rows; r++)
        {
            double norm = 0;
            for (int j = 0; j < dims; j++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                values[r * dims + j] = (float)g;
                norm += g * g;
            }
            for (int j = 0; j < dims; j++) values[r * dims + j] /= (float)Math.Sqrt(norm);
        }
        var paths = Enumerable.Range(0, rows).Select(r => $"photos/2024/img_{r:D6}.jpg").ToList();
        RunOutputs.WriteFeatures(file, paths, new FeatureMatrix(rows, dims, values));
        long bytes = new FileInfo(file).Length;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"file: {rows} rows × {dims} features, {bytes / 1e6:F1} MB ({file})");

        var before = new List<double>();
        var after = new List<double>();
        Check(LegacyRead(file), FeaturesFile.Read(file)); // warm-up, and both read the same numbers
        for (int run = 0; run < runs; run++)
        {
            before.Add(Time(() => LegacyRead(file)));
            after.Add(Time(() => FeaturesFile.Read(file)));
        }
        double b = Median(before), a = Median(after);
        Console.WriteLine($"before (char-by-char reader): median {b:F3} s  ({bytes / 1e6 / b:F0} MB/s)  runs {string.Join(" ", before.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"after  (Sep):                 median {a:F3} s  ({bytes / 1e6 / a:F0} MB/s)  runs {string.Join(" ", after.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"speed-up: {b / a:F1}×");
        return 0;
    }

    private static double Time(Func<FeaturesTable> read)
    {
        GC.Collect();
        var sw = Stopwatch.StartNew();
        var table = read();
        double seconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(table);
        return seconds;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static void Check(FeaturesTable a, FeaturesTable b)
    {
        if (!a.Paths.SequenceEqual(b.Paths) || !a.Features.Data.SequenceEqual(b.Features.Data))
            throw new InvalidOperationException("the two readers disagree");
    }

    // The reader before Sep (FeaturesFile.Read over Csv.Read at commit 55b5713), errors trimmed to one message.
    private static FeaturesTable LegacyRead(string file)
    {
        using var reader = new StreamReader(file);
        using var records = LegacyRecords(reader).GetEnumerator();
        if (!records.MoveNext()) throw new InvalidDataException("empty");
        string[] header = records.Current;
        bool hasPath = header[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase);
        int first = hasPath ? 1 : 0, columns = header.Length - first;
        var paths = new List<string>();
        var values = new List<float>();
        while (records.MoveNext())
        {
            var row = records.Current;
            if (row is [""]) continue;
            if (row.Length != header.Length) throw new InvalidDataException("ragged");
            for (int j = first; j < row.Length; j++)
            {
                if (!float.TryParse(row[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException("not a number");
                values.Add(v);
            }
            paths.Add(hasPath ? row[0] : $"row{paths.Count + 1}");
        }
        return new FeaturesTable(paths, new FeatureMatrix(paths.Count, columns, values.ToArray()));
    }

    private static IEnumerable<string[]> LegacyRecords(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r' && reader.Peek() == '\n') { }
            else if (ch == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                yield return fields.ToArray();
                fields.Clear();
                any = false;
            }
            else field.Append(ch);
        }
        if (any)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
