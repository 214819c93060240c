using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace ImageCluster.Bench;

/// <summary>One generated file: its name in the corpus folder and how it was made.</summary>
internal sealed record FuzzFile(string Name, string Kind);

/// <summary>What a run answered for a corpus: every file must be in exactly one of assignments.csv and errors.csv.</summary>
internal sealed record FuzzAnswers(int Files, IReadOnlyList<string> ClusteredNames, int Errors, IReadOnlyList<string> Missing, IReadOnlyList<string> Duplicated,
    IReadOnlyList<string> WithoutCause, IReadOnlyList<(string Cause, int Count)> Causes)
{
    /// <summary>Files in assignments.csv.</summary>
    public int Clustered => ClusteredNames.Count;
}

/// <summary>
/// A deterministic corpus of hostile image files (issue 14): the repository's sample images mutated by bit flips, truncation,
/// lying dimensions, overwritten and repeated spans, splices and appended garbage, plus decompression and animation bombs,
/// empty files, wrong extensions and odd names. The same seed gives the same bytes and names on every machine
/// (<see cref="Random(int)"/> is the seeded legacy generator), so a file that breaks a run can be made again.
/// Compiled into the tests (a few hundred files per CI run) and the bench (<c>bench fuzz --count 10000</c>).
/// </summary>
internal static class FuzzCorpus
{
    private static readonly string[] Kinds = ["bitflip", "truncate", "dims", "overwrite", "repeat", "splice", "append", "bomb", "tiny", "wrongext", "intact"];

    /// <summary>Writes <paramref name="count"/> files into <paramref name="folder"/> (created; must be empty) from the images in <paramref name="samples"/>.</summary>
    public static IReadOnlyList<FuzzFile> Write(string folder, int count, int seed, string samples)
    {
        Directory.CreateDirectory(folder);
        if (Directory.EnumerateFileSystemEntries(folder).Any()) throw new IOException($"{folder} is not empty");
        var seeds = Seeds(samples);
        var random = new Random(seed);
        var files = new List<FuzzFile>(count);
        for (int i = 0; i < count; i++)
        {
            var (source, extension) = seeds[random.Next(seeds.Count)];
            string kind = Kinds[random.Next(Kinds.Length)];
            byte[] bytes = kind switch
            {
                "bitflip" => BitFlips(source, random),
                "truncate" => source[..random.Next(source.Length)],
                "dims" => LyingDimensions(source, random),
                "overwrite" => Overwrite(source, random),
                "repeat" => Repeat(source, random),
                "splice" => Splice(source, seeds[random.Next(seeds.Count)].Bytes, random),
                "append" => [.. source, .. Noise(random, random.Next(1, 65536))],
                "bomb" => Bomb(random, out extension),
                "tiny" => source[..random.Next(Math.Min(source.Length, 16))],
                "wrongext" => source,
                _ => source,
            };
            if (kind == "wrongext") extension = extension == ".jpg" ? ".png" : ".jpg";
            string name = Name(i, kind, extension, random);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
            files.Add(new FuzzFile(name, kind));
        }
        return files;
    }

    /// <summary>Reads what the run in <paramref name="run"/> said about each of <paramref name="files"/>.</summary>
    public static FuzzAnswers Check(IReadOnlyList<FuzzFile> files, string run)
    {
        var clustered = Column(Path.Combine(run, "assignments.csv"));
        var errors = Rows(Path.Combine(run, "errors.csv"));
        var answered = clustered.Concat(errors.Select(e => e[0])).GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var missing = files.Where(f => !answered.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        var duplicated = answered.Where(a => a.Value > 1).Select(a => a.Key).ToList();
        var withoutCause = errors.Where(e => e.Length < 2 || string.IsNullOrWhiteSpace(e[1])).Select(e => e[0]).ToList();
        // Causes without their numbers, so that "truncated … 41 bytes" and "… 97 bytes" count as one.
        var causes = errors.Where(e => e.Length > 1).GroupBy(e => Shape(e[1])).Select(g => (g.Key, g.Count()))
            .OrderByDescending(c => c.Item2).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        return new FuzzAnswers(files.Count, clustered, errors.Count, missing, duplicated, withoutCause, causes);
    }

    private static string Shape(string cause) => System.Text.RegularExpressions.Regex.Replace(cause, @"\d+([.,]\d+)?", "N");

    private static List<string> Column(string csv) => Rows(csv).Select(r => r[0]).ToList();

    private static List<string[]> Rows(string csv)
    {
        if (!File.Exists(csv)) return [];
        using var reader = new StreamReader(csv);
        return Csv.Read(reader).Skip(1).ToList();
    }

    private static List<(byte[] Bytes, string Extension)> Seeds(string samples)
    {
        var seeds = Directory.GetFiles(samples)
            .Where(f => Path.GetExtension(f) is ".jpg" or ".png" && !Path.GetFileName(f).StartsWith("broken_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (File.ReadAllBytes(f), Path.GetExtension(f)))
            .ToList();
        if (seeds.Count == 0) throw new IOException($"no sample images in {samples}");
        // Formats the sample lacks, made from its first photo: WebP (lossy and lossless) and small GIF and BMP files.
        using var photo = SKBitmap.Decode(seeds[0].Item1).Resize(new SKImageInfo(96, 72), new SKSamplingOptions(SKFilterMode.Linear));
        using (var image = SKImage.FromBitmap(photo))
        {
            seeds.Add((image.Encode(SKEncodedImageFormat.Webp, 80).ToArray(), ".webp"));
            seeds.Add((image.Encode(SKEncodedImageFormat.Webp, 100).ToArray(), ".webp"));
        }
        seeds.Add((Gif(16, 12, frames: 3, screen: (16, 12)), ".gif"));
        seeds.Add((Bmp(photo), ".bmp"));
        return seeds;
    }

    private static byte[] BitFlips(byte[] source, Random random)
    {
        var bytes = (byte[])source.Clone();
        for (int flips = random.Next(1, 65); flips > 0; flips--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    private static byte[] Overwrite(byte[] source, Random random)
    {
        var bytes = (byte[])source.Clone();
        int length = Math.Min(bytes.Length, random.Next(1, 513)), at = random.Next(bytes.Length - length + 1);
        int fill = random.Next(3);
        for (int i = at; i < at + length; i++) bytes[i] = fill switch { 0 => 0x00, 1 => 0xFF, _ => (byte)random.Next(256) };
        return bytes;
    }

    // A span of the file written again at another place: repeated markers, chunks and headers.
    private static byte[] Repeat(byte[] source, Random random)
    {
        int length = Math.Min(source.Length, random.Next(1, 4097)), from = random.Next(source.Length - length + 1), at = random.Next(source.Length + 1);
        return [.. source.AsSpan(0, at), .. source.AsSpan(from, length), .. source.AsSpan(at)];
    }

    private static byte[] Splice(byte[] head, byte[] tail, Random random) =>
        [.. head.AsSpan(0, random.Next(1, head.Length)), .. tail.AsSpan(random.Next(tail.Length))];

    private static byte[] Noise(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int LyingSide(Random random) => random.Next(6) switch
    {
        0 => 0,
        1 => 1,
        2 => 65535,
        3 => 40000,
        4 => 13000,
        _ => random.Next(2, 70000),
    };

    // The declared width and height rewritten (CRCs kept valid, so the lie is all the decoder sees).
    private static byte[] LyingDimensions(byte[] source, Random random)
    {
        var b = (byte[])source.Clone();
        ushort w16 = (ushort)Math.Min(LyingSide(random), 65535), h16 = (ushort)Math.Min(LyingSide(random), 65535);
        if (b.AsSpan().StartsWith(PngSignature) && b.Length > 33)
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), LyingSide(random));
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), LyingSide(random));
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), Crc32(b.AsSpan(12, 17)));
        }
        else if (b.Length > 4 && b[0] == 0xFF && b[1] == 0xD8)
        {
            for (int i = 2; i + 9 < b.Length && b[i] == 0xFF;)
            {
                byte marker = b[i + 1];
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    if (random.Next(2) == 0) b[i + 1] = 0xC2; // and now it claims to be progressive, too
                    BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i + 5), h16);
                    BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i + 7), w16);
                    break;
                }
                i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 2));
            }
        }
        else if (b.AsSpan().StartsWith("GIF8"u8) && b.Length > 10)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), w16);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), h16);
        }
        else if (b.AsSpan().StartsWith("BM"u8) && b.Length > 26)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), LyingSide(random));
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), random.Next(2) == 0 ? LyingSide(random) : -LyingSide(random));
        }
        else if (b.AsSpan().StartsWith("RIFF"u8) && b.Length > 30)
        {
            // VP8 keyframe: 14-bit sizes at 26; VP8L: packed 14-bit sizes at 21.
            if (b.AsSpan(12, 4).SequenceEqual("VP8 "u8)) { BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(26), (ushort)(w16 & 0x3FFF)); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(28), (ushort)(h16 & 0x3FFF)); }
            else if (b.AsSpan(12, 4).SequenceEqual("VP8L"u8)) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(21), (uint)(w16 & 0x3FFF) | ((uint)(h16 & 0x3FFF) << 14));
        }
        return b;
    }

    // Files small on disk and huge in memory: a PNG of zeros that inflates to hundreds of MB, a GIF whose logical screen and
    // frames declare 65535², a GIF of thousands of frames.
    private static byte[] Bomb(Random random, out string extension)
    {
        switch (random.Next(3))
        {
            case 0:
                extension = ".png";
                return ZeroPng(random.Next(2) == 0 ? 12000 : 20000);
            case 1:
                extension = ".gif";
                return Gif(65535, 65535, frames: 2, screen: (65535, 65535));
            default:
                extension = ".gif";
                return Gif(8, 8, frames: 2000, screen: (8, 8));
        }
    }

    private static readonly Dictionary<int, byte[]> ZeroPngs = [];

    // Not a u8 literal: "\x89" there is U+0089, two bytes in UTF-8.
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static byte[] ZeroPng(int side)
    {
        lock (ZeroPngs)
        {
            if (ZeroPngs.TryGetValue(side, out var cached)) return cached;
            using var png = new MemoryStream();
            png.Write(PngSignature);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr, side);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), side);
            ihdr[8] = 8; // 8-bit grey
            Chunk(png, "IHDR", ihdr);
            using (var idat = new MemoryStream())
            {
                using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
                {
                    var row = new byte[side + 1]; // filter byte 0, then zeros
                    for (int y = 0; y < side; y++) z.Write(row);
                }
                Chunk(png, "IDAT", idat.ToArray());
            }
            Chunk(png, "IEND", []);
            return ZeroPngs[side] = png.ToArray();
        }
    }

    /// <summary>Writes one PNG chunk: length, type, data and its CRC.</summary>
    internal static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    // A GIF89a of `frames` frames of width × height; frames of at most `coded` pixels are coded whole (a valid image), larger
    // ones carry one pixel (a frame that declares far more than it holds).
    private static byte[] Gif(int width, int height, int frames, (int W, int H) screen, int coded = 4096)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(u16, (ushort)screen.W); gif.Write(u16);
        BinaryPrimitives.WriteUInt16LittleEndian(u16, (ushort)screen.H); gif.Write(u16);
        gif.Write([0xF0, 0, 0]); // global colour table of 2 entries
        gif.Write([0, 0, 0, 255, 255, 255]);
        gif.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]); // loop for ever
        for (int f = 0; f < frames; f++)
        {
            gif.Write([0x21, 0xF9, 4, 0, 1, 0, 0, 0]); // 10 ms per frame
            gif.WriteByte(0x2C);
            gif.Write([0, 0, 0, 0]);
            BinaryPrimitives.WriteUInt16LittleEndian(u16, (ushort)width); gif.Write(u16);
            BinaryPrimitives.WriteUInt16LittleEndian(u16, (ushort)height); gif.Write(u16);
            gif.WriteByte(0);
            gif.WriteByte(2); // LZW minimum code size
            var data = Lzw(width * height <= coded ? width * height : 1, (byte)(f & 1));
            for (int at = 0; at < data.Length; at += 255)
            {
                int length = Math.Min(255, data.Length - at);
                gif.WriteByte((byte)length);
                gif.Write(data, at, length);
            }
            gif.WriteByte(0);
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    // `pixels` copies of one colour index as 3-bit LZW codes: a clear code before every two literals keeps the code size at
    // 3 bits (the table never reaches 8 entries), then the end code; bits packed from the least significant.
    private static byte[] Lzw(int pixels, byte index)
    {
        var codes = new List<int>();
        for (int p = 0; p < pixels; p++)
        {
            if (p % 2 == 0) codes.Add(4);
            codes.Add(index);
        }
        codes.Add(5);
        var bytes = new byte[(codes.Count * 3 + 7) / 8];
        for (int c = 0; c < codes.Count; c++)
        for (int bit = 0; bit < 3; bit++)
            if ((codes[c] >> bit & 1) != 0) bytes[(c * 3 + bit) / 8] |= (byte)(1 << ((c * 3 + bit) % 8));
        return bytes;
    }

    private static byte[] Bmp(SKBitmap photo)
    {
        int w = photo.Width, h = photo.Height, stride = (w * 3 + 3) & ~3;
        var bmp = new byte[54 + stride * h];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var c = photo.GetPixel(x, h - 1 - y);
            int at = 54 + y * stride + x * 3;
            (bmp[at], bmp[at + 1], bmp[at + 2]) = (c.Blue, c.Green, c.Red);
        }
        return bmp;
    }

    // Mostly plain names; one in eight is the kind that breaks tools: Unicode, spaces, a leading dash, a spreadsheet formula,
    // CSV quotes and commas, a line break, or a name near the 255-byte limit.
    private static string Name(int i, string kind, string extension, Random random)
    {
        string plain = $"f{i:D5}_{kind}";
        if (random.Next(8) != 0) return plain + extension;
        return random.Next(7) switch
        {
            0 => $"名前_ünï_{plain}{extension}",
            1 => $"with  spaces {plain}{extension}",
            2 => $"-{plain}{extension}",
            3 => $"=HYPERLINK(\"x\")_{plain}{extension}",
            4 => $"q\"u,o'te_{plain}{extension}",
            5 => $"line\nbreak_{plain}{extension}",
            _ => plain + new string('x', 240 - plain.Length - extension.Length) + extension,
        };
    }
}
