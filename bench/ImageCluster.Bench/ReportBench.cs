using ImageCluster.Clustering;
using System.Diagnostics;
using System.Globalization;
using ImageCluster.Pipeline;
using ImageCluster.Reports;
using Microsoft.Playwright;
using SkiaSharp;

namespace ImageCluster.Bench;

/// <summary>
/// <c>bench report &lt;scratch folder&gt; [--images 20000] [--classes 20] [--runs 3] [--reuse] [--input FOLDER --labels CSV]</c>: draws synthetic images (coloured
/// shapes, one background hue per class), clusters them with the <c>pixels</c> embedder (so the bench measures the
/// report, not the CNN), builds the report with labels, and opens it in the system Chromium (Playwright,
/// /usr/bin/chromium): time to the load event and to the first contact-sheet thumbnail decoded, median of fresh pages.
/// </summary>
public static class ReportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string scratch = Path.GetFullPath(args[0]);
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int images = int.Parse(Arg("--images", "20000"), CultureInfo.InvariantCulture);
        int classes = int.Parse(Arg("--classes", "20"), CultureInfo.InvariantCulture);
        int runs = int.Parse(Arg("--runs", "3"), CultureInfo.InvariantCulture);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        // Other jobs share the machine; the load average says how far the seconds below are inflated.
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

        // --input FOLDER --labels CSV: a real image folder instead of the synthetic set (e.g. coil100 for photo-sized thumbnails).
        string input = Path.Combine(scratch, $"synthetic{images}");
        string labels = Path.Combine(scratch, $"synthetic{images}.labels.csv");
        var sw = Stopwatch.StartNew();
        string name = $"run{images}";
        if (Arg("--input", "") is { Length: > 0 } given)
        {
            input = Path.GetFullPath(given);
            labels = Path.GetFullPath(Arg("--labels", ""));
            name = "run-" + Path.GetFileName(Path.GetDirectoryName(input + "/")!.TrimEnd('/'));
            Console.WriteLine($"images: {input}");
        }
        else
        {
            if (!File.Exists(labels)) Draw(input, labels, images, classes);
            Console.WriteLine($"images: {images} synthetic 128×96 JPEGs in {classes} classes ({sw.Elapsed.TotalSeconds:F1} s to draw or find)");
        }

        string run = Path.Combine(scratch, name);
        string html = Path.Combine(run, "report.html");
        // --reuse opens an existing report again (to measure page changes without rebuilding for minutes).
        if (!(Array.IndexOf(args, "--reuse") >= 0 && File.Exists(html)))
        {
            sw.Restart();
            await ClusterJob.RunAsync(new ClusterJobOptions
            {
                Input = input, Output = run, Model = "pixels", Clustering = new KMeansOptions { NClusters = classes, NInit = 1 },
            });
            Console.WriteLine($"cluster (pixels, kmeans k={classes}): {sw.Elapsed.TotalSeconds:F1} s");

            sw.Restart();
            var report = ReportJob.Run(new ReportJobOptions { RunFolder = run, Report = new ReportOptions { Labels = labels } });
            Console.WriteLine($"report build: {sw.Elapsed.TotalSeconds:F1} s ({string.Join(", ", report.TimingsSeconds.Select(t => $"{t.Key} {t.Value:F1}"))})");
            Console.WriteLine($"report.html: {report.Bytes / 1048576.0:F1} MB ({report.Bytes / (double)report.Images / 1024:F1} KB per image), {report.Plots.Count} plot PNGs");
        }
        long bytes = new FileInfo(html).Length;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var loads = new List<double>();
        var firsts = new List<double>();
        for (int r = 0; r < runs + 1; r++) // the first open warms the file cache and is not counted
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(new Uri(html).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
            double load = clock.Elapsed.TotalSeconds;
            string phases = await page.EvaluateAsync<string>(@"() => { const n = performance.getEntriesByType('navigation')[0];
                return `response end ${(n.responseEnd / 1000).toFixed(2)} s, DOM interactive ${(n.domInteractive / 1000).toFixed(2)} s, DOMContentLoaded end ${(n.domContentLoadedEventEnd / 1000).toFixed(2)} s, load start ${(n.loadEventStart / 1000).toFixed(2)} s`; }");
            await page.EvaluateAsync("() => document.querySelector('.sheet').scrollIntoView()");
            await page.WaitForFunctionAsync("() => { const i = document.querySelector('.sheet img'); return i && i.complete && i.naturalWidth > 0; }",
                null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 10 });
            double first = clock.Elapsed.TotalSeconds;
            int imgs = await page.EvaluateAsync<int>("() => document.images.length");
            await page.CloseAsync();
            if (errors.Count > 0) throw new InvalidOperationException(string.Join("\n", errors));
            Console.WriteLine($"open {r}{(r == 0 ? " (warm-up)" : "")}: load event {load:F2} s, first contact sheet decoded {first:F2} s, <img> elements then {imgs} ({phases})");
            if (r > 0) { loads.Add(load); firsts.Add(first); }
        }
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"| {images} | {bytes / 1048576.0:F1} MB | {Median(loads):F2} s | {Median(firsts):F2} s |");
        return 0;
    }

    private static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);

    private static void Draw(string folder, string labels, int images, int classes)
    {
        var rows = new string[images];
        Parallel.For(0, images, i =>
        {
            int c = i % classes;
            var rng = new Random(i);
            string dir = Path.Combine(folder, $"c{c:D2}");
            Directory.CreateDirectory(dir);
            using var bitmap = new SKBitmap(128, 96);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColor.FromHsv(360f * c / classes, 60, 85));
                using var paint = new SKPaint { IsAntialias = true };
                for (int s = 0; s < 6; s++)
                {
                    paint.Color = SKColor.FromHsv(rng.Next(360), 80, 40 + rng.Next(60));
                    canvas.DrawCircle(rng.Next(128), rng.Next(96), 5 + rng.Next(20), paint);
                }
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
            File.WriteAllBytes(Path.Combine(dir, $"{i:D6}.jpg"), data.ToArray());
            rows[i] = $"c{c:D2}/{i:D6}.jpg,c{c:D2}";
        });
        File.WriteAllLines(labels, ["path,label", .. rows]);
    }
}
