using System.Diagnostics;

namespace ImageCluster.Cli;

/// <summary>
/// Shows stage progress on stderr: a redrawn bar with items/s and ETA on a terminal, a plain line every
/// few seconds otherwise (logs and CI stay readable). Rate and ETA count from the start of each stage.
/// </summary>
internal sealed class ProgressPrinter(TextWriter writer) : IProgress<StageProgress>
{
    private readonly bool _terminal = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();
    private double _lastPrintSeconds = double.NegativeInfinity;
    private (string, int) _lastPrinted;
    private string? _stage;
    private double _stageStartSeconds;
    private int _stageStartDone;

    private static string FormatDuration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";
    }

    public void Report(StageProgress p)
    {
        lock (_lock)
        {
            double now = _clock.Elapsed.TotalSeconds;
            // A fit's meter first speaks after a quiet second with work already done: the rate counts from that first report.
            if (p.Stage != _stage) (_stage, _stageStartSeconds, _stageStartDone) = (p.Stage, now, p.Done);
            bool finished = p.Done >= p.Total;
            if (p.Total == 0 || _lastPrinted == (p.Stage, p.Done)) return;
            if (!finished && now - _lastPrintSeconds < (_terminal ? 0.1 : 5)) return;
            _lastPrintSeconds = now;
            _lastPrinted = (p.Stage, p.Done);
            double elapsed = now - _stageStartSeconds, rate = (p.Done - _stageStartDone) / Math.Max(elapsed, 1e-3);
            string speed = elapsed < 0.05 ? "" : $"{rate:F0}/s";
            string eta = rate > 0 && elapsed >= 0.05 && !finished ? $" ETA {FormatDuration((p.Total - p.Done) / rate)}" : "";
            string failed = p.Failed > 0 ? $", {p.Failed} unreadable" : "";
            string details = (speed + eta + failed).TrimStart(' ', ',');
            string text = $"{p.Stage} {p.Done}/{p.Total} {p.Unit}" + (details.Length > 0 ? $" ({details})" : "");
            if (_terminal)
            {
                const int width = 30;
                int filled = (int)(width * (double)p.Done / p.Total);
                writer.Write($"\r[{new string('#', filled)}{new string('-', width - filled)}] {text}   ");
                if (finished) writer.WriteLine();
            }
            else
            {
                writer.WriteLine(text);
            }
        }
    }
}
