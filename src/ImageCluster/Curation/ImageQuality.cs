using ImageCluster.Images;

namespace ImageCluster.Curation;

/// <summary>
/// What the quality issues of one image are judged on, measured on a copy at most <see cref="MeasureSide"/> px on its
/// longest side (aspect kept): a fixed scale makes sharpness comparable across image sizes, and it costs a scaled decode.
/// </summary>
/// <param name="Width">Displayed width of the original (EXIF orientation applied).</param>
/// <param name="Height">Displayed height of the original.</param>
/// <param name="DarkEnd">1st percentile of luminance, 0..1: high when even the darkest parts are bright (washed out). Not the 5th:
/// the text of a white page covers less than 5 % of it, and a page of text is not washed out.</param>
/// <param name="BrightEnd">99th percentile of luminance, 0..1: low when even the brightest parts are dark.</param>
/// <param name="Sharpness">Variance of the Laplacian of luminance in the second-sharpest of 4 × 4 tiles, over the square of the
/// contrast (<paramref name="BrightEnd"/> − <paramref name="DarkEnd"/>): a darkened or washed-out photo keeps its edges, only fainter.</param>
/// <param name="Entropy">Shannon entropy of the 256-bin luminance histogram, in bits (0 for one flat colour, at most 8).</param>
/// <param name="Colourfulness">Mean of max(R,G,B) − min(R,G,B) over pixels, 0..1 (0 for a grey image).</param>
/// <param name="PerceptualHash">64-bit DCT perceptual hash of luminance (as imagehash's <c>phash</c>: 32 × 32, the 8 × 8 lowest
/// frequencies against their median): near for re-encodes, resizes and mild crops, far for different photos.</param>
/// <param name="MirroredHash">The perceptual hash of the image mirrored left to right (the odd horizontal frequencies negated).</param>
internal sealed record ImageQuality(int Width, int Height, float DarkEnd, float BrightEnd, float Sharpness, float Entropy, float Colourfulness,
    ulong PerceptualHash = 0, ulong MirroredHash = 0)
{
    /// <summary>Longest side of the copy measured.</summary>
    public const int MeasureSide = 256;

    /// <summary>
    /// Cache key of these measurements in the embedding store (they are kept as a 7-float vector per content hash, like an
    /// embedding); a change to how they are measured must change it.
    /// </summary>
    public const string StoreKey = "quality-v3";

    /// <summary>The store's output name under <see cref="StoreKey"/>.</summary>
    public const string StoreOutput = "measures";

    /// <summary>Measures an encoded image.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a readable image.</exception>
    public static ImageQuality Measure(ReadOnlySpan<byte> encoded, DecodeBudget? budget = null, CancellationToken ct = default)
    {
        var size = ImageDecoder.ReadDisplaySize(encoded) ?? throw new ImageDecodeException("not an image SkiaSharp can read");
        int width = size.Width, height = size.Height;
        if (width <= 0 || height <= 0) throw new ImageDecodeException("image has no pixels");
        double scale = Math.Min(1.0, (double)MeasureSide / Math.Max(width, height));
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        var rgb = new byte[w * h * 3];
        ImageDecoder.DecodeRgb(encoded, w, h, ResizeMode.Squash, rgb, budget, ct);
        return FromPixels(rgb, w, h, width, height);
    }

    /// <summary>Measures packed RGB pixels of a <paramref name="w"/> × <paramref name="h"/> copy of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static ImageQuality FromPixels(ReadOnlySpan<byte> rgb, int w, int h, int width, int height)
    {
        int n = w * h;
        var luminance = new float[n];
        var histogram = new int[256];
        double chroma = 0;
        for (int p = 0, q = 0; p < n; p++, q += 3)
        {
            byte r = rgb[q], g = rgb[q + 1], b = rgb[q + 2];
            // Rec. 601 luma, as PIL's convert('L') and CleanVision use.
            float y = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
            luminance[p] = y;
            histogram[Math.Min(255, (int)(y * 255f + 0.5f))]++;
            chroma += Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b));
        }
        double entropy = 0;
        foreach (int count in histogram)
            if (count > 0)
            {
                double share = (double)count / n;
                entropy -= share * Math.Log2(share);
            }
        float dark = Percentile(histogram, n, 0.01), bright = Percentile(histogram, n, 0.99);
        // A flat image has no contrast to normalise by; its sharpness stays 0 (it is low information, not blurry).
        float contrast = Math.Max(bright - dark, 1f / 255);
        var (hash, mirrored) = PerceptualHashes(luminance, w, h);
        return new ImageQuality(width, height, dark, bright, TileSharpness(luminance, w, h) / (contrast * contrast), (float)entropy, (float)(chroma / n / 255),
            hash, mirrored);
    }

    /// <summary>Bits in which two images' perceptual hashes differ, the mirror image counted as the same image (0..64).</summary>
    public int HashDistance(ImageQuality other) =>
        Math.Min(System.Numerics.BitOperations.PopCount(PerceptualHash ^ other.PerceptualHash),
            System.Numerics.BitOperations.PopCount(PerceptualHash ^ other.MirroredHash));

    private const int HashSide = 32, HashBits = 8;

    private static readonly double[,] Cosines = CosineTable();

    private static double[,] CosineTable()
    {
        var table = new double[HashBits, HashSide];
        for (int k = 0; k < HashBits; k++)
            for (int x = 0; x < HashSide; x++)
                table[k, x] = Math.Cos(Math.PI * k * (2 * x + 1) / (2.0 * HashSide));
        return table;
    }

    // The 32 × 32 box-averaged luminance, its 8 × 8 lowest DCT-II frequencies, and one bit per frequency: above the median.
    private static (ulong Hash, ulong Mirrored) PerceptualHashes(float[] y, int w, int h)
    {
        var small = new double[HashSide, HashSide];
        for (int r = 0; r < HashSide; r++)
        {
            int r0 = r * h / HashSide, r1 = Math.Max(r0 + 1, (r + 1) * h / HashSide);
            for (int c = 0; c < HashSide; c++)
            {
                int c0 = c * w / HashSide, c1 = Math.Max(c0 + 1, (c + 1) * w / HashSide);
                double sum = 0;
                for (int yy = r0; yy < r1; yy++)
                    for (int xx = c0; xx < c1; xx++)
                        sum += y[Math.Min(yy, h - 1) * w + Math.Min(xx, w - 1)];
                small[r, c] = sum / ((r1 - r0) * (c1 - c0));
            }
        }
        var rows = new double[HashSide, HashBits]; // DCT along each row, then along the columns
        for (int r = 0; r < HashSide; r++)
            for (int u = 0; u < HashBits; u++)
            {
                double sum = 0;
                for (int c = 0; c < HashSide; c++) sum += small[r, c] * Cosines[u, c];
                rows[r, u] = sum;
            }
        var direct = new double[HashBits * HashBits];
        var mirrored = new double[HashBits * HashBits];
        for (int v = 0; v < HashBits; v++)
            for (int u = 0; u < HashBits; u++)
            {
                double sum = 0;
                for (int r = 0; r < HashSide; r++) sum += rows[r, u] * Cosines[v, r];
                direct[v * HashBits + u] = sum;
                mirrored[v * HashBits + u] = u % 2 == 1 ? -sum : sum; // x → 31 − x flips the sign of the odd horizontal frequencies
            }
        return (Bits(direct), Bits(mirrored));
    }

    private static ulong Bits(double[] coefficients)
    {
        var sorted = coefficients.Order().ToArray();
        double median = (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        ulong bits = 0;
        for (int i = 0; i < coefficients.Length; i++)
            if (coefficients[i] > median) bits |= 1UL << i;
        return bits;
    }

    // The value below which a share of the pixels lies, read off the histogram.
    private static float Percentile(int[] histogram, int n, double share)
    {
        long target = (long)Math.Ceiling(share * n), seen = 0;
        for (int v = 0; v < 256; v++)
        {
            seen += histogram[v];
            if (seen >= target) return v / 255f;
        }
        return 1f;
    }

    // A photo with a sharp subject on a soft background is sharp where the subject is, so sharpness is taken per tile; the
    // second-sharpest tile rather than the sharpest, so that one noisy or text-covered corner does not decide alone.
    private static float TileSharpness(float[] y, int w, int h)
    {
        if (w < 3 || h < 3) return 0;
        int tiles = w >= 32 && h >= 32 ? 4 : 1;
        var sum = new double[tiles * tiles];
        var sumSquares = new double[tiles * tiles];
        var count = new int[tiles * tiles];
        for (int r = 1; r < h - 1; r++)
        {
            int tr = (r - 1) * tiles / (h - 2);
            for (int c = 1; c < w - 1; c++)
            {
                int i = r * w + c;
                double laplacian = y[i - 1] + y[i + 1] + y[i - w] + y[i + w] - 4 * y[i];
                int t = tr * tiles + (c - 1) * tiles / (w - 2);
                sum[t] += laplacian;
                sumSquares[t] += laplacian * laplacian;
                count[t]++;
            }
        }
        var variances = new double[tiles * tiles];
        for (int t = 0; t < variances.Length; t++)
            variances[t] = count[t] == 0 ? 0 : Math.Max(0, sumSquares[t] / count[t] - sum[t] / count[t] * (sum[t] / count[t]));
        Array.Sort(variances);
        return (float)variances[Math.Max(0, variances.Length - 2)];
    }

    /// <summary>The measurements as the store keeps them (each hash in four 16-bit parts, which a float holds exactly).</summary>
    public float[] ToVector() =>
    [
        Width, Height, DarkEnd, BrightEnd, Sharpness, Entropy, Colourfulness,
        .. Enumerable.Range(0, 4).Select(i => (float)((PerceptualHash >> (16 * i)) & 0xFFFF)),
        .. Enumerable.Range(0, 4).Select(i => (float)((MirroredHash >> (16 * i)) & 0xFFFF)),
    ];

    /// <summary>Measurements read back from the store; null for a vector of another shape.</summary>
    public static ImageQuality? FromVector(float[] v) =>
        v.Length == 15 ? new ImageQuality((int)v[0], (int)v[1], v[2], v[3], v[4], v[5], v[6], Join(v, 7), Join(v, 11)) : null;

    private static ulong Join(float[] v, int at)
    {
        ulong bits = 0;
        for (int i = 0; i < 4; i++) bits |= (ulong)v[at + i] << (16 * i);
        return bits;
    }
}
