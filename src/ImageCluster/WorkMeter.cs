namespace ImageCluster;

/// <summary>
/// Counts the work done in one long pass of a fit and passes it on as <see cref="StageProgress"/>. Workers call
/// <see cref="Add"/> once per block from any thread; at most one report goes out per <see cref="Interval"/>, so the
/// meter costs nothing measurable next to the block it counts. A pass shorter than <see cref="Quiet"/> reports nothing:
/// a small data set's fit prints no progress lines.
/// </summary>
internal sealed class WorkMeter
{
    private static readonly long Interval = TimeSpan.FromMilliseconds(200).Ticks;
    private static readonly long Quiet = TimeSpan.FromSeconds(1).Ticks;
    private readonly IProgress<StageProgress>? _sink;
    private readonly string _stage, _unit;
    private readonly int _total;
    private long _done; // long: a pass may count more items than its (clamped) total
    private long _nextReport;
    private volatile bool _reported;

    private WorkMeter(IProgress<StageProgress>? sink, string stage, int total, string unit, long quietTicks)
    {
        (_sink, _stage, _total, _unit) = (sink, stage, total, unit);
        _nextReport = DateTime.UtcNow.Ticks + quietTicks;
    }

    // Tests shorten the quiet period of the fits they start; an AsyncLocal keeps that to their own call tree.
    private static readonly AsyncLocal<long?> QuietOverride = new();

    /// <summary>A meter for <paramref name="total"/> items of <paramref name="stage"/>; silent for its first second.</summary>
    public static WorkMeter Start(IProgress<StageProgress>? sink, string stage, int total, string unit = "images") =>
        new(sink, stage, total, unit, QuietOverride.Value ?? Quiet);

    /// <summary>Until disposed, meters started by this call tree stay silent for <paramref name="quiet"/> only (tests).</summary>
    internal static IDisposable QuietFor(TimeSpan quiet)
    {
        long? before = QuietOverride.Value;
        QuietOverride.Value = quiet.Ticks;
        return new Restore(() => QuietOverride.Value = before);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Adds <paramref name="items"/> finished items.</summary>
    public void Add(int items)
    {
        long done = Interlocked.Add(ref _done, items);
        if (_sink is null) return;
        long now = DateTime.UtcNow.Ticks, due = Volatile.Read(ref _nextReport);
        if (now < due || Interlocked.CompareExchange(ref _nextReport, now + Interval, due) != due) return;
        _reported = true;
        _sink.Report(new StageProgress(_stage, (int)Math.Min(done, _total), _total, 0, _unit));
    }

    /// <summary>Reports the stage complete (also when it ended early, as an ordering that ran out of points does).</summary>
    public void Finish()
    {
        if (_reported) _sink?.Report(new StageProgress(_stage, _total, _total, 0, _unit));
    }
}
