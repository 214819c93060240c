using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using SkiaSharp;

namespace ImageCluster.Bench;

/// <summary>
/// A real-image run at ≥ 100 000 images: every image of a labelled set (coil100: 7 200) in V rotated variants (14 → 100 800
/// JPEGs), then the Release CLI's <c>cluster FOLDER --k K --store … --out RUN</c> in a child process on a cold store. Its
/// progress lines are timestamped as they arrive, so the embed rate over the first and the last 10 % of the images shows
/// whether it slows as the store grows; peak RSS from getrusage of the child. Then the review page (server start, page,
/// overview, the largest cluster) and the report of the same run are timed.
/// Usage: bench scale-images [--set coil100] [--variants 14] [--k 100] [--work DIR] [--cli PATH] [--reuse]
/// </summary>
internal static class ImageScaleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string root = BenchArgs.RepoRoot();
        string shared = Path.GetFullPath(Arg("--shared", Path.Combine(root, "..", "shared")));
        string set = Arg("--set", "coil100");
        int variants = int.Parse(Arg("--variants", "14"), CultureInfo.InvariantCulture);
        string k = Arg("--k", "100");
        string cli = Arg("--cli", BenchArgs.ReleaseCli());
        string work = Path.GetFullPath(Arg("--work", Path.Combine(Path.GetTempPath(), $"image-scale-{Environment.ProcessId}")));
        string images = Path.Combine(work, "images"), store = Path.Combine(work, "store.db"), run = Path.Combine(work, "run");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

        var sw = Stopwatch.StartNew();
        int count = args.Contains("--reuse") && Directory.Exists(images)
            ? Directory.EnumerateFiles(images, "*.jpg", SearchOption.AllDirectories).Count()
            : MakeVariants(Path.Combine(shared, "datasets", set, "images"), images, variants);
        Console.WriteLine($"images: {count} JPEGs ({set} × {variants} rotations) in {images}, made in {sw.Elapsed.TotalSeconds:F0} s");
        foreach (var stale in new[] { store, store + "-wal", store + "-shm" }) File.Delete(stale);
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);

        // The cluster run, cold store, progress lines timestamped.
        var lines = new List<(double Seconds, int Done, int Total)>();
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = await Child(cli, ["cluster", images, "--k", k, "--store", store, "--out", run, "--json"], line =>
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^embed (\d+)/(\d+) images");
            if (m.Success) lock (lines) lines.Add((clock.Elapsed.TotalSeconds, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        });
        double wall = clock.Elapsed.TotalSeconds;
        long peak = ScaleBench.LargestChildPeakBytes();
        if (code != 0) { Console.WriteLine($"cluster: exit {code}: {stderr.Trim().Split('\n').LastOrDefault()}"); return 1; }
        var summary = JsonDocument.Parse(stdout).RootElement;
        var timings = summary.GetProperty("timingsSeconds");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster --k {k}: {wall:F0} s, peak RSS {peak / 1048576.0:F0} MB (features {count * 1280 * 4 / 1048576.0:F0} MB), embedded {summary.GetProperty("counts").GetProperty("embedded")}"));
        Console.WriteLine("  stages (s): " + string.Join(", ", timings.EnumerateObject().Select(p => $"{p.Name} {p.Value.GetDouble():F1}")));
        if (lines.Count >= 3)
        {
            int total = lines[^1].Total;
            var start = lines.First(l => l.Done == 0);
            var tenth = lines.First(l => l.Done >= total / 10);
            var ninetieth = lines.Last(l => l.Done <= total * 9 / 10);
            var end = lines.Last();
            double first = (tenth.Done - start.Done) / (tenth.Seconds - start.Seconds);
            double last = (end.Done - ninetieth.Done) / (end.Seconds - ninetieth.Seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  embed rate: first {tenth.Done} images {first:F0} img/s, last {end.Done - ninetieth.Done} images {last:F0} img/s ({last / first:P0} of the first); " +
                $"{lines.Count} progress lines"));
            var deciles = Enumerable.Range(1, 10).Select(d => lines.First(l => l.Done >= (long)total * d / 10)).ToList();
            Console.WriteLine("  per decile (img/s): " + string.Join(", ", deciles.Select((l, i) =>
            {
                var previous = i == 0 ? start : deciles[i - 1];
                return ((l.Done - previous.Done) / Math.Max(l.Seconds - previous.Seconds, 1e-3)).ToString("F0", CultureInfo.InvariantCulture);
            })));
        }

        await Review(cli, run);
        clock.Restart();
        var report = await Child(cli, ["report", run, "--json"], _ => { });
        long reportPeak = ScaleBench.LargestChildPeakBytes();
        string html = Path.Combine(run, "report.html");
        Console.WriteLine(report.ExitCode == 0
            ? string.Create(CultureInfo.InvariantCulture, $"report: {clock.Elapsed.TotalSeconds:F0} s, {new FileInfo(html).Length / 1e6:F1} MB, largest child RSS so far {reportPeak / 1048576.0:F0} MB")
            : $"report: exit {report.ExitCode}: {report.Stderr.Trim().Split('\n').LastOrDefault()}");
        return 0;
    }

    // Server start to its address, then the page, the overview and the largest cluster's first members, each timed.
    private static async Task Review(string cli, string run)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "review", run, "--port", "0", "--json" }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var server = Process.Start(start)!;
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            var json = new System.Text.StringBuilder();
            for (string? line; (line = await server.StandardOutput.ReadLineAsync()) is not null;)
            {
                json.AppendLine(line);
                if (line == "}") break; // the indented JSON object ends with a bare brace
            }
            double started = clock.Elapsed.TotalSeconds;
            var url = new Uri(JsonDocument.Parse(json.ToString()).RootElement.GetProperty("url").GetString()!);
            using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)) };
            async Task<(double Seconds, long Bytes)> Get(string address)
            {
                var t = Stopwatch.StartNew();
                var bytes = await client.GetByteArrayAsync(address);
                return (t.Elapsed.TotalSeconds, bytes.Length);
            }
            var page = await Get(url.PathAndQuery);
            var overview = await Get("/api/overview");
            var clusters = JsonDocument.Parse(await client.GetStringAsync("/api/overview")).RootElement;
            string largest = clusters.TryGetProperty("clusters", out var list) && list.GetArrayLength() > 0 ? list[0].GetProperty("cluster").ToString() : "0";
            var members = await Get($"/api/clusters/{largest}");
            var all = await Get("/api/images");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"review: server up in {started:F1} s; page {page.Seconds * 1000:F0} ms; overview {overview.Seconds * 1000:F0} ms ({overview.Bytes / 1e3:F0} kB); " +
                $"cluster {largest} {members.Seconds * 1000:F0} ms ({members.Bytes / 1e3:F0} kB); all paths {all.Seconds * 1000:F0} ms ({all.Bytes / 1e6:F1} MB)"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Child(string cli, string[] args, Action<string> onStderrLine)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = new Process { StartInfo = start };
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            onStderrLine(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout, stderr.ToString());
    }

    // Each image turned by v·360/V degrees about its centre on a black canvas (coil100's background), as JPEG quality 90.
    private static int MakeVariants(string source, string target, int variants)
    {
        var files = Directory.EnumerateFiles(source, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        int made = 0;
        Parallel.ForEach(files, file =>
        {
            using var bitmap = SKBitmap.Decode(file);
            if (bitmap is null) return;
            string relative = Path.GetRelativePath(source, file);
            string folder = Path.Combine(target, Path.GetDirectoryName(relative)!);
            Directory.CreateDirectory(folder);
            for (int v = 0; v < variants; v++)
            {
                using var surface = SKSurface.Create(new SKImageInfo(bitmap.Width, bitmap.Height));
                surface.Canvas.Clear(SKColors.Black);
                surface.Canvas.RotateDegrees(v * 360f / variants, bitmap.Width / 2f, bitmap.Height / 2f);
                surface.Canvas.DrawBitmap(bitmap, 0, 0);
                using var image = surface.Snapshot();
                using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(relative)}_r{v:D2}.jpg"), data.ToArray());
                Interlocked.Increment(ref made);
            }
        });
        return made;
    }
}
