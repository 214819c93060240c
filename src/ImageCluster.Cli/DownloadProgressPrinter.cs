using System.Diagnostics;
using System.Globalization;
using ImageCluster.Embedding;

namespace ImageCluster.Cli;

/// <summary>
/// Shows download progress on stderr like <see cref="ProgressPrinter"/>: a redrawn bar on a terminal, a plain line
/// every few seconds otherwise.
/// </summary>
internal sealed class DownloadProgressPrinter(TextWriter writer, string name) : IProgress<DownloadProgress>
{
    private readonly bool _terminal = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();
    private double _lastPrintSeconds = double.NegativeInfinity;
    private bool _finished;

    internal static string Megabytes(long bytes) => (bytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    public void Report(DownloadProgress p)
    {
        lock (_lock)
        {
            double now = _clock.Elapsed.TotalSeconds;
            bool finished = p.Total is { } t && p.Received >= t;
            if (_finished || (!finished && now - _lastPrintSeconds < (_terminal ? 0.1 : 5))) return;
            _lastPrintSeconds = now;
            _finished = finished;
            string of = p.Total is { } total ? $"/{Megabytes(total)}" : "";
            string eta = p.Total is { } all && p.BytesPerSecond > 0 && !finished
                ? $" ETA {TimeSpan.FromSeconds(Math.Min((all - p.Received) / p.BytesPerSecond, 86399)):hh\\:mm\\:ss}" : "";
            string text = $"download {name} {Megabytes(p.Received)}{of} ({Megabytes((long)p.BytesPerSecond)}/s{eta})";
            if (_terminal)
            {
                const int width = 30;
                int filled = p.Total is { } size && size > 0 ? (int)(width * Math.Min(1.0, (double)p.Received / size)) : 0;
                string bar = p.Total is null ? "" : $"[{new string('#', filled)}{new string('-', width - filled)}] ";
                writer.Write($"\r{bar}{text}   ");
                if (finished) writer.WriteLine();
            }
            else
            {
                writer.WriteLine(text);
            }
        }
    }
}
