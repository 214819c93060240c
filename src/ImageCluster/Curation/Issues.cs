using ImageCluster.Neighbours;

namespace ImageCluster.Curation;

/// <summary>The issue names of <c>issues.csv</c>, in the order they are listed for an image.</summary>
internal static class IssueNames
{
    public const string Corrupt = "corrupt";
    public const string ExactDuplicate = "exact_duplicate";
    public const string NearDuplicate = "near_duplicate";
    public const string Outlier = "outlier";
    public const string Blurry = "blurry";
    public const string Dark = "dark";
    public const string Light = "light";
    public const string LowInformation = "low_information";
    public const string Grayscale = "grayscale";
    public const string OddAspectRatio = "odd_aspect_ratio";
    public const string OddSize = "odd_size";
    public const string LabelIssue = "label_issue";

    public static readonly IReadOnlyList<string> All =
        [Corrupt, ExactDuplicate, NearDuplicate, Outlier, Blurry, Dark, Light, LowInformation, Grayscale, OddAspectRatio, OddSize, LabelIssue];
}

/// <summary>One issue of one image: its row, the issue's name and a score in 0..1, higher = worse.</summary>
internal sealed record ImageIssue(int Row, string Issue, double Score);

/// <summary>
/// Where each issue is flagged. Pixel thresholds are absolute (a dark image is dark in any collection); size and
/// outliers are judged against the collection itself, as CleanVision does, because what is odd depends on the rest.
/// The defaults are calibrated on planted junk (docs/benchmarks.md, "Planted junk").
/// </summary>
internal sealed record IssueThresholds
{
    /// <summary>Dark: the 99th percentile of luminance (0..1) below this: even the brightest parts are dark.</summary>
    public double DarkBelow { get; init; } = 0.30;

    /// <summary>Light: the 1st percentile of luminance above this: even the darkest parts are bright (washed out, overexposed).</summary>
    public double LightAbove { get; init; } = 0.70;

    /// <summary>Blurry: sharpness (variance of the Laplacian on the 256-px copy, second-sharpest tile) below this.</summary>
    public double BlurryBelow { get; init; } = 0.0015;

    /// <summary>Low information: luminance entropy below this many bits (a flat colour is ≈ 0, a photo 6–8).</summary>
    public double LowInformationBelow { get; init; } = 2.0;

    /// <summary>Grayscale: mean channel spread (max − min of R, G, B, 0..1) below this.</summary>
    public double GrayscaleBelow { get; init; } = 0.01;

    /// <summary>Odd aspect ratio: longer side over shorter side at or above this.</summary>
    public double AspectRatioAtLeast { get; init; } = 4;

    /// <summary>Odd size: linear size (√ of the pixel count) this many times below or above the collection's median.</summary>
    public double SizeFactorAtLeast { get; init; } = 4;

    /// <summary>
    /// Outlier: the mean cosine distance to the k nearest neighbours above the collection's upper quartile by this many
    /// interquartile ranges (3 = Tukey's "far out").
    /// </summary>
    public double OutlierFence { get; init; } = 3;

    /// <summary>Label issue: this share (or more) of the labelled neighbours carries one other label.</summary>
    public double LabelDisagreement { get; init; } = 0.8;
}

/// <summary>
/// Finds every issue of every image from what is known of it: pixel measurements (<see cref="ImageQuality"/>, when there
/// are images), neighbours (for outliers and label issues), duplicate groups and the decoder's verdicts. No I/O.
/// </summary>
internal static class IssueFinder
{
    /// <summary>The issues, by row then in <see cref="IssueNames.All"/> order.</summary>
    /// <param name="rows">Images judged.</param>
    /// <param name="quality">Measurements per row, or null for a features file (no pixel issues then).</param>
    /// <param name="neighbours">All-kNN under cosine distance, or null (no outliers, no label issues).</param>
    /// <param name="duplicates">Duplicate groups, or null: every grouped row but the kept one is a duplicate.</param>
    /// <param name="labels">Label per row (null or empty = unlabelled), or null: label issues only with labels.</param>
    /// <param name="thresholds">Where each issue is flagged.</param>
    public static List<ImageIssue> Find(int rows, IReadOnlyList<ImageQuality?>? quality, AllNeighbours? neighbours, DuplicateGroups? duplicates,
        IReadOnlyList<string?>? labels, IssueThresholds thresholds)
    {
        var found = new List<ImageIssue>();
        double[]? knn = neighbours is null ? null : MeanDistances(neighbours, rows);
        double fence = knn is null ? double.PositiveInfinity : Fence(knn, thresholds.OutlierFence);
        double[]? rank = knn is null ? null : PercentileRanks(knn);
        double medianSide = quality is null ? 0 : Median(quality.Where(q => q is not null).Select(q => Math.Sqrt((double)q!.Width * q.Height)));
        for (int i = 0; i < rows; i++)
        {
            if (duplicates is not null && duplicates.Group[i] is >= 0 and var g && duplicates.Kept[g] != i)
            {
                if (duplicates.Exact[i]) found.Add(new ImageIssue(i, IssueNames.ExactDuplicate, 1));
                else found.Add(new ImageIssue(i, IssueNames.NearDuplicate, Math.Clamp(duplicates.Similarity[i], 0, 1)));
            }
            if (knn is not null && knn[i] > fence) found.Add(new ImageIssue(i, IssueNames.Outlier, rank![i]));
            if (quality?[i] is { } q) AddPixelIssues(found, i, q, medianSide, thresholds);
            if (labels is not null && neighbours is not null && LabelDisagreement(i, labels, neighbours) is { } share && share >= thresholds.LabelDisagreement)
                found.Add(new ImageIssue(i, IssueNames.LabelIssue, share));
        }
        return found;
    }

    private static void AddPixelIssues(List<ImageIssue> found, int i, ImageQuality q, double medianSide, IssueThresholds t)
    {
        bool lowInformation = q.Entropy < t.LowInformationBelow;
        // A flat image has no edges at all; it is empty, and calling it blurry too would say nothing more.
        if (!lowInformation && q.Sharpness < t.BlurryBelow) found.Add(new ImageIssue(i, IssueNames.Blurry, 1 - q.Sharpness / t.BlurryBelow / 2));
        if (q.BrightEnd < t.DarkBelow) found.Add(new ImageIssue(i, IssueNames.Dark, 1 - q.BrightEnd));
        if (q.DarkEnd > t.LightAbove) found.Add(new ImageIssue(i, IssueNames.Light, q.DarkEnd));
        if (lowInformation) found.Add(new ImageIssue(i, IssueNames.LowInformation, 1 - q.Entropy / 8));
        if (q.Colourfulness < t.GrayscaleBelow) found.Add(new ImageIssue(i, IssueNames.Grayscale, 1 - q.Colourfulness / t.GrayscaleBelow / 2));
        double ratio = (double)Math.Max(q.Width, q.Height) / Math.Max(1, Math.Min(q.Width, q.Height));
        if (ratio >= t.AspectRatioAtLeast) found.Add(new ImageIssue(i, IssueNames.OddAspectRatio, 1 - 1 / ratio));
        double factor = medianSide <= 0 ? 1 : Math.Sqrt((double)q.Width * q.Height) / medianSide;
        factor = Math.Max(factor, 1 / factor);
        if (factor >= t.SizeFactorAtLeast) found.Add(new ImageIssue(i, IssueNames.OddSize, 1 - 1 / factor));
    }

    /// <summary>Every row's mean cosine distance to its neighbours (+∞ when it has none).</summary>
    public static double[] MeanDistances(AllNeighbours neighbours, int rows)
    {
        var mean = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            int count = 0;
            for (int j = 0; j < neighbours.K; j++)
                if (neighbours.Rows[i * neighbours.K + j] >= 0)
                {
                    sum += neighbours.Distances[i * neighbours.K + j];
                    count++;
                }
            mean[i] = count == 0 ? double.PositiveInfinity : sum / count;
        }
        return mean;
    }

    // Q3 + f·IQR of the finite values.
    private static double Fence(double[] values, double f)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length < 4) return double.PositiveInfinity;
        double q1 = Quantile(sorted, 0.25), q3 = Quantile(sorted, 0.75);
        return q3 + f * (q3 - q1);
    }

    private static double Quantile(double[] sorted, double p)
    {
        double at = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(at), hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : Quantile(sorted, 0.5);
    }

    // The share of the collection with a smaller value: 0..1, the score of an outlier.
    private static double[] PercentileRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var rank = new double[values.Length];
        for (int r = 0; r < order.Length; r++) rank[order[r]] = values.Length == 1 ? 0 : (double)r / (values.Length - 1);
        return rank;
    }

    // Of the labelled neighbours, the largest share that carries one label other than the row's own; null when the row or
    // all its neighbours are unlabelled.
    private static double? LabelDisagreement(int i, IReadOnlyList<string?> labels, AllNeighbours neighbours)
    {
        if (string.IsNullOrEmpty(labels[i])) return null;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int labelled = 0;
        for (int j = 0; j < neighbours.K; j++)
        {
            int other = neighbours.Rows[i * neighbours.K + j];
            if (other < 0 || string.IsNullOrEmpty(labels[other])) continue;
            labelled++;
            if (labels[other] != labels[i]) counts[labels[other]!] = counts.GetValueOrDefault(labels[other]!) + 1;
        }
        return labelled == 0 ? null : counts.Count == 0 ? 0 : (double)counts.Values.Max() / labelled;
    }
}
