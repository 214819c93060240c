using System.Globalization;
using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Embedding;
using ImageCluster.Evaluation;
using ImageCluster.Images;
using ImageCluster.Pipeline;
using ImageCluster.Runs;

namespace ImageCluster.Bench;

/// <summary>
/// Issue 17's feature recipes, each on every shared set, clustered three ways (K-Means and Leiden at k = number of classes,
/// the label-free default without k), mean NMI over seeds:
/// <list type="bullet">
/// <item><c>default</c>: the default model's embedding (average-pooled last map), L2-normalised — the baseline.</item>
/// <item><c>flip</c>: the mean of the embeddings of the image and its mirror image (test-time augmentation), then L2.</item>
/// <item><c>max</c>: the last map max-pooled instead (<c>embed --layer 627_quantized --pool max</c>).</item>
/// <item><c>whiten</c>: PCA of the normalised embeddings to min(128, N / 10) components, whitened, re-normalised. (With
/// as many components as the data has dimensions, N − 1 for a small set, whitening leaves every point equally far from every
/// other: the first try, min(256, N − 1), took near_duplicates from 1.000 to 0.35.)</item>
/// <item><c>avg+max</c>, <c>+v1</c>: concatenations with per-block L2 (each block normalised, then the whole row):
/// the average- and max-pooled maps of the default model; the default model and MobileNet v1.</item>
/// </list>
/// The embeddings come from the models bench's cache (embedded by the real CLI); the flipped ones are embedded here with the
/// product's own decoder, preprocessing and ONNX session, and cached beside them.
/// Usage: bench recipes [--sets a,b] [--work DIR] [--cli PATH] [--shared DIR] [--seeds 3]
/// </summary>
internal static class RecipesBench
{
    private const string Default = "mobilenetv2_12_int8";
    private const string MaxSpec = "mobilenetv2_12_int8@627_quantized:max";
    private const string V1 = "mobilenet_v1_0.75_224";

    private static readonly string[] Recipes = ["default", "flip", "max", "whiten", "avg+max", "+v1"];
    private static readonly string[] Methods = ["kmeans", "leiden", "label-free"];

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        var (shared, models, cli, work, sets, environment) = ModelsBench.Setting.Read(args);
        int seeds = int.Parse(Arg("--seeds", "3"), CultureInfo.InvariantCulture);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; seeds 0..{seeds - 1}");
        var model = ModelResolver.Resolve(Default, [models]);
        var table = new Dictionary<(string Set, string Recipe, string Method), double>();
        foreach (string set in sets)
        {
            var (input, labels) = ModelsBench.Prepare(shared, set, work);
            ModelsBench.Features Get(string spec) => ModelsBench.Embed(cli, environment, ModelsBench.Spec.Parse(spec), set, input, work);
            var plain = Get(Default);
            var truth = plain.Paths.Select(p => labels[p]).ToList();
            var variants = new Dictionary<string, FeatureMatrix>
            {
                ["default"] = Unit(plain.Matrix),
                ["flip"] = Flipped(model, input, plain, work, set),
                ["max"] = Unit(Aligned(Get(MaxSpec), plain.Paths)),
                ["whiten"] = Whitened(Unit(plain.Matrix)),
                ["avg+max"] = Concatenated(plain.Matrix, Aligned(Get(MaxSpec), plain.Paths)),
                ["+v1"] = Concatenated(plain.Matrix, Aligned(Get(V1), plain.Paths)),
            };
            int k = truth.Distinct().Count();
            foreach (var (recipe, x) in variants)
            {
                var reduced = Isometry.Reduce(x);
                foreach (string method in Methods)
                {
                    double nmi = Enumerable.Range(0, seeds).Average(seed =>
                    {
                        int[] found = method switch
                        {
                            "kmeans" => new KMeans(new KMeansOptions { NClusters = k, NInit = 10, Seed = seed }).Fit(reduced).Labels,
                            "leiden" => new Leiden(new LeidenOptions { NClusters = k, Seed = seed }).Fit(reduced).Labels,
                            _ => AutoSweep.Run(reduced, plain.Paths, new AutoOptions { RankBy = AutoRanking.Stability, Seed = seed }).Best.Labels,
                        };
                        return ClusteringMetrics.NormalizedMutualInformation(truth, found.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList());
                    });
                    table[(set, recipe, method)] = nmi;
                }
                Console.Error.WriteLine(Inv($"  {set} {recipe} ({x.Columns}-d): ") + string.Join(", ", Methods.Select(m => Inv($"{m} {table[(set, recipe, m)]:F3}"))));
            }
        }

        foreach (string method in Methods)
        {
            Console.WriteLine($"\n### {method}{(method == "label-free" ? " (no k)" : " (k = classes)")}");
            Console.WriteLine($"| recipe | {string.Join(" | ", sets)} | mean | wins / losses > 0.01 vs default |");
            Console.WriteLine($"|---|{string.Concat(sets.Select(_ => "---|"))}---|---|");
            foreach (string recipe in Recipes)
            {
                var deltas = sets.Select(set => table[(set, recipe, method)] - table[(set, "default", method)]).ToList();
                string cells = string.Join(" | ", sets.Select((set, i) => recipe == "default" ? Inv($"{table[(set, recipe, method)]:F3}")
                    : Inv($"{table[(set, recipe, method)]:F3} ({deltas[i]:+0.000;-0.000;0.000})")));
                Console.WriteLine(Inv($"| {recipe} | {cells} | {sets.Average(set => table[(set, recipe, method)]):F3} | ") +
                                  (recipe == "default" ? "– |" : $"{deltas.Count(d => d > 0.01)} / {deltas.Count(d => d < -0.01)} |"));
            }
        }
        return 0;
    }

    private static FeatureMatrix Unit(FeatureMatrix x) => x.Clone().NormalizeRowsInPlace();

    /// <summary>The rows of <paramref name="features"/> in the order of <paramref name="paths"/> (every spec embeds the same files).</summary>
    private static FeatureMatrix Aligned(ModelsBench.Features features, string[] paths)
    {
        var index = features.Paths.Select((p, i) => (p, i)).ToDictionary(t => t.p, t => t.i);
        var x = new FeatureMatrix(paths.Length, features.Matrix.Columns);
        for (int i = 0; i < paths.Length; i++) features.Matrix.ReadRow(index[paths[i]]).CopyTo(x.Row(i));
        return x;
    }

    /// <summary>Each block L2-normalised, side by side, the row normalised again.</summary>
    private static FeatureMatrix Concatenated(FeatureMatrix a, FeatureMatrix b)
    {
        var (ua, ub) = (Unit(a), Unit(b));
        var x = new FeatureMatrix(a.Rows, a.Columns + b.Columns);
        for (int i = 0; i < a.Rows; i++)
        {
            ua.ReadRow(i).CopyTo(x.Row(i));
            ub.ReadRow(i).CopyTo(x.Row(i)[a.Columns..]);
        }
        return x.NormalizeRowsInPlace();
    }

    private static FeatureMatrix Whitened(FeatureMatrix unit)
    {
        int components = Math.Min(128, unit.Rows / 10);
        var pca = Pca.Fit(unit, new PcaOptions { Components = components, Whiten = true });
        return pca.Transform(unit).NormalizeRowsInPlace();
    }

    /// <summary>Mean of the embeddings of each image and its mirror image, L2-normalised; cached in the work folder.</summary>
    private static FeatureMatrix Flipped(ResolvedModel model, string input, ModelsBench.Features plain, string work, string set)
    {
        string cache = Path.Combine(Directory.CreateDirectory(Path.Combine(work, "features", "flip")).FullName, set + ".f32");
        int d = plain.Matrix.Columns;
        var mirrored = new FeatureMatrix(plain.Paths.Length, d);
        if (File.Exists(cache))
        {
            var bytes = File.ReadAllBytes(cache);
            Buffer.BlockCopy(bytes, 0, mirrored.Data, 0, bytes.Length);
        }
        else
        {
            using var embedder = EmbedderFactory.Create(model);
            var descriptor = embedder.Descriptor;
            int w = descriptor.Width, h = descriptor.Height, length = w * h * 3;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            const int batch = 32;
            for (int start = 0; start < plain.Paths.Length; start += batch)
            {
                int count = Math.Min(batch, plain.Paths.Length - start);
                var inputs = new float[count * length];
                Parallel.For(0, count, j =>
                {
                    var rgb = ImageDecoder.DecodeRgb(File.ReadAllBytes(Path.Combine(input, plain.Paths[start + j])), w, h, descriptor.Resize);
                    var flipped = new byte[rgb.Length];
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                            for (int c = 0; c < 3; c++) flipped[(y * w + x) * 3 + c] = rgb[(y * w + (w - 1 - x)) * 3 + c];
                    TensorPreprocessor.Fill(descriptor, flipped, inputs.AsSpan(j * length, length));
                });
                embedder.Embed(inputs, count, mirrored.Data.AsSpan(start * d, count * d));
            }
            Console.Error.WriteLine(Inv($"  {set}: embedded {plain.Paths.Length} mirror images in {clock.Elapsed.TotalSeconds:F1} s"));
            var raw = new byte[mirrored.Data.Length * sizeof(float)];
            Buffer.BlockCopy(mirrored.Data, 0, raw, 0, raw.Length);
            File.WriteAllBytes(cache, raw);
        }
        // Each view's vector normalised before the mean, so neither dominates, then the mean normalised.
        var (a, b) = (Unit(plain.Matrix), Unit(mirrored));
        var x2 = new FeatureMatrix(a.Rows, d);
        for (int i = 0; i < x2.Data.Length; i++) x2.Data[i] = a.Data[i] + b.Data[i];
        return x2.NormalizeRowsInPlace();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
