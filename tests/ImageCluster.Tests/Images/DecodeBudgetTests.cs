using System.Buffers.Binary;
using System.Text;
using ImageCluster.Bench;
using ImageCluster.Images;

namespace ImageCluster.Tests;

/// <summary>Files that lie about their size cannot take the machine's memory (issue 14, item 1).</summary>
public class DecodeBudgetTests
{
    private const long Budget = 512L << 20;

    /// <summary>A few dozen bytes of PNG declaring <paramref name="side"/>² RGBA pixels.</summary>
    internal static byte[] LyingPng(int side)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, side);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), side);
        ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
        FuzzCorpus.Chunk(png, "IHDR", ihdr);
        FuzzCorpus.Chunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]); // an empty zlib stream
        FuzzCorpus.Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A real JPEG of the sample whose frame header now says progressive, <paramref name="side"/>² pixels.</summary>
    internal static byte[] LyingProgressiveJpeg(int side) => ForgedJpeg(side, side, progressive: true);

    /// <summary>
    /// The sample's cat JPEG with its frame header rewritten to <paramref name="width"/>×<paramref name="height"/>;
    /// <paramref name="paddedTo"/> appends zeros after the end marker so that the file is as long as such an image could need.
    /// </summary>
    internal static byte[] ForgedJpeg(int width, int height, bool progressive, int paddedTo = 0)
    {
        var jpeg = File.ReadAllBytes(Path.Combine(SharedData.Sample, "photo_cat_01.jpg"));
        if (paddedTo > jpeg.Length) Array.Resize(ref jpeg, paddedTo);
        for (int i = 2; i + 9 < jpeg.Length;)
        {
            Assert.Equal(0xFF, jpeg[i]);
            byte marker = jpeg[i + 1];
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                if (progressive) jpeg[i + 1] = 0xC2;
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 7), (ushort)width);
                return jpeg;
            }
            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
        }
        throw new InvalidOperationException("no frame header");
    }

    [Fact]
    public void A_tiny_png_declaring_13000_squared_pixels_is_refused_before_its_pixels_are_allocated()
    {
        var png = LyingPng(13_000);
        Assert.True(png.Length < 80);
        var rgb = new byte[224 * 224 * 3];
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<DecodeBudgetException>(() => ImageDecoder.DecodeRgb(png, 224, 224, ResizeMode.Squash, rgb, new DecodeBudget(Budget)));
        Assert.Equal("this 13000×13000 image needs about 860 MB to decode, above the 512 MB decode memory budget", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20, "the decoder allocated the pixels first");
    }

    [Fact]
    public void A_progressive_jpeg_is_charged_for_the_coefficients_of_its_stored_size()
    {
        Assert.True(ImageDecoder.IsProgressiveJpeg(LyingProgressiveJpeg(400)));
        Assert.False(ImageDecoder.IsProgressiveJpeg(File.ReadAllBytes(Path.Combine(SharedData.Sample, "photo_cat_02.jpg"))) &&
                     ImageDecoder.IsProgressiveJpeg([0xFF, 0xD8, 0xFF, 0xD9]));
        var rgb = new byte[224 * 224 * 3];
        // 40 000² decodes at 1/8 scale (25 Mpx, under the pixel limit), but libjpeg keeps 9.6 GB of coefficients for it.
        // Padded to the 3.1 MB such an image needs at the least, so that the header check lets it through to the budget.
        var e = Assert.Throws<DecodeBudgetException>(() => ImageDecoder.DecodeRgb(
            ForgedJpeg(40_000, 40_000, progressive: true, paddedTo: 3_200_000), 224, 224, ResizeMode.Squash, rgb, new DecodeBudget(Budget)));
        Assert.StartsWith("this 40000×40000 image needs about 9", e.Message);
    }

    [Theory]
    [InlineData(40_000, 40_000, false, "corrupt header: it declares 40000×40000, which needs at least 3.0 MB of image data; the file has 22.6 KB")]
    [InlineData(4_000, 3_000, false, "corrupt header: it declares 4000×3000, which needs at least 22.9 KB of image data; the file has 22.6 KB")]
    [InlineData(40_000, 40_000, true, "corrupt header: it declares 40000×40000, which needs at least 3.0 MB of image data; the file has 22.6 KB")]
    public void A_jpeg_declaring_more_blocks_than_its_bytes_can_hold_is_refused_not_decoded_as_grey(int width, int height, bool progressive, string expected)
    {
        var rgb = new byte[224 * 224 * 3];
        var e = Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.DecodeRgb(ForgedJpeg(width, height, progressive), 224, 224, ResizeMode.Squash, rgb, new DecodeBudget(Budget)));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Every_sample_jpeg_carries_more_bytes_than_its_header_needs()
    {
        var rgb = new byte[224 * 224 * 3];
        var jpegs = Directory.GetFiles(SharedData.Sample, "*.jpg").Where(f => !Path.GetFileName(f).StartsWith("broken_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(jpegs);
        foreach (string jpeg in jpegs) ImageDecoder.DecodeRgb(File.ReadAllBytes(jpeg), 224, 224, ResizeMode.Squash, rgb);
    }

    [Fact]
    public async Task Decodes_wait_while_others_hold_the_budget()
    {
        var budget = new DecodeBudget(100);
        var first = budget.Reserve(60, "first");
        var second = Task.Run(() => budget.Reserve(60, "second"));
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        budget.Reserve(100, "all of it").Dispose();
    }

    [Fact]
    public async Task In_a_run_the_refused_images_are_listed_and_the_rest_clustered()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp);
        File.WriteAllBytes(Path.Combine(input, "lying.png"), LyingPng(13_000));
        File.WriteAllBytes(Path.Combine(input, "lying.jpg"), LyingProgressiveJpeg(40_000));

        var run = await CliRunner.RunAsync("cluster", input, "--k", "2", "--out", temp.Combine("run"), "--decode-memory-mb", "256");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("clustered 4 images into 2 clusters", run.Stderr + run.Stdout);
        using var reader = new StreamReader(temp.Combine("run", "errors.csv"));
        var errors = Csv.Read(reader).Skip(1).ToDictionary(r => r[0], r => r[1]);
        Assert.Equal("this 13000×13000 image needs about 860 MB to decode, above the 256 MB decode memory budget", errors["lying.png"]);
        Assert.StartsWith("corrupt header: it declares 40000×40000", errors["lying.jpg"]);
        Assert.Equal(2, errors.Count);
    }
}
