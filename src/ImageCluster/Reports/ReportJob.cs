using System.Diagnostics;

namespace ImageCluster.Reports;

/// <summary>Options of <see cref="ReportJob"/> (the self-contained HTML report of a run folder).</summary>
public sealed record ReportJobOptions
{
    /// <summary>The run folder (a cluster run's <see cref="Pipeline.ClusterJobOptions.Output"/>).</summary>
    public required string RunFolder { get; init; }

    /// <summary>The HTML file to write; null = <c>RUN/report.html</c>. Plots go to <c>plots/</c> beside it.</summary>
    public string? Output { get; init; }

    /// <summary>What the report holds (labels, thumbnail size, t-SNE settings).</summary>
    public ReportOptions Report { get; init; } = new();
}

/// <summary>What the report job wrote.</summary>
/// <param name="Html">The report file.</param>
/// <param name="Plots">The plot PNGs.</param>
/// <param name="Bytes">Size of the report file.</param>
/// <param name="Images">Images in the report.</param>
/// <param name="Clusters">Clusters (not counting noise).</param>
/// <param name="Noise">Noise images.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="TimingsSeconds">Seconds per stage.</param>
/// <param name="Notes">What was subsampled or left out.</param>
public sealed record ReportSummary(string Html, IReadOnlyList<string> Plots, long Bytes, int Images, int Clusters, int Noise, double Seconds,
    IReadOnlyDictionary<string, double> TimingsSeconds, IReadOnlyList<string> Notes);

/// <summary>Builds and writes the HTML report of a run folder.</summary>
public static class ReportJob
{
    /// <summary>Runs the job. User mistakes surface as <see cref="ImageClusterException"/>.</summary>
    public static ReportSummary Run(ReportJobOptions o, Action<string>? notice = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        string run = Path.GetFullPath(o.RunFolder);
        if (!Directory.Exists(run)) throw new ImageClusterException($"run folder not found: {o.RunFolder}");
        var report = ReportBuilder.Build(run, o.Report, notice, ct);
        var write = Stopwatch.StartNew();
        notice?.Invoke("report: plots and HTML");
        var files = ReportHtml.Write(report, o.Output ?? Path.Combine(run, "report.html"), o.Report);
        var timings = new Dictionary<string, double>(report.TimingsSeconds) { ["write"] = write.Elapsed.TotalSeconds, ["total"] = sw.Elapsed.TotalSeconds };
        return new ReportSummary(files.Html, files.Plots, files.Bytes, files.Images, files.Clusters, report.Noise.Length, sw.Elapsed.TotalSeconds,
            timings, report.Notes);
    }
}
