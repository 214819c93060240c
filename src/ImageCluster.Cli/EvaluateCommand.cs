using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Pipeline;
using ImageCluster.Runs;
using static ImageCluster.Cli.Cli;
using static ImageCluster.Cli.CommonOptions;
using static ImageCluster.Cli.ClusterCommand;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster evaluate</c>: assignments or a reviewed run scored against labels.</summary>
internal static class EvaluateCommand
{
    public static Command Build(TextWriter stdout)
    {
        var assignments = new Option<string?>("--assignments") { Description = "assignments.csv of a run (or give --run)" };
        var run = new Option<string?>("--run")
        {
            Description = "Run folder: scores its assignments.csv and, with --positive, the images its review keeps (what 'export --what kept' exports)",
        };
        var labels = new Option<string>("--labels") { Description = "CSV with path,label (e.g. a data set's labels.csv)", Required = true };
        var positive = new Option<string?>("--positive") { Description = "Class of interest: precision, recall and Quality Metric of the kept clusters (and with --run of the reviewed selection)" };
        var keep = new Option<string?>("--keep") { Description = "Clusters kept, e.g. 0,3 (default: those whose majority is the class of interest)" };
        var weights = new Option<string?>("--weights") { Description = "Quality Metric weights of precision and recall (default 0.3,0.7)" };
        var command = new Command("evaluate", "Score a run's clusters against known labels")
        {
            assignments, run, labels, positive, keep, weights, JsonOption,
        };
        command.SetAction(parse =>
        {
            var report = EvaluateJob.Run(new EvaluateJobOptions
            {
                Assignments = parse.GetValue(assignments),
                Run = parse.GetValue(run),
                Labels = parse.GetValue(labels)!,
                Positive = parse.GetValue(positive),
                Keep = parse.GetValue(keep) is { } k ? ParseNumbers(k, "--keep").Select(x => (int)x).ToList() : null,
                Weights = parse.GetValue(weights) is { } w && ParseNumbers(w, "--weights") is [var wp, var wr] ? (wp, wr)
                    : parse.GetValue(weights) is null ? null : throw new UsageException("--weights takes two numbers, e.g. 0.3,0.7"),
            });
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(report, RunFolder.Json));
                return Success;
            }
            PrintEvaluation(stdout, report);
            if (report.Reviewed is { } r)
                stdout.WriteLine(FormattableString.Invariant(
                    $"reviewed selection ({r.Kept} kept, {r.Discarded} discarded, {r.Undecided} undecided; what 'export --what kept' exports), class '{r.PositiveClass}': precision {(r.Selected == 0 ? "n/a" : r.Precision.ToString("F4", CultureInfo.InvariantCulture))} ({r.TruePositives}/{r.Selected}{(r.Selected == 0 ? ": nothing kept yet" : "")}), recall {r.Recall:F4} ({r.TruePositives}/{r.Positives}), Quality Metric {r.PrecisionWeight}·P + {r.RecallWeight}·R = {r.QualityMetric:F4}{(r.KeptUnlabelled > 0 ? $" ({r.KeptUnlabelled} kept images have no label and are not scored)" : "")}"));
            else if (parse.GetValue(run) is not null)
                stdout.WriteLine("reviewed selection: give --positive CLASS to score the images the review keeps");
            var clusters = report.Contingency.Values.SelectMany(r => r.Keys).Distinct().Order().ToList();
            int width = Math.Max(5, report.Contingency.Keys.Max(k => k.Length));
            stdout.WriteLine("label".PadRight(width) + " " + string.Join(" ", clusters.Select(c => $"{c,5}")));
            foreach (var (label, row) in report.Contingency)
                stdout.WriteLine(label.PadRight(width) + " " + string.Join(" ", clusters.Select(c => $"{row.GetValueOrDefault(c),5}")));
            return Success;
        });
        return command;
    }

    internal static double[] ParseNumbers(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new UsageException($"{option} takes comma-separated numbers, not '{text}'");
        }
    }
}
