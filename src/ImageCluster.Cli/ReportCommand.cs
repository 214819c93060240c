using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Pipeline;
using ImageCluster.Reports;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster report RUN_DIR [--labels labels.csv] [--positive CLASS] [--out report.html] [--gap-samples N] [--open] [--json]</c>.</summary>
internal static class ReportCommand
{
    /// <summary>The <c>report</c> command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var run = new Argument<string>("run") { Description = "Run folder of 'imagecluster cluster' (its --out)" };
        var labels = new Option<string?>("--labels") { Description = "CSV with path,label: colour the maps by label, add the contingency heat map and the scores" };
        var positive = new Option<string?>("--positive") { Description = "Class of interest: precision, recall and Quality Metric" };
        var output = new Option<string?>("--out", "-o") { Description = "HTML file to write (default: RUN/report.html); plots go to plots/ beside it" };
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout" };
        var gapSamples = new Option<int>("--gap-samples")
        {
            Description = "Images the gap statistic is computed on (a random subset; 0 = leave the gap out, the slowest diagnostic)",
            DefaultValueFactory = _ => new ReportOptions().GapSamples,
        };
        var command = new Command("report", "Write a self-contained HTML report of a run (contact sheets, maps, plots, scores) and its plots as PNG files")
        {
            run, labels, positive, output, open, json, gapSamples,
        };
        command.SetAction((parse, ct) =>
        {
            var summary = ReportJob.Run(new ReportJobOptions
            {
                RunFolder = parse.GetValue(run)!, Output = parse.GetValue(output),
                Report = new ReportOptions { Labels = parse.GetValue(labels), Positive = parse.GetValue(positive), GapSamples = parse.GetValue(gapSamples) },
            }, note => stderr.WriteLine(note), ct);
            Print(summary, parse.GetValue(json), parse.GetValue(open), stdout, stderr);
            return Task.FromResult(Cli.Success);
        });
        return command;
    }

    /// <summary>Prints what was written and opens it when asked (shared with <c>cluster --report</c>).</summary>
    public static void Print(ReportSummary summary, bool json, bool open, TextWriter stdout, TextWriter stderr)
    {
        foreach (var note in summary.Notes) stderr.WriteLine($"report: {note}");
        if (json) stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
        else
        {
            stdout.WriteLine($"report of {summary.Images} images in {summary.Clusters} clusters ({summary.Bytes / 1048576.0:F1} MB) in {summary.Seconds:F1} s");
            stdout.WriteLine($"report:      {summary.Html}");
            stdout.WriteLine($"plots:       {Path.Combine(Path.GetDirectoryName(summary.Html)!, "plots")} ({summary.Plots.Count} PNG)");
        }
        if (!open) return;
        try
        {
            Process.Start(new ProcessStartInfo(summary.Html) { UseShellExecute = true })?.Dispose();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            stderr.WriteLine($"could not open a browser ({e.Message}); open {new Uri(summary.Html)} yourself");
        }
    }
}
