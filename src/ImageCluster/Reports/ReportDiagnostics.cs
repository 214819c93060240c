using System.Text.Json;
using System.Text.Json.Nodes;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Pipeline;

namespace ImageCluster.Reports;

/// <summary>
/// The report's bounded versions of <c>imagecluster diagnose</c>'s Hopkins statistic and gap statistic, and a tolerant
/// reader of run.json's optional parts.
/// </summary>
internal static class ReportDiagnostics
{
    /// <summary>Hopkins statistic of <paramref name="x"/> (already sampled by the caller), or null with the reason.</summary>
    public static (HopkinsResult? Result, string? Problem) Hopkins(FeatureMatrix x, int seed, CancellationToken ct)
    {
        if (x.Rows < 2) return (null, "too few images");
        try
        {
            return (Diagnostics.Hopkins.Compute(x, new HopkinsOptions { Seed = seed }, ct), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// The gap statistic (R's clusGap with firstSEmax, as <c>diagnose</c>) for k = 1…<paramref name="kMax"/> on a seeded
    /// random <paramref name="samples"/> of the rows, with <paramref name="references"/> reference sets and one K-Means
    /// start per fit. With fewer samples than features the sample is first rotated onto its principal axes
    /// (<see cref="PrincipalCoordinates"/>): distances, and so K-Means and W_k, are unchanged, and the reference box of
    /// the principal axes is the same box, but each reference set costs O(n² · r) instead of O(n · d²).
    /// </summary>
    public static (GapResult? Result, string? Problem) Gap(FeatureMatrix x, int kMax, int samples, int references, int seed, CancellationToken ct)
    {
        var rows = Sampling.Subset(x.Rows, samples, seed);
        var sample = Sampling.Rows(x, rows);
        if (sample.Rows < sample.Columns) sample = PrincipalCoordinates(sample, ct);
        kMax = Math.Min(kMax, sample.Rows - 1);
        if (kMax < 1 || sample.Columns == 0) return (null, "too few distinct images");
        try
        {
            return (GapStatistic.Compute(sample, new GapOptions
            {
                KMin = 1, KMax = kMax, B = references, Seed = seed, SampleSize = null,
                KMeans = new KMeansOptions { NClusters = 1, NInit = 1, Seed = seed },
            }, ct), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// The rows' coordinates on their principal axes with non-zero variance (r ≤ n − 1 columns), from the eigenvectors of
    /// the centred n × n Gram matrix: X_c = U Σ Vᵀ gives X_c V = U Σ. An exact rotation of the centred rows, so all
    /// distances between them are kept. O(n² · d + n³).
    /// </summary>
    internal static FeatureMatrix PrincipalCoordinates(FeatureMatrix x, CancellationToken ct)
    {
        int n = x.Rows, d = x.Columns;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int j = 0; j < d; j++) mean[j] += row[j] / (double)n;
        }
        var centred = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            var row = x.ReadRow(i);
            for (int j = 0; j < d; j++) centred[i * d + j] = row[j] - mean[j];
        }
        var gram = new double[n * n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var a = centred.AsSpan(i * d, d);
            for (int k = 0; k <= i; k++) gram[i * n + k] = System.Numerics.Tensors.TensorPrimitives.Dot(a, centred.AsSpan(k * d, d));
        });
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++) gram[i * n + k] = gram[k * n + i];
        var (values, vectors) = SymmetricEigen.Decompose(gram, n, ct);
        // Axes with (numerically) no variance carry no distance: the centred rows have rank ≤ n − 1.
        int r = values.TakeWhile(v => v > Math.Max(values[0], 0) * 1e-10).Count();
        var result = new FeatureMatrix(n, r);
        for (int c = 0; c < r; c++)
        {
            double sigma = Math.Sqrt(values[c]);
            for (int i = 0; i < n; i++) result.Data[i * r + c] = (float)(vectors[c * n + i] * sigma);
        }
        return result;
    }

    /// <summary>
    /// Reads run.json, taking its optional <c>baseline</c> (the supervised reference, written by runs with labels, or only
    /// with <c>--baseline</c> in newer versions) apart: a missing or null field is no baseline, and one this version cannot
    /// read is reported as a note instead of failing the whole report.
    /// </summary>
    public static (RunSummary Summary, BaselineSummary? Baseline, string? Problem) ReadRunJson(string file)
    {
        var root = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                   ?? throw new UsageException($"{file} is not a run summary (not a JSON object)");
        JsonNode? baselineNode = root["baseline"];
        root.Remove("baseline");
        var summary = root.Deserialize<RunSummary>(ClusterJob.Json) ?? throw new UsageException($"{file} is empty");
        if (baselineNode is null) return (summary, null, null);
        try
        {
            var baseline = baselineNode.Deserialize<BaselineSummary>(ClusterJob.Json);
            return (summary with { Baseline = baseline }, baseline, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return (summary, null, $"run.json's supervised baseline could not be read by this version ({e.Message}); it is not shown");
        }
    }
}
