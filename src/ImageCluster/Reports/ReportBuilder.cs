using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Export;
using ImageCluster.Pipeline;
using ImageCluster.Store;

namespace ImageCluster.Reports;

/// <summary>
/// Builds a <see cref="RunReport"/> from a run folder: run.json, assignments.csv, errors.csv and the embeddings in its
/// store. The features are prepared as the run prepared them (normalisation, PCA), so distances to the centres, maps and
/// diagnostics describe the space the algorithm saw; cohesion (<see cref="ClusterCohesion"/>) is read on the stored
/// embeddings, as the review page reads it.
/// </summary>
internal static class ReportBuilder
{
    /// <summary>Builds the report; <paramref name="notice"/> hears the stages (library code does no console I/O).</summary>
    /// <exception cref="ImageClusterException">Not a run folder, or its store lacks the run's embeddings.</exception>
    public static RunReport Build(string runFolder, ReportOptions? options = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        var o = options ?? new ReportOptions();
        o.Validate();
        var timings = new Dictionary<string, double>();
        var sw = Stopwatch.StartNew();
        var run = RunFolder.Open(runFolder);
        runFolder = run.Path;
        var summary = run.Summary;
        var baseline = summary.Baseline;
        var labelFile = o.Labels is null ? null : LabelFile.Read(o.Labels);

        var assignments = EvaluateJob.ReadTable(run.AssignmentsFile, "cluster");
        var paths = assignments.Select(a => a.Path).ToList();
        run.RequireAllAssignments(paths.Count);
        var labels = assignments.Select(a => int.Parse(a.Value, CultureInfo.InvariantCulture)).ToArray();
        var errors = ReadErrors(run.ErrorsFile);
        // An auto run's dendrogram, reachability or k-distance plot is that of the candidate it kept.
        var settings = summary.Auto?.BestOptions ?? summary.Clustering?.Parameters;
        var notes = new List<string>(run.Problems);
        Dictionary<int, int>? runSizes = null;
        if (paths.Count > o.MaxImages)
        {
            int runImages = paths.Count;
            runSizes = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            var sample = SampleByCluster(labels, o.MaxImages, summary.Seed);
            paths = sample.Select(i => paths[i]).ToList();
            labels = sample.Select(i => labels[i]).ToArray();
            notes.Add($"a large run: this report shows a seeded sample of {sample.Length:N0} of its {runImages:N0} images (every cluster in proportion, " +
                      $"at least {ReportOptions.SampledPerCluster} of each); cluster sizes are the whole run's, everything else is computed on the sample");
            notice?.Invoke($"report: a sample of {sample.Length} of {runImages} images");
        }

        notice?.Invoke($"report: reading the features of {paths.Count} images");
        var raw = LoadFeatures(summary, runFolder, paths);
        var (x, _) = ClusterJob.Prepare(raw, summary.Options.Normalize, summary.Options.Pca, summary.Options.Whiten, ct);
        // UMAP is seeded but fitted on all the run's rows: on a sample it would not give the run's layout, so the report stays before it.
        if (summary.Options.Umap is { } umap)
            notes.Add($"the run clustered the features after UMAP to {umap} dimensions; distances, silhouettes and maps here are in the features before UMAP");
        timings["features"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        string root = summary.Model is null ? Path.GetDirectoryName(summary.Input)! : summary.Input;
        notice?.Invoke($"report: {paths.Count} thumbnails");
        var thumbs = new byte[]?[paths.Count];
        int thumbSize = o.ThumbnailSize ?? (paths.Count > o.LargeRun ? 64 : 96);
        if (o.ThumbnailSize is null && thumbSize < 96) notes.Add($"thumbnails are {thumbSize} px (not 96) because the run has more than {o.LargeRun} images");
        Parallel.For(0, paths.Count, new ParallelOptions { CancellationToken = ct },
            i => thumbs[i] = Thumbnails.Make(Path.Combine(root, paths[i]), thumbSize, o.ThumbnailQuality));
        int missing = thumbs.Count(t => t is null);
        if (missing > 0) notes.Add($"{missing} images could not be read for a thumbnail (moved or deleted since the run); they show a grey square");
        timings["thumbnails"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var distances = DistancesToCentres(x, labels);
        // Cohesion on the stored embeddings, as the review page computes it: the same number in both places.
        var cohesion = ClusterCohesion.PerCluster(raw, labels);
        var images = paths.Select((p, i) => new ReportImage(p, labels[i], labelFile?.Find(p), distances[i])).ToList();
        SilhouetteResult? silhouette = null;
        int nClusters = labels.Where(l => l >= 0).Distinct().Count();
        if (nClusters >= 2 && nClusters < x.Rows)
        {
            silhouette = Silhouette.Score(x, labels, new SilhouetteOptions { SampleSize = x.Rows > o.SilhouetteSamples ? o.SilhouetteSamples : null, Seed = summary.Seed });
            if (silhouette.Samples.Length < x.Rows) notes.Add($"silhouette on a random sample of {silhouette.Samples.Length} of {x.Rows} images (it costs O(N²))");
        }
        var clusters = labels.Where(l => l >= 0).Distinct().Select(c =>
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).OrderBy(i => distances[i]).ThenBy(i => i).ToArray();
            double? s = null;
            if (silhouette is not null)
            {
                var values = silhouette.Samples.Select((row, k) => (row, k)).Where(t => labels[t.row] == c).Select(t => silhouette.Values[t.k]).ToList();
                if (values.Count > 0) s = values.Average();
            }
            return new ReportCluster(c, members, cohesion[c], s, runSizes?[c]);
        }).OrderByDescending(c => c.Size).ThenBy(c => c.Cluster).ToList();
        var noise = Enumerable.Range(0, labels.Length).Where(i => labels[i] < 0).ToArray();
        timings["clusters"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        notice?.Invoke($"report: PCA and {RunMaps.MethodFor(x.Rows, o.Tsne)} maps");
        var maps = new List<ReportMap>();
        if (x.Rows >= 2 && x.Columns >= 2)
        {
            var (scores, ratio) = TopComponents.Project(x, 2, summary.Seed);
            maps.Add(new ReportMap("PCA", Enumerable.Range(0, x.Rows).ToArray(), scores[0], scores[1],
                $"first two principal components: {ratio.Sum():P1} of the variance"));
            timings["pca"] = sw.Elapsed.TotalSeconds;
            sw.Restart();
            var map = RunMaps.Neighbourhood(x, summary.Seed, o.Tsne, o.Umap, ct);
            maps.Add(map);
            timings[map.Name == "t-SNE" ? "tsne" : "umap"] = sw.Elapsed.TotalSeconds;
        }

        sw.Restart();
        notice?.Invoke("report: elbow and diagnostics");
        ElbowResult? elbow = null;
        // Cover the run's own k too (up to 40 fits), so its place on the curve shows.
        int kMax = Math.Min(Math.Max(o.ElbowKMax, Math.Min(nClusters + 3, 40)), x.Rows - 1);
        var elbowRows = x.Rows > o.ElbowSamples ? Sampling.Subset(x.Rows, o.ElbowSamples, summary.Seed) : null;
        if (elbowRows is not null) notes.Add($"elbow curve and diagnostics on a random {elbowRows.Length} of the {x.Rows} images");
        if (kMax >= 2)
            elbow = Elbow.Compute(elbowRows is null ? x : Sampling.Rows(x, elbowRows), new ElbowOptions
            {
                KMin = 1, KMax = kMax, Seed = summary.Seed, SilhouetteSampleSize = o.SilhouetteSamples,
                // Ten restarts per k make the curve smoother but cost ten times as much on large runs.
                KMeans = new KMeansOptions { NClusters = 1, NInit = x.Rows > 2000 ? 1 : 3, Seed = summary.Seed },
            }, ct);
        timings["elbow"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        notice?.Invoke("report: Hopkins and gap statistics");
        var (hopkins, hopkinsProblem) = ReportDiagnostics.Hopkins(elbowRows is null ? x : Sampling.Rows(x, elbowRows), summary.Seed, ct);
        if (hopkinsProblem is not null) notes.Add($"no Hopkins statistic: {hopkinsProblem}");
        timings["hopkins"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        GapResult? gap = null;
        if (o.GapSamples > 0 && kMax >= 1)
        {
            (gap, var gapProblem) = ReportDiagnostics.Gap(x, kMax, o.GapSamples, o.GapReferences, summary.Seed, ct);
            if (gapProblem is not null) notes.Add($"no gap statistic: {gapProblem}");
        }
        timings["gap"] = sw.Elapsed.TotalSeconds;

        sw.Restart();
        KDistanceResult? kdist = null;
        (int MinSamples, DistanceMetric Metric)? density = settings switch
        {
            DbscanOptions d => (d.MinSamples, d.Metric),
            OpticsOptions op => (op.MinSamples, op.Metric),
            HdbscanOptions h => (h.EffectiveMinSamples, h.Metric),
            _ => null,
        };
        if (density is { } dn && x.Rows > dn.MinSamples)
            kdist = KDistance.Compute(x, new KDistanceOptions { MinSamples = dn.MinSamples, Seed = summary.Seed, Metric = dn.Metric }, ct);
        // The reachability and the dendrogram are the run's own, kept in fit.json; only runs from before it fit again.
        var kept = run.ReadFit();
        var optics = kept?.Reachability;
        var dendrogram = kept?.Dendrogram();
        if ((settings is OpticsOptions && optics is null) || (settings is AgglomerativeOptions && dendrogram is null))
        {
            var fit = FitFigures.Of(settings!.CreateClusterer().Fit(x, ct), settings, x.Rows);
            optics ??= fit?.Reachability;
            dendrogram ??= fit?.Dendrogram();
            notes.Add($"{settings.AlgorithmName} fitted again for its plot: the run folder has no {RunFolder.FitFileName} (a run of an earlier version)");
        }
        timings["algorithmPlots"] = sw.Elapsed.TotalSeconds;

        EvaluationReport? evaluation = null;
        if (labelFile is not null) evaluation = EvaluateJob.Evaluate(paths, labels, labelFile, run.AssignmentsFile, o.Positive);
        var labelNames = images.Where(i => i.Label is not null).Select(i => i.Label!).Distinct().Order(StringComparer.Ordinal).ToList();

        var (duplicateGroups, issues) = Findings(runFolder, summary.Input, paths, notes);

        return new RunReport
        {
            DuplicateGroups = duplicateGroups, Issues = issues,
            Summary = summary, RunFolder = runFolder, Images = images, Thumbnails = thumbs, Clusters = clusters, Noise = noise, Errors = errors,
            Maps = maps, Silhouette = silhouette, Elbow = elbow, Hopkins = hopkins, HopkinsImages = elbowRows?.Length ?? x.Rows, Gap = gap,
            Baseline = baseline, KDistance = kdist, KDistanceMinSamples = density?.MinSamples ?? 5, Optics = optics,
            Dendrogram = dendrogram, Evaluation = evaluation, LabelNames = labelNames, Notes = notes, TimingsSeconds = timings,
        };
    }

    /// <summary>Examples shown per issue.</summary>
    public const int WorstPerIssue = 12;

    // The run folder's duplicates and issues, for the images the run clustered (unreadable files are in the errors).
    private static (List<int[]>? Groups, List<ReportIssue>? Issues) Findings(string runFolder, string input, IReadOnlyList<string> paths, List<string> notes)
    {
        var index = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        List<int[]>? groups = null;
        List<ReportIssue>? issues = null;
        try
        {
            if (File.Exists(Path.Combine(runFolder, CurationFiles.Duplicates)))
                groups = [.. CurationFiles.GroupsIn(CurationFiles.ReadDuplicates(runFolder, input), index.ContainsKey)
                    .Select(g => g.Select(r => index[r.Path]).ToArray())];
            if (File.Exists(Path.Combine(runFolder, CurationFiles.Issues)))
                issues = [.. CurationFiles.IssuesIn(CurationFiles.ReadIssues(runFolder, input), index.ContainsKey)
                    .Select(i => new ReportIssue(i.Issue, i.WorstFirst.Length, [.. i.WorstFirst.Take(WorstPerIssue).Select(r => index[r.Path])]))];
        }
        catch (ImageClusterException e)
        {
            notes.Add($"duplicates and issues not shown: {e.Message}");
        }
        return (groups, issues);
    }

    private static List<(string, string)> ReadErrors(string file)
    {
        if (!File.Exists(file)) return [];
        using var reader = new StreamReader(file);
        return Csv.Read(reader).Skip(1).Where(r => r.Length >= 2).Select(r => (r[0], r[1])).ToList();
    }

    /// <summary>
    /// Rows of a seeded sample of about <paramref name="size"/> rows, ascending: every label in proportion to its count, and at
    /// least <see cref="ReportOptions.SampledPerCluster"/> of each (all of a smaller one).
    /// </summary>
    internal static int[] SampleByCluster(int[] labels, int size, int seed)
    {
        var random = new Random(seed);
        var kept = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            int quota = Math.Min(members.Length, Math.Max(ReportOptions.SampledPerCluster, (int)Math.Round((double)members.Length * size / labels.Length)));
            random.Shuffle(members);
            kept.AddRange(members.Take(quota));
        }
        kept.Sort();
        return [.. kept];
    }

    /// <summary>The run's raw features, in assignments order: from the store for images, from the CSV for runs of a features file.</summary>
    private static FeatureMatrix LoadFeatures(RunSummary summary, string runFolder, IReadOnlyList<string> paths)
    {
        if (summary.Model is not { } model)
        {
            if (!File.Exists(summary.Input)) throw new ImageClusterException($"the features file of this run is gone: {summary.Input}");
            var table = FeaturesFile.Read(summary.Input);
            var index = table.Paths.Select((p, i) => (p, i)).GroupBy(t => t.p).ToDictionary(g => g.Key, g => g.First().i);
            return FeatureMatrix.FromRows(paths.Select(p => index.TryGetValue(p, out int i) ? table.Features.ReadRow(i).ToArray()
                : throw new ImageClusterException($"{p} of assignments.csv is not in {summary.Input}")).ToList());
        }
        string db = Path.Combine(runFolder, ImageStore.FileName);
        if (!File.Exists(db)) throw new ImageClusterException($"{runFolder} has no {ImageStore.FileName}; the report needs the run's store");
        using var store = ImageStore.OpenExistingRun(runFolder, summary.Store);
        var files = store.GetFiles(summary.Input);
        var hashes = paths.Select(p => files.TryGetValue(p, out var f) ? f.Sha256 : null).ToList();
        var vectors = store.GetEmbeddings(hashes.OfType<string>(), model.CacheKey, model.Output);
        var rows = new List<float[]>(paths.Count);
        for (int i = 0; i < paths.Count; i++)
        {
            if (hashes[i] is not { } h || !vectors.TryGetValue(h, out var v))
                throw new ImageClusterException($"the store of {runFolder} has no embedding of {paths[i]}; cluster the folder again first");
            rows.Add(v);
        }
        return FeatureMatrix.FromRows(rows);
    }

    /// <summary>Distance of every image to the mean of its cluster (NaN for noise).</summary>
    private static double[] DistancesToCentres(FeatureMatrix x, int[] labels)
    {
        var centroids = ClusterCentroids.Accumulate(x, labels, ignoreNoise: true);
        var d = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = centroids.Cluster[i];
            if (c < 0) { d[i] = double.NaN; continue; }
            var centre = centroids.Centroid(c);
            var row = x.ReadRow(i);
            double acc = 0;
            for (int j = 0; j < row.Length; j++) { double diff = row[j] - centre[j]; acc += diff * diff; }
            d[i] = Math.Sqrt(acc);
        }
        return d;
    }
}
