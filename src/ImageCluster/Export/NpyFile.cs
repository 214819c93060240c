using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ImageCluster.Export;

/// <summary>
/// NumPy's <c>.npy</c> format (versions 1–3) for feature matrices: a 2-D array of float16/32/64 in C order, row names in a
/// sidecar text file (<c>NAME.paths.txt</c>, one per line) or, without one, <c>row1</c>, <c>row2</c>… as for a CSV without
/// a path column. Written as version 1.0 little-endian float32, which every NumPy reads with <c>np.load</c>.
/// </summary>
internal static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The row-names file beside <paramref name="npy"/>: <c>x.npy</c> → <c>x.paths.txt</c>.</summary>
    public static string PathsFile(string npy) => Path.ChangeExtension(npy, ".paths.txt");

    /// <summary>Reads <paramref name="file"/> and its row names.</summary>
    /// <exception cref="ImageClusterException">Not an .npy file, not 2-D floats in C order, cut short, NaN or infinite values, a row-names file of another length.</exception>
    public static FeaturesTable Read(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (descr, fortran, shape) = ReadHeader(stream, file);
        if (fortran)
            throw new ImageClusterException($"{file} is stored in Fortran (column) order; save it in C order, e.g. np.save(path, np.ascontiguousarray(x))");
        if (shape.Length != 2)
            throw new ImageClusterException($"{file} holds a {shape.Length}-D array of shape ({string.Join(", ", shape)}); features are 2-D: one row per image, one column per feature");
        (long rows, long columns) = (shape[0], shape[1]);
        if (rows == 0 || columns == 0) throw new ImageClusterException($"{file} holds an empty {rows}×{columns} array: there is nothing to cluster");
        if (rows * columns > Array.MaxLength)
            throw new ImageClusterException($"{file} holds {rows}×{columns} = {rows * columns:N0} values, more than one matrix in memory can hold ({Array.MaxLength:N0}); reduce the columns first (e.g. PCA) or split the rows");
        int itemSize = descr[2] - '0';
        bool bigEndian = descr[0] == '>';
        long expected = rows * columns * itemSize;
        if (stream.Length - stream.Position < expected)
            throw new ImageClusterException($"{file} is cut short: a {rows}×{columns} array of {itemSize}-byte floats needs {expected:N0} bytes of data, the file has {stream.Length - stream.Position:N0}");

        int r = (int)rows, c = (int)columns;
        var values = new float[r * c];
        var buffer = new byte[Math.Max(itemSize * c, 1 << 20) / (itemSize * c) * (itemSize * c)];
        for (long done = 0; done < values.Length;)
        {
            int want = (int)Math.Min(buffer.Length / itemSize, values.Length - done);
            stream.ReadExactly(buffer, 0, want * itemSize);
            var target = values.AsSpan((int)done, want);
            Convert(buffer.AsSpan(0, want * itemSize), itemSize, bigEndian, target);
            done += want;
        }
        var paths = ReadPaths(file, r);
        var features = new FeatureMatrix(r, c, values);
        FeaturesFile.RequireFinite(file, paths, features);
        return new FeaturesTable(paths, features);
    }

    /// <summary>
    /// Writes <paramref name="features"/> as <paramref name="file"/> (float32) and the row names as its
    /// <see cref="PathsFile"/>, each through a temporary file so a reader never sees half of one.
    /// </summary>
    /// <exception cref="ImageClusterException">A row name with a line break, which the row-names file cannot hold.</exception>
    public static void Write(string file, IReadOnlyList<string> paths, FeatureMatrix features)
    {
        if (paths.FirstOrDefault(p => p.Contains('\n') || p.Contains('\r')) is { } bad)
            throw new ImageClusterException($"{PathsFile(file)}: the path '{bad.ReplaceLineEndings(" ")}' has a line break, which a one-name-per-line file cannot hold; write a .csv instead");
        string temp = file + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            stream.Write(Header(features.Rows, features.Columns));
            if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(features.Data.AsSpan()));
            else
            {
                var one = new byte[4];
                foreach (float v in features.Data)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(one, v);
                    stream.Write(one);
                }
            }
        }
        Csv.WriteAtomically(PathsFile(file), w =>
        {
            foreach (string p in paths) w.WriteLine(p);
        });
        File.Move(temp, file, overwrite: true);
    }

    // Version 1.0: magic, 1, 0, a little-endian uint16 header length, then a Python dict literal padded with spaces and
    // ended by '\n' so that the data starts at a multiple of 64 bytes (what NumPy itself writes).
    private static byte[] Header(int rows, int columns)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padded = (unpadded + 63) / 64 * 64;
        var header = new byte[padded];
        Magic.CopyTo(header);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(padded - 10));
        Encoding.ASCII.GetBytes(dict + new string(' ', padded - unpadded) + "\n", header.AsSpan(10));
        return header;
    }

    private static (string Descr, bool Fortran, long[] Shape) ReadHeader(Stream stream, string file)
    {
        Span<byte> start = stackalloc byte[10];
        if (stream.ReadAtLeast(start, 10, throwOnEndOfStream: false) < 10 || !start[..6].SequenceEqual(Magic))
            throw new ImageClusterException($"{file} is not a NumPy .npy file (it does not start with \\x93NUMPY)");
        int major = start[6];
        long length;
        if (major == 1) length = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
        else if (major is 2 or 3)
        {
            Span<byte> rest = stackalloc byte[2];
            stream.ReadExactly(rest);
            length = BinaryPrimitives.ReadUInt32LittleEndian([start[8], start[9], rest[0], rest[1]]);
        }
        else throw new ImageClusterException($"{file} is .npy format version {major}.{start[7]}; versions 1 to 3 are read");
        if (length > 1 << 20 || stream.Length - stream.Position < length) throw new ImageClusterException($"{file}: its .npy header is damaged (it claims {length:N0} bytes)");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new ImageClusterException($"{file}: its .npy header is not a dictionary of descr, fortran_order and shape: {header.Trim()}");
        string type = descr.Groups[1].Value;
        if (type.Length != 3 || type[0] is not ('<' or '>' or '=' or '|') || type[1] != 'f' || type[2] is not ('2' or '4' or '8'))
            throw new ImageClusterException($"{file} holds values of type '{type}'; features must be floats (float16, float32 or float64: '<f2', '<f4', '<f8')");
        // '=' and '|' mean the writer's own order; NumPy writes them only for one-byte types, so little-endian is the safe reading.
        if (type[0] is '=' or '|') type = "<" + type[1..];
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
            if (!long.TryParse(dims[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]))
                throw new ImageClusterException($"{file}: its .npy shape ({shape.Groups[1].Value}) is not a list of sizes");
        return (type, fortran.Groups[1].Value == "True", sizes);
    }

    private static void Convert(ReadOnlySpan<byte> source, int itemSize, bool bigEndian, Span<float> target)
    {
        for (int i = 0; i < target.Length; i++)
        {
            var item = source.Slice(i * itemSize, itemSize);
            target[i] = (itemSize, bigEndian) switch
            {
                (4, false) => BinaryPrimitives.ReadSingleLittleEndian(item),
                (4, true) => BinaryPrimitives.ReadSingleBigEndian(item),
                (8, false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
                (8, true) => (float)BinaryPrimitives.ReadDoubleBigEndian(item),
                (_, false) => (float)BinaryPrimitives.ReadHalfLittleEndian(item),
                _ => (float)BinaryPrimitives.ReadHalfBigEndian(item),
            };
        }
    }

    private static IReadOnlyList<string> ReadPaths(string file, int rows)
    {
        string sidecar = PathsFile(file);
        if (!File.Exists(sidecar)) return new RowNames(rows);
        var names = File.ReadAllLines(sidecar);
        int count = names.Length;
        if (count != rows)
            throw new ImageClusterException($"{sidecar} names {count} rows but {file} has {rows}: one path per line, in the array's row order");
        return names;
    }

    /// <summary>row1, row2, … (the names of unnamed rows) without a million strings in memory.</summary>
    internal sealed class RowNames(int count) : IReadOnlyList<string>
    {
        public string this[int index] => (uint)index < (uint)count ? $"row{index + 1}" : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => count;
        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < count; i++) yield return this[i];
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
