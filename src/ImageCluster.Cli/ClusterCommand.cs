using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Pipeline;
using ImageCluster.Reports;
using ImageCluster.Runs;
using static ImageCluster.Cli.Cli;
using static ImageCluster.Cli.CommonOptions;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster cluster FOLDER|--features FILE</c>: embed and cluster, print the summary (and the auto table, scores, baseline).</summary>
internal static class ClusterCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string?>("folder") { Description = "Folder of images (searched recursively)", Arity = ArgumentArity.ZeroOrOne };
        var features = new Option<string?>("--features") { Description = "Cluster a features file (.csv path,f0,f1,… as 'embed' writes, .npy, or .parquet) instead of a folder of images; clustered exactly as given unless --normalize or --pca" };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder for results (default: ./imagecluster-runs/NAME — never inside FOLDER —, or FEATURES-clusters)" };
        var pca = new Option<string?>("--pca") { Description = "PCA before clustering: a variance fraction (0.95) or a number of components (50)" };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Images: do not L2-normalise the features (normalised by default)" };
        var umap = new Option<int?>("--umap") { Description = "UMAP to N dimensions (e.g. 10) after normalisation and --pca, before clustering: umap-learn's recipe for clustering (15 neighbours, min_dist 0); helps hdbscan and dbscan most" };
        var whiten = new Option<bool>("--whiten") { Description = "With --pca: scale every component to unit variance (scikit-learn's whiten=True)" };
        var normalize = new Option<bool>("--normalize") { Description = "--features: L2-normalise the rows first (off by default)" };
        var copy = new Option<bool>("--copy") { Description = "Copy images into the cluster folders instead of symlinking" };
        var baselineOption = new Option<bool>("--baseline")
        {
            Description = "With --labels: also cross-validate supervised classifiers on the same features (stratified 5-fold logistic regression " +
                          "and 5-NN), the reference the clustering scores are read against. Off by default: it can cost more time and memory than the clustering",
        };
        var timeLimit = new Option<double>("--cluster-time-limit")
        {
            Description = "Minutes a DBSCAN, OPTICS, HDBSCAN, agglomerative or K-Medoids fit may be expected to take (their time grows with " +
                          "N²; from 16 000 images on a trial fit on a subset estimates it): above it the run stops with the estimate. 0 = no limit",
            DefaultValueFactory = _ => ClusterJobOptions.DefaultClusteringTimeLimit.TotalMinutes,
        };
        var findOption = new Option<bool>("--duplicates-and-issues")
        {
            Description = "Also find the duplicates and issues of the images into the run folder, as 'imagecluster duplicates' and 'issues' " +
                          "do with their defaults (and --labels), and sum them up in run.json",
        };
        var recluster = new Option<bool>("--recluster")
        {
            Description = "Cluster every image afresh even when RUN holds a reviewed clustering and the folder only gained images " +
                          "(by default only the new images are embedded and placed into the reviewed clusters)",
        };
        var reportOption = new Option<bool>("--report") { Description = "Also write RUN/report.html (as 'imagecluster report RUN' with the same --labels and --positive)" };
        var algorithmOptions = new ClusteringOptions();
        var command = new Command("cluster", "Embed every image of FOLDER (or read --features) and cluster them")
        {
            folder, features, output, StoreOption, ModelOption, LayerOption, PoolOption, ResizeOption, pca, whiten, umap, noNormalize, normalize, copy, BatchOption, DecodeThreadsOption, InferenceThreadsOption, MaxFileOption, DecodeMemoryOption, FileTimeLimitOption, timeLimit, JsonOption, reportOption, baselineOption, findOption, recluster,
        };
        algorithmOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var choice = algorithmOptions.Read(parse);
            string? featuresFile = parse.GetValue(features), input = parse.GetValue(folder);
            if ((featuresFile is null) == (input is null))
                throw new UsageException(input is null ? "give a FOLDER of images or --features FILE" : "give either a FOLDER of images or --features FILE, not both");
            double minutes = parse.GetValue(timeLimit);
            TimeSpan? clusteringTimeLimit = minutes == 0 ? null : TimeSpan.FromMinutes(double.IsFinite(minutes) ? minutes : -1);
            RunSummary summary;
            if (featuresFile is not null)
            {
                if (parse.GetValue(LayerOption) is not null) throw new UsageException("--layer picks the features of images; a --features file already holds its features");
                if (parse.GetValue(noNormalize)) throw new UsageException("--no-normalize is for folders of images; a features file is not normalised unless --normalize is given");
                if (parse.GetValue(findOption))
                    throw new UsageException($"--duplicates-and-issues is for folders of images; for a features file run 'imagecluster duplicates --features {featuresFile}' and 'imagecluster issues --features {featuresFile}'");
                summary = ClusteringOptions.Translate(choice, () => FeaturesClusterJob.Run(new FeaturesClusterJobOptions
                {
                    Features = featuresFile, Output = parse.GetValue(output), Clustering = choice.Clustering, Auto = choice.Auto, Normalize = parse.GetValue(normalize),
                    Labels = parse.GetValue(algorithmOptions.Labels), Positive = parse.GetValue(algorithmOptions.Positive), Whiten = parse.GetValue(whiten),
                    Baseline = parse.GetValue(baselineOption),
                    Pca = ParsePca(parse.GetValue(pca)), Umap = parse.GetValue(umap), ClusteringTimeLimit = clusteringTimeLimit,
                }, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct));
            }
            else
            {
                if (parse.GetValue(normalize)) throw new UsageException("--normalize is for --features; images are normalised unless --no-normalize is given");
                var layer = LayerFrom(parse);
                var clusterOptions = new ClusterJobOptions
                {
                    Input = input!,
                    Output = parse.GetValue(output),
                    Store = parse.GetValue(StoreOption),
                    Model = parse.GetValue(ModelOption),
                    Layer = layer,
                    Resize = parse.GetValue(ResizeOption),
                    Clustering = choice.Clustering,
                    Auto = choice.Auto,
                    Labels = parse.GetValue(algorithmOptions.Labels),
                    Positive = parse.GetValue(algorithmOptions.Positive),
                    Baseline = parse.GetValue(baselineOption),
                    Pca = ParsePca(parse.GetValue(pca)), Umap = parse.GetValue(umap),
                    Whiten = parse.GetValue(whiten),
                    Normalize = !parse.GetValue(noNormalize),
                    Copy = parse.GetValue(copy),
                    ClusteringTimeLimit = clusteringTimeLimit,
                    Embedding = EmbeddingOptionsFrom(parse),
                    FindDuplicatesAndIssues = parse.GetValue(findOption),
                    Recluster = parse.GetValue(recluster),
                };
                if (clusterOptions.Output is null) stderr.WriteLine($"run folder: {clusterOptions.ResolvedOutput} (--out DIR chooses another)");
                summary = await ClusteringOptions.Translate(choice, () => ClusterJob.RunAsync(clusterOptions, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct));
                PrintErrors(stderr, summary.Output, summary.Counts.Errors);
            }
            // The report goes to stderr's notes and the run's folder; stdout keeps the cluster summary (and --json stays one object).
            Reports.ReportOptions? reportOptions = parse.GetValue(reportOption)
                ? new Reports.ReportOptions { Labels = parse.GetValue(algorithmOptions.Labels), Positive = parse.GetValue(algorithmOptions.Positive) }
                : null;
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                if (reportOptions is not null) WriteReport(summary, reportOptions, stderr, stderr, ct);
                return Success;
            }
            if (summary.Auto is { } auto && choice.LabelFree) PrintLabelFree(stdout, auto, algorithmOptions);
            else if (summary.Auto is { } sweep) PrintAuto(stdout, sweep, algorithmOptions);
            if (summary.Added is not null) stdout.WriteLine("only the new images were placed; --recluster clusters every image afresh (the decisions that still apply carry over)");
            var c = summary.Counts;
            var info = summary.Clustering!;
            stdout.WriteLine(summary.Model is { } model
                ? $"clustered {c.Clustered} images into {info.Clusters} clusters with {info.Algorithm} on {model.Name}" +
                  (model.Layer is null ? " " : $" layer {model.Layer} ({model.Pool}, {model.Dimension} features) ") +
                  $"(embedded {c.Embedded}, from cache {c.FromCache}, unreadable {c.Errors}) in {summary.TimingsSeconds["total"]:F1} s"
                : $"clustered {c.Clustered} rows into {info.Clusters} clusters with {info.Algorithm} in {summary.TimingsSeconds["total"]:F1} s");
            stdout.WriteLine($"sizes: {string.Join(" ", summary.Clusters.Where(x => x.Cluster >= 0).Select(x => x.Size))}" +
                             (info.Noise > 0 ? $"  (noise: {info.Noise})" : ""));
            if (summary.Model is not null) stdout.WriteLine($"clusters:    {Path.Combine(summary.Output, "clusters")}");
            stdout.WriteLine($"assignments: {Path.Combine(summary.Output, RunFolder.AssignmentsFileName)}");
            stdout.WriteLine($"run:         {Path.Combine(summary.Output, RunFolder.SummaryFileName)}");
            if (summary.Findings is { } f)
            {
                stdout.WriteLine($"duplicates:  {Path.Combine(summary.Output, CurationFiles.Duplicates)}: {f.DuplicateGroups} groups, {f.DuplicatesToDiscard} images can go " +
                                 $"({f.ExactDuplicates} exact), one per group kept ({f.Keep})");
                stdout.WriteLine($"issues:      {Path.Combine(summary.Output, CurationFiles.Issues)}: {f.ImagesWithIssues} images with at least one" +
                                 (f.Issues.Count == 0 ? "" : $" ({string.Join(", ", f.Issues.Select(i => $"{i.Key} {i.Value}"))})"));
            }
            if (summary.Evaluation is { } report) PrintEvaluation(stdout, report);
            if (summary.Baseline is { } baseline) PrintBaseline(stdout, baseline);
            if (reportOptions is not null) WriteReport(summary, reportOptions, stdout, stderr, ct);
            if (summary.Model is not null)
                stdout.WriteLine($"next:        imagecluster report {Quote(summary.Output)}   |   imagecluster review {Quote(summary.Output)}");
            return Success;
        });
        return command;
    }

    internal static void WriteReport(RunSummary summary, Reports.ReportOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var written = ReportJob.Run(new ReportJobOptions { RunFolder = summary.Output, Report = options }, note => stderr.WriteLine(note), ct);
        ReportCommand.Print(written, json: false, open: false, stdout, stderr);
    }

    internal static void PrintAuto(TextWriter stdout, AutoResult auto, ClusteringOptions flags)
    {
        static string F(double? v) => v is { } x ? x.ToString("F4", CultureInfo.InvariantCulture) : "  n/a";
        stdout.WriteLine($"auto: {auto.Table.Count} candidates ranked by {auto.RankBy.ToString().ToLowerInvariant()} " +
                         $"(silhouette on {auto.SilhouetteSamples} samples, noise joined to its nearest cluster)");
        bool labelled = auto.Table.Any(r => r.Nmi is not null), qm = auto.Positive is not null;
        stdout.WriteLine($"  {"algorithm",-18} {"parameters",-30} {"clusters",8} {"noise",6} {"silhouette",10}" +
                         (labelled ? $" {"NMI",7} {"ARI",7}" : "") + (qm ? $" {"QM",7}" : "") + $" {"seconds",8}");
        foreach (var r in auto.Table)
            stdout.WriteLine($"  {r.Algorithm,-18} {r.Parameters,-30} {r.Clusters,8} {r.Noise,6} {F(r.Silhouette),10}" +
                             (labelled ? $" {F(r.Nmi),7} {F(r.Ari),7}" : "") + (qm ? $" {F(r.Qm),7}" : "") +
                             $" {r.Seconds.ToString("F2", CultureInfo.InvariantCulture),8}");
        stdout.WriteLine($"auto picked {auto.BestOptions.AlgorithmName} {flags.AsFlags(auto.BestOptions)}");
    }

    /// <summary>The label-free default's reasoning, in two lines: what it chose and why, and how to choose otherwise.</summary>
    internal static void PrintLabelFree(TextWriter stdout, AutoResult auto, ClusteringOptions flags)
    {
        var best = auto.Table[0];
        string Neighbours(AutoCandidate c) => c.Parameters.Split(',')[0].Replace("n_neighbors=", "", StringComparison.Ordinal);
        string others = string.Join(", ", auto.Table.Skip(1).Select(c => FormattableString.Invariant($"{Neighbours(c)} neighbours {c.Stability:F3}")));
        stdout.WriteLine(FormattableString.Invariant($"no --k: Leiden (resolution 1) on the {Neighbours(best)}-neighbour graph, {best.Clusters} clusters, ") +
            (best.Stability is { } stability
                ? FormattableString.Invariant($"chosen as the most stable: adjusted Rand {stability:F3} between clusterings of overlapping 80 % subsamples") + (others.Length > 0 ? $" ({others})" : "")
                : $"the only neighbour count tried: below {AutoSweep.StabilityMinimumRows} images subsamples are too small to compare counts"));
        stdout.WriteLine($"to choose yourself: --k N (K-Means), --algorithm NAME, or --algorithm auto (silhouette sweep); this one again: " + $"--algorithm leiden {flags.AsFlags(auto.BestOptions)}".TrimEnd());
    }

    internal static void PrintEvaluation(TextWriter stdout, EvaluationReport report)
    {
        stdout.WriteLine($"images {report.Images} (unlabelled {report.Unlabelled}), classes {report.Classes}, clusters {report.Clusters}");
        stdout.WriteLine(FormattableString.Invariant(
            $"Rand {report.RandIndex:F4}  adjusted Rand {report.AdjustedRandIndex:F4}  NMI {report.Nmi:F4}  AMI {report.Ami:F4}  accuracy (Hungarian) {report.HungarianAccuracy:F4}  homogeneity {report.Homogeneity:F4}  completeness {report.Completeness:F4}  V-measure {report.VMeasure:F4}  purity {report.Purity:F4}"));
        if (report.ClassOfInterest is { } q)
            stdout.WriteLine(FormattableString.Invariant(
                $"class '{q.PositiveClass}', kept clusters {string.Join(",", q.KeptClusters)} ({q.KeptChosenBy}): precision {q.Precision:F4} ({q.TruePositives}/{q.Selected}), recall {q.Recall:F4} ({q.TruePositives}/{q.Positives}), Quality Metric {q.PrecisionWeight}·P + {q.RecallWeight}·R = {q.QualityMetric:F4}"));
    }

    internal static void PrintBaseline(TextWriter stdout, BaselineSummary b)
    {
        if (b.LogisticRegression is { } lr)
            stdout.WriteLine(FormattableString.Invariant(
                $"supervised baseline on the same features (stratified 5-fold, {b.Samples} labelled): logistic regression accuracy {lr:F4} ± {b.LogisticRegressionStd:F4}, 5-NN {b.KNeighbors:F4} ± {b.KNeighborsStd:F4}"));
        foreach (var warning in b.Warnings) stdout.WriteLine($"supervised baseline: {warning}");
    }
}
