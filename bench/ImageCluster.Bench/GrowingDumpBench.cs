using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Review;
using ImageCluster.Runs;

namespace ImageCluster.Bench;

/// <summary>
/// <c>bench growing-dump [--work DIR] [--every 10]</c>: a reviewed dump that grows. coil100's views are dealt 4 : 1 — view
/// n goes to the later 20 % when n mod 5 = 4 — the first 80 % copied into WORK/growing-dump/in and clustered by the CLI
/// with the default (no k) into a run with its own store; the class of interest is every <c>--every</c>-th object. The
/// simulated reviewer of <see cref="ReviewEffortBench"/> (cluster by cluster: keep, discard, split, fix, until QM ≥ 0.95)
/// reviews the run, its decisions recorded in the run's log. Then the 20 % are copied in and the same <c>cluster</c>
/// command runs again: it must embed only those and place them (<see cref="NewImageAssignment"/>). Reported: images
/// embedded by each run and its time, where the new images went (a cluster whose old images are mostly their object,
/// the "new" group, or a cluster of another object), the verdicts they inherited and the Quality Metric of the whole
/// dump and of the new images alone without another decision; beside it, <c>cluster --recluster</c> of the same
/// folder into a copy of the run (every image clustered afresh, the verdicts carried over image by image).
/// </summary>
internal static class GrowingDumpBench
{
    public static int Run(string[] args)
    {
        var (shared, _, cli, work, _, environment) = ModelsBench.Setting.Read(args);
        int every = int.Parse(BenchArgs.Value(args, "--every", "10"), CultureInfo.InvariantCulture);
        string root = Path.Combine(work, "growing-dump"), input = Path.Combine(root, "in"), run = Path.Combine(root, "run"), store = Path.Combine(root, "store.db");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        string source = Path.Combine(shared, "datasets", "coil100", "images");
        var all = Directory.GetFiles(source, "*.jpg", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList();
        bool Later(string path) => int.Parse(Path.GetFileNameWithoutExtension(path), CultureInfo.InvariantCulture) % 5 == 4;
        void Copy(IEnumerable<string> paths)
        {
            foreach (var p in paths)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(input, p))!);
                File.Copy(Path.Combine(source, p), Path.Combine(input, p));
            }
        }
        string Object(string path) => path.Split('/')[0];
        var objects = all.Select(Object).Distinct().Order(StringComparer.Ordinal).ToList();
        var wanted = objects.Where((_, i) => i % every == 0).ToHashSet(StringComparer.Ordinal);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"coil100: {all.Count} images of {objects.Count} objects; first {all.Count(p => !Later(p))}, later {all.Count(Later)} (view mod 5 = 4); " +
                          $"class of interest: {wanted.Count} objects ({string.Join(",", wanted.Order(StringComparer.Ordinal))})");

        Copy(all.Where(p => !Later(p)));
        var first = Cluster(cli, environment, ["cluster", input, "--out", run, "--store", store]);
        Console.WriteLine($"first run:  {first.Summary.Counts.Clustered} images, embedded {first.Summary.Counts.Embedded}, {first.Summary.Counts.Clusters} clusters, {first.Seconds:F1} s");

        // The reviewer: cluster by cluster to QM ≥ 0.95 on the first 80 %, every decision recorded in the run's log.
        ReviewEffortBench.Outcome outcome;
        using (var session = ReviewSession.Open(run))
        {
            var state = session.State;
            var paths = state.Images.Select(i => i.Path).ToArray();
            var embeddings = session.LoadEmbeddings();
            var unit = FeatureMatrix.FromRows([.. paths.Select(p => embeddings[p])]);
            unit.NormalizeRowsInPlace();
            var row = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
            var simulation = new ReviewEffortBench.Simulation(paths, [.. state.Images.Select(i => i.Cluster)], [.. paths.Select(p => wanted.Contains(Object(p)))],
                unit, row, ExampleProposals.Graph(unit, new ProposalOptions()));
            outcome = simulation.Run(ReviewEffortBench.Strategies[0], []);
            session.RecordAll(outcome.Log);
        }
        Console.WriteLine(Inv($"review:     {outcome.Decisions} decisions ({outcome.Fixes} single-image fixes), QM {outcome.Quality:F3} on the first {first.Summary.Counts.Clustered}"));

        var later = all.Where(Later).ToHashSet(StringComparer.Ordinal);
        Copy(later);
        string full = Path.Combine(root, "run-recluster");
        CopyFolder(run, full);
        var second = Cluster(cli, environment, ["cluster", input, "--out", run, "--store", store]);
        var added = second.Summary.Added ?? throw new InvalidOperationException("the second run did not add images to the reviewed clustering");
        Console.WriteLine($"second run: {second.Summary.Counts.Clustered} images, embedded {second.Summary.Counts.Embedded} (from the store {second.Summary.Counts.FromCache}), " +
                          Inv($"{second.Seconds:F1} s (place {second.Summary.TimingsSeconds["place"]:F2} s): {added.Message}"));

        using (var session = ReviewSession.Open(run))
        {
            var images = session.State.Images;
            var majority = images.Where(i => !later.Contains(i.Path)).GroupBy(i => i.Cluster)
                .ToDictionary(g => g.Key, g => g.GroupBy(i => Object(i.Path)).OrderByDescending(o => o.Count()).First().Key);
            var fresh = images.Where(i => later.Contains(i.Path)).ToList();
            int own = fresh.Count(i => i.Cluster != added.NewGroup && majority.GetValueOrDefault(i.Cluster) == Object(i.Path));
            int inGroup = fresh.Count(i => i.Cluster == added.NewGroup), other = fresh.Count - own - inGroup;
            Console.WriteLine(Inv($"placement:  {fresh.Count} new images: {own} in a cluster of their own object, {inGroup} in the new group, {other} in a cluster of another object — own or new {(own + inGroup) / (double)fresh.Count:P2}"));
            int wantedNew = fresh.Count(i => wanted.Contains(Object(i.Path)));
            Console.WriteLine($"inherited:  keep {added.InheritedKeep}, discard {added.InheritedDiscard}, undecided {fresh.Count - added.InheritedKeep - added.InheritedDiscard} " +
                              $"(of which {inGroup} in the new group); {wantedNew} new images are of the class of interest");
            Console.WriteLine(Inv($"quality:    QM of the whole dump with no further decision {Qm(images, wanted, Object):F3}; of the new images alone {Qm(fresh, wanted, Object):F3}"));
        }

        var recluster = Cluster(cli, environment, ["cluster", input, "--out", full, "--store", store, "--recluster"]);
        using (var session = ReviewSession.Open(full))
            Console.WriteLine(Inv($"--recluster beside it: {recluster.Summary.Counts.Clustered} images, {recluster.Summary.Counts.Clusters} clusters, {recluster.Seconds:F1} s; ") +
                              Inv($"QM with the carried-over verdicts {Qm(session.State.Images, wanted, Object):F3}; {recluster.Summary.Review?.Message}"));
        return 0;
    }

    private static double Qm(IReadOnlyCollection<ImageStatus> images, HashSet<string> wanted, Func<string, string> objectOf)
    {
        int kept = images.Count(i => i.Verdict == Verdict.Keep), right = images.Count(i => i.Verdict == Verdict.Keep && wanted.Contains(objectOf(i.Path)));
        int positives = images.Count(i => wanted.Contains(objectOf(i.Path)));
        return Evaluation.ClassOfInterest.QualityMetric(kept, positives, right);
    }

    private static (RunSummary Summary, double Seconds) Cluster(string cli, Dictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"imagecluster {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}");
        _ = stdout.Result;
        double seconds = clock.Elapsed.TotalSeconds;
        string output = args[Array.IndexOf(args, "--out") + 1];
        return (JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(Path.Combine(output, RunFolder.SummaryFileName)), RunFolder.Json)!, seconds);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, entry.FullName));
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is FileInfo file) file.CopyTo(target);
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
