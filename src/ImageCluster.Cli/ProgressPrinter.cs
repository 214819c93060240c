using System.Diagnostics;
using ImageCluster.Embedding;

namespace ImageCluster.Cli;

/// <summary>
/// Shows stage progress on stderr: a redrawn bar with images/s and ETA on a terminal, a plain line every
/// few seconds otherwise (logs and CI stay readable).
/// </summary>
internal sealed class ProgressPrinter(TextWriter writer) : IProgress<StageProgress>
{
    private readonly bool _terminal = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();
    private double _lastPrintSeconds = double.NegativeInfinity;
    private (string, int) _lastPrinted;

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
            bool finished = p.Done >= p.Total;
            if (p.Total == 0 || _lastPrinted == (p.Stage, p.Done)) return;
            if (!finished && now - _lastPrintSeconds < (_terminal ? 0.1 : 5)) return;
            _lastPrintSeconds = now;
            _lastPrinted = (p.Stage, p.Done);
            double rate = p.Done / Math.Max(now, 1e-3);
            string eta = rate > 0 && !finished ? $" ETA {FormatDuration((p.Total - p.Done) / rate)}" : "";
            string failed = p.Failed > 0 ? $", {p.Failed} unreadable" : "";
            string text = $"{p.Stage} {p.Done}/{p.Total} images ({rate:F0}/s{eta}{failed})";
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
