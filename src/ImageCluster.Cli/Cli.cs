using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Reports;
using ImageCluster.Embedding;
using ImageCluster.Images;
using ImageCluster.Pipeline;

namespace ImageCluster.Cli;

/// <summary>The <c>imagecluster</c> command line: parses, calls the library, prints.</summary>
public static class Cli
{
    /// <summary>Exit code of a run that worked (possibly with some bad files listed).</summary>
    public const int Success = 0;

    /// <summary>Exit code when no image could be used, or an unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a usage error (bad option, missing folder, unknown model).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = BuildRoot(stdout, stderr, out var verbose);
        var parse = root.Parse(args);
        if (ParseErrors.Describe(parse) is { Count: > 0 } errors)
        {
            foreach (var error in errors) stderr.WriteLine($"error: {error}");
            stderr.WriteLine("Run 'imagecluster --help' for usage.");
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled");
            return Cancelled;
        }
        catch (ArgumentException e) when (UserErrors.Describe(e) is { } message)
        {
            stderr.WriteLine($"error: {message}{UserErrors.Hint(e)}");
            if (parse.GetValue(verbose)) stderr.WriteLine(e);
            return UsageError;
        }
        catch (Exception e) when (UserError(e) is int code)
        {
            stderr.WriteLine($"error: {e.Message}{UserErrors.Hint(e)}");
            if (parse.GetValue(verbose)) stderr.WriteLine(e);
            return code;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine(parse.GetValue(verbose) ? e.ToString() : "(run again with --verbose for details)");
            return Failure;
        }
    }

    /// <summary>Every command and option of the command line (tests walk it to check each option's messages).</summary>
    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr, out Option<bool> verbose)
    {
        verbose = new Option<bool>("--verbose") { Description = "Show stack traces of errors", Recursive = true };
        var root = new RootCommand("imagecluster: cluster folders of images by pretrained-CNN features")
        {
            BuildCluster(stdout, stderr),
            BuildEmbed(stdout, stderr),
            BuildEvaluate(stdout),
            BuildDiagnose(stdout, stderr),
            ModelsCommand.Build(stdout, stderr),
            FeatureMapsCommand.Build(stdout, stderr, ModelOption),
            SelectCommand.Build(stdout),
            ExportCommand.BuildExport(stdout, stderr),
            ExportCommand.BuildUndo(stdout, stderr),
            ReportCommand.Build(stdout, stderr),
            ReviewCommand.Build(stdout, stderr),
            StoreCommand.Build(stdout),
        };
        root.Options.Add(verbose);
        return root;
    }

    private static int? UserError(Exception e) => e switch
    {
        NoUsableImagesException or ModelDownloadException or Export.ExportException => Failure,
        UsageException or ModelNotFoundException or ImageClusterException => UsageError,
        _ => null,
    };

    private static readonly Option<string?> ModelOption = new("--model", "-m")
    {
        Description = $"Model name ({string.Join(", ", ModelCatalog.All.Select(m => m.Name))}; no model: {FeatureBaselines.Names}) or path to an .onnx file. " +
                      $"Names are looked up in ${ModelResolver.ModelsVariable}, then {ModelResolver.UserCacheFolder}. " +
                      $"Default: {ModelCatalog.DefaultModel} (built into the library)",
    };

    private static readonly Option<int> BatchOption = new("--batch-size") { Description = "Images per inference call", DefaultValueFactory = _ => new EmbeddingOptions().BatchSize };
    private static readonly Option<int> DecodeThreadsOption = new("--decode-threads") { Description = "Threads that read and decode images (0 = one per core)", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> InferenceThreadsOption = new("--inference-threads") { Description = "ONNX Runtime threads (0 = one per core)", DefaultValueFactory = _ => 0 };
    private static readonly Option<ResizeMode?> ResizeOption = new("--resize")
    {
        Description = "Fit images to the model input by squash (whole image stretched; the default) or centercrop " +
                      "(shorter side scaled, centre cut out: better for large non-square photos)",
    };

    private static readonly Option<string?> LayerOption = new("--layer")
    {
        Description = "Use this intermediate tensor (a node output or node name; 'imagecluster models layers MODEL' lists them) " +
                      "as the features instead of the model's embedding. 8-bit layers of int8 models are dequantized to float",
    };

    private static readonly Option<string> PoolOption = new("--pool")
    {
        Description = "How --layer's 4-D map becomes a vector: avg (mean per channel), max (maximum per channel) or flatten (every value)",
        DefaultValueFactory = _ => "avg",
    };

    // --pool alone would silently do nothing: the embedding output is already pooled by the model.
    private static Embedding.LayerSelection? LayerFrom(ParseResult parse)
    {
        string? layer = parse.GetValue(LayerOption);
        var pool = Embedding.LayerSelection.ParsePool(parse.GetValue(PoolOption)!);
        if (layer is null)
            return parse.GetResult(PoolOption) is { Implicit: false } ? throw new UsageException("--pool applies to --layer; add --layer NAME") : null;
        return new Embedding.LayerSelection(layer, pool);
    }

    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print the summary as JSON on stdout" };

    internal static readonly Option<string?> StoreOption = new("--store")
    {
        Description = $"Embedding store shared by every run folder (default: ${Store.StoreLocation.Variable}, else {Store.StoreLocation.Default})",
    };

    private static Command BuildCluster(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string?>("folder") { Description = "Folder of images (searched recursively)", Arity = ArgumentArity.ZeroOrOne };
        var features = new Option<string?>("--features") { Description = "Cluster a features CSV (path,f0,f1,… as 'embed' writes) instead of a folder of images; clustered exactly as given unless --normalize or --pca" };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder for results (default: ./imagecluster-runs/NAME — never inside FOLDER —, or FEATURES-clusters)" };
        var pca = new Option<string?>("--pca") { Description = "PCA before clustering: a variance fraction (0.95) or a number of components (50)" };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Images: do not L2-normalise the features (normalised by default)" };
        var whiten = new Option<bool>("--whiten") { Description = "With --pca: scale every component to unit variance (scikit-learn's whiten=True)" };
        var normalize = new Option<bool>("--normalize") { Description = "--features: L2-normalise the rows first (off by default)" };
        var copy = new Option<bool>("--copy") { Description = "Copy images into the cluster folders instead of symlinking" };
        var baselineOption = new Option<bool>("--baseline")
        {
            Description = "With --labels: also cross-validate supervised classifiers on the same features (stratified 5-fold logistic regression " +
                          "and 5-NN), the reference the clustering scores are read against. Off by default: it can cost more time and memory than the clustering",
        };
        var reportOption = new Option<bool>("--report") { Description = "Also write RUN/report.html (as 'imagecluster report RUN' with the same --labels and --positive)" };
        var algorithmOptions = new ClusteringOptions();
        var command = new Command("cluster", "Embed every image of FOLDER (or read --features) and cluster them")
        {
            folder, features, output, StoreOption, ModelOption, LayerOption, PoolOption, ResizeOption, pca, whiten, noNormalize, normalize, copy, BatchOption, DecodeThreadsOption, InferenceThreadsOption, JsonOption, reportOption, baselineOption,
        };
        algorithmOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var choice = algorithmOptions.Read(parse);
            string? featuresFile = parse.GetValue(features), input = parse.GetValue(folder);
            if ((featuresFile is null) == (input is null))
                throw new UsageException(input is null ? "give a FOLDER of images or --features FILE" : "give either a FOLDER of images or --features FILE, not both");
            RunSummary summary;
            if (featuresFile is not null)
            {
                if (parse.GetValue(LayerOption) is not null) throw new UsageException("--layer picks the features of images; a --features file already holds its features");
                if (parse.GetValue(noNormalize)) throw new UsageException("--no-normalize is for folders of images; a features file is not normalised unless --normalize is given");
                summary = ClusteringOptions.Translate(choice, () => FeaturesClusterJob.Run(new FeaturesClusterJobOptions
                {
                    Features = featuresFile, Output = parse.GetValue(output), Clustering = choice.Clustering, Auto = choice.Auto, Normalize = parse.GetValue(normalize),
                    Labels = parse.GetValue(algorithmOptions.Labels), Positive = parse.GetValue(algorithmOptions.Positive), Whiten = parse.GetValue(whiten),
                    Baseline = parse.GetValue(baselineOption),
                    Pca = ParsePca(parse.GetValue(pca)),
                }, note => stderr.WriteLine(note), ct));
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
                    Pca = ParsePca(parse.GetValue(pca)),
                    Whiten = parse.GetValue(whiten),
                    Normalize = !parse.GetValue(noNormalize),
                    Copy = parse.GetValue(copy),
                    Embedding = EmbeddingOptionsFrom(parse),
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
            if (summary.Auto is { } auto) PrintAuto(stdout, auto, algorithmOptions);
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
            if (summary.Evaluation is { } report) PrintEvaluation(stdout, report);
            if (summary.Baseline is { } baseline) PrintBaseline(stdout, baseline);
            if (reportOptions is not null) WriteReport(summary, reportOptions, stdout, stderr, ct);
            if (summary.Model is not null)
                stdout.WriteLine($"next:        imagecluster report {Quote(summary.Output)}   |   imagecluster review {Quote(summary.Output)}");
            return Success;
        });
        return command;
    }

    /// <summary>A path as a shell user would type it back: relative to the working directory when below it, quoted when it has spaces.</summary>
    internal static string Quote(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        string shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
        return shown.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '&' or ';' or '(' or ')') ? $"'{shown.Replace("'", "'\\''")}'" : shown;
    }

    private static void WriteReport(RunSummary summary, Reports.ReportOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var written = ReportJob.Run(new ReportJobOptions { RunFolder = summary.Output, Report = options }, note => stderr.WriteLine(note), ct);
        ReportCommand.Print(written, json: false, open: false, stdout, stderr);
    }

    private static void PrintAuto(TextWriter stdout, AutoResult auto, ClusteringOptions flags)
    {
        static string F(double? v) => v is { } x ? x.ToString("F4", CultureInfo.InvariantCulture) : "  n/a";
        stdout.WriteLine($"auto: {auto.Table.Count} candidates ranked by {auto.RankBy.ToString().ToLowerInvariant()} " +
                         $"(silhouette on {auto.SilhouetteSamples} samples, × share not noise)");
        bool labelled = auto.Table.Any(r => r.Nmi is not null), qm = auto.Positive is not null;
        stdout.WriteLine($"  {"algorithm",-18} {"parameters",-30} {"clusters",8} {"noise",6} {"silhouette",10}" +
                         (labelled ? $" {"NMI",7} {"ARI",7}" : "") + (qm ? $" {"QM",7}" : "") + $" {"seconds",8}");
        foreach (var r in auto.Table)
            stdout.WriteLine($"  {r.Algorithm,-18} {r.Parameters,-30} {r.Clusters,8} {r.Noise,6} {F(r.Silhouette),10}" +
                             (labelled ? $" {F(r.Nmi),7} {F(r.Ari),7}" : "") + (qm ? $" {F(r.Qm),7}" : "") +
                             $" {r.Seconds.ToString("F2", CultureInfo.InvariantCulture),8}");
        stdout.WriteLine($"auto picked {auto.BestOptions.AlgorithmName} {flags.AsFlags(auto.BestOptions)}");
    }

    private static void PrintEvaluation(TextWriter stdout, EvaluationReport report)
    {
        stdout.WriteLine($"images {report.Images} (unlabelled {report.Unlabelled}), classes {report.Classes}, clusters {report.Clusters}");
        stdout.WriteLine(FormattableString.Invariant(
            $"Rand {report.RandIndex:F4}  adjusted Rand {report.AdjustedRandIndex:F4}  NMI {report.Nmi:F4}  AMI {report.Ami:F4}  accuracy (Hungarian) {report.HungarianAccuracy:F4}  homogeneity {report.Homogeneity:F4}  completeness {report.Completeness:F4}  V-measure {report.VMeasure:F4}  purity {report.Purity:F4}"));
        if (report.ClassOfInterest is { } q)
            stdout.WriteLine(FormattableString.Invariant(
                $"class '{q.PositiveClass}', kept clusters {string.Join(",", q.KeptClusters)} ({q.KeptChosenBy}): precision {q.Precision:F4} ({q.TruePositives}/{q.Selected}), recall {q.Recall:F4} ({q.TruePositives}/{q.Positives}), Quality Metric {q.PrecisionWeight}·P + {q.RecallWeight}·R = {q.QualityMetric:F4}"));
    }

    private static Command BuildDiagnose(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string?>("folder") { Description = "Folder of images (searched recursively)", Arity = ArgumentArity.ZeroOrOne };
        var features = new Option<string?>("--features") { Description = "Diagnose a features CSV instead of a folder of images" };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder for errors.csv (default: ./imagecluster-runs/NAME, shared with 'cluster')" };
        var pca = new Option<string?>("--pca") { Description = "PCA first: a variance fraction (0.95) or a number of components (50)" };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Images: do not L2-normalise the features" };
        var normalize = new Option<bool>("--normalize") { Description = "--features: L2-normalise the rows first" };
        var kMin = new Option<int>("--k-min") { Description = "Smallest k tried (1 lets the elbow and the gap say 'no structure')", DefaultValueFactory = _ => 1 };
        var kMax = new Option<int>("--k-max") { Description = "Largest k tried", DefaultValueFactory = _ => 10 };
        var minSamples = new Option<int>("--min-samples") { Description = "min_samples of the k-distance curve (DBSCAN's eps suggestion)", DefaultValueFactory = _ => 5 };
        var gapB = new Option<int>("--gap-references") { Description = "Reference sets of the gap statistic (0 = skip it: it costs B K-Means fits per k)", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
        var command = new Command("diagnose", "Without labels: Hopkins clustering tendency, elbow, silhouette, Calinski–Harabasz, Davies–Bouldin, gap; suggests k and DBSCAN's eps")
        {
            folder, features, output, StoreOption, ModelOption, LayerOption, PoolOption, ResizeOption, pca, noNormalize, normalize, kMin, kMax, minSamples, gapB, seed,
            BatchOption, DecodeThreadsOption, InferenceThreadsOption, JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(features) is not null && parse.GetValue(noNormalize)) throw new UsageException("--no-normalize is for folders of images");
            if (parse.GetValue(features) is null && parse.GetValue(normalize)) throw new UsageException("--normalize is for --features");
            if (parse.GetValue(features) is not null && parse.GetValue(LayerOption) is not null) throw new UsageException("--layer picks the features of images; a --features file already holds its features");
            var report = await DiagnoseJob.RunAsync(new DiagnoseJobOptions
            {
                Input = parse.GetValue(folder), Features = parse.GetValue(features), Output = parse.GetValue(output), Store = parse.GetValue(StoreOption),
                Model = parse.GetValue(ModelOption), Layer = LayerFrom(parse), Resize = parse.GetValue(ResizeOption), Embedding = EmbeddingOptionsFrom(parse),
                Normalize = parse.GetValue(features) is null ? !parse.GetValue(noNormalize) : parse.GetValue(normalize),
                Pca = ParsePca(parse.GetValue(pca)), KMin = parse.GetValue(kMin), KMax = parse.GetValue(kMax),
                MinSamples = parse.GetValue(minSamples), GapReferences = parse.GetValue(gapB), Seed = parse.GetValue(seed),
            }, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(report, RunFolder.Json));
                return Success;
            }
            PrintDiagnosis(stdout, report);
            return Success;
        });
        return command;
    }

    private static void PrintDiagnosis(TextWriter stdout, DiagnoseReport r)
    {
        static string F(double? v, string format = "F4") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        stdout.WriteLine($"{r.Samples} samples × {r.Features} features{(r.Normalized ? ", L2-normalised" : "")}" +
                         (r.Pca is { } p ? $", PCA to {p.Components} components ({p.ExplainedVariance:P1} of the variance)" : "") + $", seed {r.Seed}");
        stdout.WriteLine($"Hopkins statistic H = {F(r.Hopkins.Statistic, "F3")} on {r.Hopkins.SampleSize} probes " +
                         "(0.5 = uniformly random, towards 1 = clustered; some tools print 1 − H)");
        stdout.WriteLine($"  {"k",3} {"inertia",12} {"silhouette",10} {"Calinski-H",11} {"Davies-B",9} {"gap ± SE",16}");
        foreach (var e in r.Evidence)
            stdout.WriteLine($"  {e.K,3} {F(e.Inertia, "G6"),12} {F(e.Silhouette),10} {F(e.CalinskiHarabasz, "F1"),11} {F(e.DaviesBouldin),9} " +
                             $"{(e.Gap is { } g ? $"{F(g)} ± {F(e.GapSE)}" : "-"),16}");
        stdout.WriteLine("votes: " + string.Join(", ", r.Votes.Select(v => $"{Kebab(v.Key)} k={v.Value}")));
        stdout.WriteLine(r.SuggestedK is { } k
            ? $"suggested k = {k} (voted by {string.Join(", ", r.Agreeing.Select(Kebab))})"
            : "no k suggested: no criterion could vote");
        stdout.WriteLine($"k-distance curve (min_samples {r.KDistance.MinSamples}, {r.KDistance.Samples} samples): " +
                         (r.KDistance.SuggestedEps is { } eps ? $"knee at {F(eps)} → suggested DBSCAN --eps {F(eps)} --min-samples {r.KDistance.MinSamples}" : "no knee"));
    }

    private static string Kebab(Diagnostics.KCriterion criterion) => criterion switch
    {
        Diagnostics.KCriterion.ElbowKnee => "elbow",
        Diagnostics.KCriterion.CalinskiHarabasz => "calinski-harabasz",
        Diagnostics.KCriterion.DaviesBouldin => "davies-bouldin",
        _ => criterion.ToString().ToLowerInvariant(),
    };

    private static void PrintBaseline(TextWriter stdout, BaselineSummary b)
    {
        if (b.LogisticRegression is { } lr)
            stdout.WriteLine(FormattableString.Invariant(
                $"supervised baseline on the same features (stratified 5-fold, {b.Samples} labelled): logistic regression accuracy {lr:F4} ± {b.LogisticRegressionStd:F4}, 5-NN {b.KNeighbors:F4} ± {b.KNeighborsStd:F4}"));
        foreach (var warning in b.Warnings) stdout.WriteLine($"supervised baseline: {warning}");
    }

    private static Command BuildEmbed(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string>("folder") { Description = "Folder of images (searched recursively)" };
        var output = new Option<string>("--out", "-o")
        {
            Description = "CSV file to write: path,f0,f1,… (images that cannot be used, if any, are listed in FILE.errors.csv)", Required = true,
        };
        var command = new Command("embed", "Write the feature vector of every image of FOLDER to a CSV file")
        {
            folder, output, StoreOption, ModelOption, LayerOption, PoolOption, ResizeOption, BatchOption, DecodeThreadsOption, InferenceThreadsOption, JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new EmbedJobOptions
            {
                Input = parse.GetValue(folder)!,
                Output = parse.GetValue(output)!,
                Model = parse.GetValue(ModelOption),
                Layer = LayerFrom(parse),
                Resize = parse.GetValue(ResizeOption),
                Store = parse.GetValue(StoreOption),
                Embedding = EmbeddingOptionsFrom(parse),
            };
            var summary = await EmbedJob.RunAsync(options, new ProgressPrinter(stderr), note => stderr.WriteLine(note), ct);
            if (summary.Errors > 0) stderr.WriteLine($"{summary.Errors} files could not be used; see {summary.ErrorsFile}");
            if (parse.GetValue(JsonOption))
            {
                stdout.WriteLine(JsonSerializer.Serialize(summary, RunFolder.Json));
                return Success;
            }
            stdout.WriteLine($"embedded {summary.Scanned - summary.Errors} images with {summary.Model.Name}" +
                             (summary.Model.Layer is { } layer ? $" layer {layer} pooled by {summary.Model.Pool}" : "") + $" ({summary.Model.Dimension} features; " +
                             $"new {summary.Embedded}, from cache {summary.FromCache}, unreadable {summary.Errors}) in {summary.Seconds:F1} s");
            stdout.WriteLine($"features: {summary.Output}");
            return Success;
        });
        return command;
    }

    private static Command BuildEvaluate(TextWriter stdout)
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

    private static double[] ParseNumbers(string text, string option)
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

    private static EmbeddingOptions EmbeddingOptionsFrom(ParseResult parse)
    {
        return new EmbeddingOptions
        {
            BatchSize = parse.GetValue(BatchOption),
            DecodeThreads = parse.GetValue(DecodeThreadsOption),
            InferenceThreads = parse.GetValue(InferenceThreadsOption),
        };
    }

    private static double? ParsePca(string? text)
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new UsageException($"--pca takes a variance fraction like 0.95 or a number of components like 50, not '{text}'");
        return value;
    }

    private static void PrintErrors(TextWriter stderr, string output, int count)
    {
        if (count == 0) return;
        string file = Path.Combine(output, "errors.csv");
        stderr.WriteLine($"{count} files could not be used (listed in {file}):");
        using var reader = new StreamReader(file);
        foreach (var row in Csv.Read(reader).Skip(1).Take(20)) stderr.WriteLine($"  {row[0]}: {row[1]}");
        if (count > 20) stderr.WriteLine($"  … and {count - 20} more");
    }
}
