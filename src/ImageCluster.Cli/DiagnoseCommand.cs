using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Pipeline;
using ImageCluster.Runs;
using static ImageCluster.Cli.Cli;
using static ImageCluster.Cli.CommonOptions;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster diagnose FOLDER|--features FILE</c>: clusterability, elbow, gap statistic and a suggested k.</summary>
internal static class DiagnoseCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<string?>("folder") { Description = "Folder of images (searched recursively)", Arity = ArgumentArity.ZeroOrOne };
        var features = new Option<string?>("--features") { Description = "Diagnose a features file (.csv, .npy or .parquet) instead of a folder of images" };
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
            BatchOption, DecodeThreadsOption, InferenceThreadsOption, MaxFileOption, DecodeMemoryOption, FileTimeLimitOption, JsonOption,
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

    internal static void PrintDiagnosis(TextWriter stdout, DiagnoseReport r)
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

    internal static string Kebab(Diagnostics.KCriterion criterion) => criterion switch
    {
        Diagnostics.KCriterion.ElbowKnee => "elbow",
        Diagnostics.KCriterion.CalinskiHarabasz => "calinski-harabasz",
        Diagnostics.KCriterion.DaviesBouldin => "davies-bouldin",
        _ => criterion.ToString().ToLowerInvariant(),
    };
}
